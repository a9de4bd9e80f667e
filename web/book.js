const $ = (id) => document.getElementById(id);
let catalog = null;
let chosenStart = null;

async function loadOffices() {
  const { data } = await api('GET', '/offices');
  $('office').innerHTML = data.offices.map((o) => `<option value="${o.id}">${text(o.name, 'pl')}</option>`).join('');
  await loadCatalog();
}

async function loadCatalog() {
  const { data } = await api('GET', `/offices/${$('office').value}`);
  catalog = data;
  const options = [];
  for (const d of data.departments) {
    for (const s of d.services) options.push(`<option value="${s.id}">${text(d.name, 'en')} – ${text(s.name, 'en')}</option>`);
  }
  $('service').innerHTML = options.join('');
  await loadSlots();
}

function currentService() {
  for (const d of catalog.departments) for (const s of d.services) if (s.id === $('service').value) return s;
  return null;
}

async function loadSlots() {
  const service = currentService();
  chosenStart = null;
  $('application-number-row').hidden = !service.requires_application_number;
  $('lost-document-row').hidden = !service.allows_lost_document_report;
  const docs = service.required_documents.map((d) => text(d, 'en')).join(', ');
  $('service-info').textContent = service.bookable
    ? `${text(service.description, 'en')} ${docs ? 'Bring: ' + docs + '.' : ''} Visit: ${service.visit_minutes} min.`
    : `No booking needed: ${text(service.where_to_go, 'en')}`;
  $('days').innerHTML = '';
  if (!service.bookable) return;
  const { data } = await api('GET', `/offices/${catalog.office.id}/services/${service.id}/slots`);
  for (const day of data.days) {
    const heading = document.createElement('h3');
    heading.textContent = day.date;
    const row = document.createElement('div');
    row.className = 'slots';
    for (const slot of day.slots) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `${slot.time} (${slot.seats_left})`;
      b.setAttribute('aria-pressed', 'false');
      b.setAttribute('aria-label', `${day.date} ${slot.time}, ${slot.seats_left} seats left`);
      b.addEventListener('click', () => {
        document.querySelectorAll('.slots button').forEach((x) => x.setAttribute('aria-pressed', 'false'));
        b.setAttribute('aria-pressed', 'true');
        chosenStart = slot.start;
        $('cancel_date').value = day.date;
      });
      row.appendChild(b);
    }
    $('days').append(heading, row);
  }
}

async function book(event) {
  event.preventDefault();
  if (!chosenStart) return show($('result'), 'Choose a time first.', false);
  const body = {
    office_id: catalog.office.id,
    service_id: $('service').value,
    start: chosenStart,
    first_name: $('first_name').value,
    last_name: $('last_name').value,
    email: $('email').value,
    national_id: $('national_id').value,
    phone: $('phone').value || null,
    confirm_by: $('confirm_by').value,
    accept_terms: $('accept_terms').checked,
    consent_data_processing: $('consent').checked,
    lost_document: $('lost_document').checked,
  };
  if (currentService().requires_application_number) body.application_number = $('application_number').value;
  const { ok, data } = await api('POST', '/bookings', body);
  if (ok) {
    show($('result'), `Booked, reference ${data.public_ref}. Confirm by ${new Date(data.hold_expires_at).toLocaleTimeString()} with the link we sent.`, true);
    refreshMailbox();
    loadSlots();
  } else {
    show($('result'), errorText(data), false);
  }
}

async function refreshMailbox() {
  // Only the local runner serves the mailbox; in the cloud this section stays hidden.
  const response = await fetch('/_local/sent').catch(() => null);
  $('mailbox-section').hidden = !(response && response.ok);
}

async function cancelByPerson(event) {
  event.preventDefault();
  const { ok, data } = await api('POST', '/bookings/cancel', {
    office_id: catalog.office.id,
    service_id: $('service').value,
    date: $('cancel_date').value,
    national_id: $('cancel_national_id').value,
  });
  show($('cancel-result'), ok ? `Cancelled booking ${data.booking.public_ref}.` : errorText(data), ok);
  if (ok) { refreshMailbox(); loadSlots(); }
}

$('office').addEventListener('change', loadCatalog);
$('service').addEventListener('change', loadSlots);
$('form').addEventListener('submit', book);
$('cancel-form').addEventListener('submit', cancelByPerson);
loadOffices();
refreshMailbox();
