// The walk-up page behind the QR sticker on the office door (seed 003):
// `walk-up.html?office=olsztyn` lists, per matter, the free time soonest and
// the others later today, with the department's walk-up notice (shorter than
// the online one), in the office's language first. Choosing a time leads to
// the steps every booking ends with (steps.js), sent with "walk_up": true.
import {
  $, api, h, t, local, date, time, errorMessage, say, startLanguages, setOffice, params,
} from './termin.js';
import { mountSteps, show, renderSteps, renderForm } from './steps.js';

/** A time starting within this many minutes is "free now". */
const NOW_MINUTES = 30;

const state = {
  step: 'today',
  walkUp: true,
  catalog: null,
  today: null, // YYYY-MM-DD in the office's time zone
  listings: {}, // service id → today's free slots (walk-up notice), or an error answer
  departmentId: null,
  serviceId: null,
  day: null,
  start: null,
};

function render() {
  renderToday();
  renderSteps();
}

// ---------------------------------------------------------------------------
// Today's free times
// ---------------------------------------------------------------------------

/** Today's date where the office is. */
function officeToday(timeZone) {
  const parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const retry = (what) => () => { $('page-error').replaceChildren(); what(); };

async function loadOffice() {
  const id = params().get('office');
  const answer = id
    ? await api('GET', `/offices/${encodeURIComponent(id)}`)
    : { ok: false, data: { error: { code: 'office_not_found' } } };
  if (!answer.ok) {
    $('today').removeAttribute('aria-busy');
    return say($('page-error'), errorMessage(answer.data), 'error', answer.status === 404 || !id ? null : retry(loadOffice));
  }
  state.catalog = answer.data;
  state.today = officeToday(state.catalog.office.time_zone);
  await setOffice(state.catalog.office); // the office's language first
  await loadToday();
}

/** Asks for today's free times of every bookable matter, with the walk-up notice. */
async function loadToday() {
  const { office } = state.catalog;
  state.today = officeToday(office.time_zone);
  $('today').setAttribute('aria-busy', 'true');
  const services = state.catalog.departments.flatMap((d) => d.services).filter((s) => s.bookable);
  const answers = await Promise.all(services.map((s) => api('GET',
    `/offices/${office.id}/services/${s.id}/slots?from=${state.today}&to=${state.today}&walk_up=true`)));
  state.listings = Object.fromEntries(services.map((s, i) => [s.id, answers[i].ok
    ? answers[i].data.days.filter((d) => d.date === state.today).flatMap((d) => d.slots).filter((slot) => slot.seats_left > 0)
    : answers[i]]));
  $('today').removeAttribute('aria-busy');
  renderToday();
}

function renderToday() {
  const c = state.catalog;
  if (!c) return;
  const tz = c.office.time_zone;
  $('today-intro').replaceChildren(local(c.office.name), `, ${c.office.address}. `, t('walkup.intro', { date: date(state.today) }));
  $('today').replaceChildren(...c.departments.map((d) => h('section', { class: 'walk-up-department', 'aria-labelledby': `dep-${d.id}` },
    h('h3', { id: `dep-${d.id}` }, local(d.name)),
    d.location && h('p', {}, t('matter.location', { place: '' }), local(d.location)),
    h('p', { class: 'hint' }, t('walkup.notice', { minutes: d.walk_up_notice_minutes ?? d.min_notice_minutes })),
    d.services.map((s) => renderMatter(d, s, tz)))));
}

function renderMatter(d, s, tz) {
  const heading = `matter-${s.id}`;
  const slotButton = (slot, kind) => h('button', {
    type: 'button', class: kind, 'data-start': slot.start, 'aria-describedby': heading, onclick: () => choose(d, s, slot),
  }, `${time(slot.start, tz)} (${t('when.seats', { count: slot.seats_left })})`);
  const listing = state.listings[s.id];
  let body;
  if (!s.bookable) {
    body = [h('p', { class: 'notice' }, t('matter.not_bookable')),
      h('p', { class: 'notice' }, t('matter.where_to_go', { place: '' }), local(s.where_to_go))];
  } else if (!listing) {
    body = null; // still loading
  } else if (!Array.isArray(listing)) {
    body = h('div', { class: 'message error' }, h('p', {}, errorMessage(listing.data)));
  } else if (listing.length === 0) {
    body = h('p', {}, t('walkup.none_today'));
  } else {
    const [first, ...later] = listing;
    const now = Date.parse(first.start) - Date.now() <= NOW_MINUTES * 60_000;
    body = [
      h('p', { class: 'soonest' }, h('span', {}, t(now ? 'walkup.now' : 'walkup.next')), ' ', slotButton(first, 'primary')),
      later.length > 0 && h('details', {},
        h('summary', {}, t('walkup.later', { count: later.length })),
        h('ul', { class: 'later' }, later.map((slot) => h('li', {}, slotButton(slot))))),
    ];
  }
  return h('div', { class: 'matter walk-up-matter' },
    h('h4', { id: heading }, local(s.name)),
    s.bookable && h('p', {}, t('matter.visit', { minutes: s.visit_minutes })),
    body);
}

/** A time is chosen: on to the form. */
function choose(d, s, slot) {
  state.departmentId = d.id;
  state.serviceId = s.id;
  state.day = state.today;
  state.start = slot.start;
  renderForm();
  show('who');
}

function backToToday() {
  show('today');
  loadToday();
}

// ---------------------------------------------------------------------------

$('refresh').addEventListener('click', loadToday);
mountSteps($('main'), state, {
  steps: ['today', 'who', 'check', 'sent'],
  back: () => show('today'),
  chooseAgain: backToToday,
  chooseAgainKey: 'walkup.heading',
  startAgain: backToToday,
});
startLanguages(render).then(loadOffice);
