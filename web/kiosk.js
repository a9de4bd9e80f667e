// The kiosk (ticket machine) in the office hall: redeem a booking code for a
// queue ticket, or take a walk-in ticket. Every request is signed with the
// kiosk secret staff typed on the setup screen (see kiosk-sign.js).
import { signRequest } from './kiosk-sign.js';

const SUPPORTED = ['pl', 'cs', 'en', 'uk'];
const STORAGE_KEY = 'termin.kiosk';
const CONFIG_POLL_MS = 60_000;
const RETURN_AFTER_S = 30;
const LONG_PRESS_MS = 3000;
const CODE_MIN = 6;
const CODE_MAX = 8;
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const $ = (id) => document.getElementById(id);

const state = {
  creds: null, // { id, secret }
  config: null,
  lang: 'en',
  strings: {}, // lang -> { key: text | { pluralCategory: text } }
  screen: 'loading',
  ticket: null,
  error: null, // { code, ...fields from the answer }
  busy: false,
  returnAt: 0,
  forgetArmed: false,
};

// ---------------------------------------------------------------------------
// Texts
// ---------------------------------------------------------------------------

async function loadStrings(lang) {
  if (state.strings[lang]) return;
  const response = await fetch(`kiosk-i18n/${lang}.json`);
  if (!response.ok) throw new Error(`kiosk-i18n/${lang}.json: ${response.status}`);
  state.strings[lang] = await response.json();
}

/** The text for `key` in the current language (English if missing), with {name} filled in. */
function t(key, params = {}) {
  let value = state.strings[state.lang]?.[key] ?? state.strings.en?.[key] ?? key;
  if (value && typeof value === 'object') {
    const category = new Intl.PluralRules(state.lang).select(Number(params.count));
    value = value[category] ?? value.other;
  }
  return String(value).replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** A text from the config ({lang: text}) in the current language, or the nearest one there is. */
function local(map) {
  if (!map || typeof map !== 'object') return { text: '', lang: state.lang };
  const order = [state.lang, 'en', ...officeLanguages(), ...Object.keys(map)];
  for (const lang of order) if (map[lang]) return { text: map[lang], lang };
  return { text: '', lang: state.lang };
}

/** Sets a config text, marking its language when it is not the page's (WCAG 3.1.2). */
function setLocal(el, map) {
  const { text, lang } = local(map);
  el.textContent = text;
  if (lang !== state.lang) el.lang = lang; else el.removeAttribute('lang');
}

function officeLanguages() {
  const langs = (state.config?.languages || []).filter((l) => SUPPORTED.includes(l));
  return langs.length ? langs : (state.config ? ['en'] : SUPPORTED);
}

function defaultLanguage() {
  if (state.config) return officeLanguages()[0];
  const preferred = (navigator.languages || []).map((l) => l.slice(0, 2)).find((l) => SUPPORTED.includes(l));
  return preferred || 'en';
}

async function setLanguage(lang) {
  await Promise.all([loadStrings('en'), loadStrings(lang)]);
  state.lang = lang;
  render();
}

function formatTime(iso, withDate) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso || '';
  const timeZone = state.config?.office?.time_zone || undefined;
  const sameDay = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' });
  const showDate = withDate || sameDay.format(date) !== sameDay.format(new Date());
  const options = { timeZone, hour: 'numeric', minute: '2-digit' };
  if (showDate) Object.assign(options, { day: 'numeric', month: 'long' });
  // Europe reads a 24-hour clock; plain "en" would say "9:15 AM".
  return new Intl.DateTimeFormat(state.lang === 'en' ? 'en-GB' : state.lang, options).format(date);
}

// ---------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------

/** A signed request; `path` is the route path without the /api prefix. */
async function kioskFetch(method, path, payload) {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  try {
    const headers = await signRequest({ secret: state.creds.secret, kioskId: state.creds.id, method, path, body });
    if (body) headers['content-type'] = 'application/json';
    const response = await fetch(window.TERMIN_API + path, { method, headers, body: body || undefined, cache: 'no-store' });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
  } catch {
    return { ok: false, status: 0, data: null };
  }
}

/** API error codes that the screen explains with one of its own texts. */
const SCREEN_CODE = { invalid_request: 'invalid_code', service_not_found: 'service_unknown' };

/**
 * The error of a failed answer. The API answers
 * {"error": {"code", "message" (English, for logs), ...details}}; the screen
 * gets { code, ...details }, with the kiosk's own text per language
 * (`kiosk_message`) as `message`.
 */
function problem(result) {
  if (result.status === 0) return { code: 'network' };
  const error = result.data && typeof result.data === 'object' ? result.data.error : null;
  if (!error || typeof error !== 'object' || typeof error.code !== 'string') {
    return { code: { 401: 'unauthorized', 429: 'kiosk_locked' }[result.status] || 'other' };
  }
  const { code, message: _english, kiosk_message: message, ...details } = error;
  return { ...details, code: SCREEN_CODE[code] || code, message };
}

// ---------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------

function loadCreds() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
    if (stored && typeof stored.id === 'string' && typeof stored.secret === 'string' && stored.id && stored.secret) return stored;
  } catch { /* unreadable: set up again */ }
  return null;
}

/**
 * Fetches the config and moves to the screen it calls for. Returns the
 * problem, if any. A person in the middle of something (a ticket on screen,
 * the walk-in list, a typed code) is not interrupted by a background poll.
 */
async function refreshConfig({ background = false } = {}) {
  if (!state.creds) return { code: 'unauthorized' };
  const result = await kioskFetch('GET', '/kiosk/config');
  if (state.screen === 'setup') return result.ok ? null : problem(result);
  if (result.ok) {
    const first = !state.config;
    const languagesBefore = officeLanguages().join();
    state.config = result.data;
    if (first || languagesBefore !== officeLanguages().join() || !officeLanguages().includes(state.lang)) {
      await setLanguage(defaultLanguage());
    }
    if (!state.config.enabled) {
      if (!['ticket'].includes(state.screen)) show('closed');
    } else if (['loading', 'closed'].includes(state.screen) || (state.screen === 'error' && state.error?.fromConfig)) {
      goHome();
    } else {
      render();
    }
    return null;
  }
  const p = problem(result);
  if (p.code === 'kiosk_disabled') {
    if (state.config) state.config = { ...state.config, enabled: false, message: p.message && typeof p.message === 'object' ? p.message : state.config.message };
    else state.disabledMessage = p.message;
    if (state.screen !== 'ticket') show('closed');
    return p;
  }
  if (background && p.code === 'network' && state.screen !== 'loading') return p; // the next press will say so
  if (state.screen !== 'ticket') showError({ ...p, fromConfig: true });
  return p;
}

// ---------------------------------------------------------------------------
// Screens
// ---------------------------------------------------------------------------

const SCREENS = ['loading', 'home', 'walkin', 'ticket', 'error', 'closed', 'setup'];

function show(name) {
  state.screen = name;
  for (const s of SCREENS) $(`screen-${s}`).hidden = s !== name;
  state.returnAt = ['ticket', 'error'].includes(name) ? Date.now() + RETURN_AFTER_S * 1000 : 0;
  render();
  if (name === 'home') $('code').focus({ preventScroll: true });
  else $(`screen-${name}`).querySelector('h1').focus({ preventScroll: true });
}

function goHome({ reset = false } = {}) {
  setBusy(false);
  $('code').value = '';
  if (reset) {
    setLetters(false);
    if (state.config && state.lang !== defaultLanguage()) setLanguage(defaultLanguage());
  }
  if (state.config && !state.config.enabled) return show('closed');
  show('home');
}

function showError(error) {
  state.error = error;
  show('error');
  announceAlert(`${$('error-title').textContent}. ${$('error-body').textContent}`);
}

function announceAlert(text) {
  // Emptied first so that the same message twice is announced twice.
  $('live-alert').textContent = '';
  setTimeout(() => { $('live-alert').textContent = text; }, 50);
}

function announceStatus(text) {
  $('live-status').textContent = '';
  setTimeout(() => { $('live-status').textContent = text; }, 50);
}

function walkInServices() {
  return (state.config?.departments || [])
    .map((d) => ({ ...d, services: (d.services || []).filter((s) => s.walk_in) }))
    .filter((d) => d.services.length);
}

function walkInsOpen() {
  return Boolean(state.config?.walk_ins_enabled) && walkInServices().length > 0;
}

function render() {
  document.documentElement.lang = state.lang;
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  if (state.config?.office?.name) setLocal($('office-name'), state.config.office.name);
  else { $('office-name').textContent = 'Termin'; $('office-name').removeAttribute('lang'); }
  renderLanguages();
  renderHome();
  renderWalkIn();
  renderTicket();
  renderError();
  renderClosed();
  renderSetup();
  renderCountdown();
}

function renderLanguages() {
  const nav = $('languages');
  nav.setAttribute('aria-label', t('languages_label'));
  const langs = officeLanguages();
  nav.hidden = langs.length < 2;
  if (nav.dataset.langs !== langs.join()) {
    nav.replaceChildren(...langs.map((lang) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'lang';
      b.lang = lang;
      b.dataset.lang = lang;
      b.addEventListener('click', () => setLanguage(lang));
      return b;
    }));
    nav.dataset.langs = langs.join();
    // The names come from each language's own file.
    Promise.all(langs.map(loadStrings)).then(renderLanguages, () => {});
  }
  for (const b of nav.querySelectorAll('button')) {
    b.textContent = state.strings[b.dataset.lang]?.language_name || b.dataset.lang.toUpperCase();
    b.setAttribute('aria-pressed', String(b.dataset.lang === state.lang));
  }
}

function renderHome() {
  const open = walkInsOpen();
  $('walk-in').hidden = !open;
  $('walk-ins-off').hidden = open || !state.config;
  if (!open) {
    if (state.config?.message) setLocal($('walk-ins-off'), state.config.message);
    else { $('walk-ins-off').textContent = t('home.walk_ins_off'); $('walk-ins-off').removeAttribute('lang'); }
  }
  updateOk();
}

function renderWalkIn() {
  const container = $('departments');
  container.replaceChildren(...walkInServices().map((d) => {
    const section = document.createElement('section');
    section.className = 'department';
    const h = document.createElement('h2');
    h.id = `dept-${d.id}`;
    setLocal(h, d.name);
    section.setAttribute('aria-labelledby', h.id);
    const where = document.createElement('p');
    where.className = 'location';
    setLocal(where, d.location);
    const list = document.createElement('ul');
    list.className = 'services';
    for (const s of d.services) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'service';
      b.dataset.service = s.id;
      b.disabled = state.busy;
      setLocal(b, s.name);
      b.addEventListener('click', () => takeWalkIn(s.id));
      li.append(b);
      list.append(li);
    }
    section.append(h, where, list);
    return section;
  }));
}

function renderTicket() {
  const tk = state.ticket;
  if (!tk) return;
  if (state.config?.office?.name) setLocal($('ticket-office'), state.config.office.name);
  $('ticket-number').textContent = tk.number;
  $('ticket-kind').textContent = t(tk.kind === 'booked' ? 'ticket.kind_booked' : 'ticket.kind_walk_in');
  setLocal($('ticket-department'), tk.department?.name);
  setLocal($('ticket-location'), tk.department?.location);
  setLocal($('ticket-service'), tk.service?.name);
  $('ticket-appointment-row').hidden = !tk.appointment;
  $('ticket-appointment').textContent = tk.appointment ? formatTime(tk.appointment) : '';
  $('ticket-clerk-row').hidden = !tk.clerk;
  $('ticket-clerk').textContent = tk.clerk ? tk.clerk.name : '';
  $('ticket-ahead').textContent = String(tk.people_ahead ?? 0);
  const wait = tk.estimated_wait_minutes || { min: 0, max: 0 };
  $('ticket-wait').textContent = t('ticket.wait_value', { min: wait.min, max: wait.max });
  $('ticket-issued').textContent = tk.issued_at ? formatTime(tk.issued_at) : '';
}

function renderError() {
  const e = state.error;
  if (!e) return;
  const known = [
    'too_early', 'too_late', 'code_unknown', 'invalid_code', 'booking_not_confirmed', 'wrong_office',
    'kiosk_locked', 'kiosk_disabled', 'walk_ins_disabled', 'walk_in_cap_reached', 'waiting_room_full',
    'service_unknown', 'unauthorized', 'network',
  ];
  const code = known.includes(e.code) ? e.code : 'other';
  $('error-title').textContent = t(`error.${code}.title`);
  const body = $('error-body');
  body.removeAttribute('lang');
  if (code === 'too_early') {
    body.textContent = t('error.too_early.body', { time: formatTime(e.valid_from) });
  } else if (code === 'kiosk_locked') {
    const minutes = Math.max(1, Math.ceil(Number(e.retry_after_seconds || 60) / 60));
    body.textContent = t('error.kiosk_locked.body', { count: minutes });
  } else if ((code === 'walk_ins_disabled' || code === 'kiosk_disabled') && e.message && typeof e.message === 'object') {
    setLocal(body, e.message);
  } else {
    body.textContent = t(`error.${code}.body`);
  }
  $('error-walk-in').hidden = !(code === 'too_late' && walkInsOpen());
  $('error-setup').hidden = code !== 'unauthorized';
  $('error-back').hidden = code === 'unauthorized' && !state.config;
  $('error-back').textContent = e.fromConfig ? t('retry') : t('error.back');
}

function renderClosed() {
  const message = state.config ? state.config.message : state.disabledMessage;
  if (message && typeof message === 'object') setLocal($('closed-message'), message);
  else { $('closed-message').textContent = t('closed.default'); $('closed-message').removeAttribute('lang'); }
}

function renderSetup() {
  $('setup-current').textContent = state.creds ? t('setup.current', { id: state.creds.id }) : '';
  $('setup-back').hidden = !state.creds;
  $('setup-forget').hidden = !state.creds;
  $('setup-forget').textContent = t(state.forgetArmed ? 'setup.forget_confirm' : 'setup.forget');
  const result = $('setup-result');
  if (result.dataset.key) result.textContent = t(result.dataset.key);
}

function setSetupResult(key, kind) {
  const result = $('setup-result');
  result.dataset.key = key || '';
  result.className = `setup-result ${kind || ''}`;
  result.textContent = key ? t(key) : '';
}

function renderCountdown() {
  const left = Math.max(0, Math.ceil((state.returnAt - Date.now()) / 1000));
  for (const el of document.querySelectorAll('[data-countdown]')) {
    el.textContent = state.returnAt ? t('ticket.returning', { seconds: left }) : '';
  }
}

// ---------------------------------------------------------------------------
// Code entry
// ---------------------------------------------------------------------------

function cleanCode(raw) {
  return raw.toUpperCase().replace(/[^0-9A-Z]/g, '').slice(0, CODE_MAX);
}

function updateOk() {
  $('ok').disabled = state.busy || $('code').value.length < CODE_MIN;
}

function press(key) {
  const input = $('code');
  if (key === 'Backspace') input.value = input.value.slice(0, -1);
  else if (key === 'Clear') input.value = '';
  else input.value = cleanCode(input.value + key);
  updateOk();
}

function setLetters(on) {
  $('letters').hidden = !on;
  $('letters-toggle').setAttribute('aria-pressed', String(on));
}

function buildLetters() {
  $('letters').replaceChildren(...[...LETTERS].map((letter) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'key letter';
    b.dataset.key = letter;
    b.textContent = letter;
    return b;
  }));
}

function setBusy(busy) {
  state.busy = busy;
  $('home-busy').hidden = !busy || state.screen !== 'home';
  $('walkin-busy').hidden = !busy || state.screen !== 'walkin';
  for (const b of document.querySelectorAll('#departments button')) b.disabled = busy;
  updateOk();
}

async function redeem(event) {
  event.preventDefault();
  const code = cleanCode($('code').value);
  if (state.busy || code.length < CODE_MIN) return;
  setBusy(true);
  const result = await kioskFetch('POST', '/kiosk/redeem', { code });
  setBusy(false);
  $('code').value = '';
  updateOk();
  if (result.ok && result.data?.ticket) return showTicket(result.data.ticket);
  handleProblem(problem(result));
}

async function takeWalkIn(serviceId) {
  if (state.busy) return;
  setBusy(true);
  const result = await kioskFetch('POST', '/kiosk/walk-in', { service_id: serviceId });
  setBusy(false);
  if (result.ok && result.data?.ticket) return showTicket(result.data.ticket);
  handleProblem(problem(result));
}

function handleProblem(p) {
  if (p.code === 'kiosk_disabled') {
    if (state.config) state.config = { ...state.config, enabled: false, message: (p.message && typeof p.message === 'object') ? p.message : state.config.message };
    return show('closed');
  }
  if (p.code === 'walk_ins_disabled' && state.config) {
    state.config = { ...state.config, walk_ins_enabled: false, message: (p.message && typeof p.message === 'object') ? p.message : state.config.message };
  }
  if (p.code === 'service_unknown') refreshConfig({ background: true });
  showError(p);
}

function showTicket(ticket) {
  state.ticket = ticket;
  show('ticket');
  announceStatus(t('ticket.announce', { number: ticket.number }));
}

// ---------------------------------------------------------------------------
// Setup
// ---------------------------------------------------------------------------

function openSetup() {
  state.forgetArmed = false;
  $('setup-id').value = state.creds?.id || '';
  $('setup-secret').value = '';
  setSetupResult('');
  show('setup');
}

function leaveSetup() {
  if (location.hash === '#setup') history.replaceState(null, '', location.pathname + location.search);
}

async function saveSetup(event) {
  event.preventDefault();
  const id = $('setup-id').value.trim();
  const secret = $('setup-secret').value; // as typed: it is the HMAC key
  if (!id || !secret) return setSetupResult('setup.missing', 'error');
  setSetupResult('setup.checking');
  const previous = state.creds;
  state.creds = { id, secret };
  const result = await kioskFetch('GET', '/kiosk/config');
  if (!result.ok) {
    const p = problem(result);
    if (p.code === 'kiosk_disabled') {
      // Accepted but switched off: keep the credentials, show the closed screen.
      localStorage.setItem(STORAGE_KEY, JSON.stringify(state.creds));
      state.disabledMessage = p.message;
      $('setup-secret').value = '';
      leaveSetup();
      return show('closed');
    }
    state.creds = previous;
    return setSetupResult(p.code === 'network' ? 'error.network.body' : 'setup.rejected', 'error');
  }
  localStorage.setItem(STORAGE_KEY, JSON.stringify(state.creds));
  $('setup-secret').value = '';
  setSetupResult('');
  state.config = null;
  leaveSetup();
  state.screen = 'loading';
  await refreshConfig();
}

function forgetKiosk() {
  if (!state.forgetArmed) {
    state.forgetArmed = true;
    renderSetup();
    return;
  }
  localStorage.removeItem(STORAGE_KEY);
  state.creds = null;
  state.config = null;
  state.forgetArmed = false;
  $('setup-id').value = '';
  $('setup-secret').value = '';
  render();
  setSetupResult('setup.forgotten', 'ok');
  $('setup-id').focus();
}

function setupBack() {
  leaveSetup();
  state.screen = 'loading';
  show('loading');
  refreshConfig();
}

function watchLongPress(el, ms, action) {
  let timer = null;
  const cancel = () => { clearTimeout(timer); timer = null; };
  el.addEventListener('pointerdown', () => { cancel(); timer = setTimeout(action, ms); });
  for (const type of ['pointerup', 'pointerleave', 'pointercancel']) el.addEventListener(type, cancel);
  el.addEventListener('contextmenu', (e) => e.preventDefault());
}

// ---------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------

function onKeydown(event) {
  if (state.screen !== 'home' || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target === $('code')) {
    if (event.key === 'Escape') { press('Clear'); event.preventDefault(); }
    return; // the input takes its own typing; Enter submits the form
  }
  if (target.closest && target.closest('#setup-form')) return;
  if (/^[0-9a-z]$/i.test(event.key)) { press(event.key); $('code').focus(); event.preventDefault(); }
  else if (event.key === 'Backspace') { press('Backspace'); event.preventDefault(); }
  else if (event.key === 'Escape') { press('Clear'); event.preventDefault(); }
  else if (event.key === 'Enter' && target === document.body) { $('code-form').requestSubmit(); event.preventDefault(); }
}

function tick() {
  if (!state.returnAt) return;
  if (Date.now() >= state.returnAt) {
    if (state.screen === 'error' && state.error?.fromConfig) { state.returnAt = Date.now() + RETURN_AFTER_S * 1000; refreshConfig(); return; }
    goHome({ reset: true });
  } else {
    renderCountdown();
  }
}

function extendTime() {
  if (state.returnAt) { state.returnAt = Date.now() + RETURN_AFTER_S * 1000; renderCountdown(); }
}

function wire() {
  buildLetters();
  for (const container of [$('keypad'), $('letters')]) {
    container.addEventListener('click', (e) => {
      const key = e.target.closest('button')?.dataset.key;
      if (key) press(key);
    });
  }
  $('code').addEventListener('input', () => {
    const input = $('code');
    const clean = cleanCode(input.value);
    if (clean !== input.value) input.value = clean;
    updateOk();
  });
  $('code-form').addEventListener('submit', redeem);
  $('letters-toggle').addEventListener('click', () => {
    const on = $('letters').hidden;
    setLetters(on);
    if (on) $('letters').scrollIntoView({ block: 'nearest' });
  });
  $('walk-in').addEventListener('click', () => show('walkin'));
  $('print').addEventListener('click', () => window.print());
  for (const b of document.querySelectorAll('[data-action="home"]')) b.addEventListener('click', () => goHome());
  for (const b of document.querySelectorAll('[data-action="done"]')) b.addEventListener('click', () => goHome({ reset: true }));
  $('error-back').addEventListener('click', () => {
    if (state.error?.fromConfig) { show('loading'); refreshConfig(); } else goHome();
  });
  $('error-walk-in').addEventListener('click', () => show('walkin'));
  $('error-setup').addEventListener('click', openSetup);
  $('setup-form').addEventListener('submit', saveSetup);
  $('setup-forget').addEventListener('click', forgetKiosk);
  $('setup-back').addEventListener('click', setupBack);
  watchLongPress($('brand'), LONG_PRESS_MS, openSetup);
  window.addEventListener('hashchange', () => { if (location.hash === '#setup') openSetup(); });
  document.addEventListener('keydown', onKeydown);
  document.addEventListener('pointerdown', extendTime, true);
  document.addEventListener('keydown', extendTime, true);
  setInterval(tick, 1000);
  setInterval(() => { if (state.creds && state.screen !== 'setup') refreshConfig({ background: true }); }, CONFIG_POLL_MS);
}

async function start() {
  wire();
  state.creds = loadCreds();
  await setLanguage(defaultLanguage());
  if (!state.creds || location.hash === '#setup') return openSetup();
  show('loading');
  await refreshConfig();
}

start();
