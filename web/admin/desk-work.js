// The desk work of the staff page (issue 12 item 6), for the office's clerks
// and its administrators: book for a caller (confirmed at once, the kiosk
// code and reference shown big), find bookings by kiosk code and day,
// reference or national ID, cancel one (after a confirmation step) or correct
// its contact details (GDPR Art. 16); export what the office holds about a
// person (GDPR Art. 15) as a JSON download with a summary; and, for
// administrators, the statistics per day and matter with a CSV download.
// The API decides who may do what; the page only leaves out what the role
// cannot use. National IDs go in request bodies, never in a URL.

import { h, $, idempotencyKey } from '../termin.js';
import { t, LANGUAGES, NATIVE, pickText, instant, day, officeToday } from './strings.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const STATUS_KEYS = {
  pending: 'desk.status.pending',
  confirmed: 'desk.status.confirmed',
  cancelled: 'desk.status.cancelled',
  expired: 'desk.status.expired',
  redeemed: 'desk.status.redeemed',
  resigned: 'desk.status.resigned',
  no_show: 'desk.status.no_show',
};
// The API's error codes the desk work can meet, to their strings.
const ERROR_KEYS = {
  already_booked: 'desk.error.already_booked',
  slot_full: 'desk.error.slot_full',
  slot_unavailable: 'desk.error.slot_unavailable',
  booking_blocked: 'desk.error.booking_blocked',
  weekly_cap_reached: 'desk.error.weekly_cap_reached',
  clerk_busy: 'desk.error.clerk_busy',
  booking_not_found: 'desk.error.booking_not_found',
  not_found: 'desk.error.booking_not_found',
  forbidden: 'admin.error.forbidden',
  invalid_request: 'desk.error.invalid_request',
};
// The booking form's fields, by the names the API gives them in error.fields.
const BOOK_FIELDS = {
  service_id: 'book-service',
  start: 'book-slots',
  first_name: 'book-first',
  last_name: 'book-last',
  national_id: 'book-national-id',
  pesel: 'book-national-id',
  email: 'book-email',
  phone: 'book-phone',
  language: 'book-language',
  application_number: 'book-application',
  clerk_id: 'book-clerk',
};
const SEARCH_BY_KEYS = { code: 'desk.search.by.code', ref: 'desk.search.by.ref', national_id: 'desk.search.by.national_id' };
const EXPORT_BY_KEYS = { national_id: 'desk.export.by.national_id', email: 'desk.export.by.email' };
const CONTACT_FIELDS = ['first_name', 'last_name', 'email', 'phone'];
const CONTACT_LABELS = {
  first_name: 'desk.caller.first_name', last_name: 'desk.caller.last_name', email: 'desk.caller.email', phone: 'desk.caller.phone',
};
const STAT_COLUMNS = [
  ['offered', 'desk.stats.col.offered'], ['booked', 'desk.stats.col.booked'], ['confirmed', 'desk.stats.col.confirmed'],
  ['redeemed', 'desk.stats.col.redeemed'], ['no_show', 'desk.stats.col.no_show'], ['expired', 'desk.stats.col.expired'],
  ['cancelled', 'desk.stats.col.cancelled'], ['resigned', 'desk.stats.col.resigned'], ['walk_ins', 'desk.stats.col.walk_ins'],
];

/**
 * The desk work's state, one office at a time. `ctx` (set by `useDeskWork`) is
 * what the page lends it: staffApi, staffFetch, officePath, say, denied
 * (a 401 or 403 answer), timeZone, officeId, language.
 */
let ctx = null;
let s = null;

function fresh() {
  return {
    catalog: null, // GET /offices/{office}: departments and their matters
    book: { service: '', clerk: '', day: '', slot: '', caller: {}, slots: null, errors: {}, booked: null, failure: null },
    search: { by: 'ref', code: '', date: '', ref: '', national_id: '', results: null, error: '' },
    confirming: null, // the booking id whose cancellation waits for a yes
    correcting: null, // the booking id whose contact form is open
    correction: {}, // that form's values and errors
    exportForm: { by: 'national_id', value: '', error: '' },
    exported: null, // { data, url, file }
    statsRange: null,
    stats: null, // { rows } | { error } | { rangeError }
  };
}

/** Starts the desk work for the chosen office (forgetting any other's). */
export function useDeskWork(context) {
  if (s && s.exported) URL.revokeObjectURL(s.exported.url);
  ctx = context;
  s = fresh();
}

/** The office's matters (public catalog), for the booking form's select; loaded once per office. */
export async function loadOfficeCatalog() {
  const office = ctx.officeId();
  const answer = await ctx.api('GET', `/offices/${encodeURIComponent(office)}`);
  if (office !== ctx.officeId()) return null;
  if (answer.ok) s.catalog = answer.data;
  return answer;
}

export const officeOfCatalog = () => (s && s.catalog ? s.catalog.office : null);

const tz = () => ctx.timeZone();
/** The named clerks of a matter (seed 004), as the public catalog lists them. */
const clerksOf = (id) => {
  for (const d of (s.catalog && s.catalog.departments) || []) {
    const found = d.services.find((x) => x.id === id);
    if (found) return found.clerks || [];
  }
  return [];
};
const serviceName = (id) => {
  for (const d of (s.catalog && s.catalog.departments) || []) {
    const found = d.services.find((x) => x.id === id);
    if (found) return pickText(found.name).text || id;
  }
  return id;
};

function errorText(data) {
  const error = (data && data.error) || {};
  const key = ERROR_KEYS[error.code];
  if (!key) return ctx.errorText(data);
  if (error.code === 'booking_blocked' && error.bookable_again_from) {
    const from = String(error.bookable_again_from);
    return t('desk.error.booking_blocked_until', { date: DATE.test(from) ? day(from) : instant(from, tz()) });
  }
  return t(key);
}

/** A field with its label, hint and error line, as the other forms of the page. */
function field(id, labelKey, input, { hint, error, optional = false } = {}) {
  const described = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' ');
  input.id = id;
  input.setAttribute('aria-describedby', described);
  if (error) input.setAttribute('aria-invalid', 'true');
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey), optional ? ` ${t('desk.optional')}` : ''),
    hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null,
    input,
    h('p', { id: `${id}-error`, class: 'field-error' }, error || ''));
}

function textInput(value, onInput, attrs = {}) {
  const input = h('input', { type: 'text', ...attrs });
  input.value = value || '';
  input.addEventListener('input', () => onInput(input.value));
  return input;
}

function focus(id) {
  let el = $(id);
  if (el && el.tagName === 'FIELDSET') el = el.querySelector('input, select, textarea, button') || el;
  if (el) el.focus();
}

// ---------------------------------------------------------------------------
// Bookings: book for a caller, find, cancel, correct
// ---------------------------------------------------------------------------

export function renderBookings() {
  const b = s.book;
  if (!b.day) b.day = officeToday(tz());
  if (!s.search.date) s.search.date = officeToday(tz());
  $('bookings-body').replaceChildren(
    h('section', { class: 'panel', 'aria-labelledby': 'book-h' },
      h('h3', { id: 'book-h', tabindex: '-1' }, t('desk.book.heading')),
      b.booked ? bookedPanel(b.booked) : bookForm()),
    h('section', { class: 'panel', 'aria-labelledby': 'search-h' },
      h('h3', { id: 'search-h', tabindex: '-1' }, t('desk.search.heading')),
      searchForm(),
      h('div', { id: 'search-results' }, searchResults())));
}

function bookForm() {
  const b = s.book;
  const e = b.errors;
  const service = h('select', { required: true });
  service.append(h('option', { value: '' }, t('desk.book.choose_service')));
  for (const d of (s.catalog && s.catalog.departments) || []) {
    service.append(h('optgroup', { label: pickText(d.name).text || d.id },
      d.services.map((x) => h('option', { value: x.id }, pickText(x.name).text || x.id))));
  }
  service.value = b.service;
  service.addEventListener('change', () => {
    const hadClerks = clerksOf(b.service).length > 0;
    b.service = service.value;
    b.clerk = '';
    b.slot = '';
    // The clerk's select comes or goes with the matter's clerks.
    if (hadClerks || clerksOf(b.service).length > 0) {
      renderBookings();
      focus('book-service');
    }
    loadSlots();
  });
  const clerks = clerksOf(b.service);
  const clerk = clerks.length > 0 && h('select', {},
    h('option', { value: '' }, t('desk.book.any_clerk')),
    clerks.map((c) => h('option', { value: c.id }, c.name)));
  if (clerk) {
    clerk.value = b.clerk;
    clerk.addEventListener('change', () => { b.clerk = clerk.value; b.slot = ''; loadSlots(); });
  }
  const date = h('input', { type: 'date', required: true });
  date.value = b.day;
  date.addEventListener('change', () => { b.day = date.value; b.slot = ''; loadSlots(); });
  const language = h('select', {}, LANGUAGES.map((l) => h('option', { value: l, lang: l }, NATIVE[l])));
  language.value = b.caller.language || ctx.language();
  language.addEventListener('change', () => { b.caller.language = language.value; });
  const lost = h('input', { type: 'checkbox', id: 'book-lost' });
  lost.checked = Boolean(b.caller.lost_document);
  lost.addEventListener('change', () => { b.caller.lost_document = lost.checked; });
  const caller = (key) => (v) => { b.caller[key] = v; };
  return h('form', { id: 'book-form', novalidate: true, onsubmit: book },
    h('fieldset', { id: 'book-visit' },
      h('legend', {}, t('desk.book.visit')),
      h('div', { class: 'row' },
        field('book-service', 'desk.book.service', service, { error: e['book-service'] }),
        clerk && field('book-clerk', 'desk.book.clerk', clerk, { error: e['book-clerk'], hint: t('desk.book.clerk_hint') }),
        field('book-day', 'desk.book.day', date, { error: e['book-day'] }))),
    h('fieldset', {
      id: 'book-slots', class: e['book-slots'] ? 'invalid' : null, 'aria-describedby': 'book-slots-error',
    },
    h('legend', { id: 'book-slots-legend' }, slotsLegend()),
    h('p', { id: 'book-slots-error', class: 'field-error' }, e['book-slots'] || ''),
    h('div', { id: 'book-slot-list' }, slotChoices())),
    h('fieldset', { id: 'book-caller' },
      h('legend', {}, t('desk.book.caller')),
      h('div', { class: 'row' },
        field('book-first', 'desk.caller.first_name', textInput(b.caller.first_name, caller('first_name'), { autocomplete: 'off' }), { error: e['book-first'] }),
        field('book-last', 'desk.caller.last_name', textInput(b.caller.last_name, caller('last_name'), { autocomplete: 'off' }), { error: e['book-last'] })),
      field('book-national-id', 'desk.caller.national_id', textInput(b.caller.national_id, caller('national_id'), { autocomplete: 'off', inputmode: 'numeric', class: 'short-id' }),
        { hint: t('desk.caller.national_id_hint'), error: e['book-national-id'] }),
      h('div', { class: 'row' },
        field('book-email', 'desk.caller.email', textInput(b.caller.email, caller('email'), { type: 'email', autocomplete: 'off' }),
          { hint: t('desk.book.email_hint'), error: e['book-email'], optional: true }),
        field('book-phone', 'desk.caller.phone', textInput(b.caller.phone, caller('phone'), { type: 'tel', autocomplete: 'off' }),
          { error: e['book-phone'], optional: true })),
      h('div', { class: 'row' },
        field('book-language', 'desk.book.language', language, { hint: t('desk.book.language_hint') }),
        field('book-application', 'desk.book.application', textInput(b.caller.application_number, caller('application_number'), { autocomplete: 'off' }),
          { error: e['book-application'], optional: true })),
      h('div', { class: 'check' }, h('label', { class: 'choice', for: 'book-lost' }, lost, h('span', {}, t('desk.book.lost_document'))))),
    b.failure ? h('div', { id: 'book-failure', class: 'outcome error', tabindex: '-1' }, b.failure) : null,
    h('p', {}, h('button', { type: 'submit', id: 'book-submit', class: 'primary' }, t('desk.book.submit'))));
}

const slotsLegend = () => (s.book.service && DATE.test(s.book.day) ? t('desk.book.slots_on', { day: day(s.book.day) }) : t('desk.book.slots'));

function slotChoices() {
  const b = s.book;
  if (!b.service || !DATE.test(b.day)) return h('p', { class: 'hint' }, t('desk.book.slots_first'));
  if (b.day < officeToday(tz())) return h('p', { id: 'book-no-slots' }, t('desk.book.no_slots'));
  if (!b.slots || b.slots.loading) return h('p', {}, t('admin.loading'));
  if (b.slots.error) return h('p', { class: 'error-text' }, b.slots.error);
  const found = b.slots.days.find((d) => d.date === b.day);
  const free = found ? found.slots.filter((x) => x.seats_left > 0) : [];
  if (free.length === 0) return h('p', { id: 'book-no-slots' }, t('desk.book.no_slots'));
  return h('div', { class: 'slots' }, free.map((x, i) => {
    const radio = h('input', { type: 'radio', name: 'book-slot', id: `book-slot-${i}`, value: x.start });
    radio.checked = b.slot === x.start;
    radio.addEventListener('change', () => { b.slot = x.start; });
    return h('label', { class: 'choice slot', for: `book-slot-${i}` }, radio,
      h('span', {}, h('time', { datetime: x.start }, x.time), ' ', h('span', { class: 'hint' }, t('desk.book.seats_left', { count: x.seats_left }))));
  }));
}

/**
 * The free times of the chosen matter and day. Only the list is drawn again,
 * never the fields, so a day typed into the date field segment by segment
 * keeps its place.
 */
async function loadSlots() {
  const b = s.book;
  if (!b.service || !DATE.test(b.day) || b.day < officeToday(tz())) {
    b.slots = null;
    return drawSlots();
  }
  const want = `${b.service}/${b.clerk}/${b.day}`;
  b.slots = { loading: true, want };
  drawSlots();
  const clerk = b.clerk ? `&clerk=${encodeURIComponent(b.clerk)}` : '';
  const answer = await ctx.api('GET', `/offices/${encodeURIComponent(ctx.officeId())}/services/${encodeURIComponent(b.service)}/slots?from=${b.day}&to=${b.day}${clerk}`);
  if (!b.slots || b.slots.want !== want) return; // another matter or day chosen meanwhile
  b.slots = answer.ok ? answer.data : { error: errorText(answer.data) };
  drawSlots();
  const found = answer.ok && answer.data.days.find((d) => d.date === b.day);
  const count = found ? found.slots.filter((x) => x.seats_left > 0).length : 0;
  ctx.say(answer.ok ? t('desk.book.slots_said', { count, day: day(b.day) }) : b.slots.error, answer.ok ? 'ok' : 'error');
}

function drawSlots() {
  if (!$('book-slot-list')) return;
  $('book-slots-legend').textContent = slotsLegend();
  $('book-slot-list').replaceChildren(slotChoices());
}

async function book(event) {
  event.preventDefault();
  const b = s.book;
  const c = b.caller;
  const errors = {};
  if (!b.service) errors['book-service'] = t('desk.book.need_service');
  if (!b.slot) errors['book-slots'] = t('desk.book.need_slot');
  if (!(c.first_name || '').trim()) errors['book-first'] = t('desk.need_value');
  if (!(c.last_name || '').trim()) errors['book-last'] = t('desk.need_value');
  if (!(c.national_id || '').trim()) errors['book-national-id'] = t('desk.need_value');
  b.errors = errors;
  b.failure = null;
  if (Object.keys(errors).length > 0) {
    renderBookings();
    ctx.say(t('desk.book.invalid_said'), 'error');
    return focus(Object.keys(errors)[0]);
  }
  const optional = (v) => ((v || '').trim() ? v.trim() : null);
  const body = {
    service_id: b.service,
    start: b.slot,
    first_name: c.first_name.trim(),
    last_name: c.last_name.trim(),
    national_id: c.national_id.trim(),
    email: optional(c.email),
    phone: optional(c.phone),
    language: c.language || ctx.language(),
    application_number: optional(c.application_number),
    lost_document: Boolean(c.lost_document),
  };
  if (b.clerk) body.clerk_id = b.clerk;
  // One key per booking: a retry after no answer (the network, a busy
  // moment) sends the same key, so a booking made meanwhile is answered, not made twice.
  const sent = JSON.stringify(body);
  if (!b.key || b.keyFor !== sent) Object.assign(b, { key: idempotencyKey(), keyFor: sent });
  $('book-submit').disabled = true;
  const answer = await ctx.staffApi('POST', ctx.officePath('bookings'), body, { 'Idempotency-Key': b.key });
  if (answer.status !== 0 && answer.status !== 503) b.key = null;
  if (answer.status === 201) {
    s.book = { ...fresh().book, service: b.service, clerk: b.clerk, day: b.day, booked: answer.data };
    renderBookings();
    ctx.say(t('desk.book.booked_said', { code: answer.data.kiosk_code, ref: answer.data.public_ref }));
    return $('booked-h').focus();
  }
  if (answer.status === 401 || (answer.status === 403 && answer.data.error.code !== 'booking_blocked')) return ctx.denied(answer);
  const error = answer.data.error || {};
  if (error.code === 'invalid_request' && Array.isArray(error.fields) && error.fields.length > 0) {
    for (const f of error.fields) {
      const id = BOOK_FIELDS[f.field] || 'book-first';
      b.errors[id] = [b.errors[id], f.message].filter(Boolean).join(' ');
    }
    renderBookings();
    ctx.say(t('desk.book.invalid_said'), 'error');
    return focus(Object.keys(b.errors)[0]);
  }
  const next = Array.isArray(error.next_free_slots) ? error.next_free_slots : [];
  b.failure = [
    h('p', { class: 'error-text' }, errorText(answer.data)),
    next.length > 0 ? h('p', {}, t('desk.book.next_free', { times: next.map((x) => instant(x.start || x, tz())).join(', ') })) : null,
  ];
  if (['slot_full', 'slot_unavailable', 'clerk_busy'].includes(error.code)) b.slot = '';
  renderBookings();
  ctx.say(errorText(answer.data), 'error');
  $('book-failure').focus();
  if (['slot_full', 'slot_unavailable', 'clerk_busy'].includes(error.code)) loadSlots();
}

function bookedPanel(x) {
  return h('div', { id: 'booked', class: 'booked' },
    h('h4', { id: 'booked-h', tabindex: '-1' }, t('desk.book.booked_heading', { name: `${x.first_name} ${x.last_name}` })),
    h('div', { class: 'big-codes' },
      h('p', {}, h('span', { class: 'big-label' }, t('desk.kiosk_code')), h('strong', { id: 'booked-code', class: 'big-code' }, x.kiosk_code || '—')),
      h('p', {}, h('span', { class: 'big-label' }, t('desk.reference')), h('strong', { id: 'booked-ref', class: 'big-code' }, x.public_ref))),
    h('p', {}, t('desk.book.booked_when', { service: serviceName(x.service_id), when: instant(x.start, x.time_zone || tz()) })),
    x.clerk && h('p', { id: 'booked-clerk' }, t('desk.book.booked_clerk', { name: x.clerk.name })),
    h('p', { class: 'hint' }, t(x.email ? 'desk.book.booked_mailed' : 'desk.book.booked_tell')),
    h('p', {}, h('button', {
      type: 'button', id: 'book-another',
      onclick: () => { s.book.booked = null; renderBookings(); focus('book-service'); loadSlots(); },
    }, t('desk.book.another'))));
}

function searchForm() {
  const f = s.search;
  const by = ['code', 'ref', 'national_id'].map((k) => {
    const radio = h('input', { type: 'radio', name: 'search-by', id: `search-by-${k}`, value: k });
    radio.checked = f.by === k;
    radio.addEventListener('change', () => { f.by = k; f.error = ''; renderBookings(); focus(`search-by-${k}`); });
    return h('label', { class: 'choice', for: `search-by-${k}` }, radio, h('span', {}, t(SEARCH_BY_KEYS[k])));
  });
  const set = (key) => (v) => { f[key] = v; };
  let inputs;
  if (f.by === 'code') {
    const date = h('input', { type: 'date' });
    date.value = f.date;
    date.addEventListener('input', () => { f.date = date.value; });
    inputs = h('div', { class: 'row' },
      field('search-code', 'desk.kiosk_code', textInput(f.code, set('code'), { autocomplete: 'off', inputmode: 'numeric', class: 'short' }), { error: f.error }),
      field('search-date', 'desk.search.date', date));
  } else if (f.by === 'ref') {
    inputs = field('search-ref', 'desk.reference', textInput(f.ref, set('ref'), { autocomplete: 'off', class: 'short-id' }), { error: f.error });
  } else {
    inputs = field('search-national-id', 'desk.caller.national_id', textInput(f.national_id, set('national_id'), { autocomplete: 'off', inputmode: 'numeric', class: 'short-id' }), { error: f.error });
  }
  return h('form', { id: 'search-form', novalidate: true, onsubmit: search },
    h('fieldset', { id: 'search-by' }, h('legend', {}, t('desk.search.by')), h('div', { class: 'row choices' }, by)),
    inputs,
    h('p', {}, h('button', { type: 'submit', id: 'search-submit', class: 'primary' }, t('desk.search.submit'))));
}

const SEARCH_INPUT = { code: 'search-code', ref: 'search-ref', national_id: 'search-national-id' };

async function search(event) {
  if (event) event.preventDefault();
  const f = s.search;
  const value = (f[f.by] || '').trim();
  if (!value) {
    f.error = t('desk.need_value');
    renderBookings();
    ctx.say(t('desk.search.invalid_said'), 'error');
    return focus(SEARCH_INPUT[f.by]);
  }
  f.error = '';
  const body = f.by === 'code' ? { code: value, date: DATE.test(f.date) ? f.date : null } : { [f.by]: value };
  const answer = await ctx.staffApi('POST', ctx.officePath('bookings/search'), body);
  if (answer.status === 401 || answer.status === 403) return ctx.denied(answer);
  if (!answer.ok) {
    const fields = (answer.data.error && answer.data.error.fields) || [];
    f.error = fields.length > 0 ? fields.map((x) => x.message).join(' ') : errorText(answer.data);
    renderBookings();
    ctx.say(f.error, 'error');
    return focus(SEARCH_INPUT[f.by]);
  }
  f.results = answer.data.bookings;
  s.confirming = null;
  s.correcting = null;
  renderBookings();
  ctx.say(t('desk.search.found_said', { count: f.results.length }));
  $('results-h').focus();
}

function searchResults() {
  const list = s.search.results;
  if (!list) return null;
  const heading = h('h4', { id: 'results-h', tabindex: '-1' }, t('desk.search.found', { count: list.length }));
  if (list.length === 0) return [heading, h('p', {}, t('desk.search.none'))];
  return [heading, h('ul', { class: 'results', 'aria-labelledby': 'results-h' }, list.map(resultItem))];
}

function resultItem(x) {
  const id = x.booking_id;
  const fact = (key, value, attrs = {}) => h('div', {}, h('dt', {}, t(key)), h('dd', attrs, value));
  const open = x.status === 'confirmed' || x.status === 'pending';
  return h('li', { class: 'item result-item', id: `booking-${id}` },
    h('h5', { id: `booking-${id}-h`, tabindex: '-1' }, `${x.first_name} ${x.last_name}`),
    h('dl', { class: 'facts' },
      fact('desk.reference', x.public_ref, { class: 'ref' }),
      fact('desk.kiosk_code', x.kiosk_code || '—', { class: 'code' }),
      fact('desk.status', t(STATUS_KEYS[x.status] || 'desk.status.other'), { class: 'status' }),
      fact('desk.when', h('time', { datetime: x.start }, instant(x.start, x.time_zone || tz()))),
      fact('desk.service', serviceName(x.service_id)),
      fact('desk.caller.email', x.email || '—'),
      fact('desk.caller.phone', x.phone || '—')),
    s.correcting === id ? correctionForm(x)
      : s.confirming === id ? cancelConfirmation(x)
        : h('p', { class: 'buttons' },
          open ? h('button', {
            type: 'button', class: 'danger', id: `cancel-${id}`, 'aria-describedby': `booking-${id}-h`,
            onclick: () => { s.confirming = id; s.correcting = null; renderBookings(); $(`cancel-no-${id}`).focus(); },
          }, t('desk.cancel.button')) : null,
          h('button', {
            type: 'button', id: `correct-${id}`, 'aria-describedby': `booking-${id}-h`,
            onclick: () => {
              s.correcting = id;
              s.confirming = null;
              s.correction = { values: Object.fromEntries(CONTACT_FIELDS.map((k) => [k, x[k] || ''])), errors: {} };
              renderBookings();
              focus(`correct-${id}-first_name`);
            },
          }, t('desk.correct.button'))));
}

function cancelConfirmation(x) {
  const id = x.booking_id;
  return h('div', { class: 'confirm', role: 'group', 'aria-labelledby': `cancel-q-${id}` },
    h('p', { id: `cancel-q-${id}`, class: 'call' }, t('desk.cancel.question', { ref: x.public_ref, name: `${x.first_name} ${x.last_name}` })),
    h('p', { class: 'buttons' },
      h('button', { type: 'button', class: 'danger', id: `cancel-yes-${id}`, onclick: () => cancel(x) }, t('desk.cancel.yes')),
      h('button', {
        type: 'button', id: `cancel-no-${id}`,
        onclick: () => { s.confirming = null; renderBookings(); focus(`cancel-${id}`); },
      }, t('desk.cancel.no'))));
}

async function cancel(x) {
  const id = x.booking_id;
  const answer = await ctx.staffApi('POST', ctx.officePath(`bookings/${encodeURIComponent(id)}/cancel`));
  if (answer.status === 401 || answer.status === 403) return ctx.denied(answer);
  s.confirming = null;
  if (!answer.ok) {
    renderBookings();
    ctx.say(errorText(answer.data), 'error');
    return focus(`booking-${id}-h`);
  }
  x.status = answer.data.booking.status;
  renderBookings();
  ctx.say(t(answer.data.already_cancelled ? 'desk.cancel.already_said' : 'desk.cancel.done_said', { ref: x.public_ref }));
  focus(`booking-${id}-h`);
}

function correctionForm(x) {
  const id = x.booking_id;
  const c = s.correction;
  const inputs = CONTACT_FIELDS.map((k) => field(`correct-${id}-${k}`, CONTACT_LABELS[k],
    textInput(c.values[k], (v) => { c.values[k] = v; }, { autocomplete: 'off', type: { email: 'email', phone: 'tel' }[k] || 'text' }),
    { error: c.errors[k] }));
  return h('form', { id: `correct-${id}`, class: 'correct', novalidate: true, onsubmit: (e) => { e.preventDefault(); correct(x); } },
    h('fieldset', {},
      h('legend', {}, t('desk.correct.legend', { ref: x.public_ref })),
      h('p', { class: 'hint' }, t('desk.correct.hint')),
      h('div', { class: 'row' }, inputs.slice(0, 2)),
      h('div', { class: 'row' }, inputs.slice(2))),
    h('p', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary', id: `correct-save-${id}` }, t('desk.correct.save')),
      h('button', {
        type: 'button', id: `correct-close-${id}`,
        onclick: () => { s.correcting = null; renderBookings(); focus(`correct-${id}`); },
      }, t('desk.correct.close'))));
}

async function correct(x) {
  const id = x.booking_id;
  const c = s.correction;
  const body = {};
  for (const k of CONTACT_FIELDS) {
    const v = (c.values[k] || '').trim();
    if (v !== (x[k] || '')) body[k] = v;
  }
  c.errors = {};
  if (Object.keys(body).length === 0) {
    renderBookings();
    ctx.say(t('desk.correct.nothing'), 'error');
    return focus(`correct-${id}-first_name`);
  }
  // The API corrects and never removes: an emptied field is asked for again.
  for (const k of CONTACT_FIELDS) if (k in body && !body[k]) c.errors[k] = t('desk.need_value');
  if (Object.keys(c.errors).length > 0) {
    renderBookings();
    ctx.say(t('desk.correct.invalid_said'), 'error');
    return focus(`correct-${id}-${Object.keys(c.errors)[0]}`);
  }
  const answer = await ctx.staffApi('POST', ctx.officePath(`bookings/${encodeURIComponent(id)}/contact`), body);
  if (answer.status === 401 || answer.status === 403) return ctx.denied(answer);
  if (!answer.ok) {
    for (const f of (answer.data.error && answer.data.error.fields) || []) {
      const k = CONTACT_FIELDS.includes(f.field) ? f.field : 'first_name';
      c.errors[k] = [c.errors[k], f.message].filter(Boolean).join(' ');
    }
    renderBookings();
    ctx.say(Object.keys(c.errors).length > 0 ? t('desk.correct.invalid_said') : errorText(answer.data), 'error');
    return focus(`correct-${id}-${Object.keys(c.errors)[0] || 'first_name'}`);
  }
  s.search.results = s.search.results.map((r) => (r.booking_id === id ? answer.data : r));
  s.correcting = null;
  renderBookings();
  ctx.say(t('desk.correct.done_said', { ref: x.public_ref }));
  focus(`booking-${id}-h`);
}

// ---------------------------------------------------------------------------
// Data requests: everything held about a person (GDPR Art. 15)
// ---------------------------------------------------------------------------

export function renderRequests() {
  const f = s.exportForm;
  const by = ['national_id', 'email'].map((k) => {
    const radio = h('input', { type: 'radio', name: 'export-by', id: `export-by-${k}`, value: k });
    radio.checked = f.by === k;
    radio.addEventListener('change', () => { f.by = k; f.error = ''; renderRequests(); focus(`export-by-${k}`); });
    return h('label', { class: 'choice', for: `export-by-${k}` }, radio, h('span', {}, t(EXPORT_BY_KEYS[k])));
  });
  $('requests-body').replaceChildren(
    h('p', {}, t('desk.export.intro')),
    h('form', { id: 'export-form', class: 'panel', novalidate: true, onsubmit: exportPerson },
      h('fieldset', { id: 'export-by' }, h('legend', {}, t('desk.export.by')), h('div', { class: 'row choices' }, by)),
      field('export-value', f.by === 'email' ? 'desk.caller.email' : 'desk.caller.national_id',
        textInput(f.value, (v) => { f.value = v; }, { autocomplete: 'off', type: f.by === 'email' ? 'email' : 'text' }), { error: f.error }),
      h('p', {}, h('button', { type: 'submit', id: 'export-submit', class: 'primary' }, t('desk.export.submit')))),
    s.exported ? exportSummary(s.exported) : null);
}

async function exportPerson(event) {
  event.preventDefault();
  const f = s.exportForm;
  const value = f.value.trim();
  if (!value) {
    f.error = t('desk.need_value');
    renderRequests();
    ctx.say(t('desk.export.invalid_said'), 'error');
    return focus('export-value');
  }
  f.error = '';
  const answer = await ctx.staffApi('POST', ctx.officePath('persons/export'), { [f.by]: value });
  if (answer.status === 401 || answer.status === 403) return ctx.denied(answer);
  if (s.exported) URL.revokeObjectURL(s.exported.url);
  s.exported = null;
  if (!answer.ok) {
    const fields = (answer.data.error && answer.data.error.fields) || [];
    f.error = fields.length > 0 ? fields.map((x) => x.message).join(' ') : errorText(answer.data);
    renderRequests();
    ctx.say(f.error, 'error');
    return focus('export-value');
  }
  const text = `${JSON.stringify(answer.data, null, 2)}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const stamp = answer.data.exported_at.slice(0, 19).replace(/[:T]/g, '-');
  s.exported = { data: answer.data, url, file: `termin-${ctx.officeId()}-person-${stamp}.json` };
  renderRequests();
  ctx.say(t('desk.export.done_said', { count: answer.data.bookings.length }));
  $('export-h').focus();
}

function exportSummary({ data, url, file }) {
  const fact = (key, value, attrs = {}) => h('div', {}, h('dt', {}, t(key)), h('dd', attrs, value));
  const bad = data.undeliverable_address;
  return h('section', { id: 'export-summary', class: 'panel', 'aria-labelledby': 'export-h' },
    h('h3', { id: 'export-h', tabindex: '-1' }, t('desk.export.heading')),
    h('p', {}, h('a', { id: 'export-download', href: url, download: file, class: 'download' }, t('desk.export.download', { file }))),
    h('dl', { class: 'facts' },
      fact('desk.export.found_by', t(EXPORT_BY_KEYS[data.found_by] || 'desk.export.by.national_id')),
      fact('desk.export.exported_at', instant(data.exported_at, tz())),
      fact('desk.export.strikes', data.no_show_strikes.length === 0 ? t('desk.export.none')
        : data.no_show_strikes.map((x) => instant(x, tz())).join(', ')),
      fact('desk.export.blocked', data.blocked_until ? t('desk.export.blocked_until', { date: instant(data.blocked_until, tz()) }) : t('desk.export.not_blocked')),
      fact('desk.export.bounced', bad ? t('desk.export.bounced_since', { reason: bad.reason || '—', date: bad.reported_at ? instant(bad.reported_at, tz()) : '—' }) : t('desk.export.none')),
      fact('desk.export.retention', data.retention, { lang: 'en' })), // the API's own words, in English
    data.bookings.length === 0 ? h('p', {}, t('desk.export.no_bookings'))
      : h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'export-caption' },
        h('table', { class: 'list', id: 'export-table' },
          h('caption', { id: 'export-caption' }, t('desk.export.bookings', { count: data.bookings.length })),
          h('thead', {}, h('tr', {}, ['desk.reference', 'desk.status', 'desk.export.name', 'desk.export.created']
            .map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, data.bookings.map((b) => h('tr', {},
            h('th', { scope: 'row' }, b.public_ref),
            h('td', {}, t(STATUS_KEYS[b.status] || 'desk.status.other')),
            h('td', {}, `${b.first_name} ${b.last_name}`),
            h('td', {}, instant(b.created_at, tz()))))))));
}

// ---------------------------------------------------------------------------
// Statistics (administrators)
// ---------------------------------------------------------------------------

export function renderStatistics() {
  if (!s.statsRange) s.statsRange = { from: officeToday(tz(), -30), to: officeToday(tz()) };
  const range = s.statsRange;
  const date = (id, key, labelKey) => {
    const input = h('input', { type: 'date', id, 'aria-describedby': 'stats-range-error' });
    input.value = range[key];
    input.addEventListener('input', () => { range[key] = input.value; });
    return h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), input);
  };
  $('statistics-body').replaceChildren(
    h('form', { id: 'stats-form', class: 'panel', novalidate: true, onsubmit: (e) => { e.preventDefault(); loadStatistics(true); } },
      h('fieldset', { id: 'stats-range' },
        h('legend', {}, t('desk.stats.range')),
        h('p', { id: 'stats-range-error', class: 'field-error' }, s.stats && s.stats.rangeError ? s.stats.rangeError : ''),
        h('div', { class: 'row' }, date('stats-from', 'from', 'admin.audit.from'), date('stats-to', 'to', 'admin.audit.to'))),
      h('p', { class: 'buttons' },
        h('button', { type: 'submit', id: 'stats-show', class: 'primary' }, t('desk.stats.show')),
        h('button', { type: 'button', id: 'stats-csv', onclick: downloadCsv }, t('desk.stats.csv')))),
    h('div', { id: 'stats-table-area' }, statisticsTable()));
  if (!s.stats) loadStatistics(false);
}

function rangeProblem() {
  const { from, to } = s.statsRange;
  if (DATE.test(from) && DATE.test(to) && to >= from) return null;
  s.stats = { rangeError: t('admin.audit.invalid_range') };
  renderStatistics();
  $('stats-from').setAttribute('aria-invalid', 'true');
  ctx.say(t('admin.audit.invalid_range'), 'error');
  $('stats-from').focus();
  return true;
}

async function loadStatistics(said) {
  if (rangeProblem()) return;
  const { from, to } = s.statsRange;
  s.stats = { loading: true };
  $('stats-range-error').textContent = '';
  $('stats-from').removeAttribute('aria-invalid');
  $('stats-table-area').replaceChildren(h('p', {}, t('admin.loading')));
  const answer = await ctx.staffApi('GET', ctx.officePath(`statistics?from=${from}&to=${to}`));
  if (answer.status === 401 || answer.status === 403) return ctx.denied(answer);
  s.stats = answer.ok ? { from, to, rows: answer.data.rows } : { error: answer.data };
  if (!$('stats-table-area')) return;
  $('stats-table-area').replaceChildren(statisticsTable() || '');
  if (said) ctx.say(answer.ok ? t('desk.stats.shown', { count: s.stats.rows.length }) : errorText(answer.data), answer.ok ? 'ok' : 'error');
}

const minutes = (total, count) => (count > 0 ? (total / count / 60).toFixed(1) : '—');

function statisticsTable() {
  const st = s.stats;
  if (!st || st.loading) return h('p', {}, t('admin.loading'));
  if (st.rangeError) return null;
  if (st.error) return h('p', { class: 'error-text' }, errorText(st.error));
  const caption = t('desk.stats.caption', { from: day(st.from, 'medium'), to: day(st.to, 'medium'), count: st.rows.length });
  if (st.rows.length === 0) return h('p', {}, caption, ' ', t('desk.stats.none'));
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'stats-caption' },
    h('table', { class: 'list stats', id: 'stats-table' },
      h('caption', { id: 'stats-caption' }, caption),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('desk.stats.col.date')),
        h('th', { scope: 'col' }, t('desk.service')),
        STAT_COLUMNS.map(([, key]) => h('th', { scope: 'col' }, t(key))),
        h('th', { scope: 'col' }, t('desk.stats.col.wait')),
        h('th', { scope: 'col' }, t('desk.stats.col.service_time')))),
      h('tbody', {}, st.rows.map((r) => h('tr', {},
        h('th', { scope: 'row' }, h('time', { datetime: r.date }, day(r.date, 'medium'))),
        h('td', {}, serviceName(r.service_id)),
        STAT_COLUMNS.map(([k]) => h('td', { class: 'num' }, String(r[k]))),
        h('td', { class: 'num' }, minutes(r.wait_seconds_total, r.waits)),
        h('td', { class: 'num' }, minutes(r.service_seconds_total, r.services)))))));
}

/** The CSV, fetched with the token and saved through a Blob URL (a plain link could not carry the token). */
async function downloadCsv() {
  if (rangeProblem()) return;
  const { from, to } = s.statsRange;
  const response = await ctx.staffFetch(ctx.officePath(`statistics?from=${from}&to=${to}&format=csv`));
  if (!response || !response.ok) {
    const data = response ? await response.json().catch(() => null) : null;
    if (response && (response.status === 401 || response.status === 403)) return ctx.denied({ status: response.status, data });
    return ctx.say(errorText(data || { error: { code: 'unreachable' } }), 'error');
  }
  const url = URL.createObjectURL(await response.blob());
  const a = h('a', { href: url, download: `termin-${ctx.officeId()}-statistics-${from}-${to}.csv`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  ctx.say(t('desk.stats.csv_said', { from, to }));
}


