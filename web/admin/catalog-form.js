// The office's catalog as forms: the office's settings, each department
// (names, opening date, hours with several ranges a day, closures, booking
// window, desks, caps, the day of the visit at the kiosk and the desks, the
// named clerks citizens may book) and each matter. The forms edit a draft (the catalog as read, deep-copied);
// nothing is sent until the page saves the whole draft. `validate` holds the
// draft to the rules the API checks (and a few of its own, such as links
// that must be web addresses), with an error per field, so the page can show
// each one next to its field before anything is sent.

import { h } from '../termin.js';
import { t, LANGUAGES, NATIVE, local, pickText, day as longDay } from './strings.js';

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_KEYS = {
  mon: 'admin.day.mon', tue: 'admin.day.tue', wed: 'admin.day.wed', thu: 'admin.day.thu',
  fri: 'admin.day.fri', sat: 'admin.day.sat', sun: 'admin.day.sun',
};
const LIMIT_KEYS = {
  cancel_requests_per_person: 'admin.limit.cancel_requests_per_person',
  cancel_requests_per_client: 'admin.limit.cancel_requests_per_client',
  holds_per_person: 'admin.limit.holds_per_person',
  holds_per_email: 'admin.limit.holds_per_email',
  sms_holds_per_phone: 'admin.limit.sms_holds_per_phone',
};
const PERSON_RULES = [
  ['one_per_matter', 'admin.office.person_rule.one_per_matter', 'admin.office.person_rule.one_per_matter_hint'],
  ['one_per_matter_and_day', 'admin.office.person_rule.one_per_matter_and_day', 'admin.office.person_rule.one_per_matter_and_day_hint'],
];
const COUNTRY_KEYS = { PL: 'admin.country.pl', CZ: 'admin.country.cz' };
const NATIONAL_ID_KEYS = { pesel: 'admin.national_id.pesel', rodne_cislo: 'admin.national_id.rodne_cislo' };
/** Unit lengths the slot arithmetic accepts: 5 to 240 minutes, dividing a day. */
export const SLOT_LENGTHS = Array.from({ length: 236 }, (_, i) => i + 5).filter((m) => 1440 % m === 0);
const SLUG = /^[a-z0-9-]{1,48}$/;
const DESK_GROUP = /^(?!R)[A-Z]{1,3}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const STAFF_ID = /^[\x21-\x7e]{1,128}$/;
const MAX_CLERK_NAME = 80;
const MAX_WINDOW_MINUTES = 7 * 24 * 60;

// ---------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------

/**
 * The form around one draft. `ctx`: `changed(structure)` after every edit
 * (`structure`: a department or matter was added or removed),
 * `rerender(focusId)` after one that changes the form's shape,
 * `edit(part, index, focusId)` to open an editor, `say(message, kind)`,
 * `fresh` (the departments and matters added since the last save, whose ids
 * may still change).
 */
let ctx = null;

/** A label, a hint and an error line around `input` (which gets their ids). */
function field(id, labelKey, input, hintKey, hintVars) {
  input.id = id;
  const described = [hintKey && `${id}-hint`, `${id}-error`].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
  return h('div', { class: 'field' },
    h('label', { for: id }, t(labelKey)),
    hintKey && h('p', { id: `${id}-hint`, class: 'hint' }, t(hintKey, hintVars)),
    input,
    h('p', { id: `${id}-error`, class: 'field-error' }));
}

/** A fieldset whose own error (about the group as a whole) is below its legend. */
function group(id, legend, hint, ...children) {
  return h('fieldset', { id, 'aria-describedby': [hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(' ') },
    h('legend', {}, legend),
    hint && h('p', { id: `${id}-hint`, class: 'hint' }, hint),
    h('p', { id: `${id}-error`, class: 'field-error' }),
    ...children);
}

/** A text input bound to `obj[key]`. */
function textInput(obj, key, attrs = {}) {
  const input = h('input', { type: 'text', autocomplete: 'off', ...attrs });
  input.value = obj[key] ?? '';
  input.addEventListener('input', () => { obj[key] = input.value; ctx.changed(); });
  return input;
}

/**
 * A whole-number input bound to `obj[key]`: a number, null when empty and
 * `optional`, else what was typed (which `validate` reports).
 */
function numberInput(obj, key, { min = 0, max, optional = false } = {}) {
  const input = h('input', { type: 'number', inputmode: 'numeric', min, max, step: 1 });
  input.value = obj[key] === null || obj[key] === undefined ? '' : String(obj[key]);
  input.addEventListener('input', () => {
    const raw = input.value.trim();
    if (raw === '') obj[key] = optional ? null : '';
    else obj[key] = /^\d+$/.test(raw) ? Number(raw) : raw;
    ctx.changed();
  });
  return input;
}

function checkbox(id, obj, key, labelKey, hintKey) {
  const input = h('input', { type: 'checkbox', id, checked: Boolean(obj[key]), 'aria-describedby': hintKey ? `${id}-hint` : null });
  input.addEventListener('change', () => { obj[key] = input.checked; ctx.changed(); });
  return h('div', { class: 'check' },
    h('label', { class: 'choice', for: id }, input, h('span', {}, t(labelKey))),
    hintKey && h('p', { id: `${id}-hint`, class: 'hint' }, t(hintKey)));
}

/** A text in every language (`{ pl, cs, en, uk }`, an empty one left out), as a fieldset. */
function texts(id, owner, key, legend, { multiline = false, hint = null } = {}) {
  if (!owner[key] || typeof owner[key] !== 'object') owner[key] = {};
  const text = owner[key];
  return group(id, legend, hint,
    h('div', { class: 'langs' }, LANGUAGES.map((l) => {
      const inputId = `${id}-${l}`;
      const input = multiline
        ? h('textarea', { id: inputId, lang: l, rows: 2 })
        : h('input', { type: 'text', id: inputId, lang: l, autocomplete: 'off' });
      input.value = text[l] || '';
      input.addEventListener('input', () => {
        if (input.value === '') delete text[l];
        else text[l] = input.value;
        ctx.changed();
      });
      return h('div', { class: 'lang-field' },
        h('label', { for: inputId }, h('span', { lang: l }, NATIVE[l]), ` (${l})`),
        input);
    })));
}

const name = (texts_, fallback) => pickText(texts_).text || fallback;
export const departmentName = (d) => name(d.name, d.id || t('admin.dep.new'));
export const serviceName = (s) => name(s.name, s.id || t('admin.svc.new'));

// ---------------------------------------------------------------------------
// The office
// ---------------------------------------------------------------------------

export function officeForm(draft, context) {
  ctx = context;
  const office = draft.office;
  const facts = [
    ['admin.office.id', office.id],
    ['admin.office.country', t(COUNTRY_KEYS[office.country] || 'admin.country.other')],
    ['admin.office.time_zone', office.time_zone],
    ['admin.office.national_id', t(NATIONAL_ID_KEYS[office.national_id] || 'admin.national_id.other')],
  ];
  const rules = PERSON_RULES.map(([value, labelKey, hintKey]) => {
    const id = `office-person-rule-${value}`;
    const input = h('input', {
      type: 'radio', name: 'person-rule', id, value, checked: (office.person_rule || 'one_per_matter') === value,
      'aria-describedby': `${id}-hint`,
    });
    input.addEventListener('change', () => { if (input.checked) { office.person_rule = value; ctx.changed(); } });
    return h('div', { class: 'check' },
      h('label', { class: 'choice', for: id }, input, h('span', {}, t(labelKey))),
      h('p', { id: `${id}-hint`, class: 'hint' }, t(hintKey)));
  });
  const sms = h('input', { type: 'text', autocomplete: 'off', inputmode: 'numeric' });
  sms.value = (office.sms_countries || []).join(', ');
  sms.addEventListener('input', () => {
    office.sms_countries = sms.value.split(/[\s,;]+/).map((c) => c.replace(/^\+/, '')).filter(Boolean);
    ctx.changed();
  });
  if (!office.limits) office.limits = {};
  const limits = Object.entries(LIMIT_KEYS).map(([key, labelKey]) => {
    if (!office.limits[key]) office.limits[key] = { max: '', window_minutes: '' };
    const limit = office.limits[key];
    return group(`office-limit-${key}`, t(labelKey), null,
      h('div', { class: 'row' },
        field(`office-limit-${key}-max`, 'admin.limit.max', numberInput(limit, 'max', { min: 1 })),
        field(`office-limit-${key}-window`, 'admin.limit.window', numberInput(limit, 'window_minutes', { min: 1, max: MAX_WINDOW_MINUTES }), 'admin.limit.window_hint')));
  });
  return h('div', { class: 'editor' },
    h('dl', { class: 'facts' }, facts.map(([k, v]) => h('div', {}, h('dt', {}, t(k)), h('dd', {}, v)))),
    h('p', { class: 'hint' }, t('admin.office.fixed_hint')),
    texts('office-name', office, 'name', t('admin.office.name')),
    field('office-address', 'admin.office.address', textInput(office, 'address')),
    group('office-person-rule', t('admin.office.person_rule'), null, rules),
    field('office-sms', 'admin.office.sms_countries', sms, 'admin.office.sms_countries_hint'),
    h('h3', {}, t('admin.office.limits')),
    h('p', { class: 'hint' }, t('admin.office.limits_hint')),
    limits);
}

// ---------------------------------------------------------------------------
// Departments
// ---------------------------------------------------------------------------

/** A new department with the office's usual defaults and a desk group not yet taken. */
export function newDepartment(draft) {
  const taken = new Set(draft.departments.map((d) => d.kiosk && d.kiosk.desk_group));
  const letter = 'ABCDEFGHIJKLMNOPQSTUVWXYZ'.split('').find((l) => !taken.has(l)) || 'A';
  const weekday = () => [{ from: '08:00', to: '16:00' }];
  return {
    id: '',
    office_id: draft.office.id,
    name: {},
    location: {},
    opens_on: null,
    hours: { mon: weekday(), tue: weekday(), wed: weekday(), thu: weekday(), fri: weekday(), sat: [], sun: [] },
    closed_on: [],
    horizon_days: 30,
    min_notice_minutes: 60,
    walk_up_notice_minutes: null,
    desks_online: 1,
    slot_minutes: 15,
    weekly_online_cap: null,
    groups: [],
    phone_registration: null,
    kiosk: {
      window: { before_minutes: 30, after_minutes: 10 },
      desk_group: letter,
      walk_in_daily_cap: null,
      no_show_rule: { strikes: 1, within_days: 90, block_days: 30 },
      call_rule: { walk_in_after_booked: 3, max_wait_minutes: 60, missed_after_calls: 3 },
      waiting_room_limit: null,
    },
  };
}

export function departmentList(draft, context) {
  ctx = context;
  const rows = draft.departments.map((d, i) => {
    const matters = draft.services.filter((s) => s.department_id === d.id).length;
    const dn = departmentName(d);
    return h('tr', {},
      h('th', { scope: 'row' }, local(d.name)),
      h('td', {}, h('code', {}, d.id)),
      h('td', {}, d.kiosk && d.kiosk.desk_group),
      h('td', {}, String(d.desks_online)),
      h('td', {}, t('admin.minutes', { minutes: d.slot_minutes })),
      h('td', {}, String(matters)),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', id: `dep-edit-${i}`, 'aria-label': t('admin.edit_named', { name: dn }), onclick: () => ctx.edit('departments', i) }, t('admin.edit')),
        h('button', { type: 'button', class: 'danger', 'aria-label': t('admin.remove_named', { name: dn }), onclick: () => removeDepartment(draft, i) }, t('admin.remove'))));
  });
  return h('div', {},
    h('p', { class: 'hint' }, t('admin.dep.list_hint')),
    draft.departments.length === 0 ? h('p', {}, t('admin.dep.none')) : h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'dep-list-caption' },
      h('table', { class: 'list' },
        h('caption', { id: 'dep-list-caption' }, t('admin.dep.list_caption', { count: draft.departments.length })),
        h('thead', {}, h('tr', {}, ['admin.dep.col.name', 'admin.dep.col.id', 'admin.dep.col.desk_group', 'admin.dep.col.desks', 'admin.dep.col.slot', 'admin.dep.col.matters', 'admin.col.actions']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, rows))),
    h('p', {}, h('button', { type: 'button', id: 'dep-add', onclick: () => addDepartment(draft) }, t('admin.dep.add'))));
}

function addDepartment(draft) {
  const d = newDepartment(draft);
  draft.departments.push(d);
  ctx.fresh.add(d);
  ctx.changed(true);
  ctx.edit('departments', draft.departments.length - 1, 'dep-id');
}

function removeDepartment(draft, index) {
  const d = draft.departments[index];
  const matters = draft.services.filter((s) => s.department_id === d.id);
  if (matters.length > 0) {
    ctx.say(t('admin.dep.has_matters', { name: departmentName(d), matters: matters.map(serviceName).join(', ') }), 'error');
    return;
  }
  draft.departments.splice(index, 1);
  ctx.changed(true);
  ctx.edit('departments', null, 'dep-add');
  ctx.say(t('admin.dep.removed', { name: departmentName(d) }));
}

export function departmentEditor(draft, index, context) {
  ctx = context;
  const d = draft.departments[index];
  const fresh = ctx.fresh.has(d);
  const idField = fresh
    ? field('dep-id', 'admin.id', (() => {
      const input = textInput(d, 'id', { spellcheck: 'false', maxlength: 48 });
      // Matters already moved to the new department follow its id.
      let before = d.id;
      input.addEventListener('input', () => {
        for (const s of draft.services) if (s.department_id === before) s.department_id = d.id;
        before = d.id;
      });
      return input;
    })(), 'admin.id_hint')
    : h('p', {}, t('admin.id_fixed', { id: d.id }));
  const opensOn = h('input', { type: 'date' });
  opensOn.value = d.opens_on || '';
  opensOn.addEventListener('input', () => { d.opens_on = opensOn.value || null; ctx.changed(); });
  const slot = h('select', {}, SLOT_LENGTHS.map((m) => h('option', { value: String(m) }, t('admin.minutes', { minutes: m }))));
  slot.value = String(d.slot_minutes);
  slot.addEventListener('change', () => { d.slot_minutes = Number(slot.value); ctx.changed(); });
  const k = d.kiosk;
  const deskGroup = textInput(k, 'desk_group', { maxlength: 3, spellcheck: 'false', autocapitalize: 'characters', class: 'short' });
  deskGroup.addEventListener('change', () => { k.desk_group = deskGroup.value.trim().toUpperCase(); deskGroup.value = k.desk_group; ctx.changed(); });
  const heading = fresh && !d.id ? t('admin.dep.new') : t('admin.dep.heading', { name: departmentName(d) });
  return h('div', { class: 'editor' },
    h('h3', { id: 'editor-h', tabindex: '-1' }, heading),
    h('p', {}, h('button', { type: 'button', id: 'dep-back', onclick: () => ctx.edit('departments', null, `dep-edit-${index}`) }, t('admin.dep.back'))),
    idField,
    texts('dep-name', d, 'name', t('admin.name')),
    texts('dep-location', d, 'location', t('admin.dep.location'), { hint: t('admin.dep.location_hint') }),
    field('dep-opens-on', 'admin.dep.opens_on', opensOn, 'admin.dep.opens_on_hint'),
    groupsFieldset(draft, d),
    hoursFieldset(d),
    closuresFieldset(d),
    clerksFieldset(draft, d),
    group('dep-booking', t('admin.dep.booking'), null,
      h('div', { class: 'row' },
        field('dep-horizon', 'admin.dep.horizon', numberInput(d, 'horizon_days', { max: 366 }), 'admin.dep.horizon_hint'),
        field('dep-notice', 'admin.dep.min_notice', numberInput(d, 'min_notice_minutes'), 'admin.dep.min_notice_hint'),
        field('dep-walk-up-notice', 'admin.dep.walk_up_notice', numberInput(d, 'walk_up_notice_minutes', { optional: true }), 'admin.dep.walk_up_notice_hint')),
      h('div', { class: 'row' },
        field('dep-desks', 'admin.dep.desks_online', numberInput(d, 'desks_online'), 'admin.dep.desks_online_hint'),
        field('dep-slot', 'admin.dep.slot', slot, 'admin.dep.slot_hint'),
        field('dep-weekly-cap', 'admin.dep.weekly_cap', numberInput(d, 'weekly_online_cap', { optional: true }), 'admin.dep.weekly_cap_hint'))),
    group('dep-kiosk', t('admin.dep.kiosk'), t('admin.dep.kiosk_hint'),
      h('div', { class: 'row' },
        field('dep-desk-group', 'admin.dep.desk_group', deskGroup, 'admin.dep.desk_group_hint'),
        field('dep-walk-in-cap', 'admin.dep.walk_in_cap', numberInput(k, 'walk_in_daily_cap', { optional: true }), 'admin.dep.walk_in_cap_hint'),
        field('dep-waiting-room', 'admin.dep.waiting_room', numberInput(k, 'waiting_room_limit', { optional: true }), 'admin.dep.waiting_room_hint')),
      group('dep-window', t('admin.dep.window'), t('admin.dep.window_hint'),
        h('div', { class: 'row' },
          field('dep-window-before', 'admin.dep.window_before', numberInput(k.window, 'before_minutes')),
          field('dep-window-after', 'admin.dep.window_after', numberInput(k.window, 'after_minutes')))),
      group('dep-no-show', t('admin.dep.no_show'), t('admin.dep.no_show_hint'),
        h('div', { class: 'row' },
          field('dep-no-show-strikes', 'admin.dep.no_show_strikes', numberInput(k.no_show_rule, 'strikes'), 'admin.dep.no_show_strikes_hint'),
          field('dep-no-show-within', 'admin.dep.no_show_within', numberInput(k.no_show_rule, 'within_days')),
          field('dep-no-show-block', 'admin.dep.no_show_block', numberInput(k.no_show_rule, 'block_days')))),
      group('dep-call', t('admin.dep.call'), null,
        h('div', { class: 'row' },
          field('dep-call-walk-in', 'admin.dep.call_walk_in', numberInput(k.call_rule, 'walk_in_after_booked'), 'admin.dep.call_walk_in_hint'),
          field('dep-call-max-wait', 'admin.dep.call_max_wait', numberInput(k.call_rule, 'max_wait_minutes'), 'admin.dep.call_max_wait_hint'),
          field('dep-call-missed', 'admin.dep.call_missed', numberInput(k.call_rule, 'missed_after_calls', { min: 1 }), 'admin.dep.call_missed_hint')))),
    phoneRegistrationFieldset(d),
    h('p', { class: 'editor-end' },
      h('button', { type: 'button', onclick: () => ctx.edit('departments', null, `dep-edit-${index}`) }, t('admin.dep.back')),
      h('button', { type: 'button', class: 'danger', onclick: () => removeDepartment(draft, index) }, t('admin.dep.remove_this'))));
}

/**
 * The department's groups of matters (seed 003), in the order citizens see
 * them: each with its id, name and description. A group's id may change
 * until it is saved; its matters follow it. Removing a group leaves its
 * matters without one.
 */
function groupsFieldset(draft, d) {
  const list = d.groups;
  return group('dep-groups', t('admin.dep.groups'), t('admin.dep.groups_hint'),
    list.length === 0 && h('p', {}, t('admin.dep.no_groups')),
    list.map((g, i) => {
      const n = i + 1;
      const id = textInput(g, 'id', { spellcheck: 'false', maxlength: 48 });
      let before = g.id;
      id.addEventListener('input', () => {
        for (const s of draft.services) if (s.department_id === d.id && s.group_id === before) s.group_id = g.id;
        before = g.id;
      });
      return h('div', { class: 'item' },
        group(`dep-group-${i}`, t('admin.dep.group_n', { n }), null,
          field(`dep-group-${i}-id`, 'admin.id', id, 'admin.id_hint'),
          texts(`dep-group-${i}-name`, g, 'name', t('admin.name')),
          texts(`dep-group-${i}-description`, g, 'description', t('admin.dep.group_description'))),
        h('button', {
          type: 'button', class: 'danger', 'aria-label': t('admin.dep.remove_group_n', { n }),
          onclick: () => {
            for (const s of draft.services) if (s.department_id === d.id && s.group_id === g.id) s.group_id = null;
            list.splice(i, 1);
            ctx.changed();
            ctx.rerender('dep-group-add');
          },
        }, t('admin.remove')));
    }),
    h('button', {
      type: 'button', id: 'dep-group-add',
      onclick: () => { list.push({ id: '', name: {}, description: {} }); ctx.changed(); ctx.rerender(`dep-group-${list.length - 1}-id`); },
    }, t('admin.dep.add_group')));
}

/**
 * The emergency switch (seed 002): while on, the kiosk issues no ticket
 * without a booking for the department's matters and shows the text (whom
 * to call); booked visits go on.
 */
function phoneRegistrationFieldset(d) {
  const on = d.phone_registration !== null;
  const box = h('input', { type: 'checkbox', id: 'dep-phone-registration-on', checked: on, 'aria-describedby': 'dep-phone-registration-on-hint' });
  box.addEventListener('change', () => {
    d.phone_registration = box.checked ? {} : null;
    ctx.changed();
    ctx.rerender('dep-phone-registration-on');
  });
  return group('dep-phone-registration', t('admin.dep.phone_registration'), null,
    h('div', { class: 'check' },
      h('label', { class: 'choice', for: 'dep-phone-registration-on' }, box, h('span', {}, t('admin.dep.phone_registration_on'))),
      h('p', { id: 'dep-phone-registration-on-hint', class: 'hint' }, t('admin.dep.phone_registration_hint'))),
    on && texts('dep-phone-registration-text', d, 'phone_registration', t('admin.dep.phone_registration_text'),
      { multiline: true, hint: t('admin.dep.phone_registration_text_hint') }));
}

function hoursFieldset(d) {
  for (const dayKey of DAYS) if (!Array.isArray(d.hours[dayKey])) d.hours[dayKey] = [];
  return h('fieldset', { id: 'dep-hours', class: 'hours' },
    h('legend', {}, t('admin.dep.hours')),
    h('p', { class: 'hint' }, t('admin.dep.hours_hint')),
    DAYS.map((dayKey) => {
      const ranges = d.hours[dayKey];
      const dayName = t(DAY_KEYS[dayKey]);
      const id = `dep-hours-${dayKey}`;
      return h('fieldset', { id, class: 'day', 'aria-describedby': `${id}-error` },
        h('legend', {}, dayName),
        h('p', { id: `${id}-error`, class: 'field-error' }),
        ranges.length === 0 && h('p', { class: 'closed-day' }, t('admin.dep.closed_day')),
        ranges.map((r, i) => {
          const time = (key, labelKey) => {
            const inputId = `${id}-${i}-${key}`;
            const input = h('input', { type: 'time', id: inputId, step: 60, 'aria-describedby': `${inputId}-error` });
            input.value = r[key] || '';
            input.addEventListener('input', () => { r[key] = input.value; ctx.changed(); });
            return h('div', { class: 'time-field' },
              h('label', { for: inputId }, t(labelKey)), input, h('p', { id: `${inputId}-error`, class: 'field-error' }));
          };
          return h('div', { class: 'range' },
            time('from', 'admin.dep.from'),
            time('to', 'admin.dep.to'),
            h('button', {
              type: 'button', class: 'danger', id: `${id}-${i}-remove`,
              'aria-label': t('admin.dep.remove_range_named', { day: dayName, from: r.from || '?', to: r.to || '?' }),
              onclick: () => {
                ranges.splice(i, 1);
                ctx.changed();
                ctx.rerender(`${id}-add`);
                ctx.say(t('admin.dep.range_removed', { day: dayName }));
              },
            }, t('admin.dep.remove_range')));
        }),
        h('button', {
          type: 'button', id: `${id}-add`, 'aria-label': t('admin.dep.add_range_on', { day: dayName }),
          onclick: () => {
            const last = ranges[ranges.length - 1];
            ranges.push(last ? { from: last.to, to: laterBy(last.to, 120) } : { from: '08:00', to: '16:00' });
            ctx.changed();
            ctx.rerender(`${id}-${ranges.length - 1}-from`);
          },
        }, t('admin.dep.add_range')));
    }));
}

/**
 * The department's named clerks (seed 004): citizens may book one by name
 * for the matters ticked; the staff account is the one whose desk takes
 * the clerk's visits. A clerk's id is fixed once saved (bookings name it).
 */
function clerksFieldset(draft, d) {
  if (!Array.isArray(d.clerks)) d.clerks = [];
  const clerks = d.clerks;
  const matters = draft.services.filter((s) => s.department_id === d.id);
  return h('fieldset', { id: 'dep-clerks' },
    h('legend', {}, t('admin.dep.clerks')),
    h('p', { class: 'hint' }, t('admin.dep.clerks_hint')),
    clerks.length === 0 && h('p', {}, t('admin.dep.no_clerks')),
    clerks.map((c, i) => {
      const id = `dep-clerk-${i}`;
      const n = i + 1;
      const label = c.name.trim() || t('admin.dep.clerk_n', { n });
      if (!Array.isArray(c.services)) c.services = [];
      // Matters the clerk still names but the department no longer has, to untick.
      const listed = [...matters.map((s) => s.id), ...c.services.filter((sid) => !matters.some((s) => s.id === sid))];
      const boxes = listed.map((sid, j) => {
        const boxId = `${id}-service-${j}`;
        const s = matters.find((x) => x.id === sid);
        const input = h('input', { type: 'checkbox', id: boxId, checked: c.services.includes(sid) });
        input.addEventListener('change', () => {
          c.services = input.checked ? [...c.services, sid] : c.services.filter((x) => x !== sid);
          ctx.changed();
        });
        return h('div', { class: 'check' },
          h('label', { class: 'choice', for: boxId }, input, s ? local(s.name) : h('code', {}, sid)));
      });
      return h('div', { class: 'item' },
        group(id, t('admin.dep.clerk_n', { n }), null,
          ctx.fresh.has(c)
            ? field(`${id}-id`, 'admin.id', textInput(c, 'id', { spellcheck: 'false', maxlength: 48 }), 'admin.dep.clerk_id_hint')
            : h('p', {}, t('admin.id_fixed', { id: c.id })),
          field(`${id}-name`, 'admin.dep.clerk_name', textInput(c, 'name', { maxlength: MAX_CLERK_NAME, autocomplete: 'off' }), 'admin.dep.clerk_name_hint'),
          group(`${id}-services`, t('admin.dep.clerk_services'), t('admin.dep.clerk_services_hint'),
            boxes.length === 0 ? h('p', {}, t('admin.dep.clerk_no_matters')) : boxes),
          field(`${id}-staff`, 'admin.dep.clerk_staff', textInput(c, 'staff_id', { spellcheck: 'false', maxlength: 128 }), 'admin.dep.clerk_staff_hint')),
        h('button', {
          type: 'button', class: 'danger', id: `${id}-remove`, 'aria-label': t('admin.dep.remove_clerk_named', { name: label }),
          onclick: () => {
            clerks.splice(i, 1);
            ctx.changed();
            ctx.rerender('dep-clerk-add');
            ctx.say(t('admin.dep.clerk_removed', { name: label }));
          },
        }, t('admin.remove')));
    }),
    h('button', {
      type: 'button', id: 'dep-clerk-add',
      onclick: () => {
        const clerk = { id: '', name: '', services: matters.map((s) => s.id), staff_id: '' };
        clerks.push(clerk);
        ctx.fresh.add(clerk);
        ctx.changed();
        ctx.rerender(`dep-clerk-${clerks.length - 1}-id`);
      },
    }, t('admin.dep.add_clerk')));
}

/** "HH:MM" `minutes` later, at most 23:59. */
function laterBy(hhmm, minutes) {
  if (!TIME.test(hhmm || '')) return '';
  const [hh, mm] = hhmm.split(':').map(Number);
  const total = Math.min(hh * 60 + mm + minutes, 23 * 60 + 59);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function closuresFieldset(d) {
  if (!Array.isArray(d.closed_on)) d.closed_on = [];
  const input = h('input', { type: 'date', id: 'dep-closure-new', 'aria-describedby': 'dep-closure-new-error' });
  const error = h('p', { id: 'dep-closure-new-error', class: 'field-error' });
  const add = () => {
    const value = input.value;
    input.removeAttribute('aria-invalid');
    error.textContent = '';
    let problem = null;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) problem = t('admin.invalid.date');
    else if (d.closed_on.includes(value)) problem = t('admin.invalid.closure_listed', { date: longDay(value) });
    if (problem) {
      input.setAttribute('aria-invalid', 'true');
      error.textContent = problem;
      input.focus();
      return;
    }
    d.closed_on.push(value);
    d.closed_on.sort();
    ctx.changed();
    ctx.rerender('dep-closure-new');
    ctx.say(t('admin.dep.closure_added', { date: longDay(value) }));
  };
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } });
  return h('fieldset', { id: 'dep-closures' },
    h('legend', {}, t('admin.dep.closures')),
    h('p', { class: 'hint' }, t('admin.dep.closures_hint')),
    d.closed_on.length === 0
      ? h('p', {}, t('admin.dep.no_closures'))
      : h('ul', { class: 'closures' }, d.closed_on.map((date, i) => h('li', {},
        h('time', { datetime: date }, longDay(date)),
        h('button', {
          type: 'button', class: 'danger small', 'aria-label': t('admin.dep.remove_closure_named', { date: longDay(date) }),
          onclick: () => {
            d.closed_on.splice(i, 1);
            ctx.changed();
            ctx.rerender('dep-closure-new');
            ctx.say(t('admin.dep.closure_removed', { date: longDay(date) }));
          },
        }, t('admin.remove'))))),
    h('div', { class: 'add-closure' },
      h('div', { class: 'field' }, h('label', { for: 'dep-closure-new' }, t('admin.dep.closure_new')), input, error),
      h('button', { type: 'button', id: 'dep-closure-add', onclick: add }, t('admin.dep.closure_add'))));
}

// ---------------------------------------------------------------------------
// Matters
// ---------------------------------------------------------------------------

export function newService(draft, departmentId) {
  const d = draft.departments.find((x) => x.id === departmentId) || draft.departments[0];
  return {
    id: '',
    office_id: draft.office.id,
    department_id: d ? d.id : '',
    group_id: null,
    name: {},
    description: {},
    required_documents: [],
    document_templates: [],
    visit_minutes: d ? d.slot_minutes : 15,
    bookable: true,
    where_to_go: {},
    requires_application_number: false,
    allows_lost_document_report: false,
    walk_in: true,
  };
}

export function serviceList(draft, context) {
  ctx = context;
  const departments = new Map(draft.departments.map((d) => [d.id, d]));
  const yesNo = (v) => t(v ? 'admin.yes' : 'admin.no');
  const rows = draft.services.map((s, i) => {
    const sn = serviceName(s);
    const d = departments.get(s.department_id);
    return h('tr', {},
      h('th', { scope: 'row' }, local(s.name)),
      h('td', {}, d ? local(d.name) : h('code', {}, s.department_id)),
      h('td', {}, s.bookable ? t('admin.minutes', { minutes: s.visit_minutes }) : '–'),
      h('td', {}, yesNo(s.bookable)),
      h('td', {}, yesNo(s.walk_in)),
      h('td', { class: 'row-actions' },
        h('button', { type: 'button', id: `svc-edit-${i}`, 'aria-label': t('admin.edit_named', { name: sn }), onclick: () => ctx.edit('services', i) }, t('admin.edit')),
        h('button', { type: 'button', class: 'danger', 'aria-label': t('admin.remove_named', { name: sn }), onclick: () => removeService(draft, i) }, t('admin.remove'))));
  });
  return h('div', {},
    h('p', { class: 'hint' }, t('admin.svc.list_hint')),
    draft.services.length === 0 ? h('p', {}, t('admin.svc.none')) : h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'svc-list-caption' },
      h('table', { class: 'list' },
        h('caption', { id: 'svc-list-caption' }, t('admin.svc.list_caption', { count: draft.services.length })),
        h('thead', {}, h('tr', {}, ['admin.svc.col.name', 'admin.svc.col.department', 'admin.svc.col.visit', 'admin.svc.col.bookable', 'admin.svc.col.walk_in', 'admin.col.actions']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, rows))),
    draft.departments.length === 0
      ? h('p', {}, t('admin.svc.needs_department'))
      : h('p', {}, h('button', { type: 'button', id: 'svc-add', onclick: () => addService(draft) }, t('admin.svc.add'))));
}

function addService(draft) {
  const s = newService(draft);
  draft.services.push(s);
  ctx.fresh.add(s);
  ctx.changed(true);
  ctx.edit('services', draft.services.length - 1, 'svc-id');
}

function removeService(draft, index) {
  const s = draft.services[index];
  draft.services.splice(index, 1);
  ctx.changed(true);
  ctx.edit('services', null, 'svc-add');
  ctx.say(t('admin.svc.removed', { name: serviceName(s) }));
}

export function serviceEditor(draft, index, context) {
  ctx = context;
  const s = draft.services[index];
  const fresh = ctx.fresh.has(s);
  const department = h('select', {}, draft.departments.map((d) => h('option', { value: d.id }, departmentName(d))));
  department.value = s.department_id;
  department.addEventListener('change', () => {
    s.department_id = department.value;
    s.group_id = null; // the groups are the department's
    ctx.changed();
    ctx.rerender('svc-department');
  });
  const d = draft.departments.find((x) => x.id === s.department_id);
  const groups = d ? d.groups.filter((g) => g.id) : [];
  const groupChoice = h('select', {},
    h('option', { value: '' }, t('admin.svc.no_group')),
    groups.map((g) => h('option', { value: g.id }, name(g.name, g.id))));
  groupChoice.value = s.group_id || '';
  groupChoice.addEventListener('change', () => { s.group_id = groupChoice.value || null; ctx.changed(); });
  const heading = fresh && !s.id ? t('admin.svc.new') : t('admin.svc.heading', { name: serviceName(s) });
  if (!Array.isArray(s.required_documents)) s.required_documents = [];
  if (!Array.isArray(s.document_templates)) s.document_templates = [];
  return h('div', { class: 'editor' },
    h('h3', { id: 'editor-h', tabindex: '-1' }, heading),
    h('p', {}, h('button', { type: 'button', id: 'svc-back', onclick: () => ctx.edit('services', null, `svc-edit-${index}`) }, t('admin.svc.back'))),
    fresh ? field('svc-id', 'admin.id', textInput(s, 'id', { spellcheck: 'false', maxlength: 48 }), 'admin.id_hint') : h('p', {}, t('admin.id_fixed', { id: s.id })),
    field('svc-department', 'admin.svc.department', department, fresh ? null : 'admin.svc.department_hint'),
    groups.length > 0 && field('svc-group', 'admin.svc.group', groupChoice, 'admin.svc.group_hint'),
    texts('svc-name', s, 'name', t('admin.name')),
    texts('svc-description', s, 'description', t('admin.svc.description'), { multiline: true }),
    checkbox('svc-bookable', s, 'bookable', 'admin.svc.bookable', 'admin.svc.bookable_hint'),
    field('svc-visit', 'admin.svc.visit', numberInput(s, 'visit_minutes', { min: 1 }), 'admin.svc.visit_hint', { slot: d ? d.slot_minutes : '?' }),
    texts('svc-where', s, 'where_to_go', t('admin.svc.where_to_go'), { hint: t('admin.svc.where_to_go_hint') }),
    documentsFieldset(s),
    templatesFieldset(s),
    h('fieldset', { id: 'svc-flags' },
      h('legend', {}, t('admin.svc.flags')),
      checkbox('svc-application-number', s, 'requires_application_number', 'admin.svc.application_number', 'admin.svc.application_number_hint'),
      checkbox('svc-lost-document', s, 'allows_lost_document_report', 'admin.svc.lost_document', 'admin.svc.lost_document_hint'),
      checkbox('svc-walk-in', s, 'walk_in', 'admin.svc.walk_in', 'admin.svc.walk_in_hint')),
    h('p', { class: 'editor-end' },
      h('button', { type: 'button', onclick: () => ctx.edit('services', null, `svc-edit-${index}`) }, t('admin.svc.back')),
      h('button', { type: 'button', class: 'danger', onclick: () => removeService(draft, index) }, t('admin.svc.remove_this'))));
}

function documentsFieldset(s) {
  const list = s.required_documents;
  return h('fieldset', { id: 'svc-documents' },
    h('legend', {}, t('admin.svc.documents')),
    list.length === 0 && h('p', {}, t('admin.svc.no_documents')),
    list.map((_, i) => {
      const n = i + 1;
      return h('div', { class: 'item' },
        texts(`svc-document-${i}`, list, i, t('admin.svc.document_n', { n })),
        h('button', {
          type: 'button', class: 'danger', 'aria-label': t('admin.svc.remove_document_n', { n }),
          onclick: () => { list.splice(i, 1); ctx.changed(); ctx.rerender('svc-document-add'); },
        }, t('admin.remove')));
    }),
    h('button', {
      type: 'button', id: 'svc-document-add',
      onclick: () => { list.push({}); ctx.changed(); ctx.rerender(`svc-document-${list.length - 1}-${LANGUAGES[0]}`); },
    }, t('admin.svc.add_document')));
}

function templatesFieldset(s) {
  const list = s.document_templates;
  return h('fieldset', { id: 'svc-templates' },
    h('legend', {}, t('admin.svc.templates')),
    h('p', { class: 'hint' }, t('admin.svc.templates_hint')),
    list.length === 0 && h('p', {}, t('admin.svc.no_templates')),
    list.map((link, i) => {
      const n = i + 1;
      return h('div', { class: 'item' },
        group(`svc-template-${i}`, t('admin.svc.template_n', { n }), null,
          texts(`svc-template-${i}-title`, link, 'title', t('admin.svc.template_title')),
          field(`svc-template-${i}-url`, 'admin.svc.template_url', textInput(link, 'url', { type: 'url', spellcheck: 'false' }), 'admin.svc.template_url_hint'),
          templateFile(link, i)),
        h('button', {
          type: 'button', class: 'danger', 'aria-label': t('admin.svc.remove_template_n', { n }),
          onclick: () => { list.splice(i, 1); ctx.changed(); ctx.rerender('svc-template-add'); },
        }, t('admin.remove')));
    }),
    h('button', {
      type: 'button', id: 'svc-template-add',
      onclick: () => { list.push({ title: {}, url: '' }); ctx.changed(); ctx.rerender(`svc-template-${list.length - 1}-title-${LANGUAGES[0]}`); },
    }, t('admin.svc.add_template')));
}

/**
 * A file for template `i` (seed 001): sent at once to be kept for citizens;
 * the link then points at it (saved with the rest of the draft). Its title
 * is the file's name unless one was typed.
 */
function templateFile(link, i) {
  const id = `svc-template-${i}-file`;
  const input = h('input', {
    type: 'file', id, 'aria-describedby': `${id}-hint ${id}-status`,
    accept: '.pdf,.doc,.docx,.odt,.rtf,.xls,.xlsx,.ods,.txt',
  });
  const status = h('p', { id: `${id}-status`, class: 'field-error', role: 'status' });
  input.addEventListener('change', async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    status.className = 'hint';
    status.textContent = t('admin.svc.template_uploading', { name: file.name });
    const answer = await ctx.upload(file);
    if (!answer.ok) {
      const error = answer.data && answer.data.error ? answer.data.error : {};
      const why = (error.fields && error.fields[0] && error.fields[0].message) || error.message || t('admin.error.unknown');
      status.className = 'field-error';
      status.textContent = t('admin.svc.template_refused', { reason: why });
      ctx.say(status.textContent, 'error');
      return;
    }
    link.url = answer.data.url;
    if (!hasText(link.title)) link.title = { [LANGUAGES[0]]: file.name.replace(/\.[^.]+$/, '') };
    ctx.changed();
    ctx.rerender(`svc-template-${i}-url`);
    ctx.say(t('admin.svc.template_uploaded', { name: answer.data.name }));
  });
  return h('div', { class: 'field' },
    h('label', { for: id }, t('admin.svc.template_file')),
    h('p', { id: `${id}-hint`, class: 'hint' }, t('admin.svc.template_file_hint')),
    input,
    status);
}

// ---------------------------------------------------------------------------
// Checking the draft, and the catalog it makes
// ---------------------------------------------------------------------------

const isWhole = (v, min = 0, max = Number.MAX_SAFE_INTEGER) => Number.isInteger(v) && v >= min && v <= max;
const hasText = (text) => Boolean(text) && Object.values(text).some((v) => typeof v === 'string' && v.trim());

/**
 * Every problem of the draft, in the order of the forms: `{ part, index,
 * field, where, label, message }`, where `field` is the id of the input (or
 * fieldset) in the form of `part` (and of the department or matter at
 * `index`), `where` and `label` name it for the summary.
 */
export function validate(draft) {
  const errors = [];
  const office = draft.office;
  const add = (part, index, where, fieldId, labelKey, message, labelVars) => errors.push({
    part, index, field: fieldId, where, label: t(labelKey, labelVars), message,
  });
  const whole = (part, index, where, fieldId, labelKey, value, { min = 0, max = 100000, optional = false } = {}) => {
    if (optional && (value === null || value === undefined)) return;
    if (!isWhole(value, min, max)) add(part, index, where, fieldId, labelKey, t('admin.invalid.whole_number', { min, max }));
  };

  const officeWhere = t('admin.part.office');
  if (!hasText(office.name)) add('office', null, officeWhere, 'office-name', 'admin.office.name', t('admin.invalid.required_text'));
  if (!(office.address || '').trim()) add('office', null, officeWhere, 'office-address', 'admin.office.address', t('admin.invalid.required'));
  if (!(office.sms_countries || []).every((c) => /^\d{1,4}$/.test(c))) {
    add('office', null, officeWhere, 'office-sms', 'admin.office.sms_countries', t('admin.invalid.sms'));
  }
  for (const [key, labelKey] of Object.entries(LIMIT_KEYS)) {
    const limit = (office.limits || {})[key] || {};
    const where = `${officeWhere} – ${t(labelKey)}`;
    whole('office', null, where, `office-limit-${key}-max`, 'admin.limit.max', limit.max, { min: 1, max: 100000 });
    whole('office', null, where, `office-limit-${key}-window`, 'admin.limit.window', limit.window_minutes, { min: 1, max: MAX_WINDOW_MINUTES });
  }

  const departmentIds = new Map();
  const clerkIds = new Set(); // unique across the office
  draft.departments.forEach((d, i) => {
    const where = t('admin.dep.where', { name: departmentName(d) });
    const e = (fieldId, labelKey, message, labelVars) => add('departments', i, where, fieldId, labelKey, message, labelVars);
    const n = (fieldId, labelKey, value, options) => whole('departments', i, where, fieldId, labelKey, value, options);
    if (!SLUG.test(d.id || '')) e('dep-id', 'admin.id', t('admin.invalid.id'));
    else if (departmentIds.has(d.id)) e('dep-id', 'admin.id', t('admin.invalid.id_taken'));
    departmentIds.set(d.id, d);
    if (!hasText(d.name)) e('dep-name', 'admin.name', t('admin.invalid.required_text'));
    const groupIds = new Set();
    (d.groups || []).forEach((g, j) => {
      if (!SLUG.test(g.id || '')) e(`dep-group-${j}-id`, 'admin.dep.group_id_n', t('admin.invalid.id'), { n: j + 1 });
      else if (groupIds.has(g.id)) e(`dep-group-${j}-id`, 'admin.dep.group_id_n', t('admin.invalid.id_taken'), { n: j + 1 });
      groupIds.add(g.id);
      if (!hasText(g.name)) e(`dep-group-${j}-name`, 'admin.dep.group_name_n', t('admin.invalid.required_text'), { n: j + 1 });
    });
    if (d.phone_registration !== null && d.phone_registration !== undefined && !hasText(d.phone_registration)) {
      e('dep-phone-registration-text', 'admin.dep.phone_registration_text', t('admin.invalid.required_text'));
    }
    if (d.opens_on && !/^\d{4}-\d{2}-\d{2}$/.test(d.opens_on)) e('dep-opens-on', 'admin.dep.opens_on', t('admin.invalid.date'));
    for (const dayKey of DAYS) {
      const ranges = (d.hours || {})[dayKey] || [];
      let broken = false;
      ranges.forEach((r, j) => {
        for (const key of ['from', 'to']) {
          if (!TIME.test(r[key] || '')) {
            broken = true;
            e(`dep-hours-${dayKey}-${j}-${key}`, key === 'from' ? 'admin.dep.from_on' : 'admin.dep.to_on', t('admin.invalid.time'), { day: t(DAY_KEYS[dayKey]) });
          }
        }
        if (!broken && r.to <= r.from) {
          broken = true;
          e(`dep-hours-${dayKey}-${j}-to`, 'admin.dep.to_on', t('admin.invalid.range'), { day: t(DAY_KEYS[dayKey]) });
        }
      });
      const sorted = [...ranges].sort((a, b) => (a.from < b.from ? -1 : 1));
      if (!broken && sorted.some((r, j) => j > 0 && r.from < sorted[j - 1].to)) {
        e(`dep-hours-${dayKey}`, DAY_KEYS[dayKey], t('admin.invalid.overlap'));
      }
    }
    n('dep-horizon', 'admin.dep.horizon', d.horizon_days, { max: 366 });
    n('dep-notice', 'admin.dep.min_notice', d.min_notice_minutes, { max: 525600 });
    n('dep-walk-up-notice', 'admin.dep.walk_up_notice', d.walk_up_notice_minutes, { max: 525600, optional: true });
    n('dep-desks', 'admin.dep.desks_online', d.desks_online, { max: 1000 });
    if (!SLOT_LENGTHS.includes(d.slot_minutes)) e('dep-slot', 'admin.dep.slot', t('admin.invalid.slot'));
    n('dep-weekly-cap', 'admin.dep.weekly_cap', d.weekly_online_cap, { max: 100000, optional: true });
    const k = d.kiosk || {};
    if (!DESK_GROUP.test(k.desk_group || '')) e('dep-desk-group', 'admin.dep.desk_group', t('admin.invalid.desk_group'));
    n('dep-walk-in-cap', 'admin.dep.walk_in_cap', k.walk_in_daily_cap, { max: 100000, optional: true });
    n('dep-waiting-room', 'admin.dep.waiting_room', k.waiting_room_limit, { max: 100000, optional: true });
    n('dep-window-before', 'admin.dep.window_before', (k.window || {}).before_minutes, { max: 1440 });
    n('dep-window-after', 'admin.dep.window_after', (k.window || {}).after_minutes, { max: 1440 });
    n('dep-no-show-strikes', 'admin.dep.no_show_strikes', (k.no_show_rule || {}).strikes, { max: 100 });
    n('dep-no-show-within', 'admin.dep.no_show_within', (k.no_show_rule || {}).within_days, { max: 3650 });
    n('dep-no-show-block', 'admin.dep.no_show_block', (k.no_show_rule || {}).block_days, { max: 3650 });
    n('dep-call-walk-in', 'admin.dep.call_walk_in', (k.call_rule || {}).walk_in_after_booked, { max: 100 });
    n('dep-call-max-wait', 'admin.dep.call_max_wait', (k.call_rule || {}).max_wait_minutes, { max: 1440 });
    n('dep-call-missed', 'admin.dep.call_missed', (k.call_rule || {}).missed_after_calls, { min: 1, max: 100 });
    (d.clerks || []).forEach((c, j) => {
      const id = `dep-clerk-${j}`;
      const vars = { n: j + 1 };
      if (!SLUG.test(c.id || '')) e(`${id}-id`, 'admin.dep.clerk_id_n', t('admin.invalid.id'), vars);
      else if (clerkIds.has(c.id)) e(`${id}-id`, 'admin.dep.clerk_id_n', t('admin.invalid.id_taken'), vars);
      clerkIds.add(c.id);
      const clerkName = (c.name || '').trim();
      if (!clerkName || clerkName.length > MAX_CLERK_NAME) e(`${id}-name`, 'admin.dep.clerk_name_n', t('admin.invalid.clerk_name', { max: MAX_CLERK_NAME }), vars);
      const ours = new Set(draft.services.filter((s) => s.department_id === d.id).map((s) => s.id));
      if (!(c.services || []).length || (c.services || []).some((sid) => !ours.has(sid))) {
        e(`${id}-services`, 'admin.dep.clerk_services_n', t('admin.invalid.clerk_services'), vars);
      }
      if ((c.staff_id || '').trim() && !STAFF_ID.test(c.staff_id.trim())) e(`${id}-staff`, 'admin.dep.clerk_staff_n', t('admin.invalid.staff_id'), vars);
    });
  });

  const serviceIds = new Set();
  draft.services.forEach((s, i) => {
    const where = t('admin.svc.where', { name: serviceName(s) });
    const e = (fieldId, labelKey, message, labelVars) => add('services', i, where, fieldId, labelKey, message, labelVars);
    if (!SLUG.test(s.id || '')) e('svc-id', 'admin.id', t('admin.invalid.id'));
    else if (serviceIds.has(s.id)) e('svc-id', 'admin.id', t('admin.invalid.id_taken'));
    serviceIds.add(s.id);
    const d = departmentIds.get(s.department_id);
    if (!d) e('svc-department', 'admin.svc.department', t('admin.invalid.department'));
    else if (s.group_id && !(d.groups || []).some((g) => g.id === s.group_id)) e('svc-group', 'admin.svc.group', t('admin.invalid.group'));
    if (!hasText(s.name)) e('svc-name', 'admin.name', t('admin.invalid.required_text'));
    if (s.bookable) {
      const slot = d && SLOT_LENGTHS.includes(d.slot_minutes) ? d.slot_minutes : null;
      if (!isWhole(s.visit_minutes, 1, 1440) || (slot && s.visit_minutes % slot !== 0)) {
        e('svc-visit', 'admin.svc.visit', t('admin.invalid.visit', { slot: slot || '?' }));
      }
    } else if (!isWhole(s.visit_minutes, 0, 1440)) {
      e('svc-visit', 'admin.svc.visit', t('admin.invalid.whole_number', { min: 0, max: 1440 }));
    }
    (s.required_documents || []).forEach((doc, j) => {
      if (!hasText(doc)) e(`svc-document-${j}`, 'admin.svc.document_n', t('admin.invalid.required_text'), { n: j + 1 });
    });
    (s.document_templates || []).forEach((link, j) => {
      if (!hasText(link.title)) e(`svc-template-${j}-title`, 'admin.svc.template_title_n', t('admin.invalid.required_text'), { n: j + 1 });
      if (!/^https?:\/\/[^\s/]+\.[^\s]+$/i.test((link.url || '').trim())) e(`svc-template-${j}-url`, 'admin.svc.template_url_n', t('admin.invalid.url'), { n: j + 1 });
    });
  });
  return errors;
}

/** A text with its blank languages left out and the others trimmed. */
function cleanText(text) {
  return Object.fromEntries(Object.entries(text || {}).map(([l, v]) => [l, String(v).trim()]).filter(([, v]) => v));
}

/**
 * The catalog the draft makes (for a draft `validate` passed): texts
 * trimmed, a day's ranges and the closures in order, empty optional texts
 * left out. Whatever the forms do not show is kept as it was read.
 */
export function toCatalog(draft) {
  const catalog = JSON.parse(JSON.stringify(draft));
  const office = catalog.office;
  office.name = cleanText(office.name);
  office.address = office.address.trim();
  for (const d of catalog.departments) {
    d.name = cleanText(d.name);
    d.location = cleanText(d.location);
    if (Object.keys(d.location).length === 0) delete d.location;
    if (d.walk_up_notice_minutes === null) delete d.walk_up_notice_minutes;
    d.groups = d.groups.map((g) => {
      const cleaned = { id: g.id, name: cleanText(g.name) };
      const description = cleanText(g.description);
      if (Object.keys(description).length > 0) cleaned.description = description;
      return cleaned;
    });
    if (d.groups.length === 0) delete d.groups;
    if (d.phone_registration === null) delete d.phone_registration;
    else d.phone_registration = cleanText(d.phone_registration);
    for (const dayKey of DAYS) d.hours[dayKey] = [...(d.hours[dayKey] || [])].sort((a, b) => (a.from < b.from ? -1 : 1));
    d.closed_on = [...new Set(d.closed_on)].sort();
    d.clerks = (d.clerks || []).map((c) => {
      const clerk = { ...c, name: c.name.trim(), services: [...new Set(c.services)] };
      const staff = (c.staff_id || '').trim();
      if (staff) clerk.staff_id = staff;
      else delete clerk.staff_id;
      return clerk;
    });
    if (d.clerks.length === 0) delete d.clerks;
  }
  for (const s of catalog.services) {
    s.name = cleanText(s.name);
    if (!s.group_id) delete s.group_id;
    for (const key of ['description', 'where_to_go']) {
      s[key] = cleanText(s[key]);
      if (Object.keys(s[key]).length === 0) delete s[key];
    }
    s.required_documents = s.required_documents.map(cleanText);
    s.document_templates = s.document_templates.map((link) => ({ ...link, title: cleanText(link.title), url: link.url.trim() }));
  }
  return catalog;
}

/**
 * The draft of a catalog as read: a deep copy with every structure the forms
 * edit present (an empty text, no opening date, the default limits), so
 * showing a form never changes the draft.
 */
export function draftOf(catalog) {
  const draft = JSON.parse(JSON.stringify(catalog));
  const office = draft.office;
  office.name = office.name || {};
  office.address = office.address || '';
  office.person_rule = office.person_rule || 'one_per_matter';
  office.sms_countries = office.sms_countries || [];
  office.limits = office.limits || {};
  for (const key of Object.keys(LIMIT_KEYS)) office.limits[key] = office.limits[key] || { max: '', window_minutes: '' };
  for (const d of draft.departments) {
    const defaults = newDepartment(draft);
    for (const key of ['name', 'location']) d[key] = d[key] || {};
    d.opens_on = d.opens_on || null;
    d.hours = d.hours || {};
    for (const dayKey of DAYS) d.hours[dayKey] = d.hours[dayKey] || [];
    d.closed_on = d.closed_on || [];
    d.groups = (d.groups || []).map((g) => ({ ...g, name: g.name || {}, description: g.description || {} }));
    d.phone_registration = d.phone_registration || null;
    for (const key of ['walk_up_notice_minutes', 'weekly_online_cap']) d[key] = d[key] ?? null;
    d.kiosk = { ...defaults.kiosk, ...(d.kiosk || {}) };
    for (const key of ['walk_in_daily_cap', 'waiting_room_limit']) d.kiosk[key] = d.kiosk[key] ?? null;
    d.clerks = (d.clerks || []).map((c) => ({ ...c, services: c.services || [], staff_id: c.staff_id || '' }));
  }
  for (const s of draft.services) {
    for (const key of ['name', 'description', 'where_to_go']) s[key] = s[key] || {};
    s.required_documents = s.required_documents || [];
    s.document_templates = s.document_templates || [];
    s.group_id = s.group_id || null;
  }
  return draft;
}

/** The draft as a string that is the same for the same content (keys in order). */
export function fingerprint(value) {
  return JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v));
}
