// The booking flow (seeds 001 and 002): office → department → matter → day in
// a month calendar → time → details with the terms and consent in full →
// check → "check your email / SMS", where an SMS code can be typed.
import {
  $, api, h, t, lang, local, pick, date, time, dateTime, utcDate, ymd, errorMessage, retryable, say,
  startLanguages, setOffice, idempotencyKey, params, showLocalMailbox, visitDetails, findService,
} from './termin.js';

const STEPS = ['where', 'when', 'who', 'check', 'sent'];
const state = {
  step: 'where',
  offices: [],
  catalog: null,
  departmentId: null,
  serviceId: null,
  listing: null, // free slots of the whole booking window
  month: null, // 'YYYY-MM' shown
  focusDay: null, // the calendar cell with tabindex 0
  day: null, // the chosen day
  start: null, // the chosen slot's start
  hold: null, // the API's answer to the booking
  confirmed: null,
  fieldErrors: {}, // field id → message key
  idempotencyKey: null,
};

const service = () => (state.catalog ? findService(state.catalog, state.serviceId).service : null);
const department = () => (state.catalog ? state.catalog.departments.find((d) => d.id === state.departmentId) : null);
const tz = () => state.catalog.office.time_zone;

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------

function show(step, focus = true) {
  state.step = step;
  for (const s of STEPS) $(`step-${s}`).hidden = s !== step;
  renderProgress();
  if (focus) $(`${step}-h`).focus();
}

function renderProgress() {
  $('progress').textContent = t('book.progress', { n: STEPS.indexOf(state.step) + 1, total: STEPS.length });
}

function render() {
  renderProgress();
  renderOffices();
  renderWhere();
  if (state.listing) renderCalendar(false);
  renderForm();
  if (state.step === 'check') renderSummary();
  if (state.hold) renderSent();
}

// ---------------------------------------------------------------------------
// Office, department, matter
// ---------------------------------------------------------------------------

async function loadOffices() {
  const answer = await api('GET', '/offices');
  if (!answer.ok) return say($('page-error'), errorMessage(answer.data), 'error', () => { $('page-error').replaceChildren(); loadOffices(); });
  state.offices = answer.data.offices;
  renderOffices();
  const wanted = params().get('office');
  if (state.offices.some((o) => o.id === wanted)) await chooseOffice(wanted);
}

function renderOffices() {
  const select = $('office');
  select.replaceChildren(
    h('option', { value: '' }, t('where.office_choose')),
    ...state.offices.map((o) => local(o.name, 'option', { value: o.id })),
  );
  select.value = state.catalog ? state.catalog.office.id : '';
}

async function chooseOffice(id) {
  state.catalog = null;
  state.departmentId = null;
  state.serviceId = null;
  renderWhere();
  if (!id) return;
  const answer = await api('GET', `/offices/${encodeURIComponent(id)}`);
  if (!answer.ok) return say($('page-error'), errorMessage(answer.data), 'error', () => { $('page-error').replaceChildren(); chooseOffice(id); });
  $('page-error').replaceChildren();
  state.catalog = answer.data;
  if (state.catalog.departments.length === 1) state.departmentId = state.catalog.departments[0].id;
  const wanted = params().get('service');
  if (wanted && findService(state.catalog, wanted).service) {
    state.serviceId = wanted;
    state.departmentId = findService(state.catalog, wanted).department.id;
  }
  await setOffice(state.catalog.office); // renders in the office's language unless one was chosen
  render();
}

/** A group of radio buttons, one per item; `onPick(id)` when one is chosen. */
function radios(name, legendKey, items, chosen, onPick, describe) {
  return h('fieldset', { class: 'choices' },
    h('legend', {}, t(legendKey)),
    items.map((item) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name, value: item.id, checked: item.id === chosen, onchange: () => onPick(item.id) }),
      ' ', local(item.name), describe ? describe(item) : null)));
}

function renderWhere() {
  const c = state.catalog;
  $('departments').replaceChildren(c ? radios('department', 'where.department', c.departments, state.departmentId, (id) => {
    state.departmentId = id;
    state.serviceId = null;
    renderWhere();
  }) : '');
  const d = department();
  $('matters').replaceChildren(d ? radios('matter', 'where.matter', d.services, state.serviceId, (id) => {
    state.serviceId = id;
    renderWhere();
  }) : '');
  renderMatterInfo();
}

function renderMatterInfo() {
  const s = service();
  const d = department();
  $('to-when').hidden = !(s && s.bookable);
  if (!s) {
    $('matter-info').replaceChildren(d ? h('p', {}, t('matter.choose')) : '');
    return;
  }
  const templates = s.document_templates || [];
  $('matter-info').replaceChildren(h('div', { class: 'matter', 'aria-live': 'polite' },
    h('h3', {}, local(s.name)),
    local(s.description, 'p'),
    s.bookable
      ? [h('p', {}, t('matter.visit', { minutes: s.visit_minutes })),
        d.location && h('p', {}, t('matter.location', { place: '' }), local(d.location))]
      : [h('p', { class: 'notice' }, t('matter.not_bookable')),
        h('p', { class: 'notice' }, t('matter.where_to_go', { place: '' }), local(s.where_to_go))],
    s.required_documents.length > 0 && [h('h4', {}, t('matter.documents')), h('ul', {}, s.required_documents.map((x) => local(x, 'li')))],
    templates.length > 0 && [h('h4', {}, t('matter.templates')), h('ul', {}, templates.map((x) => h('li', {}, local(x.title, 'a', { href: x.url }))))],
  ));
}

// ---------------------------------------------------------------------------
// Month calendar (an ARIA grid) and hours
// ---------------------------------------------------------------------------

async function toWhen() {
  const s = service();
  const answer = await api('GET', `/offices/${state.catalog.office.id}/services/${s.id}/slots`);
  if (!answer.ok) return say($('page-error'), errorMessage(answer.data), 'error', () => { $('page-error').replaceChildren(); toWhen(); });
  $('page-error').replaceChildren();
  state.listing = answer.data;
  const days = freeDays();
  if (!days.includes(state.day)) { state.day = null; state.start = null; }
  const first = state.day || days[0] || state.listing.from;
  state.month = first.slice(0, 7);
  state.focusDay = first;
  renderCalendar(false);
  show('when');
}

function freeDays() {
  return state.listing.days.filter((d) => d.slots.length > 0).map((d) => d.date);
}

function slotsOf(day) {
  const d = state.listing.days.find((x) => x.date === day);
  return d ? d.slots : [];
}

const addDays = (day, n) => { const d = utcDate(day); d.setUTCDate(d.getUTCDate() + n); return ymd(d); };
const monthOf = (m, delta) => { const [y, mo] = m.split('-').map(Number); return ymd(new Date(Date.UTC(y, mo - 1 + delta, 1, 12))).slice(0, 7); };
const inWindow = (day) => day >= state.listing.from && day <= state.listing.to;

function renderCalendar(focus) {
  const { month } = state;
  $('month-label').textContent = date(`${month}-01`, { month: 'long', year: 'numeric' });
  $('prev-month').disabled = month <= state.listing.from.slice(0, 7);
  $('next-month').disabled = month >= state.listing.to.slice(0, 7);
  const free = new Set(freeDays());
  if (!state.focusDay || state.focusDay.slice(0, 7) !== month) {
    state.focusDay = [...free].find((d) => d.startsWith(month)) || `${month}-01`;
  }
  const first = utcDate(`${month}-01`);
  const lead = (first.getUTCDay() + 6) % 7; // weeks start on Monday
  const monday = addDays(`${month}-01`, -lead);
  const head = h('tr', {}, [0, 1, 2, 3, 4, 5, 6].map((i) => h('th', { scope: 'col', abbr: date(addDays(monday, i), { weekday: 'long' }) },
    date(addDays(monday, i), { weekday: 'short' }))));
  const rows = [];
  for (let week = 0; week < 6; week += 1) {
    const cells = [];
    for (let i = 0; i < 7; i += 1) {
      const day = addDays(monday, week * 7 + i);
      if (!day.startsWith(month)) { cells.push(h('td', { class: 'outside' })); continue; }
      const has = free.has(day);
      cells.push(h('td', {
        'data-day': day,
        tabindex: day === state.focusDay ? '0' : '-1',
        class: has ? 'free' : 'none',
        'aria-selected': String(day === state.day),
        'aria-disabled': has ? undefined : 'true',
        'aria-label': `${date(day)}, ${t(has ? 'when.day_free' : 'when.day_none')}`,
        onclick: () => { state.focusDay = day; if (has) chooseDay(day); else renderCalendar(true); },
        onkeydown: (e) => calendarKey(e, day),
      }, String(Number(day.slice(8)))));
    }
    if (week === 5 && cells.every((c) => c.className === 'outside')) break;
    rows.push(h('tr', {}, cells));
  }
  $('calendar').replaceChildren(h('thead', {}, head), h('tbody', {}, rows));
  if (free.size === 0) say($('when-error'), t('when.none_at_all'), 'error');
  renderHours();
  if (focus) $('calendar').querySelector('td[tabindex="0"]').focus();
}

function calendarKey(e, day) {
  const moves = {
    ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7,
    Home: -((utcDate(day).getUTCDay() + 6) % 7), End: 6 - ((utcDate(day).getUTCDay() + 6) % 7),
  };
  let next = null;
  if (e.key in moves) next = addDays(day, moves[e.key]);
  else if (e.key === 'PageUp' || e.key === 'PageDown') {
    const m = monthOf(day.slice(0, 7), e.key === 'PageUp' ? -1 : 1);
    const last = Number(addDays(`${monthOf(m, 1)}-01`, -1).slice(8));
    next = `${m}-${String(Math.min(Number(day.slice(8)), last)).padStart(2, '0')}`;
  } else if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    if (freeDays().includes(day)) chooseDay(day);
    return;
  } else return;
  e.preventDefault();
  if (!inWindow(next)) {
    // Outside the booking window: stay on the nearest day inside it.
    next = next < state.listing.from ? state.listing.from : state.listing.to;
  }
  state.focusDay = next;
  state.month = next.slice(0, 7);
  renderCalendar(true);
}

function chooseDay(day) {
  state.day = day;
  state.focusDay = day;
  if (!slotsOf(day).some((s) => s.start === state.start)) state.start = null;
  $('when-error').replaceChildren();
  renderCalendar(true);
}

function renderHours() {
  if (!state.day || state.day.slice(0, 7) !== state.month) {
    $('hours').replaceChildren(state.day ? '' : h('p', {}, t('when.legend_free')));
    return;
  }
  $('hours').replaceChildren(h('fieldset', { class: 'hours' },
    h('legend', {}, t('when.hours', { date: date(state.day) })),
    slotsOf(state.day).map((slot) => h('label', { class: 'slot' },
      h('input', {
        type: 'radio', name: 'time', value: slot.start, checked: slot.start === state.start,
        onchange: () => { state.start = slot.start; $('when-error').replaceChildren(); },
      }),
      h('span', { class: 'time' }, time(slot.start, tz())),
      h('span', { class: 'seats' }, t('when.seats', { count: slot.seats_left }))))));
}

function toWho() {
  if (!state.day) return say($('when-error'), t('when.choose_day'), 'error');
  if (!state.start) return say($('when-error'), t('when.choose_time'), 'error');
  renderForm();
  show('who');
}

// ---------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------

const paragraphs = (text) => text.split('\n').map((p) => h('p', {}, p));

function renderForm() {
  const s = service();
  const c = state.catalog;
  if (!c) return;
  $('national_id-label').textContent = t(c.office.national_id === 'rodne_cislo' ? 'who.rodne_cislo' : 'who.pesel');
  $('application-number-row').hidden = !(s && s.requires_application_number);
  $('lost-document-row').hidden = !(s && s.allows_lost_document_report);
  $('terms-text').replaceChildren(...paragraphs(t('who.terms_text')));
  $('consent-text').replaceChildren(...paragraphs(t('who.consent_text', { office: pick(c.office.name).text, address: c.office.address })));
  renderFieldErrors();
}

const confirmBy = () => document.querySelector('input[name="confirm_by"]:checked').value;

function formValues() {
  const s = service();
  const body = {
    office_id: state.catalog.office.id,
    service_id: s.id,
    start: state.start,
    first_name: $('first_name').value.trim(),
    last_name: $('last_name').value.trim(),
    email: $('email').value.trim(),
    national_id: $('national_id').value.trim(),
    phone: $('phone').value.trim() || null,
    confirm_by: confirmBy(),
    language: lang(),
    accept_terms: $('accept_terms').checked,
    consent_data_processing: $('consent').checked,
  };
  if (s.requires_application_number) body.application_number = $('application_number').value.trim();
  if (s.allows_lost_document_report) body.lost_document = $('lost_document').checked;
  return body;
}

function peselValid(v) {
  if (!/^\d{11}$/.test(v)) return false;
  const w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3];
  const sum = w.reduce((acc, x, i) => acc + x * Number(v[i]), 0);
  return (10 - (sum % 10)) % 10 === Number(v[10]);
}

/** What the page can tell before asking the API; the API has the last word. */
function validate(b) {
  const errors = {};
  const rc = state.catalog.office.national_id === 'rodne_cislo';
  if (!b.first_name) errors.first_name = 'invalid.first_name';
  if (!b.last_name) errors.last_name = 'invalid.last_name';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(b.email)) errors.email = 'invalid.email';
  if (rc) {
    if (!/^\d{6}\/?\d{3,4}$/.test(b.national_id)) errors.national_id = 'invalid.rodne_cislo';
  } else if (!/^\d{11}$/.test(b.national_id)) errors.national_id = 'invalid.pesel';
  else if (!peselValid(b.national_id)) errors.national_id = 'invalid.pesel_checksum';
  if (b.phone && !/^\+?[\d\s()-]{9,20}$/.test(b.phone)) errors.phone = 'invalid.phone';
  if (!b.phone && b.confirm_by === 'sms') errors.phone = 'invalid.phone_required';
  if ('application_number' in b && !/^[A-Za-z0-9/-]{4,40}$/.test(b.application_number)) errors.application_number = 'invalid.application_number';
  if (!b.accept_terms) errors.accept_terms = 'invalid.accept_terms';
  if (!b.consent_data_processing) errors.consent = 'invalid.consent';
  return errors;
}

/** The API's field errors, in the page's words. */
function apiFieldErrors(fields) {
  const rc = state.catalog.office.national_id === 'rodne_cislo';
  const errors = {};
  for (const f of fields || []) {
    switch (f.field) {
      case 'first_name': errors.first_name = 'invalid.first_name'; break;
      case 'last_name': errors.last_name = 'invalid.last_name'; break;
      case 'email': errors.email = 'invalid.email'; break;
      case 'pesel':
      case 'national_id':
        errors.national_id = f.code === 'invalid_checksum'
          ? (rc ? 'invalid.rodne_cislo_checksum' : 'invalid.pesel_checksum')
          : (rc ? 'invalid.rodne_cislo' : 'invalid.pesel');
        break;
      case 'phone': errors.phone = f.code === 'required' ? 'invalid.phone_required' : 'invalid.phone'; break;
      case 'application_number': errors.application_number = 'invalid.application_number'; break;
      case 'accept_terms': errors.accept_terms = 'invalid.accept_terms'; break;
      case 'consent_data_processing': errors.consent = 'invalid.consent'; break;
      default: errors[f.field] = 'invalid.other';
    }
  }
  return errors;
}

const FIELDS = ['first_name', 'last_name', 'email', 'national_id', 'phone', 'application_number', 'accept_terms', 'consent'];

/** Marks each field with its error (aria-invalid, aria-describedby) and lists them all in the summary. */
function renderFieldErrors() {
  const errors = state.fieldErrors;
  for (const id of FIELDS) {
    const input = $(id);
    const old = $(`${id}-error`);
    if (old) old.remove();
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== `${id}-error`);
    if (errors[id]) {
      input.setAttribute('aria-invalid', 'true');
      described.push(`${id}-error`);
      const message = h('p', { class: 'field-error', id: `${id}-error` }, t(errors[id]));
      const label = input.type === 'checkbox' ? input.closest('label') : input;
      label.before(message);
    } else {
      input.removeAttribute('aria-invalid');
    }
    if (described.length) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }
  const ids = FIELDS.filter((id) => errors[id]);
  const summary = $('error-summary');
  summary.hidden = ids.length === 0;
  summary.replaceChildren(...(ids.length ? [
    h('h3', {}, t('who.errors')),
    h('ul', {}, ids.map((id) => h('li', {}, h('a', { href: `#${id}`, onclick: (e) => { e.preventDefault(); $(id).focus(); } }, t(errors[id]))))),
  ] : []));
}

function submitForm(event) {
  event.preventDefault();
  state.fieldErrors = validate(formValues());
  renderFieldErrors();
  if (Object.keys(state.fieldErrors).length) {
    $('error-summary').focus();
    return;
  }
  state.idempotencyKey = idempotencyKey();
  $('book-result').replaceChildren();
  renderSummary();
  show('check');
}

// ---------------------------------------------------------------------------
// Check and book
// ---------------------------------------------------------------------------

function renderSummary() {
  const b = formValues();
  const s = service();
  const rc = state.catalog.office.national_id === 'rodne_cislo';
  const rows = [
    ['check.office', [local(state.catalog.office.name), ', ', state.catalog.office.address]],
    ['check.matter', [local(department().name), ' – ', local(s.name)]],
    ['check.when', dateTime(state.start, tz())],
    ['check.name', `${b.first_name} ${b.last_name}`],
    ['check.email', b.email],
    ['check.national_id', [t(rc ? 'who.rodne_cislo' : 'who.pesel'), ': ', b.national_id]],
    ['check.phone', b.phone || t('check.none')],
    ['check.confirm_by', t(b.confirm_by === 'sms' ? 'who.confirm_sms' : 'who.confirm_email')],
    'application_number' in b && ['check.application_number', b.application_number],
    b.lost_document && ['check.lost_document', t('check.yes')],
  ].filter(Boolean);
  $('summary').replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v)]));
}

async function bookNow() {
  const button = $('book');
  if (button.getAttribute('aria-disabled') === 'true') return;
  button.setAttribute('aria-disabled', 'true');
  const answer = await api('POST', '/bookings', formValues(), { 'Idempotency-Key': state.idempotencyKey });
  button.removeAttribute('aria-disabled');
  if (answer.ok) {
    state.hold = answer.data;
    renderSent();
    show('sent');
    showLocalMailbox();
    return;
  }
  const e = answer.data.error;
  if (e.code === 'invalid_request') {
    state.fieldErrors = apiFieldErrors(e.fields);
    renderFieldErrors();
    show('who', false);
    $('error-summary').focus();
    return;
  }
  // Any other refusal: a new attempt is a new request.
  if (!retryable(answer.data)) state.idempotencyKey = idempotencyKey();
  const result = $('book-result');
  say(result, errorMessage(answer.data), 'error', retryable(answer.data) ? bookNow : null);
  const next = e.next_free_slots || [];
  if (next.length) {
    result.append(h('p', {}, t('error.next_free')), h('ul', { class: 'next-free' }, next.map((slot) => h('li', {},
      h('button', { type: 'button', onclick: () => takeSlot(slot) }, `${dateTime(slot.start, tz())} (${t('when.seats', { count: slot.seats_left })})`)))));
  }
  if (e.code === 'slot_unavailable' || e.code === 'hold_expired') {
    result.append(h('p', {}, h('button', { type: 'button', onclick: toWhen }, t('when.heading'))));
  }
}

/** One of the next free slots offered after "slot just taken". */
function takeSlot(slot) {
  state.start = slot.start;
  state.day = slot.start.slice(0, 10);
  state.idempotencyKey = idempotencyKey();
  $('book-result').replaceChildren();
  renderSummary();
  $('book').focus();
}

// ---------------------------------------------------------------------------
// Check your email / SMS
// ---------------------------------------------------------------------------

function renderSent() {
  const hold = state.hold;
  const b = formValues();
  const sms = hold.confirm_by === 'sms';
  $('sent-info').replaceChildren(
    h('p', {}, t('sent.held', { when: dateTime(hold.start, hold.time_zone), ref: hold.public_ref })),
    h('p', {}, sms ? t('sent.sms', { phone: b.phone }) : t('sent.email', { email: b.email })),
    hold.hold_expires_at ? h('p', { class: 'expiry' }, t('sent.expiry', { time: time(hold.hold_expires_at, hold.time_zone) })) : '',
  );
  $('code-form').hidden = !sms || Boolean(state.confirmed);
  if (state.confirmed) {
    $('confirm-result').replaceChildren(h('h3', {}, t('done.heading')), visitDetails(state.confirmed, state.catalog));
  }
}

async function confirmCode(event) {
  event.preventDefault();
  const code = $('code').value.trim().toUpperCase();
  const answer = await api('POST', `/bookings/${state.hold.booking_id}/confirm`, { code });
  if (!answer.ok) {
    say($('confirm-result'), errorMessage(answer.data), 'error', retryable(answer.data) ? () => confirmCode(event) : null);
    return;
  }
  state.confirmed = answer.data.booking;
  renderSent();
  $('confirm-result').querySelector('h3').setAttribute('tabindex', '-1');
  $('confirm-result').querySelector('h3').focus();
}

function startAgain() {
  state.hold = null;
  state.confirmed = null;
  state.start = null;
  state.day = null;
  $('code').value = '';
  $('confirm-result').replaceChildren();
  show('where');
}

// ---------------------------------------------------------------------------

$('office').addEventListener('change', (e) => chooseOffice(e.target.value));
$('to-when').addEventListener('click', toWhen);
$('prev-month').addEventListener('click', () => { state.month = monthOf(state.month, -1); state.focusDay = null; renderCalendar(false); });
$('next-month').addEventListener('click', () => { state.month = monthOf(state.month, 1); state.focusDay = null; renderCalendar(false); });
$('back-where').addEventListener('click', () => show('where'));
$('to-who').addEventListener('click', toWho);
$('back-when').addEventListener('click', () => show('when'));
$('form').addEventListener('submit', submitForm);
$('back-who').addEventListener('click', () => show('who'));
$('book').addEventListener('click', bookNow);
$('code-form').addEventListener('submit', confirmCode);
$('again').addEventListener('click', startAgain);

startLanguages(render).then(loadOffices);
