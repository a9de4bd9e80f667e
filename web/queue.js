// "The queue now" on the citizen site (seed 004): per desk group of an
// office, the departments it serves, how many people wait, the numbers being
// served, and the wait someone taking a ticket now can expect — refreshed
// every half minute and by a button. Ticket numbers and desks only, never a
// name. Without ?office= it lists the offices to choose from.
import { $, api, h, t, local, time, errorMessage, say, startLanguages, setOffice, params } from './termin.js';

const REFRESH_MS = 30_000;

const state = {
  offices: [],
  office: null, // from GET /offices: id, name, country, time_zone
  status: null, // the last QueueStatus
  loaded: false, // the offices are known
  timer: null,
};

function render() {
  $('choose').hidden = !state.loaded || Boolean(state.office);
  $('office').hidden = !state.office;
  $('offices').replaceChildren(...state.offices.map((o) => h('li', {},
    local(o.name, 'a', { href: `queue.html?office=${encodeURIComponent(o.id)}` }))));
  if (state.office) renderStatus();
}

function renderStatus() {
  $('office-h').replaceChildren(local(state.office.name));
  const s = state.status;
  if (!s) return;
  document.title = `${local(state.office.name).textContent} – ${t('queue.title')}`;
  $('updated').textContent = t('queue.updated', { time: time(s.as_of, state.office.time_zone) });
  $('groups').removeAttribute('aria-busy');
  $('groups').replaceChildren(...s.groups.map(renderGroup));
}

function renderGroup(g) {
  const heading = `group-${g.desk_group}`;
  const serving = g.serving.length
    ? g.serving.map((c) => t('queue.at_desk', { ticket: c.ticket, desk: c.desk })).join(', ')
    : t('queue.serving_none');
  return h('section', { class: 'matter queue-group', 'data-group': g.desk_group },
    h('h3', { id: heading }, g.departments.flatMap((d, i) => (i ? [', ', local(d.name)] : [local(d.name)]))),
    h('p', { class: 'hint' }, t('queue.group', { group: g.desk_group })),
    h('dl', {},
      h('dt', {}, t('queue.waiting')), h('dd', { class: 'waiting' }, String(g.waiting)),
      h('dt', {}, t('queue.serving')), h('dd', { class: 'serving' }, serving),
      h('dt', {}, t('queue.wait')), h('dd', { class: 'wait' }, waitText(g))));
}

function waitText(g) {
  if (!g.wait_minutes) return t('queue.no_desk');
  const { min, max } = g.wait_minutes;
  if (max === 0) return t('queue.no_wait');
  return min === max ? t('queue.wait_about', { minutes: max }) : t('queue.wait_range', { min, max });
}

/** Asks for the queue now; `said`: the person pressed the button, so the page says when it is from. */
async function refresh(said = false) {
  clearTimeout(state.timer);
  const answer = await api('GET', `/queue/offices/${encodeURIComponent(state.office.id)}`);
  if (answer.ok) {
    state.status = answer.data;
    $('page-error').replaceChildren();
  } else {
    // The last numbers stay on the page, under the message.
    say($('page-error'), errorMessage(answer.data), 'error', () => refresh(true));
  }
  render();
  if (said && answer.ok) $('refreshed').textContent = $('updated').textContent;
  schedule();
}

function schedule() {
  clearTimeout(state.timer);
  if (!document.hidden && state.office) state.timer = setTimeout(() => refresh(), REFRESH_MS);
}

async function start() {
  await startLanguages(render);
  const answer = await api('GET', '/offices');
  if (!answer.ok) {
    return say($('page-error'), errorMessage(answer.data), 'error', () => { $('page-error').replaceChildren(); start(); });
  }
  state.offices = answer.data.offices;
  state.loaded = true;
  const wanted = params().get('office');
  state.office = state.offices.find((o) => o.id === wanted) || null;
  if (wanted && !state.office) say($('page-error'), errorMessage({ error: { code: 'office_not_found' } }), 'error');
  render();
  if (!state.office) return;
  await setOffice(state.office); // the office's language first
  await refresh();
}

$('refresh').addEventListener('click', () => refresh(true));
document.addEventListener('visibilitychange', () => {
  if (document.hidden) clearTimeout(state.timer);
  else if (state.office) refresh();
});
start();
