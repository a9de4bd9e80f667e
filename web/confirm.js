// The confirm page, from the email's link (booking and token in the address)
// or with the code from the SMS typed in. Confirming takes a press of the
// button: mail scanners that open links must not confirm for anyone.
import { $, api, h, t, errorMessage, retryable, say, startLanguages, setOffice, params, visitDetails } from './termin.js';

let confirmed = null;
let catalog = null;

function render() {
  if (confirmed) $('visit').replaceChildren(h('h2', { tabindex: '-1' }, t('done.heading')), visitDetails(confirmed.booking, catalog));
}

async function confirm(event) {
  event.preventDefault();
  const p = params();
  const code = $('code').value.trim().toUpperCase();
  const body = code ? { code } : { token: p.get('token') || '' };
  const answer = await api('POST', `/bookings/${encodeURIComponent(p.get('booking') || '')}/confirm`, body);
  if (!answer.ok) {
    say($('result'), errorMessage(answer.data), 'error', retryable(answer.data) ? () => confirm(event) : null);
    return;
  }
  confirmed = answer.data;
  const office = await api('GET', `/offices/${encodeURIComponent(confirmed.booking.office_id)}`);
  catalog = office.ok ? office.data : null;
  if (catalog) await setOffice(catalog.office);
  $('form').hidden = true;
  $('result').replaceChildren(confirmed.already_confirmed ? h('p', {}, t('confirm.already')) : '');
  render();
  $('visit').querySelector('h2').focus();
}

$('form').addEventListener('submit', confirm);
startLanguages(render);
