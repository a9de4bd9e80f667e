// The kiosk (web/kiosk.html) in headless Chromium against `termin-local`:
// staff set it up, a walk-in takes a ticket, a booked person types their code,
// an unknown code is refused, and five wrong codes lock the kiosk. axe-core
// checks every screen in every language the office offers (0 violations).
//
// Run on its own (after `cargo build -p termin-local`):
//   (cd tests/browser && npm ci && node --test kiosk-page.test.mjs)
// Knobs: TERMIN_LOCAL_BIN, CHROMIUM (see harness.mjs, which starts both);
// KIOSK_ID and KIOSK_SECRET (the demo kiosk's secret; by default read from
// /_local/kiosks). On failure, screenshots and the runner's log are in
// tests/browser/artifacts/kiosk/.
//
// What this file relies on in termin-local:
// - GET /api/kiosk/config, POST /api/kiosk/redeem and POST /api/kiosk/walk-in,
//   signed as web/kiosk-sign.js signs them.
// - The demo kiosk KIOSK_ID (default olsztyn-hall-1) at office "olsztyn", its
//   secret from /_local/kiosks (derived from HASH_KEY; KIOSK_SECRET overrides).
// - /_local/clock, to move the server's clock to the day of the visit (the
//   browser's clock is moved with it, so the kiosk's signatures stay fresh).
// - Five wrong codes lock the kiosk (429 kiosk_locked + retry_after_seconds).
// - The booking routes and the local mailbox work as in local-page.test.mjs.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { signRequest } from '../../web/kiosk-sign.js';
import { axeViolations, eventually, expectText, root, withTerminLocal } from './harness.mjs';

const KIOSK_ID = process.env.KIOSK_ID || 'olsztyn-hall-1';
// The demo kiosk's secret, as /_local/kiosks hands it out (or KIOSK_SECRET).
let KIOSK_SECRET = process.env.KIOSK_SECRET;
const OFFICE = 'olsztyn';
const BOOKED_SERVICE = 'id-card-application';
const SUPPORTED = ['pl', 'cs', 'en', 'uk'];
// Valid in both code formats (digits, and the 3479ACEFHJKMNPRTWXY alphabet), and
// drawn by no booking in a fresh table but with vanishing odds.
const WRONG_CODES = ['347934', '347937', '347939', '349734', '349737', '349739', '379434'];

const termin = withTerminLocal({
  table: 'termin-kiosk-browser-test',
  artifacts: 'artifacts/kiosk',
  chromium: { viewport: { width: 1280, height: 1024 } },
  setUp: readTheDemoKiosk,
});
const { flow } = termin;
let kioskConfig; // GET /api/kiosk/config as the demo kiosk sees it
let wrongCodesUsed = 0;

const strings = Object.fromEntries(SUPPORTED.map((lang) => [
  lang, JSON.parse(fs.readFileSync(path.join(root, 'web/kiosk-i18n', `${lang}.json`), 'utf8')),
]));

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** axe-core on the page as it is; the kiosk must have no violation at all. */
async function expectAccessible(page, name) {
  const violations = await axeViolations(page, name);
  assert.deepEqual(violations.map((v) => `${v.impact} ${v.id}`), [], `axe found problems on the ${name}`);
}

/** The office's languages the kiosk has texts for, the default first. */
function officeLanguages() {
  const langs = (kioskConfig.languages || []).filter((l) => SUPPORTED.includes(l));
  return langs.length ? langs : ['en'];
}

async function chooseLanguage(page, lang) {
  await page.locator(`#languages button[data-lang="${lang}"]`).click();
  await eventually(`the page in ${lang}`, () => page.evaluate((l) => document.documentElement.lang === l, lang));
}

/** Runs `check(lang)` with the page switched to each office language in turn, then back to the default. */
async function inEveryLanguage(page, check) {
  const langs = officeLanguages();
  for (const lang of langs) {
    if (langs.length > 1) await chooseLanguage(page, lang);
    await check(lang);
  }
  if (langs.length > 1) await chooseLanguage(page, langs[0]);
}

/** axe on the screen in every office language, with the screen's heading in that language. */
async function accessibleInEveryLanguage(page, screen, headingKey) {
  await inEveryLanguage(page, async (lang) => {
    if (headingKey) await expectText(page.locator(`#screen-${screen} h1`), new RegExp(`^${escape(strings[lang][headingKey])}$`), `the ${screen} heading in ${lang}`);
    await expectAccessible(page, `${screen} screen (${lang})`);
  });
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A request to the API; `signed` signs it as the demo kiosk. */
async function api(method, route, body, { signed = false, at = new Date() } = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = signed
    ? await signRequest({ secret: KIOSK_SECRET, kioskId: KIOSK_ID, method, path: route, body: text, now: at })
    : {};
  if (text) headers['content-type'] = 'application/json';
  const response = await fetch(`${termin.base}/api${route}`, { method, headers, body: text || undefined });
  return { status: response.status, data: await response.json().catch(() => ({})) };
}

/** The demo kiosk's secret (unless KIOSK_SECRET is set) and its configuration, checked. */
async function readTheDemoKiosk() {
  if (!KIOSK_SECRET) {
    const listed = await (await fetch(`${termin.base}/_local/kiosks`)).json();
    const demo = listed.kiosks.find((k) => k.kiosk_id === KIOSK_ID);
    assert.ok(demo, `${KIOSK_ID} is a demo kiosk`);
    KIOSK_SECRET = demo.secret;
  }
  const config = await api('GET', '/kiosk/config', undefined, { signed: true });
  assert.equal(config.status, 200, `GET /api/kiosk/config as ${KIOSK_ID}: ${config.status} ${JSON.stringify(config.data)}`);
  kioskConfig = config.data;
  assert.equal(kioskConfig.kiosk_id, KIOSK_ID);
  assert.equal(kioskConfig.office.id, OFFICE);
  assert.equal(kioskConfig.enabled, true, 'the demo kiosk is enabled');
}

/** Opens the kiosk, already set up (the persistent context keeps localStorage), on its home screen. */
async function openKiosk() {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/kiosk.html`);
  await page.locator('#screen-home').waitFor();
  return page;
}

/** Types `code` with clicks on the on-screen keypad only, then OK; returns the API's answer. */
async function typeOnKeypad(page, code) {
  for (const ch of code) {
    if (/[A-Z]/.test(ch) && await page.locator('#letters').isHidden()) await page.locator('#letters-toggle').click();
    await page.locator(`#keypad button[data-key="${ch}"], #letters button[data-key="${ch}"]`).click();
  }
  assert.equal(await page.locator('#code').inputValue(), code, 'the code field shows the typed code');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/kiosk/redeem') && r.request().method() === 'POST');
  await page.locator('#ok').click();
  const response = await answer;
  return { status: response.status(), data: await response.json().catch(() => ({})) };
}

/** `valid_from` as the kiosk shows it: time (and date when not the kiosk's `now`) in the office's zone. */
function officeTime(iso, lang, now = new Date()) {
  const date = new Date(iso);
  const timeZone = kioskConfig.office.time_zone;
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' });
  const options = { timeZone, hour: 'numeric', minute: '2-digit' };
  if (day.format(date) !== day.format(now)) Object.assign(options, { day: 'numeric', month: 'long' });
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, options).format(date);
}

/** A valid PESEL (checksum holds) for a person born on 1990-05-14, serial `serial` (4 digits). */
function pesel(serial) {
  const digits = `900514${serial}`.split('').map(Number);
  const sum = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3].reduce((acc, w, i) => acc + w * digits[i], 0);
  return `900514${serial}${(10 - (sum % 10)) % 10}`;
}

// ---------------------------------------------------------------------------
// The flows, in order: the last one locks the kiosk.
// ---------------------------------------------------------------------------

flow('staff set the kiosk up once, and its secret is nowhere in the page source', async () => {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/kiosk.html`);
  await page.locator('#screen-setup').waitFor();
  await expectAccessible(page, 'setup screen');
  await page.locator('#setup-id').fill(KIOSK_ID);
  await page.locator('#setup-secret').fill('not-the-secret');
  await page.locator('#setup-form button[type="submit"]').click();
  await expectText(page.locator('#setup-result'), /./, 'the refusal of a wrong secret');
  assert.ok(await page.locator('#screen-setup').isVisible(), 'a wrong secret keeps the setup screen');

  await page.locator('#setup-secret').fill(KIOSK_SECRET);
  await page.locator('#setup-form button[type="submit"]').click();
  await page.locator('#screen-home').waitFor();
  const lang = officeLanguages()[0];
  assert.equal(await page.evaluate(() => document.documentElement.lang), lang, 'the office\'s first language is the default');
  await expectText(page.locator('#office-name'), new RegExp(escape(kioskConfig.office.name[lang] || kioskConfig.office.name.en || '')), 'the office name');

  for (const file of ['kiosk.html', 'kiosk.js', 'kiosk-sign.js', 'config.js']) {
    const source = await (await fetch(`${termin.base}/${file}`)).text();
    assert.ok(!source.includes(KIOSK_SECRET), `the secret is not in ${file}`);
  }
  // Set up once: a new page goes straight to the home screen.
  const again = await openKiosk();
  assert.ok(await again.locator('#screen-home').isVisible());
});

flow('the home screen and the walk-in list pass axe in every language the office offers', async () => {
  const page = await openKiosk();
  await accessibleInEveryLanguage(page, 'home', 'home.heading');
  await page.locator('#letters-toggle').click();
  assert.equal(await page.locator('#letters-toggle').getAttribute('aria-pressed'), 'true');
  await expectAccessible(page, 'home screen with letters');
  await page.locator('#letters-toggle').click();

  assert.ok(kioskConfig.walk_ins_enabled, 'the demo kiosk issues walk-in tickets');
  await page.locator('#walk-in').click();
  await page.locator('#screen-walkin').waitFor();
  const walkIns = kioskConfig.departments.flatMap((d) => d.services.filter((s) => s.walk_in));
  assert.ok(walkIns.length > 0, 'at least one walk-in service');
  assert.equal(await page.locator('#departments button[data-service]').count(), walkIns.length, 'every walk-in service is listed, nothing else');
  await accessibleInEveryLanguage(page, 'walkin', 'walkin.heading');
});

flow('a walk-in takes a ticket and sees its number, where to go and the wait', async () => {
  const page = await openKiosk();
  await page.locator('#walk-in').click();
  const walkIns = kioskConfig.departments.flatMap((d) => d.services.filter((s) => s.walk_in).map((s) => ({ ...s, department: d })));
  const service = walkIns.find((s) => s.id === BOOKED_SERVICE) || walkIns[0];
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/kiosk/walk-in') && r.request().method() === 'POST');
  await page.locator(`#departments button[data-service="${service.id}"]`).click();
  const response = await answer;
  const body = await response.json();
  assert.equal(response.status(), 201, `walk-in answered ${response.status()}: ${JSON.stringify(body)}`);
  const { ticket } = body;
  assert.equal(ticket.kind, 'walk_in');
  assert.equal(ticket.appointment, null);
  assert.match(ticket.number, /^[A-Z]{1,3}\d{3}$/, 'a walk-in number is the desk group and three digits');
  assert.ok(ticket.number.startsWith(ticket.desk_group), `${ticket.number} starts with its desk group ${ticket.desk_group}`);

  await page.locator('#screen-ticket').waitFor();
  await expectText(page.locator('#ticket-number'), new RegExp(`^${ticket.number}$`), 'the ticket number');
  assert.ok(await page.locator('#ticket-appointment-row').isHidden(), 'no appointment time on a walk-in ticket');
  await expectText(page.locator('#ticket-ahead'), new RegExp(`^${ticket.people_ahead}$`), 'people ahead');
  const wait = ticket.estimated_wait_minutes;
  await expectText(page.locator('#ticket-wait'), new RegExp(`^${wait.min}–${wait.max} `), 'the estimated wait');
  const lang = officeLanguages()[0];
  const location = service.department.location[lang] || service.department.location.en;
  if (location) await expectText(page.locator('#ticket-location'), new RegExp(`^${escape(location)}$`), 'where to go');
  await accessibleInEveryLanguage(page, 'ticket', 'ticket.heading');

  await page.locator('#screen-ticket [data-action="done"]').click();
  await page.locator('#screen-home').waitFor();
});

/** Moves the server's clock (and, for `page`, the browser context's) to `at`; `null`: back to now. */
async function setClock(at, page) {
  const response = await fetch(`${termin.base}/_local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ now: at ? new Date(at).toISOString() : null }),
  });
  assert.equal(response.status, 200, 'the local clock moves');
  if (page && at) await page.clock.setSystemTime(new Date(at));
}

flow('a person with a confirmed booking is told when to come, then gets a booked ticket by keypad alone', async () => {
  // Book the earliest free slot through the API and confirm by the email link.
  const listing = await api('GET', `/offices/${OFFICE}/services/${BOOKED_SERVICE}/slots`);
  assert.equal(listing.status, 200);
  const slot = listing.data.days.flatMap((d) => d.slots).find((s) => s.seats_left > 0);
  assert.ok(slot, 'a free slot');
  const booked = await api('POST', '/bookings', {
    office_id: OFFICE,
    service_id: BOOKED_SERVICE,
    start: slot.start,
    first_name: 'Ewa',
    last_name: 'Kiosk',
    email: 'ewa.kiosk@example.pl',
    national_id: pesel('0468'),
    phone: null,
    confirm_by: 'email',
    accept_terms: true,
    consent_data_processing: true,
    lost_document: false,
  });
  assert.equal(booked.status, 201, `booking answered ${booked.status}: ${JSON.stringify(booked.data)}`);
  const bookingId = booked.data.booking_id;
  // The hold email lands in the local mailbox (what /_local/mailbox shows).
  const token = await eventually(`the confirm email for booking ${bookingId}`, async () => {
    const sent = await (await fetch(`${termin.base}/_local/sent`)).json();
    for (const email of sent.emails) {
      const m = new RegExp(`confirm\\.html#booking=${bookingId}&token=([A-Za-z0-9_-]+)`).exec(email.text);
      if (m) return m[1];
    }
    return null;
  }, 30000);
  const confirmed = await api('POST', `/bookings/${bookingId}/confirm`, { token });
  assert.equal(confirmed.status, 200, `confirm answered ${confirmed.status}: ${JSON.stringify(confirmed.data)}`);
  const code = confirmed.data.booking.kiosk_code;
  assert.match(code, /^\d{6}$/, 'a kiosk code is six digits');

  // An hour before the visit, on its day (the earliest slot may be
  // tomorrow, and a code is looked up among the day's visits): too early,
  // and told from when. Server and kiosk clocks are moved there.
  const early = new Date(new Date(slot.start).getTime() - 60 * 60000);
  let page = await termin.context.newPage();
  await page.clock.install({ time: early });
  await setClock(early, page);
  await page.goto(`${termin.base}/kiosk.html`);
  await page.locator('#screen-home').waitFor();
  let answer = await typeOnKeypad(page, code);
  assert.equal(answer.status, 422, `redeem answered ${answer.status}: ${JSON.stringify(answer.data)}`);
  assert.equal(answer.data.error?.code, 'too_early');
  const validFrom = answer.data.error.valid_from;
  assert.match(validFrom, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:\d{2}|Z)$/, 'valid_from is RFC 3339');
  assert.equal(new Date(validFrom).getTime(), new Date(slot.start).getTime() - 30 * 60000, 'valid from 30 minutes before');
  await page.locator('#screen-error').waitFor();
  await inEveryLanguage(page, async (l) => {
    const expected = strings[l]['error.too_early.body'].replace('{time}', officeTime(validFrom, l, early));
    await expectText(page.locator('#error-body'), new RegExp(`^${escape(expected)}$`), `the too-early message in ${l}`);
    await expectAccessible(page, `too-early screen (${l})`);
  });
  await page.close();

  // Ten minutes before the visit (server and kiosk clocks moved there).
  const arrival = new Date(new Date(slot.start).getTime() - 10 * 60000);
  page = await termin.context.newPage();
  await setClock(arrival, page); // the context's clock, installed above
  try {
    await page.goto(`${termin.base}/kiosk.html`);
    await page.locator('#screen-home').waitFor();
    answer = await typeOnKeypad(page, code);
    assert.equal(answer.status, 200, `redeem answered ${answer.status}: ${JSON.stringify(answer.data)}`);
    const { ticket } = answer.data;
    assert.equal(ticket.kind, 'booked');
    assert.match(ticket.number, /^R[A-Z]{1,3}\d{3}$/, 'a booked number is R, the desk group and three digits');
    assert.equal(new Date(ticket.appointment).getTime(), new Date(slot.start).getTime());
    await page.locator('#screen-ticket').waitFor();
    await expectText(page.locator('#ticket-number'), new RegExp(`^${ticket.number}$`), 'the booked ticket number');
    await accessibleInEveryLanguage(page, 'ticket', 'ticket.heading');
    // The same code again: the same ticket, never a second one.
    const again = await api('POST', '/kiosk/redeem', { code }, { signed: true, at: arrival });
    assert.equal(again.status, 200, `again: ${again.status} ${JSON.stringify(again.data)}`);
    assert.equal(again.data.ticket.number, ticket.number);
  } finally {
    // The browser's clock belongs to the whole context: back to now for the next flows.
    await page.clock.setSystemTime(new Date());
    await setClock(null);
  }
});

flow('an unknown code typed on the on-screen keypad is refused in plain language', async () => {
  const page = await openKiosk();
  const answer = await typeOnKeypad(page, WRONG_CODES[wrongCodesUsed++]);
  assert.equal(answer.status, 404, `redeem answered ${answer.status}: ${JSON.stringify(answer.data)}`);
  assert.equal(answer.data.error?.code, 'code_unknown');
  await page.locator('#screen-error').waitFor();
  await inEveryLanguage(page, async (lang) => {
    await expectText(page.locator('#error-title'), new RegExp(`^${escape(strings[lang]['error.code_unknown.title'])}$`), `the title in ${lang}`);
    await expectText(page.locator('#error-body'), new RegExp(`^${escape(strings[lang]['error.code_unknown.body'])}$`), `the message in ${lang}`);
    await expectAccessible(page, `unknown-code screen (${lang})`);
  });
  // Announced: the alert region carries the message.
  await expectText(page.locator('#live-alert'), /./, 'the announcement');
  await page.locator('#error-back').click();
  await page.locator('#screen-home').waitFor();
  assert.equal(await page.locator('#code').inputValue(), '', 'the code field is empty again');
});

flow('after five wrong codes the kiosk is locked and says for how long', async () => {
  const page = await openKiosk();
  // The previous flow used one wrong code. Five wrong codes lock the kiosk:
  // the fifth answer or the next one is kiosk_locked (the too-early code of
  // the booked flow may count as a failure too, on the server's rules).
  let locked = null;
  while (!locked && wrongCodesUsed < 6) {
    const answer = await typeOnKeypad(page, WRONG_CODES[wrongCodesUsed++]);
    await page.locator('#screen-error').waitFor();
    if (answer.status === 429) {
      locked = answer;
      assert.ok(wrongCodesUsed >= 4, `locked after only ${wrongCodesUsed - 1} wrong codes`);
    } else {
      assert.equal(answer.data.error?.code, 'code_unknown', `wrong code ${wrongCodesUsed}: ${answer.status} ${JSON.stringify(answer.data)}`);
      await page.locator('#error-back').click();
      await page.locator('#screen-home').waitFor();
    }
  }
  assert.ok(locked, 'kiosk_locked after five wrong codes');
  assert.equal(locked.data.error?.code, 'kiosk_locked');
  const retry = locked.data.retry_after_seconds ?? locked.data.error?.retry_after_seconds;
  assert.ok(Number.isInteger(retry) && retry > 0, `retry_after_seconds ${retry}`);
  const minutes = Math.max(1, Math.ceil(retry / 60));
  await inEveryLanguage(page, async (lang) => {
    await expectText(page.locator('#error-title'), new RegExp(`^${escape(strings[lang]['error.kiosk_locked.title'])}$`), `the locked title in ${lang}`);
    await expectText(page.locator('#error-body'), new RegExp(`\\b${minutes}\\b`), `the minutes to wait in ${lang}`);
    await expectAccessible(page, `locked screen (${lang})`);
  });

  // Still locked: even a well-formed code gets the same answer.
  await page.locator('#error-back').click();
  await page.locator('#screen-home').waitFor();
  const again = await typeOnKeypad(page, WRONG_CODES[6]);
  assert.equal(again.status, 429);
});
