// The steps every booking ends with, on the booking page and the walk-up
// page alike: details with the terms and consent in full → check → "check
// your email / SMS", where an SMS code can be typed. The page that uses them
// chooses the office, matter and time into the shared `state` and says what
// its own steps are; these steps are built here, so both pages have the same
// form, the same checks and the same messages.
import {
  $, api, h, t, lang, local, pick, time, dateTime, errorMessage, retryable, say,
  idempotencyKey, showLocalMailbox, visitDetails, findService,
} from './termin.js';

let state; // the page's: catalog, departmentId, serviceId, clerkId, day, start, walkUp, …
let steps; // the page's steps in order, ending in 'who', 'check', 'sent'
let hooks; // back (from the form), chooseAgain and its label key, startAgain, chooseClerkAgain

const service = () => (state.catalog ? findService(state.catalog, state.serviceId).service : null);
const department = () => (state.catalog ? state.catalog.departments.find((d) => d.id === state.departmentId) : null);
const tz = () => state.catalog.office.time_zone;

/**
 * Adds the form, check and sent steps to `main` and wires them. `options`:
 * `steps` (all the page's step names in order), `back()` (the form's Back
 * button), `chooseAgain()` with `chooseAgainKey` (the way back to the times
 * when the time can no longer be booked), `startAgain()` ("book another
 * time", after the state has been cleared) and, on a page that offers named
 * clerks, `chooseClerkAgain()` (the chosen clerk can no longer be booked).
 */
export function mountSteps(main, pageState, options) {
  state = Object.assign(pageState, { hold: null, confirmed: null, fieldErrors: {}, idempotencyKey: null });
  ({ steps, ...hooks } = options);
  main.append(...markup());
  $('back-when').addEventListener('click', hooks.back);
  $('form').addEventListener('submit', submitForm);
  $('back-who').addEventListener('click', () => show('who'));
  $('book').addEventListener('click', bookNow);
  $('code-form').addEventListener('submit', confirmCode);
  $('again').addEventListener('click', startAgain);
}

/** Shows one step (the others hidden) and moves the focus to its heading. */
export function show(step, focus = true) {
  state.step = step;
  for (const s of steps) $(`step-${s}`).hidden = s !== step;
  renderProgress();
  if (focus) $(`${step}-h`).focus();
}

function renderProgress() {
  $('progress').textContent = t('book.progress', { n: steps.indexOf(state.step) + 1, total: steps.length });
}

/** Renders these steps again, in a new language. */
export function renderSteps() {
  renderProgress();
  renderForm();
  if (state.step === 'check') renderSummary();
  if (state.hold) renderSent();
}

/** The form's markup: text comes from data-i18n, filled in when the language loads. */
function markup() {
  const required = { required: true, 'aria-required': 'true' };
  const input = (id, attrs) => h('input', { id, name: id, ...attrs });
  const field = (id, labelKey, control, hintKey, row = {}) => h('div', { class: 'field', ...row },
    h('label', { for: id, 'data-i18n': labelKey }),
    hintKey && h('p', { class: 'hint', id: `${id}-hint`, 'data-i18n': hintKey }),
    control);
  const choice = (control, key) => h('label', { class: 'choice' }, control, ' ', h('span', { 'data-i18n': key }));
  const legal = (id, headingKey) => h('section', { class: 'legal', 'aria-labelledby': `${id}-h` },
    h('h3', { id: `${id}-h`, 'data-i18n': headingKey }), h('div', { id: `${id}-text` }));
  const step = (name, headingKey, ...content) => h('section', { id: `step-${name}`, 'aria-labelledby': `${name}-h`, hidden: true },
    h('h2', { id: `${name}-h`, tabindex: '-1', 'data-i18n': headingKey }), content);
  const button = (id, key, primary) => h('button', { type: 'button', id, class: primary ? 'primary' : null, 'data-i18n': key });
  return [
    step('who', 'who.heading',
      h('div', { id: 'error-summary', tabindex: '-1', hidden: true }),
      h('form', { id: 'form', novalidate: true },
        field('first_name', 'who.first_name', input('first_name', { autocomplete: 'given-name', ...required })),
        field('last_name', 'who.last_name', input('last_name', { autocomplete: 'family-name', ...required })),
        field('email', 'who.email', input('email', { type: 'email', autocomplete: 'email', ...required, 'aria-describedby': 'email-hint' }), 'who.email_hint'),
        h('div', { class: 'field' }, h('label', { for: 'national_id', id: 'national_id-label' }),
          input('national_id', { inputmode: 'numeric', autocomplete: 'off', ...required })),
        field('phone', 'who.phone', input('phone', { type: 'tel', autocomplete: 'tel', 'aria-describedby': 'phone-hint' }), 'who.phone_hint'),
        h('fieldset', { class: 'field', id: 'confirm_by' }, h('legend', { 'data-i18n': 'who.confirm_by' }),
          choice(h('input', { type: 'radio', name: 'confirm_by', value: 'email', checked: true }), 'who.confirm_email'),
          choice(h('input', { type: 'radio', name: 'confirm_by', value: 'sms' }), 'who.confirm_sms')),
        field('application_number', 'who.application_number',
          input('application_number', { autocomplete: 'off', 'aria-describedby': 'application_number-hint' }),
          'who.application_number_hint', { id: 'application-number-row', hidden: true }),
        h('div', { class: 'field', id: 'lost-document-row', hidden: true }, choice(h('input', { type: 'checkbox', id: 'lost_document' }), 'who.lost_document')),
        legal('terms', 'who.terms_heading'),
        h('div', { class: 'field' }, choice(h('input', { type: 'checkbox', id: 'accept_terms', ...required }), 'who.accept_terms')),
        legal('consent', 'who.consent_heading'),
        h('div', { class: 'field' }, choice(h('input', { type: 'checkbox', id: 'consent', ...required }), 'who.consent')),
        h('p', { class: 'buttons' }, button('back-when', 'btn.back'), ' ',
          h('button', { type: 'submit', class: 'primary', 'data-i18n': 'btn.next' })))),
    step('check', 'check.heading',
      h('p', { 'data-i18n': 'check.intro' }),
      h('dl', { id: 'summary' }),
      h('div', { id: 'book-result', role: 'alert' }),
      h('p', { class: 'buttons' }, button('back-who', 'btn.back'), ' ', button('book', 'btn.book', true))),
    step('sent', 'sent.heading',
      h('div', { id: 'sent-info' }),
      h('form', { id: 'code-form', novalidate: true, hidden: true },
        field('code', 'sent.code', h('input', {
          id: 'code', autocomplete: 'one-time-code', autocapitalize: 'characters', spellcheck: 'false', 'aria-describedby': 'code-hint',
        }), 'sent.code_hint'),
        h('p', {}, h('button', { type: 'submit', class: 'primary', 'data-i18n': 'btn.confirm' }))),
      h('div', { id: 'confirm-result', role: 'status' }),
      h('p', { id: 'local-mailbox', hidden: true }, h('a', { href: '/_local/mailbox', 'data-i18n': 'local.mailbox' })),
      h('p', {}, button('again', 'btn.book_again'))),
  ];
}

// ---------------------------------------------------------------------------
// The form
// ---------------------------------------------------------------------------

const paragraphs = (text) => text.split('\n').map((p) => h('p', {}, p));

export function renderForm() {
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
  if (state.walkUp) body.walk_up = true;
  if (state.clerkId) body.clerk_id = state.clerkId;
  return body;
}

/** The named clerk chosen for the matter, if any. */
function chosenClerk() {
  const s = service();
  return (state.clerkId && s && (s.clerks || []).find((c) => c.id === state.clerkId)) || null;
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
    chosenClerk() && ['check.clerk', chosenClerk().name],
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
  if (e.code === 'invalid_request' && (e.fields || []).some((f) => f.field === 'clerk_id')) {
    // The office changed its clerks since the page read them.
    const result = $('book-result');
    say(result, t('invalid.clerk'), 'error');
    if (hooks.chooseClerkAgain) result.append(h('p', {}, h('button', { type: 'button', onclick: hooks.chooseClerkAgain }, t('where.clerk_again'))));
    return;
  }
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
  if (e.code === 'slot_unavailable' || e.code === 'hold_expired' || e.code === 'clerk_busy') {
    result.append(h('p', {}, h('button', { type: 'button', onclick: hooks.chooseAgain }, t(hooks.chooseAgainKey))));
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
    // A code typed here does not earn the kiosk code: it comes with the
    // confirmation, by SMS and email.
    $('confirm-result').replaceChildren(
      h('h3', {}, t('done.heading')),
      visitDetails(state.confirmed, state.catalog),
      state.confirmed.kiosk_code ? '' : h('p', { class: 'kiosk-code-sent' }, t('done.kiosk_code_sent')),
    );
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
  hooks.startAgain();
}
