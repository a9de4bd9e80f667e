// The booking flow (seeds 001 and 002): office → department → matter (and,
// where the office offers it, a named clerk: seed 004) → day in a month
// calendar → time, then the steps every booking ends with (steps.js):
// details with the terms and consent in full → check → "check your email /
// SMS", where an SMS code can be typed.
import {
  $, api, h, t, local, date, time, utcDate, ymd, errorMessage, say, startLanguages, setOffice, params, findService,
} from './termin.js';
import { mountSteps, show, renderSteps, renderForm } from './steps.js';

const state = {
  step: 'where',
  offices: [],
  catalog: null,
  departmentId: null,
  serviceId: null,
  clerkId: '', // a named clerk of the matter, or '' for any clerk
  listing: null, // free slots of the whole booking window
  month: null, // 'YYYY-MM' shown
  focusDay: null, // the calendar cell with tabindex 0
  day: null, // the chosen day
  start: null, // the chosen slot's start
};

const service = () => (state.catalog ? findService(state.catalog, state.serviceId).service : null);
const department = () => (state.catalog ? state.catalog.departments.find((d) => d.id === state.departmentId) : null);
const tz = () => state.catalog.office.time_zone;

function render() {
  renderOffices();
  renderWhere();
  if (state.listing) renderCalendar(false);
  renderSteps();
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
  state.clerkId = '';
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

/** A radio button for `item`; `onPick(id)` when it is chosen. */
function choice(name, item, chosen, onPick) {
  return h('label', { class: 'choice' },
    h('input', { type: 'radio', name, value: item.id, checked: item.id === chosen, onchange: () => onPick(item.id) }),
    ' ', local(item.name));
}

/** A group of radio buttons, one per item. */
function radios(name, legendKey, items, chosen, onPick) {
  return h('fieldset', { class: 'choices' },
    h('legend', {}, t(legendKey)),
    items.map((item) => choice(name, item, chosen, onPick)));
}

/**
 * The department's matters: one list, or (seed 003) listed by the groups
 * the office defined, each under its name, matters without a group last.
 */
function matterChoices(d) {
  const pick = (id) => {
    state.serviceId = id;
    state.clerkId = '';
    renderWhere();
  };
  const groups = (d.groups || []).map((g) => ({ group: g, matters: d.services.filter((s) => s.group_id === g.id) }))
    .filter((g) => g.matters.length > 0);
  if (groups.length === 0) return radios('matter', 'where.matter', d.services, state.serviceId, pick);
  const loose = d.services.filter((s) => !groups.some((g) => g.group.id === s.group_id));
  const set = (legend, hint, matters) => h('fieldset', { class: 'choices matter-group' },
    h('legend', {}, legend), hint, matters.map((s) => choice('matter', s, state.serviceId, pick)));
  return h('fieldset', { class: 'choices matter-groups' },
    h('legend', {}, t('where.matter')),
    groups.map(({ group, matters }) => set(local(group.name),
      group.description && Object.keys(group.description).length > 0 ? local(group.description, 'p', { class: 'hint' }) : null, matters)),
    loose.length > 0 && set(t('where.other_matters'), null, loose));
}

function renderWhere() {
  const c = state.catalog;
  $('departments').replaceChildren(c ? radios('department', 'where.department', c.departments, state.departmentId, (id) => {
    state.departmentId = id;
    state.serviceId = null;
    state.clerkId = '';
    renderWhere();
  }) : '');
  const d = department();
  $('matters').replaceChildren(d ? matterChoices(d) : '');
  renderClerks();
  renderMatterInfo();
}

/** The named clerks of the matter (seed 004): any clerk, or one by name. */
function renderClerks() {
  const s = service();
  const clerks = (s && s.bookable && s.clerks) || [];
  if (!clerks.some((c) => c.id === state.clerkId)) state.clerkId = '';
  if (clerks.length === 0) {
    $('clerks').replaceChildren();
    return;
  }
  const choice = (id, label) => h('label', { class: 'choice' },
    h('input', {
      type: 'radio', name: 'clerk', value: id, checked: id === state.clerkId,
      onchange: () => { state.clerkId = id; state.listing = null; },
    }), ' ', label);
  $('clerks').replaceChildren(h('fieldset', { class: 'choices', 'aria-describedby': 'clerk-hint' },
    h('legend', {}, t('where.clerk')),
    h('p', { class: 'hint', id: 'clerk-hint' }, t('where.clerk_hint')),
    choice('', t('where.clerk_any')),
    clerks.map((c) => choice(c.id, c.name))));
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
  const clerk = state.clerkId ? `?clerk=${encodeURIComponent(state.clerkId)}` : '';
  const answer = await api('GET', `/offices/${state.catalog.office.id}/services/${s.id}/slots${clerk}`);
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

$('office').addEventListener('change', (e) => chooseOffice(e.target.value));
$('to-when').addEventListener('click', toWhen);
$('prev-month').addEventListener('click', () => { state.month = monthOf(state.month, -1); state.focusDay = null; renderCalendar(false); });
$('next-month').addEventListener('click', () => { state.month = monthOf(state.month, 1); state.focusDay = null; renderCalendar(false); });
$('back-where').addEventListener('click', () => show('where'));
$('to-who').addEventListener('click', toWho);

mountSteps($('main'), state, {
  steps: ['where', 'when', 'who', 'check', 'sent'],
  back: () => show('when'),
  chooseAgain: toWhen,
  chooseAgainKey: 'when.heading',
  startAgain: () => show('where'),
  chooseClerkAgain: () => { state.clerkId = ''; renderWhere(); show('where'); },
});
startLanguages(render).then(loadOffices);
