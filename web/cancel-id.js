// Cancel with the national ID, the matter and the day (seed 001): the API
// sends a cancel link to the booking's own email address and answers alike
// whether or not a booking matched, so the page says so in those words.
import { $, api, h, t, local, errorMessage, retryable, say, startLanguages, setOffice, params } from './termin.js';

let offices = [];
let catalog = null;
let sent = false;

function render() {
  $('office').replaceChildren(h('option', { value: '' }, t('where.office_choose')), ...offices.map((o) => local(o.name, 'option', { value: o.id })));
  $('office').value = catalog ? catalog.office.id : '';
  const chosen = $('service').value;
  $('service').replaceChildren(...(catalog ? catalog.departments.flatMap((d) => d.services.filter((s) => s.bookable)
    .map((s) => h('option', { value: s.id }, `${local(d.name).textContent} – ${local(s.name).textContent}`))) : []));
  if (chosen) $('service').value = chosen;
  $('national_id-label').textContent = t(catalog && catalog.office.national_id === 'rodne_cislo' ? 'who.rodne_cislo' : 'who.pesel');
  if (sent) say($('result'), t('byid.sent'), 'ok');
}

async function chooseOffice(id) {
  catalog = null;
  if (id) {
    const answer = await api('GET', `/offices/${encodeURIComponent(id)}`);
    if (!answer.ok) return say($('result'), errorMessage(answer.data), 'error');
    catalog = answer.data;
    await setOffice(catalog.office);
  }
  render();
}

async function cancel(event) {
  event.preventDefault();
  sent = false;
  if (!catalog) return say($('result'), t('where.office_choose'), 'error');
  if (!$('date').value) return say($('result'), t('byid.invalid_date'), 'error');
  const answer = await api('POST', '/bookings/cancel', {
    office_id: catalog.office.id, service_id: $('service').value, date: $('date').value, national_id: $('national_id').value.trim(),
  });
  if (!answer.ok) {
    say($('result'), errorMessage(answer.data), 'error', retryable(answer.data) ? () => cancel(event) : null);
    return;
  }
  sent = true;
  render();
}

async function start() {
  const answer = await api('GET', '/offices');
  if (!answer.ok) return say($('result'), errorMessage(answer.data), 'error', () => start());
  offices = answer.data.offices;
  render();
  const wanted = params().get('office');
  if (offices.some((o) => o.id === wanted)) await chooseOffice(wanted);
}

$('office').addEventListener('change', (e) => chooseOffice(e.target.value));
$('form').addEventListener('submit', cancel);
startLanguages(render).then(start);
