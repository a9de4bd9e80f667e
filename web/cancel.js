// The manage page, from an email's cancel link (booking and token in the address).
import { $, api, h, t, local, dateTime, errorMessage, retryable, say, startLanguages, setOffice, params, findService } from './termin.js';

let outcome = null;
let catalog = null;

function render() {
  if (!outcome) return;
  const b = outcome.booking;
  const service = catalog && findService(catalog, b.service_id).service;
  say($('result'), t(outcome.already_cancelled ? 'manage.already' : 'manage.cancelled'), 'ok');
  $('result').append(h('p', {}, t('manage.cancelled_visit', { matter: service ? local(service.name).textContent : '', when: dateTime(b.start, b.time_zone), ref: b.public_ref })));
}

async function cancel(event) {
  event.preventDefault();
  const p = params();
  const answer = await api('POST', `/bookings/${encodeURIComponent(p.get('booking') || '')}/cancel`, { token: p.get('token') || '' });
  if (!answer.ok) {
    say($('result'), errorMessage(answer.data), 'error', retryable(answer.data) ? () => cancel(event) : null);
    return;
  }
  outcome = answer.data;
  const office = await api('GET', `/offices/${encodeURIComponent(outcome.booking.office_id)}`);
  catalog = office.ok ? office.data : null;
  if (catalog) await setOffice(catalog.office);
  $('form').hidden = true;
  render();
}

$('form').addEventListener('submit', cancel);
startLanguages(render);
