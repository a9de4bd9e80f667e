// What the citizen pages share: the API call, the languages (one JSON file
// per language in i18n/, the choice kept in localStorage), dates and times in
// the office's time zone, the API's error codes in plain language, and a tiny
// DOM builder (text is always set as text, never parsed as HTML).

export const LANGUAGES = ['pl', 'cs', 'en', 'uk'];
// Each language's name in itself: the same on every page, so not translated.
const NATIVE = { pl: 'Polski', cs: 'Čeština', en: 'English', uk: 'Українська' };
const LOCALE = { pl: 'pl-PL', cs: 'cs-CZ', en: 'en-GB', uk: 'uk-UA' };
const OFFICE_LANGUAGE = { PL: 'pl', CZ: 'cs' };
const STORE = 'termin-lang';

let strings = {};
let current = 'pl';
let officeLanguage = null;
let onChange = () => {};

// ---------------------------------------------------------------------------
// API
// ---------------------------------------------------------------------------

/**
 * Calls the API. Never throws: `{ ok, status, data }`, where a network
 * failure is status 0 and every failure has an error code in data.error.
 * A body is sent as JSON, or as it is when it is a file (a Blob).
 */
export async function api(method, path, body, headers = {}) {
  const file = body instanceof Blob;
  const type = file ? body.type || 'application/octet-stream' : 'application/json';
  let response;
  try {
    response = await fetch(window.TERMIN_API + path, {
      method,
      headers: body ? { 'content-type': type, ...headers } : headers,
      body: body && !file ? JSON.stringify(body) : body || undefined,
    });
  } catch {
    return { ok: false, status: 0, data: { error: { code: 'unreachable' } } };
  }
  const data = await response.json().catch(() => null);
  if (response.ok && data) return { ok: true, status: response.status, data };
  if (data && data.error && data.error.code) return { ok: false, status: response.status, data };
  // A gateway's own page, or nothing: say the system cannot be reached.
  const code = response.status >= 500 || response.status === 0 ? 'unreachable' : 'unknown';
  return { ok: false, status: response.status, data: { error: { code: response.status === 503 ? 'busy' : code } } };
}

/** A fresh Idempotency-Key, so a retried booking is not booked twice. */
export function idempotencyKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

// ---------------------------------------------------------------------------
// Languages
// ---------------------------------------------------------------------------

/** The string for `key` in the current language, with `{name}` filled from `vars`. */
export function t(key, vars = {}) {
  const s = strings[key];
  if (s === undefined) {
    console.warn(`missing string ${key}`);
    return key;
  }
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

export const lang = () => current;

function explicitChoice() {
  try {
    const v = localStorage.getItem(STORE);
    return LANGUAGES.includes(v) ? v : null;
  } catch {
    return null;
  }
}

function preferred() {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (LANGUAGES.includes(fromUrl)) return fromUrl;
  const chosen = explicitChoice();
  if (chosen) return chosen;
  if (officeLanguage) return officeLanguage;
  for (const l of navigator.languages || []) {
    const short = l.slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(short)) return short;
  }
  return 'pl';
}

async function load(l) {
  const response = await fetch(`i18n/${l}.json`);
  if (!response.ok) throw new Error(`i18n/${l}.json: ${response.status}`);
  strings = await response.json();
  current = l;
  document.documentElement.lang = l;
  translateStatic();
  renderSwitcher();
  onChange();
}

/**
 * Starts the page's languages: loads the preferred one and calls `render`
 * now and after every change of language.
 */
export async function startLanguages(render) {
  onChange = render;
  await load(preferred());
}

/**
 * The office is known: its language comes first in the switcher, and is the
 * page's language unless the person chose one.
 */
export async function setOffice(office) {
  officeLanguage = (office && OFFICE_LANGUAGE[office.country]) || null;
  const want = preferred();
  if (want !== current) await load(want);
  else renderSwitcher();
}

async function choose(l) {
  try { localStorage.setItem(STORE, l); } catch { /* private mode: this page only */ }
  const url = new URL(location.href);
  if (url.searchParams.has('lang')) {
    url.searchParams.delete('lang');
    history.replaceState(null, '', url);
  }
  await load(l);
  const pressed = document.querySelector(`#languages button[lang="${l}"]`);
  if (pressed) pressed.focus();
}

function renderSwitcher() {
  const nav = document.getElementById('languages');
  if (!nav) return;
  const order = officeLanguage ? [officeLanguage, ...LANGUAGES.filter((l) => l !== officeLanguage)] : LANGUAGES;
  nav.setAttribute('aria-label', t('lang.label'));
  nav.replaceChildren(h('ul', {}, order.map((l) => h('li', {}, h('button', {
    type: 'button', lang: l, 'aria-pressed': String(l === current), onclick: () => choose(l),
  }, NATIVE[l])))));
}

/** Fills `data-i18n` (text) and `data-i18n-label` (aria-label) elements. */
function translateStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

/**
 * A text the API gives in several languages (`{ "pl": …, "en": … }`): the
 * page's language, else the office's, else English, else any. Returns the
 * text and its language, so the element can say when it differs.
 */
export function pick(texts) {
  if (!texts) return { text: '', lang: current };
  for (const l of [current, officeLanguage, 'en', ...Object.keys(texts)]) {
    if (l && texts[l]) return { text: texts[l], lang: l };
  }
  return { text: '', lang: current };
}

/** An element (default span) with the API text in it, marked with its language if not the page's. */
export function local(texts, tag = 'span', attrs = {}) {
  const { text, lang: l } = pick(texts);
  return h(tag, l === current ? attrs : { ...attrs, lang: l }, text);
}

// ---------------------------------------------------------------------------
// Dates and times: always in the office's time zone, in the language's format
// ---------------------------------------------------------------------------

const locale = () => LOCALE[current];

/** An instant (RFC 3339) as date and time in `timeZone`. */
export function dateTime(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(new Date(iso));
}

/** An instant as a time of day in `timeZone`. */
export function time(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { timeZone, timeStyle: 'short' }).format(new Date(iso));
}

/** A calendar date (YYYY-MM-DD), which has no time zone of its own. */
export function date(ymd, options = { dateStyle: 'full' }) {
  return new Intl.DateTimeFormat(locale(), { ...options, timeZone: 'UTC' }).format(utcDate(ymd));
}

export function utcDate(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

export function ymd(d) {
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------
// Errors in plain language
// ---------------------------------------------------------------------------

// Every code the citizen pages can meet, to its string: listed in full so the
// key check sees each key used.
const ERROR_KEYS = {
  slot_full: 'error.slot_full',
  clerk_busy: 'error.clerk_busy',
  weekly_cap_reached: 'error.weekly_cap_reached',
  already_booked: 'error.already_booked',
  hold_expired: 'error.hold_expired',
  booking_blocked: 'error.booking_blocked',
  booking_cancelled: 'error.booking_cancelled',
  too_late: 'error.too_late',
  invalid_token: 'error.invalid_token',
  code_locked: 'error.code_locked',
  office_not_found: 'error.office_not_found',
  service_not_found: 'error.service_not_found',
  booking_not_found: 'error.booking_not_found',
  not_found: 'error.not_found',
  invalid_request: 'error.invalid_request',
  slot_unavailable: 'error.slot_unavailable',
  invalid_json: 'error.invalid_json',
  invalid_idempotency_key: 'error.invalid_idempotency_key',
  idempotency_key_reused: 'error.idempotency_key_reused',
  busy: 'error.busy',
  too_many_requests: 'error.too_many_requests',
  unreachable: 'error.unreachable',
  internal: 'error.unknown',
};

/** The API's error as a sentence for the citizen (never the raw code). */
export function errorMessage(data) {
  const e = (data && data.error) || {};
  const key = ERROR_KEYS[e.code] || 'error.unknown';
  const vars = {};
  if (e.bookable_again_from) vars.date = date(e.bookable_again_from);
  return t(key, vars);
}

/** Whether trying the same thing again may work (the system was busy or unreachable). */
export function retryable(data) {
  const code = data && data.error && data.error.code;
  return code === 'busy' || code === 'unreachable' || code === 'internal';
}

/**
 * Shows a message in `el` (a live region); `kind` 'ok' | 'error'. A retry
 * button is added when `retry` is given.
 */
export function say(el, message, kind, retry) {
  el.className = `message ${kind}`;
  el.replaceChildren(h('p', {}, message));
  if (retry) el.append(h('p', {}, h('button', { type: 'button', onclick: retry }, t('status.retry'))));
}

// ---------------------------------------------------------------------------
// DOM
// ---------------------------------------------------------------------------

/** `h('p', { class: 'x', onclick }, 'text', child, [children])`. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export const $ = (id) => document.getElementById(id);

export function params() {
  // Links from emails carry the booking and its token in the fragment, which
  // no server, CDN log or Referer header ever sees; the query still works.
  const p = new URLSearchParams(location.search);
  for (const [k, v] of new URLSearchParams(location.hash.slice(1))) p.set(k, v);
  return p;
}

/** On the local runner only: says where the emails and SMS went. */
export async function showLocalMailbox() {
  const el = $('local-mailbox');
  if (!el) return;
  const response = await fetch('/_local/sent').catch(() => null);
  el.hidden = !(response && response.ok);
}

// ---------------------------------------------------------------------------
// The visit, once confirmed (the booking page and the confirm page)
// ---------------------------------------------------------------------------

/** Finds a matter and its department in an office's catalog. */
export function findService(catalog, serviceId) {
  for (const department of catalog.departments) {
    for (const service of department.services) if (service.id === serviceId) return { department, service };
  }
  return { department: null, service: null };
}

/** The confirmed visit: kiosk code, when, where, what to bring, add to calendar. */
export function visitDetails(booking, catalog) {
  const { department, service } = catalog ? findService(catalog, booking.service_id) : {};
  const tz = booking.time_zone;
  const rows = [
    [t('done.when'), dateTime(booking.start, tz)],
    service && [t('done.matter'), local(service.name)],
    booking.clerk && [t('done.clerk'), booking.clerk.name],
    catalog && [t('done.where'), [local(catalog.office.name), ', ', catalog.office.address, department && department.location ? [', ', local(department.location)] : []]],
    [t('done.reference'), booking.public_ref],
  ].filter(Boolean);
  const docs = service ? service.required_documents : [];
  return h('div', { class: 'visit' },
    booking.kiosk_code && h('p', { class: 'kiosk-code' }, t('done.kiosk_code', { code: booking.kiosk_code })),
    booking.kiosk_code && h('p', {}, t('done.kiosk_help')),
    h('dl', {}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    docs.length > 0 && [h('h3', {}, t('done.bring')), h('ul', {}, docs.map((d) => local(d, 'li')))],
    h('p', {}, calendarLink(booking, service, catalog)),
    h('p', {}, t('done.cancel_hint')),
  );
}

function calendarLink(booking, service, catalog) {
  const stamp = (iso) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const esc = (s) => String(s).replace(/([,;\\])/g, '\\$1').replace(/\n/g, '\\n');
  const title = service ? pick(service.name).text : booking.public_ref;
  const where = catalog ? `${pick(catalog.office.name).text}, ${catalog.office.address}` : '';
  const ics = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Termin//EN', 'BEGIN:VEVENT',
    `UID:${booking.booking_id}@termin`, `DTSTAMP:${stamp(new Date().toISOString())}`,
    `DTSTART:${stamp(booking.start)}`, `DTEND:${stamp(booking.end)}`,
    `SUMMARY:${esc(title)}`, `LOCATION:${esc(where)}`,
    `DESCRIPTION:${esc(booking.kiosk_code ? t('done.kiosk_code', { code: booking.kiosk_code }) : booking.public_ref)}`,
    'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
  const href = URL.createObjectURL(new Blob([ics], { type: 'text/calendar' }));
  return h('a', { href, download: `termin-${booking.public_ref}.ics` }, t('done.calendar'));
}
