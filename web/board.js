// The queue board on the hall's screen (seeds 000, 004): the tickets being
// served and at which desk, the recent calls, and per desk group how many
// wait and for about how long. It asks GET /queue/offices/{office} every few
// seconds; when that fails it keeps the last state on screen, says since when
// the connection is lost, asks again less often, and recovers by itself. A
// newly called (or recalled) ticket is announced in a live region for screen
// readers. Language: ?lang=, else the office's first language.
import { h, $ } from './termin.js';
import { t, useLanguage, supported, setOfficeLanguages, local, clockTime } from './queue-screens.js';

const POLL_MS = 5_000;
/** After failures the board asks every 5, 10, then 15 seconds. */
const MAX_BACKOFF_MS = 15_000;
const TIMEOUT_MS = 8_000;
/** How long a newly called ticket stays highlighted. */
const FRESH_MS = 15_000;

const query = new URLSearchParams(location.search);
const officeId = query.get('office');

const state = {
  status: null, // the last QueueStatus received
  failures: 0, // failed polls in a row
  timer: null,
  polling: false,
  seen: null, // keys of the calls already announced (null before the first answer)
  fresh: new Map(), // ticket → highlighted until (ms)
};

// ---------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------

async function fetchStatus() {
  try {
    const response = await fetch(`${window.TERMIN_API}/queue/offices/${encodeURIComponent(officeId)}`, {
      cache: 'no-store',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const data = await response.json().catch(() => null);
    return { status: response.status, data };
  } catch {
    return { status: 0, data: null };
  }
}

async function poll() {
  if (state.polling) return;
  state.polling = true;
  clearTimeout(state.timer);
  try {
    const answer = await fetchStatus();
    if (answer.status === 200 && answer.data) {
      state.failures = 0;
      await received(answer.data);
    } else if (answer.status === 404) {
      // Asking again will not make the office exist: stop until the screen is shown anew.
      return await problem('board.unknown_office');
    } else {
      state.failures += 1;
      await lost();
    }
    schedule();
  } finally {
    state.polling = false;
  }
}

function schedule() {
  clearTimeout(state.timer);
  if (document.hidden) return; // nobody looks: ask again when the screen is shown
  const wait = state.failures ? Math.min(POLL_MS * 2 ** (state.failures - 1), MAX_BACKOFF_MS) : POLL_MS;
  state.timer = setTimeout(poll, wait);
}

async function received(status) {
  const first = !state.status;
  state.status = status;
  setOfficeLanguages(status.languages);
  if (first) await useLanguage(supported(query.get('lang'), ...(status.languages || [])));
  $('connection').hidden = true;
  $('board-error').hidden = true;
  announceNewCalls(status.calls || []);
  render();
}

async function lost() {
  if (!state.status) await useLanguage(supported(query.get('lang')));
  const el = $('connection');
  el.textContent = state.status
    ? t('board.connection_lost_since', { time: clockTime(state.status.as_of) })
    : t('board.connection_lost');
  el.hidden = false;
}

async function problem(key) {
  if (!state.status) await useLanguage(supported(query.get('lang')));
  const el = $('board-error');
  el.textContent = t(key);
  el.hidden = false;
}

// ---------------------------------------------------------------------------
// Announcing calls
// ---------------------------------------------------------------------------

const callKey = (c) => `${c.ticket}|${c.desk}|${c.call}|${c.called_at}`;

/**
 * Announces the calls not seen before, oldest first, and highlights them.
 * The calls on screen when the board starts are not announced.
 */
function announceNewCalls(calls) {
  const fresh = state.seen ? calls.filter((c) => !state.seen.has(callKey(c))).reverse() : [];
  // `calls` is the newest ten; a recall comes back with a new time, so the
  // keys of this answer are all that the next one must be compared with.
  state.seen = new Set(calls.map(callKey));
  if (fresh.length === 0) return;
  const until = Date.now() + FRESH_MS;
  for (const c of fresh) state.fresh.set(c.ticket, until);
  $('announce').textContent = fresh.map((c) => (c.call > 1
    ? t('board.announce_recall', { ticket: c.ticket, desk: c.desk, call: c.call })
    : t('board.announce', { ticket: c.ticket, desk: c.desk }))).join(' ');
}

function isFresh(ticket) {
  const until = state.fresh.get(ticket);
  if (until && until > Date.now()) return true;
  state.fresh.delete(ticket);
  return false;
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

function render() {
  const s = state.status;
  if (!s) return;
  const name = local(s.office_name);
  $('office-name').replaceChildren(name);
  document.title = `${name.textContent} – ${t('board.title')}`;
  $('as-of').textContent = clockTime(s.as_of);

  const serving = s.groups.flatMap((g) => g.serving || [])
    .sort((a, b) => Date.parse(b.called_at) - Date.parse(a.called_at));
  $('serving-rows').replaceChildren(...serving.map((c) => h('tr', {
    class: isFresh(c.ticket) ? 'fresh' : null, 'data-ticket': c.ticket,
  },
  h('td', { class: 'ticket' }, c.ticket),
  h('td', { class: 'desk' }, h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→ '), c.desk))));
  $('serving-table').hidden = serving.length === 0;
  $('serving-none').hidden = serving.length > 0;

  // Earlier calls: the tickets no longer at a desk (or called there before).
  const now = new Set(serving.map((c) => `${c.ticket}|${c.desk}`));
  const earlier = (s.calls || []).filter((c) => !now.has(`${c.ticket}|${c.desk}`));
  const seen = new Set();
  const recent = earlier.filter((c) => !seen.has(c.ticket) && seen.add(c.ticket));
  $('recent-list').replaceChildren(...recent.map((c) => h('li', { 'data-ticket': c.ticket },
    h('span', { class: 'ticket' }, c.ticket), ' ',
    h('span', { class: 'desk' }, t('board.at_desk', { desk: c.desk })))));
  $('recent').hidden = recent.length === 0;

  $('group-rows').replaceChildren(...s.groups.map(renderGroup));
  fitToScreen();
}

/**
 * The board never scrolls: the serving rows and earlier calls show as many
 * as fit, newest first, whole rows only; the desk groups, which must all
 * show, get smaller type until they fit.
 */
function fitToScreen() {
  const overflows = (box) => box.scrollHeight > box.clientHeight + 1;
  const dropWhileOverflowing = (box, items) => {
    while (items.length > 1 && overflows(box)) items.pop().remove();
  };
  dropWhileOverflowing($('serving'), [...$('serving-rows').children]);
  dropWhileOverflowing($('recent-list'), [...$('recent-list').children]);
  const groups = $('group-table');
  groups.className = 'group-table';
  for (const step of ['compact', 'smaller']) if (overflows($('groups'))) groups.classList.add(step);
}

function renderGroup(g) {
  const departments = g.departments.map((d) => local(d.name));
  return h('tr', { 'data-group': g.desk_group },
    h('th', { scope: 'row' }, h('div', { class: 'group-name' }, h('span', { class: 'letter' }, g.desk_group), ' ',
      h('span', { class: 'departments' }, departments.flatMap((d, i) => (i ? [', ', d] : [d]))))),
    h('td', { class: 'waiting' }, String(g.waiting)),
    h('td', { class: 'wait' }, waitText(g)),
    h('td', { class: 'desks' }, g.desks_open.length ? g.desks_open.join(', ') : '–'));
}

function waitText(g) {
  if (!g.wait_minutes) return t('board.no_desk');
  const { min, max } = g.wait_minutes;
  if (max === 0) return t('board.no_wait');
  return min === max ? t('board.wait_about', { minutes: max }) : t('board.wait_range', { min, max });
}

window.addEventListener('resize', () => render());

// ---------------------------------------------------------------------------
// Start
// ---------------------------------------------------------------------------

document.addEventListener('visibilitychange', () => {
  if (document.hidden) clearTimeout(state.timer);
  else poll();
});
window.addEventListener('online', () => poll());

if (officeId) {
  poll();
} else {
  problem('board.no_office');
}
