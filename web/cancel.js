// The manage page, from an email's cancel link (booking and token in the address).
import { $, api, h, t, local, dateTime, errorMessage, retryable, say, startLanguages, setOffice, params, findService } from './termin.js';

let outcome = null;
let catalog = null;
let visit = null; // the booking, as GET /bookings/{id} shows it to the link's holder

/** The booking's matter in the page's language. */
function matterOf(b) {
  const service = catalog && findService(catalog, b.service_id).service;
  return service ? local(service.name).textContent : '';
}

function render() {
  if (visit && !outcome) {
    $('visit').textContent = t('manage.visit', { matter: matterOf(visit), when: dateTime(visit.start, visit.time_zone), ref: visit.public_ref });
  }
  if (!outcome) return;
  const b = outcome.booking;
  say($('result'), t(outcome.already_cancelled ? 'manage.already' : 'manage.cancelled'), 'ok');
  $('result').append(h('p', {}, t('manage.cancelled_visit', { matter: matterOf(b), when: dateTime(b.start, b.time_zone), ref: b.public_ref })));
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

/** Shows which visit the link cancels, before anyone presses the button. */
async function show() {
  const p = params();
  const answer = await api('GET', `/bookings/${encodeURIComponent(p.get('booking') || '')}`, undefined, { authorization: `Bearer ${p.get('token') || ''}` });
  if (!answer.ok) return; // the cancel button still answers in words
  visit = answer.data.booking;
  const office = await api('GET', `/offices/${encodeURIComponent(visit.office_id)}`);
  catalog = office.ok ? office.data : null;
  if (catalog) await setOffice(catalog.office);
  render();
}

$('form').addEventListener('submit', cancel);
startLanguages(render);
show();
