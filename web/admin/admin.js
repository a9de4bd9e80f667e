// The office administrator's page (issue 12): sign in (a demo account on the
// local runner, or a pasted token from the office's Cognito sign-in), choose
// one of the offices the token administers, and configure it: the office's
// settings, its departments and its matters (one draft, saved whole with the
// version it was read at: the answer lists the bookings the change strands,
// or says why it was refused), register kiosks (the secret shown once), and
// read the audit log. Clerks (and administrators, who may do all a clerk
// does) get the desk work (desk-work.js): bookings for callers, data
// requests; administrators also the statistics. The token lives in this
// tab's sessionStorage only.

import { h, $, api } from '../termin.js';
import {
  t, lang, useLanguage, supported, LANGUAGES, NATIVE, local, pickText, instant, day, officeToday, setOfficeLanguages,
} from './strings.js';
import { stored, store, sessionOfToken, officesOf, demoAccounts, demoSession } from '../staff-session.js';
import {
  officeForm, departmentList, departmentEditor, serviceList, serviceEditor, validate, toCatalog, draftOf, fingerprint,
  departmentName, serviceName,
} from './catalog-form.js';
import {
  useDeskWork, loadOfficeCatalog, officeOfCatalog, renderBookings, renderRequests, renderStatistics,
} from './desk-work.js';

const SESSION = 'termin-admin-session'; // { token, user, groups }
const PLACE = 'termin-admin-place'; // { office, part }
const CHOSEN_LANGUAGE = 'termin-admin-lang';
const ADMIN = ['office_admin'];
const STAFF = ['clerk', 'office_admin'];
const PARTS = ['office', 'departments', 'services', 'kiosks', 'audit', 'bookings', 'requests', 'statistics'];
// What each role may use; the API decides on every request all the same.
const ROLE_PARTS = {
  admin: PARTS,
  clerk: ['bookings', 'requests'],
};
const CATALOG_PARTS = ['office', 'departments', 'services'];
const KIOSK_ID = /^[a-z0-9-]{1,64}$/;
const OFFICE_LANGUAGE = { PL: 'pl', CZ: 'cs' };

const state = {
  screen: null, // 'signin' | 'office'
  session: null,
  offices: [], // GET /offices, for the offices' names
  office: null, // the chosen office's id
  access: null, // 'loading' | 'ok' | 'forbidden' | 'not_found' | 'failed'
  role: null, // 'admin' | 'clerk', once the office is open ('clerk': the API refused the catalog)
  failure: null, // the answer that made it 'failed'
  version: null, // the catalog's version as read
  base: null, // the catalog as read (names of what a change removes)
  draft: null, // the catalog being edited
  snapshot: null, // the draft's fingerprint as read: anything else is unsaved
  fresh: new WeakSet(), // departments and matters added since the last save
  part: 'office',
  editing: { departments: null, services: null },
  errors: [], // the draft's problems found at the last save
  outcome: null, // what the last save did
  busy: false,
  said: 0,
  kioskForm: { id: '', languages: null, message: {} },
  kioskErrors: {}, // field id → message
  secret: null, // { kiosk_id, generation, secret }: shown once, kept nowhere
  kiosks: null, // { list } | { loading } | { error }: the office's registered kiosks
  audit: null, // { from, to, entries } | { from, to, error }
  auditRange: null, // { from, to }
};

// Every code the page can meet, to its string: listed in full so the key check sees each key used.
const ERROR_KEYS = {
  unauthorized: 'admin.error.unauthorized',
  forbidden: 'admin.error.forbidden',
  office_not_found: 'admin.error.office_not_found',
  invalid_json: 'admin.error.invalid_json',
  invalid_request: 'admin.error.invalid_request',
  busy: 'admin.error.unreachable',
  unreachable: 'admin.error.unreachable',
};
const REASON_KEYS = {
  service_removed: 'admin.reason.service_removed',
  moved_department: 'admin.reason.moved_department',
  day_closed: 'admin.reason.day_closed',
  outside_hours: 'admin.reason.outside_hours',
  clerk_gone: 'admin.reason.clerk_gone',
};
const ACTION_KEYS = {
  catalog_changed: 'admin.action.catalog_changed',
  kiosk_registered: 'admin.action.kiosk_registered',
  kiosk_changed: 'admin.action.kiosk_changed',
  block_lifted: 'admin.action.block_lifted',
};
const PART_KEYS = {
  office: 'admin.part.office',
  departments: 'admin.part.departments',
  services: 'admin.part.services',
  kiosks: 'admin.part.kiosks',
  audit: 'admin.part.audit',
  bookings: 'admin.part.bookings',
  requests: 'admin.part.requests',
  statistics: 'admin.part.statistics',
};

// ---------------------------------------------------------------------------
// The API and messages
// ---------------------------------------------------------------------------

/** A staff request with the token; `{ ok, status, data }` as termin.js's api. */
function staffApi(method, path, body, headers = {}) {
  return api(method, path, body, { ...headers, authorization: `Bearer ${state.session.token}` });
}

/** A staff request answered by something other than JSON (the statistics' CSV): the Response, or null. */
function staffFetch(path) {
  return fetch(window.TERMIN_API + path, { headers: { authorization: `Bearer ${state.session.token}` } }).catch(() => null);
}

/** Sends a document template's file to be kept for citizens; the address is in data.url. */
async function uploadDocument(file) {
  const answer = await staffApi('POST', officePath(`documents?name=${encodeURIComponent(file.name)}`), file);
  if (answer.status === 401) signOut('admin.error.unauthorized');
  return answer;
}

const officePath = (rest) => `/staff/offices/${encodeURIComponent(state.office)}/${rest}`;

function errorText(data) {
  const code = data && data.error && data.error.code;
  return t(ERROR_KEYS[code] || 'admin.error.unknown');
}

/** Says `message` in the status region, even when it is the same as the last one. */
function say(message, kind = 'ok') {
  const el = $('result');
  const n = ++state.said;
  el.className = `result ${kind}`;
  el.textContent = '';
  // Emptied first and filled a moment later, so a screen reader hears a repeated message again.
  setTimeout(() => { if (state.said === n) el.textContent = message; }, 50);
}

/** A failed answer that is not about the form: 401 signs out, 403 shows who may not, the rest is said. */
function failed(answer) {
  if (answer.status === 401) return signOut('admin.error.unauthorized');
  if (answer.status === 403) {
    state.access = 'forbidden';
    renderOffice();
    say(t('admin.denied.said', { user: state.session.user, office: officeLabel(state.office) }), 'error');
    $('denied-h').focus();
    return null;
  }
  say(errorText(answer.data), 'error');
  return null;
}

// ---------------------------------------------------------------------------
// Languages
// ---------------------------------------------------------------------------

function preferredLanguage() {
  let chosen = null;
  try { chosen = localStorage.getItem(CHOSEN_LANGUAGE); } catch { /* private mode */ }
  const browser = (navigator.languages || []).map((l) => l.slice(0, 2).toLowerCase());
  return supported(new URLSearchParams(location.search).get('lang'), chosen, ...browser);
}

async function chooseLanguage(l) {
  try { localStorage.setItem(CHOSEN_LANGUAGE, l); } catch { /* this page view only */ }
  await useLanguage(l);
  render();
  const pressed = document.querySelector(`#languages button[lang="${l}"]`);
  if (pressed) pressed.focus();
}

function renderSwitcher() {
  const nav = $('languages');
  nav.setAttribute('aria-label', t('admin.languages'));
  nav.replaceChildren(h('ul', {}, LANGUAGES.map((l) => h('li', {}, h('button', {
    type: 'button', lang: l, 'aria-pressed': String(l === lang()), onclick: () => chooseLanguage(l),
  }, NATIVE[l])))));
}

// ---------------------------------------------------------------------------
// Screens
// ---------------------------------------------------------------------------

function show(screen, { focus = true } = {}) {
  state.screen = screen;
  for (const s of ['signin', 'office']) $(`screen-${s}`).hidden = s !== screen;
  render();
  if (focus) $(`screen-${screen}`).querySelector('h1').focus();
}

function render() {
  // A clerk's page is the desk work, not the administration.
  document.title = t(state.role === 'clerk' ? 'admin.title_clerk' : 'admin.title');
  renderSwitcher();
  $('account').hidden = !state.session;
  if (state.session) $('account-name').textContent = t('admin.signed_in_as', { user: state.session.user });
  if (state.screen === 'office') renderOffice();
}

// ---------------------------------------------------------------------------
// Signing in
// ---------------------------------------------------------------------------

/** The local runner's demo accounts, an administrator first; elsewhere none and the form stays hidden. */
async function loadDemoAccounts() {
  const accounts = await demoAccounts();
  $('demo-form').hidden = accounts.length === 0;
  $('demo-user').replaceChildren(...accounts.map((a) => h('option', { value: a.user }, `${a.user} (${a.groups.join(', ')})`)));
  const admin = accounts.find((a) => officesOf(a.groups, ADMIN).length > 0);
  if (admin) $('demo-user').value = admin.user;
}

async function signInDemo(event) {
  event.preventDefault();
  const session = await demoSession($('demo-user').value);
  if (!session) return say(t('admin.error.unreachable'), 'error');
  signedIn(session);
}

function signInToken(event) {
  event.preventDefault();
  const session = sessionOfToken($('token').value);
  if (!session) return say(t('admin.error.token_unreadable'), 'error');
  if (officesOf(session.groups, STAFF).length === 0) return say(t('admin.error.token_no_office'), 'error');
  $('token').value = '';
  signedIn(session);
}

function signedIn(session) {
  state.session = session;
  store(SESSION, session);
  say(t('admin.did.sign_in', { user: session.user }));
  const place = stored(PLACE) || {};
  const offices = candidateOffices();
  openOffice(offices.includes(place.office) ? place.office : offices[0], place.part);
}

function signOut(reasonKey) {
  if (!reasonKey && isDirty() && !window.confirm(t('admin.confirm_discard'))) return;
  state.session = null;
  forgetOffice();
  store(SESSION, null);
  show('signin');
  say(t(reasonKey || 'admin.did.sign_out'), reasonKey ? 'error' : 'ok');
}

/**
 * The offices to offer: those where the token has a staff role, those it
 * administers first. The API alone decides what it may do at each.
 */
function candidateOffices() {
  const groups = state.session ? state.session.groups : [];
  return [...new Set([...officesOf(groups, ADMIN), ...officesOf(groups, STAFF)])];
}

// ---------------------------------------------------------------------------
// The office: its catalog, read and kept as a draft
// ---------------------------------------------------------------------------

function officeLabel(id) {
  if (state.draft && state.draft.office.id === id) return pickText(state.draft.office.name).text || id;
  const office = state.offices.find((o) => o.id === id);
  return (office && pickText(office.name).text) || id;
}

function forgetOffice() {
  Object.assign(state, {
    office: null, access: null, role: null, failure: null, version: null, base: null, draft: null, snapshot: null, fresh: new WeakSet(),
    editing: { departments: null, services: null }, errors: [], outcome: null, secret: null, kiosks: null, audit: null, auditRange: null,
    kioskForm: { id: '', languages: null, message: {} }, kioskErrors: {},
  });
  useDeskWork(deskContext);
}

/** What the desk work may use of the page. */
const deskContext = {
  api,
  staffApi,
  staffFetch,
  officePath,
  say,
  errorText,
  officeId: () => state.office,
  timeZone: () => timeZone(),
  language: () => lang(),
  denied: (answer) => {
    if (answer.status === 401) return signOut('admin.error.unauthorized');
    say(t('admin.error.forbidden'), 'error');
    return null;
  },
};

async function openOffice(office, part = 'office') {
  forgetOffice();
  state.office = office;
  state.part = PARTS.includes(part) ? part : 'office';
  show('office');
  await loadCatalog();
}

/** Reads the office's catalog; the draft starts as it is. */
async function loadCatalog({ keepOutcome = false, quiet = false } = {}) {
  if (!quiet) {
    state.access = 'loading';
    renderOffice();
  }
  const office = state.office;
  const answer = await staffApi('GET', officePath('catalog'));
  if (office !== state.office) return false; // another office was chosen meanwhile
  if (answer.ok) state.role = 'admin';
  if (answer.status === 403 && officesOf(state.session.groups, ['clerk']).includes(office)) {
    // Not an administrator here, but a clerk: the desk work, and a word on what the account may not.
    state.role = 'clerk';
    return openDeskWork(office, { quiet });
  }
  if (!answer.ok) {
    if (answer.status === 401) return signOut('admin.error.unauthorized');
    state.access = { 403: 'forbidden', 404: 'not_found' }[answer.status] || 'failed';
    state.failure = answer.data;
    renderOffice();
    if (state.access === 'forbidden') say(t('admin.denied.said', { user: state.session.user, office: officeLabel(office) }), 'error');
    else say(errorText(answer.data), 'error');
    return false;
  }
  useCatalog(answer.data.catalog, answer.data.version);
  if (!keepOutcome) state.outcome = null;
  // The matters to book for callers, as now saved.
  if (!(await openDeskWork(office, { quiet: true }))) return false;
  if (office !== state.office) return false;
  state.access = 'ok';
  usePart(state.part);
  renderOffice();
  return true;
}

/** Reads the office's public catalog (the matters to book); a clerk's workspace opens with it. */
async function openDeskWork(office, { quiet = false } = {}) {
  const answer = await loadOfficeCatalog();
  if (!answer || office !== state.office) return false;
  if (!answer.ok) {
    state.access = answer.status === 404 ? 'not_found' : 'failed';
    state.failure = answer.data;
    renderOffice();
    say(errorText(answer.data), 'error');
    return false;
  }
  if (state.role === 'clerk') {
    document.title = t('admin.title_clerk');
    const first = OFFICE_LANGUAGE[answer.data.office.country];
    setOfficeLanguages(first ? [first] : []);
    state.access = 'ok';
    usePart(state.part);
    renderOffice();
    if (!quiet) say(t('admin.clerk.said', { user: state.session.user, office: officeLabel(office) }));
  }
  return true;
}

/** The part to show: the one asked for if the role may use it, else the role's first. */
function usePart(part) {
  const allowed = ROLE_PARTS[state.role] || [];
  state.part = allowed.includes(part) ? part : allowed[0];
  store(PLACE, { office: state.office, part: state.part });
}

function useCatalog(catalog, version) {
  // The forms open stay open on the same department or matter (the API may list them in another order).
  const editedIds = Object.fromEntries(['departments', 'services'].map((part) => {
    const index = state.editing[part];
    return [part, state.draft && index !== null && state.draft[part][index] ? state.draft[part][index].id : null];
  }));
  state.version = version;
  state.base = catalog;
  state.draft = draftOf(catalog);
  state.snapshot = fingerprint(state.draft);
  state.fresh = new WeakSet();
  state.errors = [];
  const office = catalog.office;
  const first = OFFICE_LANGUAGE[office.country];
  setOfficeLanguages(first ? [first] : []);
  if (!state.kioskForm.languages) state.kioskForm.languages = first ? [first] : ['pl'];
  if (!state.auditRange) state.auditRange = { from: officeToday(office.time_zone, -30), to: officeToday(office.time_zone) };
  for (const part of ['departments', 'services']) {
    const index = state.draft[part].findIndex((x) => x.id === editedIds[part]);
    state.editing[part] = editedIds[part] !== null && index >= 0 ? index : null;
  }
}

const isDirty = () => Boolean(state.draft) && fingerprint(state.draft) !== state.snapshot;
const timeZone = () => {
  if (state.base) return state.base.office.time_zone;
  const office = officeOfCatalog();
  return office ? office.time_zone : 'UTC';
};

function renderOffice() {
  $('office-h').textContent = t('admin.office_heading', { office: officeLabel(state.office) });
  const offices = candidateOffices();
  $('office-choice').hidden = offices.length < 2;
  $('office').replaceChildren(...offices.map((id) => h('option', { value: id }, officeLabel(id))));
  $('office').value = state.office || '';
  $('loading').hidden = state.access !== 'loading';
  renderDenied();
  $('workspace').hidden = state.access !== 'ok';
  if (state.access !== 'ok') return;
  const allowed = ROLE_PARTS[state.role] || [];
  for (const part of PARTS) {
    const button = $(`to-${part}`);
    if (part === state.part) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
    button.parentElement.hidden = !allowed.includes(part);
    $(`part-${part}`).hidden = part !== state.part;
  }
  const catalogPart = CATALOG_PARTS.includes(state.part);
  $('save-bar').hidden = !catalogPart;
  renderOutcome();
  renderDirty();
  if (catalogPart) renderCatalogPart();
  if (state.part === 'kiosks') renderKiosks();
  if (state.part === 'audit') renderAudit();
  if (state.part === 'bookings') renderBookings();
  if (state.part === 'requests') renderRequests();
  if (state.part === 'statistics') renderStatistics();
}

function renderDenied() {
  const denied = $('denied');
  const clerk = state.access === 'ok' && state.role === 'clerk';
  const shown = clerk || ['forbidden', 'not_found', 'failed'].includes(state.access);
  denied.hidden = !shown;
  // For a clerk it is a note on what the account may not do, not a failure.
  denied.classList.toggle('denied', !clerk);
  if (!shown) return denied.replaceChildren();
  const office = officeLabel(state.office);
  if (clerk) {
    // A clerk: the administration is not theirs (the API said 403), the desk work is.
    return denied.replaceChildren(
      h('h2', { id: 'denied-h', tabindex: '-1' }, t('admin.denied.heading', { office })),
      h('p', {}, t('admin.denied.text', { user: state.session.user, office, group: `office_admin:${state.office}` })),
      h('p', {}, t('admin.clerk.text')));
  }
  const body = {
    forbidden: [
      h('h2', { id: 'denied-h', tabindex: '-1' }, t('admin.denied.heading', { office })),
      h('p', {}, t('admin.denied.text', { user: state.session.user, office, group: `office_admin:${state.office}` })),
      h('p', {}, t('admin.denied.what_now')),
    ],
    not_found: [h('h2', { id: 'denied-h', tabindex: '-1' }, t('admin.error.office_not_found'))],
    failed: [
      h('h2', { id: 'denied-h', tabindex: '-1' }, t('admin.load_failed')),
      h('p', {}, errorText(state.failure)),
      h('p', {}, h('button', { type: 'button', onclick: () => loadCatalog() }, t('admin.retry'))),
    ],
  }[state.access];
  denied.replaceChildren(...body);
}

// ---------------------------------------------------------------------------
// The parts: office, departments, matters (the draft), kiosks, audit log
// ---------------------------------------------------------------------------

function toPart(part) {
  state.part = part;
  store(PLACE, { office: state.office, part });
  renderOffice();
  $(`part-${part}-h`).focus();
}

/** What the catalog forms may do to the page. */
const formContext = () => ({
  fresh: state.fresh,
  changed: (structure = false) => {
    // A department or matter added or removed: the problems found before point at other places now.
    if (structure && state.errors.length > 0) {
      state.errors = [];
      if (state.outcome && state.outcome.kind === 'errors') state.outcome = null;
      renderOutcome();
    }
    renderDirty();
  },
  rerender: (focusId) => renderCatalogPart(focusId),
  upload: uploadDocument,
  edit: (part, index, focusId) => {
    state.editing[part] = index;
    renderCatalogPart(focusId || (index === null ? `part-${part}-h` : 'editor-h'));
  },
  say,
});

function renderCatalogPart(focusId) {
  const part = state.part;
  const ctx = formContext();
  const draft = state.draft;
  const index = state.editing[part] ?? null;
  let content;
  if (part === 'office') content = officeForm(draft, ctx);
  else if (part === 'departments') content = index === null ? departmentList(draft, ctx) : departmentEditor(draft, index, ctx);
  else content = index === null ? serviceList(draft, ctx) : serviceEditor(draft, index, ctx);
  $(`${part}-body`).replaceChildren(content);
  showFieldErrors(part, index);
  if (focusId) focusField(focusId);
}

/** Each problem of the form now shown, next to its field. */
function showFieldErrors(part, index) {
  const here = state.errors.filter((e) => e.part === part && (e.index === null || e.index === index));
  const messages = new Map();
  for (const e of here) messages.set(e.field, [...(messages.get(e.field) || []), e.message]);
  for (const [id, list] of messages) {
    const el = $(id);
    const line = $(`${id}-error`);
    if (line) line.textContent = list.join(' ');
    if (!el) continue;
    if (el.tagName === 'FIELDSET') el.classList.add('invalid');
    else el.setAttribute('aria-invalid', 'true');
  }
}

/** Focuses an element by id (a fieldset: its first field). */
function focusField(id) {
  let el = $(id);
  if (el && el.tagName === 'FIELDSET') el = el.querySelector('input, select, textarea, button') || el;
  if (el) el.focus();
}

function renderDirty() {
  const dirty = isDirty();
  $('dirty').textContent = t(dirty ? 'admin.dirty' : 'admin.clean', { version: state.version });
  $('dirty').className = dirty ? 'dirty' : '';
  $('discard').disabled = !dirty;
}

/** Opens the form of a problem from the summary, and the field in it. */
function goToProblem(event, problem) {
  event.preventDefault();
  state.part = problem.part;
  if (problem.index !== null) state.editing[problem.part] = problem.index;
  renderOffice();
  focusField(problem.field);
}

// ---------------------------------------------------------------------------
// Saving
// ---------------------------------------------------------------------------

async function save() {
  if (state.busy) return;
  if (!isDirty()) {
    state.outcome = null;
    renderOutcome();
    return say(t('admin.nothing_to_save'));
  }
  state.errors = validate(state.draft);
  if (state.errors.length > 0) {
    state.outcome = { kind: 'errors' };
    renderOffice();
    say(t('admin.outcome.errors', { count: state.errors.length }), 'error');
    return $('outcome-h').focus();
  }
  state.busy = true;
  $('save').disabled = true;
  $('workspace').setAttribute('aria-busy', 'true');
  const before = state.base;
  const answer = await staffApi('PUT', officePath('catalog'), { version: state.version, catalog: toCatalog(state.draft) });
  state.busy = false;
  $('save').disabled = false;
  $('workspace').removeAttribute('aria-busy');
  if (answer.status === 401 || answer.status === 403) return failed(answer);
  const error = (answer.data && answer.data.error) || {};
  if (answer.ok) {
    const report = answer.data;
    state.outcome = { kind: 'saved', report, before };
    state.audit = null; // the log has a new entry
    // The catalog as the API now has it (texts trimmed, new ids fixed); if it cannot be read, the draft as saved.
    const draft = state.draft;
    if (!(await loadCatalog({ keepOutcome: true, quiet: true }))) {
      if (state.access !== 'failed') return; // signed out, or no longer this office's administrator
      useCatalog(toCatalog(draft), report.version);
      state.access = 'ok';
    }
    say(report.stranded.length > 0
      ? t('admin.outcome.saved_stranded', { count: report.stranded.length })
      : t('admin.outcome.saved', { changed: report.changed_fields }));
  } else if (error.code === 'version_conflict') {
    state.outcome = { kind: 'conflict', current: error.current_version };
    say(t('admin.outcome.conflict_said'), 'error');
  } else if (error.code === 'change_refused') {
    state.outcome = { kind: 'refused', refusal: error.refusal || {} };
    say(t('admin.outcome.refused_said'), 'error');
  } else if (error.code === 'invalid_request') {
    state.outcome = { kind: 'invalid', fields: error.fields || [] };
    say(t('admin.outcome.invalid_said'), 'error');
  } else {
    state.outcome = { kind: 'failed', data: answer.data };
    say(errorText(answer.data), 'error');
  }
  renderOffice();
  $('outcome-h').focus();
}

async function discard() {
  state.outcome = null;
  state.editing = { departments: null, services: null };
  if (await loadCatalog()) {
    say(t('admin.did.discard'));
    $(`part-${state.part}-h`).focus();
  }
}

function renderOutcome() {
  const box = $('outcome');
  const o = state.outcome;
  box.hidden = !o || !CATALOG_PARTS.includes(state.part);
  if (box.hidden) return box.replaceChildren();
  box.className = `outcome ${o.kind === 'saved' ? 'ok' : 'error'}`;
  const heading = (key, vars) => h('h2', { id: 'outcome-h', tabindex: '-1' }, t(key, vars));
  const keep = h('p', {}, t('admin.outcome.nothing_saved'));
  switch (o.kind) {
    case 'saved':
      return box.replaceChildren(heading('admin.outcome.saved_heading'),
        h('p', {}, t('admin.outcome.saved', { changed: o.report.changed_fields })),
        strandedList(o.report.stranded, o.before));
    case 'errors':
      return box.replaceChildren(heading('admin.outcome.errors', { count: state.errors.length }), keep,
        h('ul', { class: 'problems' }, state.errors.map((e) => h('li', {},
          h('a', { href: `#${e.field}`, onclick: (event) => goToProblem(event, e) }, `${e.where} – ${e.label}: ${e.message}`)))));
    case 'invalid':
      return box.replaceChildren(heading('admin.outcome.invalid_heading'), keep,
        h('ul', { class: 'problems' }, o.fields.map((f) => h('li', {}, serverProblem(f)))));
    case 'conflict':
      return box.replaceChildren(heading('admin.outcome.conflict_heading'),
        h('p', {}, t('admin.outcome.conflict', { current: o.current, version: state.version })),
        h('p', {}, h('button', { type: 'button', id: 'reload', class: 'primary', onclick: reloadAfterConflict }, t('admin.outcome.reload'))));
    case 'refused':
      return box.replaceChildren(heading('admin.outcome.refused_heading'), h('p', {}, refusalText(o.refusal)), keep,
        h('p', {}, t('admin.outcome.refused_what_now')));
    default:
      return box.replaceChildren(heading('admin.outcome.failed_heading'), h('p', {}, errorText(o.data)), keep);
  }
}

async function reloadAfterConflict() {
  state.editing = { departments: null, services: null };
  if (await loadCatalog()) {
    say(t('admin.did.reload', { version: state.version }));
    $(`part-${state.part}-h`).focus();
  }
}

/** The bookings a saved change strands: staff call these citizens. */
function strandedList(stranded, before) {
  if (stranded.length === 0) return h('p', {}, t('admin.outcome.none_stranded'));
  const services = new Map([...(before ? before.services : []), ...state.draft.services].map((s) => [s.id, s]));
  return h('div', { class: 'stranded' },
    h('h3', { id: 'stranded-h' }, t('admin.stranded.heading', { count: stranded.length })),
    h('p', { class: 'call' }, t('admin.stranded.call')),
    h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'stranded-caption' },
      h('table', { class: 'list', id: 'stranded' },
        h('caption', { id: 'stranded-caption' }, t('admin.stranded.caption', { zone: timeZone() })),
        h('thead', {}, h('tr', {}, ['admin.stranded.col.reference', 'admin.stranded.col.time', 'admin.stranded.col.matter', 'admin.stranded.col.reason']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, stranded.map((b) => h('tr', {},
          h('th', { scope: 'row' }, h('code', {}, b.public_ref)),
          h('td', {}, h('time', { datetime: b.start }, instant(b.start, timeZone()))),
          h('td', {}, services.has(b.service_id) ? local(services.get(b.service_id).name) : h('code', {}, b.service_id)),
          h('td', {}, t(REASON_KEYS[b.reason] || 'admin.reason.other'))))))));
}

/** Why a change was refused, in words, with the department's name and the office's clock. */
function refusalText(r) {
  const d = state.draft.departments.find((x) => x.id === r.department_id);
  const department = d ? departmentName(d) : r.department_id;
  switch (r.code) {
    case 'capacity_below_booked':
      return t('admin.refusal.capacity', { department, time: instant(r.unit, timeZone()), booked: r.booked, desks: r.desks_online });
    case 'weekly_cap_below_booked':
      return t('admin.refusal.weekly_cap', { department, week: r.week, booked: r.booked, cap: r.weekly_online_cap });
    case 'slot_length_in_use':
      return t('admin.refusal.slot_length', { department, count: r.open_bookings });
    default:
      return t('admin.refusal.other');
  }
}

/**
 * A problem the API found that the page's own check did not (its message is
 * in English): linked to the department or matter it names, if any.
 */
function serverProblem(f) {
  const text = h('span', { lang: 'en' }, f.message || f.code);
  const named = /^(department|service) ([a-z0-9-]+)\b/.exec(f.message || '');
  if (!named) return text;
  const part = named[1] === 'department' ? 'departments' : 'services';
  const index = state.draft[part].findIndex((x) => x.id === named[2]);
  if (index < 0) return text;
  const item = state.draft[part][index];
  const label = part === 'departments' ? departmentName(item) : serviceName(item);
  return h('a', { href: '#editor-h', onclick: (event) => goToProblem(event, { part, index, field: 'editor-h' }) }, `${label}: `, text);
}

// ---------------------------------------------------------------------------
// Kiosks
// ---------------------------------------------------------------------------

function renderKiosks() {
  const form = state.kioskForm;
  const office = state.base.office;
  const first = OFFICE_LANGUAGE[office.country];
  const order = first ? [first, ...LANGUAGES.filter((l) => l !== first)] : LANGUAGES;
  const errors = state.kioskErrors;
  const id = h('input', {
    id: 'kiosk-id', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: 64,
    'aria-describedby': 'kiosk-id-hint kiosk-id-error', 'aria-invalid': errors['kiosk-id'] ? 'true' : null,
  });
  id.value = form.id;
  id.addEventListener('input', () => { form.id = id.value; });
  const languages = order.map((l) => {
    const box = h('input', { type: 'checkbox', id: `kiosk-lang-${l}`, value: l, checked: form.languages.includes(l) });
    box.addEventListener('change', () => {
      form.languages = order.filter((x) => (x === l ? box.checked : form.languages.includes(x)));
    });
    return h('label', { class: 'choice', for: `kiosk-lang-${l}` }, box, h('span', { lang: l }, NATIVE[l]));
  });
  const messages = order.map((l) => {
    const area = h('textarea', { id: `kiosk-message-${l}`, lang: l, rows: 2 });
    area.value = form.message[l] || '';
    area.addEventListener('input', () => { form.message[l] = area.value; });
    return h('div', { class: 'lang-field' }, h('label', { for: `kiosk-message-${l}` }, h('span', { lang: l }, NATIVE[l]), ` (${l})`), area);
  });
  $('kiosks-body').replaceChildren(
    h('h3', { id: 'kiosk-list-h' }, t('admin.kiosk.list_heading')),
    h('div', { id: 'kiosk-list' }, kioskList()),
    h('h3', { id: 'kiosk-register-h' }, t('admin.kiosk.register_heading')),
    h('p', {}, t('admin.kiosk.intro')),
    h('form', { id: 'kiosk-form', class: 'panel', novalidate: true, onsubmit: registerKiosk },
      h('div', { class: 'field' },
        h('label', { for: 'kiosk-id' }, t('admin.kiosk.id')),
        h('p', { id: 'kiosk-id-hint', class: 'hint' }, t('admin.kiosk.id_hint', { example: `${office.id}-hall-2` })),
        id,
        h('p', { id: 'kiosk-id-error', class: 'field-error' }, errors['kiosk-id'] || '')),
      h('fieldset', { id: 'kiosk-languages', class: errors['kiosk-languages'] ? 'invalid' : null, 'aria-describedby': 'kiosk-languages-hint kiosk-languages-error' },
        h('legend', {}, t('admin.kiosk.languages')),
        h('p', { id: 'kiosk-languages-hint', class: 'hint' }, t('admin.kiosk.languages_hint')),
        h('p', { id: 'kiosk-languages-error', class: 'field-error' }, errors['kiosk-languages'] || ''),
        languages),
      h('fieldset', { id: 'kiosk-message', 'aria-describedby': 'kiosk-message-hint' },
        h('legend', {}, t('admin.kiosk.message')),
        h('p', { id: 'kiosk-message-hint', class: 'hint' }, t('admin.kiosk.message_hint')),
        h('div', { class: 'langs' }, messages)),
      h('p', {}, h('button', { type: 'submit', id: 'kiosk-register', class: 'primary' }, t('admin.kiosk.register')))),
    state.secret && secretPanel(state.secret));
  if (!state.kiosks) loadKiosks();
}

async function loadKiosks() {
  state.kiosks = { loading: true };
  const office = state.office;
  const answer = await staffApi('GET', officePath('kiosks'));
  if (office !== state.office) return;
  if (!answer.ok) {
    state.kiosks = { error: answer.data };
    if (answer.status === 401 || answer.status === 403) return failed(answer);
  } else {
    state.kiosks = { list: answer.data.kiosks };
  }
  if (state.part === 'kiosks') $('kiosk-list').replaceChildren(kioskList());
}

/** A kiosk's two switches: its button's id, the button's words, what is said once pressed. */
const KIOSK_SWITCHES = {
  enabled: {
    id: (kiosk) => `kiosk-switch-${kiosk}`,
    on: 'admin.kiosk.switch_on',
    off: 'admin.kiosk.switch_off',
    said_on: 'admin.kiosk.switched_on',
    said_off: 'admin.kiosk.switched_off',
  },
  walk_ins_enabled: {
    id: (kiosk) => `kiosk-walk-ins-${kiosk}`,
    on: 'admin.kiosk.walk_ins_on',
    off: 'admin.kiosk.walk_ins_off',
    said_on: 'admin.kiosk.walk_ins_switched_on',
    said_off: 'admin.kiosk.walk_ins_switched_off',
  },
};

/** The office's kiosks, each with its two switches (the kiosk, its tickets without booking). */
function kioskList() {
  const k = state.kiosks;
  if (!k || k.loading) return h('p', {}, t('admin.loading'));
  if (k.error) return h('p', { class: 'error-text' }, errorText(k.error));
  if (k.list.length === 0) return h('p', {}, t('admin.kiosk.none'));
  const onOff = (on) => h('span', { class: on ? 'state-on' : 'state-off' }, t(on ? 'admin.kiosk.on' : 'admin.kiosk.off'));
  const toggle = (kiosk, field) => h('button', {
    type: 'button',
    id: KIOSK_SWITCHES[field].id(kiosk.id),
    onclick: () => switchKiosk(kiosk.id, field, !kiosk[field]),
  }, t(KIOSK_SWITCHES[field][kiosk[field] ? 'off' : 'on'], { id: kiosk.id }));
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'kiosk-list-caption' },
    h('table', { class: 'list', id: 'kiosk-table' },
      h('caption', { id: 'kiosk-list-caption' }, t('admin.kiosk.list_caption', { count: k.list.length })),
      h('thead', {}, h('tr', {}, ['admin.kiosk.col.id', 'admin.kiosk.col.languages', 'admin.kiosk.col.state', 'admin.kiosk.col.walk_ins', 'admin.kiosk.col.actions']
        .map((key) => h('th', { scope: 'col' }, t(key))))),
      h('tbody', {}, k.list.map((kiosk) => h('tr', { id: `kiosk-row-${kiosk.id}` },
        h('th', { scope: 'row' }, h('code', {}, kiosk.id)),
        h('td', {}, kiosk.languages.map((l) => NATIVE[l]).join(', ')),
        h('td', {}, onOff(kiosk.enabled)),
        h('td', {}, onOff(kiosk.walk_ins_enabled)),
        h('td', { class: 'buttons' },
          toggle(kiosk, 'enabled'),
          toggle(kiosk, 'walk_ins_enabled')))))));
}

/** Switches a kiosk (`enabled`) or its walk-in tickets (`walk_ins_enabled`) on or off. */
async function switchKiosk(id, field, on) {
  if (state.busy) return;
  state.busy = true;
  const answer = await staffApi('PATCH', officePath(`kiosks/${encodeURIComponent(id)}`), { [field]: on });
  state.busy = false;
  if (answer.status === 409) {
    await loadKiosks();
    return say(t('admin.kiosk.changed_meanwhile', { id }), 'error');
  }
  if (!answer.ok) return failed(answer);
  state.kiosks = { list: state.kiosks.list.map((k) => (k.id === id ? answer.data : k)) };
  state.audit = null; // the log has a new entry
  renderKiosks();
  const names = KIOSK_SWITCHES[field];
  say(t(on ? names.said_on : names.said_off, { id }));
  $(names.id(id)).focus();
}

function secretPanel(s) {
  return h('section', { id: 'kiosk-secret', class: 'secret', 'aria-labelledby': 'kiosk-secret-h' },
    h('h3', { id: 'kiosk-secret-h', tabindex: '-1' }, t('admin.kiosk.registered', { id: s.kiosk_id })),
    h('p', { class: 'copy-now' }, h('strong', {}, t('admin.kiosk.copy_now'))),
    h('p', { id: 'kiosk-secret-label' }, t('admin.kiosk.secret_label', { generation: s.generation })),
    h('p', {}, h('code', { id: 'kiosk-secret-value', class: 'secret-value' }, s.secret)),
    h('p', {}, t('admin.kiosk.secret_use')),
    h('p', { class: 'buttons' },
      h('button', { type: 'button', id: 'kiosk-copy', onclick: () => copySecret(s.secret) }, t('admin.kiosk.copy')),
      h('button', {
        type: 'button', id: 'kiosk-hide',
        onclick: () => { state.secret = null; renderKiosks(); $('kiosk-id').focus(); say(t('admin.kiosk.hidden')); },
      }, t('admin.kiosk.hide'))));
}

async function copySecret(secret) {
  try {
    await navigator.clipboard.writeText(secret);
    say(t('admin.kiosk.copied'));
  } catch {
    // No clipboard (an http page, a refused permission): select it for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents($('kiosk-secret-value'));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    say(t('admin.kiosk.copy_yourself'), 'error');
  }
}

async function registerKiosk(event) {
  event.preventDefault();
  if (state.busy) return;
  const form = state.kioskForm;
  const id = form.id.trim();
  const errors = {};
  if (!KIOSK_ID.test(id)) errors['kiosk-id'] = t('admin.kiosk.invalid_id');
  if (form.languages.length === 0) errors['kiosk-languages'] = t('admin.kiosk.invalid_languages');
  state.kioskErrors = errors;
  if (Object.keys(errors).length > 0) {
    state.secret = null;
    renderKiosks();
    say(t('admin.kiosk.invalid_said'), 'error');
    return focusField(Object.keys(errors)[0]);
  }
  const message = Object.fromEntries(Object.entries(form.message).map(([l, v]) => [l, v.trim()]).filter(([, v]) => v));
  state.busy = true;
  const answer = await staffApi('POST', officePath('kiosks'), { id, languages: form.languages, message });
  state.busy = false;
  if (answer.status === 201) {
    state.secret = answer.data;
    state.kioskForm = { id: '', languages: form.languages, message: {} };
    state.audit = null; // the log has a new entry
    state.kiosks = null; // the list has a new kiosk (or a new generation)
    renderKiosks();
    say(t('admin.kiosk.registered_said', { id: answer.data.kiosk_id }));
    return $('kiosk-secret-h').focus();
  }
  const error = (answer.data && answer.data.error) || {};
  if (error.code === 'invalid_request') {
    for (const f of error.fields || []) errors[f.field === 'languages' ? 'kiosk-languages' : 'kiosk-id'] = t('admin.kiosk.refused_field', { message: f.message });
    state.kioskErrors = errors;
    state.secret = null;
    renderKiosks();
    say(t('admin.kiosk.invalid_said'), 'error');
    return focusField(Object.keys(errors)[0] || 'kiosk-id');
  }
  failed(answer);
}

// ---------------------------------------------------------------------------
// The audit log
// ---------------------------------------------------------------------------

function renderAudit() {
  const range = state.auditRange;
  const date = (id, key, labelKey) => {
    const input = h('input', { type: 'date', id, 'aria-describedby': 'audit-range-error' });
    input.value = range[key];
    input.addEventListener('input', () => { range[key] = input.value; });
    return h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), input);
  };
  $('audit-body').replaceChildren(
    h('form', { id: 'audit-form', class: 'panel', novalidate: true, onsubmit: (e) => { e.preventDefault(); loadAudit(true); } },
      h('fieldset', { id: 'audit-range' },
        h('legend', {}, t('admin.audit.range')),
        h('p', { id: 'audit-range-error', class: 'field-error' }, state.audit && state.audit.rangeError ? state.audit.rangeError : ''),
        h('div', { class: 'row' }, date('audit-from', 'from', 'admin.audit.from'), date('audit-to', 'to', 'admin.audit.to'))),
      h('p', {}, h('button', { type: 'submit', id: 'audit-show', class: 'primary' }, t('admin.audit.show')))),
    h('div', { id: 'audit-entries' }, auditEntries()));
  if (!state.audit) loadAudit(false);
}

async function loadAudit(said) {
  const { from, to } = state.auditRange;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || to < from) {
    state.audit = { from, to, entries: [], rangeError: t('admin.audit.invalid_range') };
    renderAudit();
    $('audit-from').setAttribute('aria-invalid', 'true');
    say(t('admin.audit.invalid_range'), 'error');
    return $('audit-from').focus();
  }
  state.audit = { from, to, loading: true };
  $('audit-range-error').textContent = '';
  $('audit-from').removeAttribute('aria-invalid');
  $('audit-entries').replaceChildren(h('p', {}, t('admin.loading')));
  const answer = await staffApi('GET', officePath(`audit?from=${from}&to=${to}`));
  if (!answer.ok) {
    state.audit = { from, to, error: answer.data };
    if (answer.status === 401 || answer.status === 403) return failed(answer);
  } else {
    state.audit = { from, to, entries: answer.data.entries };
  }
  if (state.part !== 'audit') return;
  $('audit-entries').replaceChildren(auditEntries());
  if (said) say(state.audit.error ? errorText(state.audit.error) : t('admin.audit.shown', { count: state.audit.entries.length }), state.audit.error ? 'error' : 'ok');
}

function auditEntries() {
  const a = state.audit;
  if (!a || a.loading) return h('p', {}, t('admin.loading'));
  if (a.error) return h('p', { class: 'error-text' }, errorText(a.error));
  if (a.rangeError) return null;
  const caption = t('admin.audit.caption', { from: day(a.from, 'medium'), to: day(a.to, 'medium'), count: a.entries.length, zone: timeZone() });
  if (a.entries.length === 0) return h('p', {}, caption, ' ', t('admin.audit.none'));
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'audit-caption' },
    h('table', { class: 'list audit', id: 'audit-table' },
      h('caption', { id: 'audit-caption' }, caption),
      h('thead', {}, h('tr', {}, ['admin.audit.col.at', 'admin.audit.col.actor', 'admin.audit.col.action', 'admin.audit.col.target', 'admin.audit.col.changes']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, a.entries.map((e) => h('tr', {},
        h('th', { scope: 'row' }, h('time', { datetime: e.at }, instant(e.at, timeZone()))),
        h('td', {}, e.actor),
        h('td', {}, t(ACTION_KEYS[e.action] || 'admin.action.other')),
        h('td', {}, h('code', {}, e.target)),
        h('td', {}, auditChanges(e)))))));
}

const asJson = (value) => JSON.stringify(value);

function auditChanges(e) {
  const changes = (e.changes || []).map((c) => h('li', {},
    h('code', { class: 'path' }, c.path), ': ',
    c.before === undefined ? t('admin.audit.added') : h('code', { class: 'before' }, asJson(c.before)),
    ' → ',
    c.after === undefined ? t('admin.audit.removed') : h('code', { class: 'after' }, asJson(c.after))));
  const note = e.note || {};
  const notes = [];
  if (Array.isArray(note.stranded) && note.stranded.length > 0) {
    notes.push(h('p', {}, t('admin.audit.stranded', { refs: note.stranded.map((s) => s.public_ref).join(', ') })));
  }
  if (note.generation !== undefined) notes.push(h('p', {}, t('admin.audit.generation', { generation: note.generation })));
  return [changes.length > 0 ? h('ul', { class: 'changes' }, changes) : null, ...notes];
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

async function loadOffices() {
  const answer = await api('GET', '/offices');
  if (answer.ok) state.offices = answer.data.offices;
  if (state.screen === 'office') renderOffice();
}

function wire() {
  $('demo-form').addEventListener('submit', signInDemo);
  $('token-form').addEventListener('submit', signInToken);
  $('sign-out').addEventListener('click', () => signOut());
  $('office').addEventListener('change', () => {
    const chosen = $('office').value;
    if (isDirty() && !window.confirm(t('admin.confirm_discard'))) {
      $('office').value = state.office;
      return;
    }
    openOffice(chosen);
  });
  for (const part of PARTS) $(`to-${part}`).addEventListener('click', () => toPart(part));
  $('save').addEventListener('click', save);
  $('discard').addEventListener('click', discard);
  window.addEventListener('beforeunload', (event) => {
    if (isDirty()) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
}

/** Back where the tab was: signed in, at the office and part it showed. */
async function resume() {
  state.session = stored(SESSION);
  if (!state.session) return show('signin');
  const place = stored(PLACE) || {};
  const offices = candidateOffices();
  if (offices.length === 0) return signOut('admin.error.token_no_office');
  await openOffice(offices.includes(place.office) ? place.office : offices[0], place.part);
}

async function start() {
  wire();
  await useLanguage(preferredLanguage());
  await Promise.all([loadDemoAccounts(), loadOffices()]);
  await resume();
}

start();
