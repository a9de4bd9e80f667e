// The clerk's desk screen (issue 10): sign in (a demo account on the local
// runner, or a pasted token from the office's Cognito sign-in: see
// staff-session.js, shared with the administration page), choose the office and the
// desk, open it for some desk groups, then call the next ticket, recall it,
// mark it served or missed, and close the desk. The day's admission list for
// the desk's groups is below. The token lives in this tab's sessionStorage.
import { h, $, api } from './termin.js';
import { t, lang, useLanguage, supported, LANGUAGES, NATIVE, local, clockTime } from './queue-screens.js';
import { stored, store, sessionOfToken, officesOf as officesWith, demoAccounts, demoSession } from './staff-session.js';

const SESSION = 'termin-desk-session'; // { token, user, groups }
const PLACE = 'termin-desk-place'; // { office, desk }
const CHOSEN_LANGUAGE = 'termin-desk-lang';
const DESK_ID = /^[A-Za-z0-9]{1,8}$/;
const ROLES = ['clerk', 'office_admin'];
const POLL_MS = 10_000;
const LOCALE = { pl: 'pl-PL', cs: 'cs-CZ', en: 'en-GB', uk: 'uk-UA' };

const state = {
  screen: null, // 'signin' | 'setup' | 'desk'
  session: null,
  offices: [], // GET /offices, for the offices' names
  office: null,
  desk: null,
  layout: null, // GET /staff/offices/{office}/desks
  view: null, // the desk's DeskView
  admission: null, // { entries } | { error }
  busy: false,
  version: 0, // bumped by every action, so a slower poll never undoes it
  timer: null,
  said: 0,
};

// Every code the desk can meet, to its string: listed in full so the key check sees each key used.
const ERROR_KEYS = {
  desk_closed: 'desk.error.desk_closed',
  desk_busy: 'desk.error.desk_busy',
  no_current_ticket: 'desk.error.no_current_ticket',
  invalid: 'desk.error.invalid',
  invalid_request: 'desk.error.invalid',
  unauthorized: 'desk.error.unauthorized',
  forbidden: 'desk.error.forbidden',
  office_not_found: 'desk.error.office_not_found',
  busy: 'desk.error.unreachable',
  unreachable: 'desk.error.unreachable',
};
const STATUS_KEYS = {
  pending: 'desk.status.pending',
  confirmed: 'desk.status.confirmed',
  cancelled: 'desk.status.cancelled',
  expired: 'desk.status.expired',
  redeemed: 'desk.status.redeemed',
  resigned: 'desk.status.resigned',
  no_show: 'desk.status.no_show',
};
const KIND_KEYS = { booked: 'desk.kind.booked', walk_in: 'desk.kind.walk_in' };
const REASON_KEYS = {
  appointment: 'desk.reason.appointment',
  walk_in: 'desk.reason.walk_in',
  walk_ins_turn: 'desk.reason.walk_ins_turn',
  waited_too_long: 'desk.reason.waited_too_long',
  early_appointment: 'desk.reason.early_appointment',
  named_clerk: 'desk.reason.named_clerk',
};

// ---------------------------------------------------------------------------
// Storage, the API and messages
// ---------------------------------------------------------------------------

/** A staff request with the token; `{ ok, status, data }` as termin.js's api. */
function staffApi(method, path) {
  return api(method, path, undefined, { authorization: `Bearer ${state.session.token}` });
}

const deskPath = (action) => `/staff/offices/${encodeURIComponent(state.office)}/desks/${encodeURIComponent(state.desk)}/${action}`;

function errorText(data) {
  const code = data && data.error && data.error.code;
  return t(ERROR_KEYS[code] || 'desk.error.unknown');
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

/** A failed answer: 401 signs out, anything else is said. */
function failed(answer) {
  if (answer.status === 401) return signOut('desk.error.unauthorized');
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
  nav.setAttribute('aria-label', t('desk.languages'));
  nav.replaceChildren(h('ul', {}, LANGUAGES.map((l) => h('li', {}, h('button', {
    type: 'button', lang: l, 'aria-pressed': String(l === lang()), onclick: () => chooseLanguage(l),
  }, NATIVE[l])))));
}

/** A calendar date (YYYY-MM-DD) in the page's language. */
function longDate(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE[lang()], { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d, 12)));
}

// ---------------------------------------------------------------------------
// Screens
// ---------------------------------------------------------------------------

function show(screen, { focus = true } = {}) {
  state.screen = screen;
  for (const s of ['signin', 'setup', 'desk']) $(`screen-${s}`).hidden = s !== screen;
  render();
  if (focus) $(`screen-${screen}`).querySelector('h1').focus();
  clearTimeout(state.timer);
  if (screen === 'desk') schedulePoll();
}

function render() {
  renderSwitcher();
  $('account').hidden = !state.session;
  if (state.session) $('account-name').textContent = t('desk.signed_in_as', { user: state.session.user });
  if (state.screen === 'setup') renderSetup();
  if (state.screen === 'desk') renderDesk();
}

// ---------------------------------------------------------------------------
// Signing in
// ---------------------------------------------------------------------------

/** The local runner's demo accounts; elsewhere there are none and the form stays hidden. */
async function loadDemoAccounts() {
  const accounts = await demoAccounts();
  $('demo-form').hidden = accounts.length === 0;
  $('demo-user').replaceChildren(...accounts.map((a) => h('option', { value: a.user }, `${a.user} (${a.groups.join(', ')})`)));
}

async function signInDemo(event) {
  event.preventDefault();
  const session = await demoSession($('demo-user').value);
  if (!session) return say(t('desk.error.unreachable'), 'error');
  signedIn(session);
}

function signInToken(event) {
  event.preventDefault();
  const session = sessionOfToken($('token').value);
  if (!session) return say(t('desk.error.token_unreadable'), 'error');
  if (officesOf(session.groups).length === 0) return say(t('desk.error.token_no_office'), 'error');
  $('token').value = '';
  signedIn(session);
}

function signedIn(session) {
  state.session = session;
  store(SESSION, session);
  say(t('desk.did.sign_in', { user: session.user }));
  toSetup();
}

function signOut(reasonKey) {
  state.session = null;
  state.view = null;
  state.layout = null;
  store(SESSION, null);
  show('signin');
  say(t(reasonKey || 'desk.did.sign_out'), reasonKey ? 'error' : 'ok');
}

/** The offices a token's groups (`clerk:olsztyn`, `office_admin:opava`) allow desk work at. */
function officesOf(groups) {
  return officesWith(groups, ROLES);
}

// ---------------------------------------------------------------------------
// Choosing the office and the desk, opening it
// ---------------------------------------------------------------------------

async function toSetup() {
  const place = stored(PLACE) || {};
  const offices = officesOf(state.session.groups);
  state.office = offices.includes(place.office) ? place.office : offices[0];
  state.desk = place.desk || '';
  $('desk-id').value = state.desk;
  show('setup');
  await loadLayout();
}

/** The office's desk groups and today's desks. */
async function loadLayout() {
  state.layout = null;
  renderSetup();
  if (!state.office) return;
  const office = state.office;
  const answer = await staffApi('GET', `/staff/offices/${encodeURIComponent(office)}/desks`);
  if (office !== state.office) return; // another office was chosen meanwhile
  if (!answer.ok) return failed(answer);
  state.layout = answer.data;
  renderSetup();
}

function officeName(id) {
  const office = state.offices.find((o) => o.id === id);
  return office ? local(office.name, 'option', { value: id }) : h('option', { value: id }, id);
}

function renderSetup() {
  const offices = state.session ? officesOf(state.session.groups) : [];
  $('office').replaceChildren(...offices.map(officeName));
  $('office').value = state.office || '';
  const groups = state.layout ? state.layout.groups : [];
  const checked = new Set([...document.querySelectorAll('#group-choices input:checked')].map((i) => i.value));
  $('group-choices').replaceChildren(...groups.map((g) => h('label', { class: 'choice' },
    h('input', { type: 'checkbox', name: 'group', value: g.desk_group, checked: checked.has(g.desk_group) }),
    h('span', {}, h('strong', {}, g.desk_group), ' – ', g.departments.flatMap((d, i) => (i ? [', ', local(d.name)] : [local(d.name)]))))));
  $('group-choices').setAttribute('aria-busy', String(!state.layout));
  precheckGroups();
}

/**
 * While nothing is ticked: the groups the desk served when it was open
 * earlier today, or the office's only group. Ticks the boxes in place, so
 * the keyboard focus stays where it is.
 */
function precheckGroups() {
  const boxes = [...document.querySelectorAll('#group-choices input')];
  if (!state.layout || boxes.some((b) => b.checked)) return;
  const earlier = state.layout.desks.find((d) => d.desk === $('desk-id').value.trim().toUpperCase());
  const wanted = earlier ? earlier.groups : (boxes.length === 1 ? [boxes[0].value] : []);
  for (const b of boxes) b.checked = wanted.includes(b.value);
}

function fieldError(input, errorEl, key) {
  errorEl.textContent = key ? t(key) : '';
  if (input) {
    if (key) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

async function openDesk(event) {
  event.preventDefault();
  if (state.busy) return;
  const desk = $('desk-id').value.trim().toUpperCase();
  const groups = [...document.querySelectorAll('#group-choices input:checked')].map((i) => i.value);
  fieldError($('desk-id'), $('desk-id-error'), DESK_ID.test(desk) ? null : 'desk.invalid.desk_id');
  fieldError(null, $('groups-error'), groups.length ? null : 'desk.invalid.groups');
  if (!DESK_ID.test(desk)) return $('desk-id').focus();
  if (!groups.length) return document.querySelector('#group-choices input')?.focus();
  state.desk = desk;
  state.busy = true;
  const answer = await api('POST', deskPath('open'), { groups }, { authorization: `Bearer ${state.session.token}` });
  state.busy = false;
  if (!answer.ok) return failed(answer);
  state.view = answer.data;
  state.version += 1;
  store(PLACE, { office: state.office, desk });
  show('desk');
  say(t('desk.did.open', { desk, groups: answer.data.groups.join(', ') }));
  loadAdmission();
}

// ---------------------------------------------------------------------------
// The desk
// ---------------------------------------------------------------------------

const BUTTONS = ['call-next', 'recall', 'served', 'missed', 'close-desk'];

function renderDesk() {
  const v = state.view;
  if (!v) return;
  $('desk-h').textContent = t('desk.desk_heading', { desk: v.desk });
  $('desk-facts').textContent = t('desk.facts', { groups: v.groups.join(', '), waiting: v.waiting });
  const enabled = {
    'call-next': v.open && !v.current,
    recall: Boolean(v.current),
    served: Boolean(v.current),
    missed: Boolean(v.current),
    'close-desk': v.open && !v.current,
  };
  for (const id of BUTTONS) $(id).disabled = !enabled[id];
  $('current-body').replaceChildren(...renderCurrent(v));
  renderAdmission();
}

function renderCurrent(v) {
  const c = v.current;
  if (!c) {
    const last = v.finished && t(v.finished.status === 'served' ? 'desk.last_served' : 'desk.last_missed', { ticket: v.finished.ticket });
    return [h('p', { class: 'no-ticket' }, t('desk.no_current')), last && h('p', {}, last)];
  }
  const rows = [
    ['desk.matter', local(c.service)],
    ['desk.kind', t(KIND_KEYS[c.kind] || 'desk.kind.walk_in')],
    ['desk.calls', t('desk.calls_value', { calls: c.calls, max: c.max_calls })],
    ['desk.called_at', clockTime(c.called_at)],
    c.appointment && ['desk.appointment', clockTime(c.appointment)],
    c.public_ref && ['desk.reference', c.public_ref],
    c.application_number && ['desk.application_number', c.application_number],
    c.clerk && ['desk.clerk', c.clerk.name],
    c.reason && REASON_KEYS[c.reason] && ['desk.reason', t(REASON_KEYS[c.reason])],
  ].filter(Boolean);
  return [
    h('p', { class: 'ticket-number', id: 'current-ticket' }, c.ticket),
    h('dl', {}, rows.map(([k, value]) => h('div', {}, h('dt', {}, t(k)), h('dd', {}, value)))),
  ];
}

/** What to say after `action`, from the desk's view after it. */
function outcome(action, v) {
  const c = v.current;
  const f = v.finished;
  switch (action) {
    case 'call-next':
      return c ? t('desk.did.call', { ticket: c.ticket, calls: c.calls, max: c.max_calls }) : t('desk.did.nobody');
    case 'recall':
      return c ? t('desk.did.recall', { ticket: c.ticket, calls: c.calls, max: c.max_calls }) : t('desk.did.recall_missed', { ticket: f ? f.ticket : '' });
    case 'served':
      return t('desk.did.served', { ticket: f ? f.ticket : '' });
    case 'missed':
      return t('desk.did.missed', { ticket: f ? f.ticket : '' });
    default:
      return t('desk.did.close', { desk: v.desk });
  }
}

/** Where the keyboard goes when the button just pressed is disabled by its own result. */
const NEXT_FOCUS = {
  'call-next': ['served', 'call-next'],
  recall: ['recall', 'call-next'],
  served: ['call-next', 'close-desk'],
  missed: ['call-next', 'close-desk'],
};

async function act(action) {
  if (state.busy || !state.view) return;
  state.busy = true;
  state.version += 1;
  $('screen-desk').setAttribute('aria-busy', 'true');
  const answer = await staffApi('POST', deskPath(action === 'close-desk' ? 'close' : action));
  state.busy = false;
  $('screen-desk').removeAttribute('aria-busy');
  if (!answer.ok) {
    failed(answer);
    const code = answer.data && answer.data.error && answer.data.error.code;
    if (code === 'desk_closed') return toSetup();
    if (answer.status === 409) refreshDesk(); // someone else changed the desk: show it as it is
    return;
  }
  state.view = withWhatWasSaid(state.view, answer.data);
  const message = outcome(action, answer.data);
  if (action === 'close-desk') {
    await toSetup();
    return say(message);
  }
  renderDesk();
  say(message);
  const focused = document.activeElement;
  if (!focused || focused === document.body || focused.disabled) {
    const next = NEXT_FOCUS[action].map($).find((b) => !b.disabled);
    if (next) next.focus();
  }
  loadAdmission();
}

/** The desk as the API has it now (the waiting count changes as people take tickets). */
async function refreshDesk() {
  if (!state.session || !state.office) return;
  const version = state.version;
  const answer = await staffApi('GET', `/staff/offices/${encodeURIComponent(state.office)}/desks`);
  if (version !== state.version || state.busy || state.screen !== 'desk') return;
  if (!answer.ok) {
    if (answer.status === 401) signOut('desk.error.unauthorized');
    return;
  }
  state.layout = answer.data;
  const view = answer.data.desks.find((d) => d.desk === state.desk);
  if (!view || !view.open) return toSetup();
  state.view = withWhatWasSaid(state.view, view);
  renderDesk();
}

/**
 * `view` with what only an earlier answer said: how the last ticket ended
 * (the desks list does not say) and why the current one was called (only
 * the answer to "call next" says).
 */
function withWhatWasSaid(previous, view) {
  if (!previous) return view;
  const same = (a, b) => (a && a.ticket) === (b && b.ticket);
  const current = view.current && !view.current.reason && same(previous.current, view.current)
    ? { ...view.current, reason: previous.current.reason } : view.current;
  const finished = view.finished || (!view.current && !previous.current ? previous.finished : null);
  return { ...view, current, finished };
}

function schedulePoll() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    if (!document.hidden && state.screen === 'desk') await refreshDesk();
    if (state.screen === 'desk') schedulePoll();
  }, POLL_MS);
}

// ---------------------------------------------------------------------------
// The admission list
// ---------------------------------------------------------------------------

async function loadAdmission() {
  const v = state.view;
  if (!v) return;
  const path = `/staff/offices/${encodeURIComponent(state.office)}/admission-list?date=${encodeURIComponent(v.date)}`;
  const answer = await staffApi('GET', path);
  if (!answer.ok && answer.status === 401) return signOut('desk.error.unauthorized');
  state.admission = answer.ok ? { entries: answer.data.entries } : { error: answer.data };
  renderAdmission();
}

function renderAdmission() {
  const v = state.view;
  const body = $('admission-body');
  if (!v || !state.admission) return body.replaceChildren(h('p', {}, t('desk.loading')));
  if (state.admission.error) return body.replaceChildren(h('p', { class: 'error-text' }, errorText(state.admission.error)));
  const entries = state.admission.entries.filter((e) => v.groups.includes(e.desk_group));
  const caption = t('desk.admission_caption', { date: longDate(v.date), groups: v.groups.join(', ') });
  if (entries.length === 0) return body.replaceChildren(h('p', {}, caption), h('p', {}, t('desk.admission_none')));
  const current = v.current && v.current.ticket;
  const headers = ['desk.col.time', 'desk.col.reference', 'desk.col.matter', 'desk.col.application_number', 'desk.col.status', 'desk.col.ticket'];
  body.replaceChildren(h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'admission-caption' },
    h('table', { class: 'list' },
      h('caption', { id: 'admission-caption' }, caption),
      h('thead', {}, h('tr', {}, headers.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, entries.map((e) => h('tr', { class: e.ticket && e.ticket === current ? 'current' : null, 'aria-current': e.ticket && e.ticket === current ? 'true' : null },
        h('th', { scope: 'row' }, e.time),
        h('td', {}, e.public_ref),
        h('td', {}, local(e.service), e.lost_document ? [' ', h('span', { class: 'note' }, t('desk.lost_document'))] : [],
          e.clerk ? [' ', h('span', { class: 'note' }, t('desk.with_clerk', { name: e.clerk.name }))] : []),
        h('td', {}, e.application_number || '–'),
        h('td', {}, t(STATUS_KEYS[e.status] || 'desk.status.other')),
        h('td', {}, e.ticket || '–')))))));
}

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

async function loadOffices() {
  const answer = await api('GET', '/offices');
  if (answer.ok) state.offices = answer.data.offices;
  if (state.screen === 'setup') renderSetup();
}

function wire() {
  $('demo-form').addEventListener('submit', signInDemo);
  $('token-form').addEventListener('submit', signInToken);
  $('sign-out').addEventListener('click', () => signOut());
  $('setup-form').addEventListener('submit', openDesk);
  $('office').addEventListener('change', () => { state.office = $('office').value; loadLayout(); });
  $('desk-id').addEventListener('change', precheckGroups);
  for (const id of BUTTONS) $(id).addEventListener('click', () => act(id));
  $('refresh-list').addEventListener('click', () => { refreshDesk(); loadAdmission(); });
  document.addEventListener('visibilitychange', () => { if (!document.hidden && state.screen === 'desk') refreshDesk(); });
}

/** Back where the tab was: signed in, and at an open desk if there was one. */
async function resume() {
  state.session = stored(SESSION);
  if (!state.session) return show('signin');
  const place = stored(PLACE);
  if (!place) return toSetup();
  state.office = place.office;
  state.desk = place.desk;
  const answer = await staffApi('GET', `/staff/offices/${encodeURIComponent(place.office)}/desks`);
  if (!answer.ok) {
    if (answer.status === 401) return signOut('desk.error.unauthorized');
    return toSetup();
  }
  state.layout = answer.data;
  const view = answer.data.desks.find((d) => d.desk === place.desk);
  if (!view || !view.open) return toSetup();
  state.view = view;
  show('desk');
  loadAdmission();
}

async function start() {
  wire();
  await useLanguage(preferredLanguage());
  await Promise.all([loadDemoAccounts(), loadOffices()]);
  await resume();
}

start();
