// A person books, confirms and cancels on the citizen pages, in headless
// Chromium against `termin-local` (DynamoDB Local, the demo offices, the API
// and web/), with the keyboard alone. axe-core checks every step of every page
// in all four languages: no violation of any impact (WCAG 2.0/2.1 A and AA).
// The booking runs by keyboard in each language (cs at Opava, with a birth
// number); the walk-up page (the QR sticker on the door) books one of
// today's times with the server's and browser's clocks moved to a working day.
// The calendar and form steps must not scroll sideways at 360 px or at 200%
// zoom; screenshots of them at 360 and 1280 px (and the README's picture,
// docs/booking-page.png) are kept in tests/browser/artifacts/screenshots/.
//
// Run by tests/run after `cargo build -p termin-local`; on its own:
//   (cd tests/browser && npm ci && node --test local-page.test.mjs)
// Knobs: TERMIN_LOCAL_BIN, CHROMIUM (see harness.mjs, which starts both). On
// failure, screenshots and the runner's log are in tests/browser/artifacts/.
//
// Every wait is on a condition with a deadline, never on the clock alone (see
// harness.mjs): the booking page is ready when its own API calls have all been
// answered and rendered (see `settled`), the mailbox when the message is on it.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UI, axeViolations, eventually, expectText, root, withTerminLocal } from './harness.mjs';

const MAILBOX = 60_000; // the stream consumer polls, then moto stores the message (ms)

const OFFICE = 'olsztyn';
const SERVICE = 'id-card-application';
// Valid PESELs (checksum holds): one person per flow.
const PERSON_LINKS = { first: 'Anna', last: 'Kowalska', email: 'anna.kowalska@example.pl', pesel: '44051401359' };
const PERSON_NATIONAL_ID = { first: 'Jan', last: 'Nowak', email: 'jan.nowak@example.pl', pesel: '02070803628', phone: '601 234 567' };
const PERSON_SLOT_TAKEN = { first: 'Ewa', last: 'Wiśniewska', email: 'ewa.w@example.pl', pesel: '85010112345' };
const PERSON_FIRST = { first: 'Olga', last: 'Zielińska', email: 'olga.z@example.pl', pesel: '90090515836' };
const PERSON_EN = { first: 'Mary', last: 'Smith', email: 'mary.smith@example.com', pesel: '85010112345' };
const PERSON_LAYOUT = { first: 'Piotr', last: 'Lewandowski', email: 'piotr.l@example.pl', pesel: '44051401359' };
// Opava asks for a birth number (rodné číslo): ten digits divisible by 11.
const PERSON_WALK_UP = { first: 'Marek', last: 'Wójcik', email: 'marek.w@example.pl', pesel: '72031501234' };
const PERSON_CS = { first: 'Jana', last: 'Nováková', email: 'jana.novakova@example.cz', rodne_cislo: '855101/0006' };

const LANGUAGES = ['pl', 'cs', 'en', 'uk'];
/** The pages' own strings, so the test finds things by what a person reads. */
const L = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(root, 'web/i18n', `${l}.json`), 'utf8'))]));
const WCAG = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };
/** What the booking flow loads (one language file of four): at most 100 KB. */
const BOOKING_FLOW_FILES = ['index.html', 'style.css', 'config.js', 'termin.js', 'book.js', 'steps.js', 'i18n/pl.json'];

const termin = withTerminLocal({
  table: 'termin-browser-test',
  artifacts: 'artifacts',
  setUp: ({ context }) => context.addInitScript(countApiCalls),
});
const { flow } = termin;
const SCREENSHOTS = path.join(root, 'tests/browser/artifacts/screenshots');

// ---------------------------------------------------------------------------
// The local mailbox. Every read of it goes through this one function, so that
// when the mailbox changes (real emails and SMS from a local SES/SNS emulator)
// only this function changes.
//
// Today: the "Local mailbox" table on index.html, fed by /_local/outbox, one
// row per message (newest first) with the booking id and "confirm" / "cancel"
// links, and the SMS code as "(code XXXXXX)".
//
// kind: 'confirm' | 'cancel' -> an absolute URL; 'code' -> the SMS code.
// Returns what the newest message for the booking carries; waits for it.
// ---------------------------------------------------------------------------
async function mailbox(bookingId, kind) {
  // The local mailbox page lists what the notify function sent through the
  // local SES/SNS stand-in; links carry the booking id, the hold email also the code.
  const page = await termin.context.newPage();
  try {
    await page.goto(`${termin.base}/_local/mailbox`);
    const target = kind === 'cancel' ? 'cancel.html' : 'confirm.html';
    return await eventually(`a "${kind}" message for booking ${bookingId} in the local mailbox`, async () => {
      const sent = page.waitForResponse((r) => new URL(r.url()).pathname === '/_local/sent');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await (await sent).finished();
      // The page re-renders on a timer too, newest first, so the emails are
      // read in one go inside the page: a link and a code from two different
      // emails cannot be mixed up. Not rendered yet: null, and the next round.
      const found = await page.evaluate(({ bookingId, target, kind }) => {
        for (const email of document.querySelectorAll('article.email')) {
          const link = email.querySelector(`a[href*="${target}#booking=${bookingId}"]`);
          if (!link) continue;
          if (kind === 'code') {
            const m = /\b([3479ACEFHJKMNPRTWXY]{6})\b/.exec(email.querySelector('pre').textContent);
            if (m) return m[1];
          } else {
            return link.getAttribute('href');
          }
        }
        return null;
      }, { bookingId, target, kind });
      if (!found || kind === 'code') return found;
      return new URL(found, termin.base).href;
    }, MAILBOX);
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** axe-core on the page as it is: no WCAG 2.0/2.1 A or AA violation at all. */
async function expectAccessible(page, name) {
  await settled(page);
  const violations = await axeViolations(page, name, WCAG);
  assert.deepEqual(violations.map((v) => `${v.impact} ${v.id}`), [], `axe found problems on the ${name}`);
}

/** Switches the page's language with the keyboard and waits for it. */
async function switchLanguage(page, l) {
  await page.locator(`#languages button[lang="${l}"]`).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((want) => document.documentElement.lang === want, l, { timeout: UI });
  await eventually(`the page in ${l}`, async () => (await page.locator('#languages button[aria-pressed=true]').getAttribute('lang')) === l);
}

/** axe in each language, ending in `last` (which stays chosen). */
async function expectAccessibleInEveryLanguage(page, name, last = 'pl') {
  for (const l of [...LANGUAGES.filter((x) => x !== last), last]) {
    await switchLanguage(page, l);
    await expectAccessible(page, `${name} (${l})`);
  }
}

async function api(pathAndQuery, init) {
  const response = await fetch(`${termin.base}/api${pathAndQuery}`, { signal: AbortSignal.timeout(UI), ...init });
  return { status: response.status, body: await response.json() };
}

async function freeDays(service = SERVICE, office = OFFICE) {
  const { body } = await api(`/offices/${office}/services/${service}/slots`);
  return body.days.filter((d) => d.slots.length > 0);
}

/** The free times of `day` for a walk-up booking, as the API lists them at the server's clock. */
async function walkUpSlots(day, service = SERVICE, office = OFFICE) {
  const { status, body } = await api(`/offices/${office}/services/${service}/slots?from=${day}&to=${day}&walk_up=true`);
  assert.equal(status, 200, `walk-up slots answered ${status}: ${JSON.stringify(body)}`);
  return body.days.filter((d) => d.date === day).flatMap((d) => d.slots).filter((s) => s.seats_left > 0);
}

/** Moves the server's clock (and the browser context's, through `page`) to `at`; `null`: back to now. */
async function setClock(at, page) {
  const response = await fetch(`${termin.base}/_local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ now: at ? new Date(at).toISOString() : null }),
  });
  assert.equal(response.status, 200, 'the local clock moves');
  if (page) await page.clock.setSystemTime(at ? new Date(at) : new Date());
}

/** Seats left at `start` according to the API (0 when the slot is not listed as free). */
async function seatsLeftViaApi(start, service = SERVICE, office = OFFICE) {
  const date = start.slice(0, 10);
  const { body } = await api(`/offices/${office}/services/${service}/slots?from=${date}&to=${date}`);
  const slot = body.days.flatMap((d) => d.slots).find((s) => s.start === start);
  return slot ? slot.seats_left : 0;
}

/**
 * Counts the page's API calls not yet done with, for `settled`. web/termin.js
 * makes every call as fetch, then response.json(), and the caller renders the
 * answer right after; the count drops when the body has been parsed, and the
 * caller's rendering (or its next call, which counts again) runs in the same
 * microtask checkpoint, before a poll in the page can see 0.
 */
function countApiCalls() {
  window.__terminApiCalls = 0;
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input), window.location.href);
    if (!url.pathname.startsWith('/api/')) return realFetch(input, init);
    window.__terminApiCalls += 1;
    return realFetch(input, init).then((response) => {
      const json = response.json.bind(response);
      response.json = () => json().finally(() => { window.__terminApiCalls -= 1; });
      return response;
    }, (error) => {
      window.__terminApiCalls -= 1;
      throw error;
    });
  };
}

/** Waits until the page has no API call in flight and has rendered every answer. */
async function settled(page) {
  await page.waitForFunction(() => window.__terminApiCalls === 0, null, { timeout: UI });
}

/** Focuses what `locator` finds and presses `key`: the keyboard, never the mouse. */
async function press(locator, key) {
  await locator.focus();
  await locator.page().keyboard.press(key);
}

/** Types into a field from the keyboard. */
async function type(page, locator, text) {
  await locator.focus();
  await page.keyboard.type(text);
}

/**
 * Chooses office, department and matter on the booking page by keyboard, in
 * language `l`, and goes on to the calendar.
 */
async function chooseMatter(page, l, service = SERVICE, office = OFFICE) {
  await page.goto(`${termin.base}/`);
  await page.locator(`#office option[value="${office}"]`).waitFor({ state: 'attached' });
  await settled(page);
  await page.locator('#office').focus();
  await page.locator('#office').selectOption(office); // a select takes its choice from the keyboard in place
  await settled(page);
  const catalog = (await api(`/offices/${office}`)).body;
  const department = catalog.departments.find((d) => d.services.some((s) => s.id === service));
  const matter = department.services.find((s) => s.id === service);
  const name = (t) => t[l] || t.pl || t.en;
  await press(page.getByRole('radio', { name: name(department.name), exact: true }), 'Space');
  await press(page.getByRole('radio', { name: name(matter.name), exact: true }), 'Space');
  await expectText(page.locator('#matter-info'), new RegExp(L[l]['matter.visit'].replace('{minutes}', String(matter.visit_minutes))), 'the matter description');
  return { catalog, matter };
}

/**
 * In the calendar, walks with the arrow keys from the focused day to `date`,
 * chooses it with Enter, and picks the time `start` with the arrow keys.
 */
async function chooseSlotByKeyboard(page, date, start) {
  await press(page.locator('#to-when'), 'Enter');
  await settled(page);
  const cell = page.locator('#calendar td[tabindex="0"]');
  await cell.focus();
  const from = await cell.getAttribute('data-day');
  const steps = Math.round((Date.parse(date) - Date.parse(from)) / 86_400_000);
  assert.ok(steps >= 0, `the calendar starts at ${from}, before ${date}`);
  for (let i = 0; i < steps; i += 1) await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.day), date, 'the arrow keys reach the day');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator(`#calendar td[data-day="${date}"]`).getAttribute('aria-selected'), 'true');
  const radios = page.locator('#hours input[type=radio]');
  const values = await radios.evaluateAll((rs) => rs.map((r) => r.value));
  const index = values.indexOf(start);
  assert.ok(index >= 0, `${start} is offered on ${date}: ${values.join(', ')}`);
  await press(radios.first(), 'Space');
  for (let i = 0; i < index; i += 1) await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#hours input:checked').getAttribute('value'), start);
}

/** Fills the details form by keyboard (opening it from the calendar unless it is open) and goes on to the summary. */
async function fillDetails(page, l, person, confirmBy, open = true) {
  if (open) await press(page.locator('#to-who'), 'Enter');
  await type(page, page.getByLabel(L[l]['who.first_name'], { exact: true }), person.first);
  await type(page, page.getByLabel(L[l]['who.last_name'], { exact: true }), person.last);
  await type(page, page.getByLabel(L[l]['who.email'], { exact: true }), person.email);
  if (person.rodne_cislo) await type(page, page.getByLabel(L[l]['who.rodne_cislo'], { exact: true }), person.rodne_cislo);
  else await type(page, page.getByLabel(L[l]['who.pesel'], { exact: true }), person.pesel);
  if (person.phone) await type(page, page.getByLabel(L[l]['who.phone'], { exact: true }), person.phone);
  if (confirmBy === 'sms') await press(page.getByRole('radio', { name: L[l]['who.confirm_sms'] }), 'Space');
  await press(page.getByRole('checkbox', { name: L[l]['who.accept_terms'] }), 'Space');
  await press(page.getByRole('checkbox', { name: L[l]['who.consent'] }), 'Space');
  await press(page.getByLabel(L[l]['who.email'], { exact: true }), 'Enter'); // submits the form
  await expectText(page.locator('#check-h'), new RegExp(`^${L[l]['check.heading']}$`), 'the summary step');
}

/** A page's string as a regular expression that matches it literally. */
const literally = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Fails unless the page scrolls only up and down: nothing wider than the
 * window (WCAG 1.4.10 reflow).
 */
async function expectNoSidewaysScroll(page, what) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth }));
  assert.ok(scrollWidth <= innerWidth, `${what}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`);
}

/** Keeps a screenshot of the whole page (or of `clip`) as a test artifact. */
async function screenshot(page, name, clip) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, name), ...(clip ? { clip } : { fullPage: true }) });
}

/** Presses "Book" on the summary and returns the request body and the API's answer. */
async function bookOnSummary(page, expectStatus = 201) {
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/bookings') && r.request().method() === 'POST');
  await press(page.locator('#book'), 'Enter');
  const response = await answer;
  const body = await response.json();
  assert.equal(response.status(), expectStatus, `booking answered ${response.status()}: ${JSON.stringify(body)}`);
  return { sent: JSON.parse(response.request().postData()), body };
}

// ---------------------------------------------------------------------------
// The flows
// ---------------------------------------------------------------------------

flow('the booking flow (HTML, CSS, JS and one language file) weighs at most 100 KB', async () => {
  const sizes = BOOKING_FLOW_FILES.map((f) => [f, fs.statSync(path.join(root, 'web', f)).size]);
  const total = sizes.reduce((a, [, n]) => a + n, 0);
  console.log(`page weight of the booking flow: ${(total / 1024).toFixed(1)} KB (${sizes.map(([f, n]) => `${f} ${n}`).join(', ')})`);
  assert.ok(total <= 100 * 1024, `the booking flow weighs ${total} bytes`);
});

flow('the calendar and form steps fit a 360 px phone and a 1280 px window at 200% zoom without sideways scrolling; screenshots at 360 and 1280 px', async () => {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/`);
  await switchLanguage(page, 'pl');
  const day = (await freeDays())[5];
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 960 });
    await chooseMatter(page, 'pl');
    await chooseSlotByKeyboard(page, day.date, day.slots[0].start);
    await expectNoSidewaysScroll(page, `the calendar step at ${width} px`);
    await screenshot(page, `booking-calendar-${width}.png`);
    if (width === 1280) {
      // The README's picture (docs/booking-page.png is a copy of it).
      await screenshot(page, 'booking-page.png', { x: 0, y: 0, width: 1280, height: 960 });
      // 200% zoom of a 1280 px window: the page laid out in 640 CSS px.
      await page.evaluate(() => { document.body.style.zoom = '2'; });
      await expectNoSidewaysScroll(page, 'the calendar step at 200% zoom');
      await page.evaluate(() => { document.body.style.zoom = ''; });
    }
    await press(page.locator('#to-who'), 'Enter');
    await expectText(page.locator('#who-h'), new RegExp(`^${literally(L.pl['who.heading'])}$`), 'the form step');
    await expectNoSidewaysScroll(page, `the form step at ${width} px`);
    await screenshot(page, `booking-form-${width}.png`);
    if (width === 1280) {
      await page.evaluate(() => { document.body.style.zoom = '2'; });
      await expectNoSidewaysScroll(page, 'the form step at 200% zoom');
      await page.evaluate(() => { document.body.style.zoom = ''; });
    }
  }
  // Also as a browser zooms: a 640 px viewport is a 1280 px window at 200%, media queries included.
  await page.setViewportSize({ width: 640, height: 450 });
  await expectNoSidewaysScroll(page, 'the form step at 640 CSS px');
  await press(page.locator('#back-when'), 'Enter');
  await expectNoSidewaysScroll(page, 'the calendar step at 640 CSS px');
});

flow('a person books by keyboard in Polish, confirms by the email link and cancels by the cancel link; every step passes axe in four languages', async () => {
  const page = await termin.context.newPage();
  await chooseMatter(page, 'pl');
  await expectAccessibleInEveryLanguage(page, 'booking page: matter');

  const day = (await freeDays())[2];
  const slot = day.slots[Math.floor(day.slots.length / 2)];
  await chooseSlotByKeyboard(page, day.date, slot.start);
  await expectAccessibleInEveryLanguage(page, 'booking page: calendar');
  await fillDetails(page, 'pl', PERSON_LINKS, 'email');
  await expectAccessibleInEveryLanguage(page, 'booking page: summary');

  const { sent, body: booking } = await bookOnSummary(page);
  assert.equal(sent.language, 'pl', 'the language goes with the booking');
  assert.match(booking.booking_id, /^[0-9A-Z]{26}$/);
  await expectText(page.locator('#sent-info'), new RegExp(booking.public_ref), 'the check-your-email step');
  await expectText(page.locator('#sent-info .expiry'), /\d{1,2}:\d{2}/, 'the hold expiry time');
  assert.equal(await seatsLeftViaApi(booking.start), slot.seats_left - 1, 'the hold takes a seat');
  await expectAccessibleInEveryLanguage(page, 'booking page: check your email');

  await page.goto(await mailbox(booking.booking_id, 'confirm'));
  await expectText(page.locator('h1'), new RegExp(`^${L.pl['confirm.title']}$`), 'the confirm page');
  await expectAccessibleInEveryLanguage(page, 'confirm page');
  await press(page.getByRole('button', { name: L.pl['btn.confirm'], exact: true }), 'Enter');
  await expectText(page.locator('#visit .kiosk-code'), /\d{6}$/, 'the kiosk code');
  await expectText(page.locator('#visit'), new RegExp(booking.public_ref), 'the visit');
  await expectAccessibleInEveryLanguage(page, 'confirm page after confirming');
  assert.equal(await seatsLeftViaApi(booking.start), slot.seats_left - 1, 'the confirmed booking keeps its seat');

  await page.goto(await mailbox(booking.booking_id, 'cancel'));
  await expectText(page.locator('h1'), new RegExp(`^${L.pl['manage.title']}$`), 'the manage page');
  await expectText(page.locator('#visit'), new RegExp(`${booking.public_ref}\\.$`), 'the visit the link cancels, before cancelling');
  await expectAccessibleInEveryLanguage(page, 'manage page');
  await press(page.getByRole('button', { name: L.pl['btn.cancel_booking'] }), 'Enter');
  await expectText(page.locator('#result'), new RegExp(`^${L.pl['manage.cancelled']}`), 'the cancel result');
  await expectAccessibleInEveryLanguage(page, 'manage page after cancelling');
  assert.equal(await seatsLeftViaApi(booking.start), slot.seats_left, 'the seat is free again');
});

flow('a person books in Ukrainian, types the SMS code on the page, asks to cancel with the PESEL and cancels by the emailed link', async () => {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/`);
  await switchLanguage(page, 'uk');
  await chooseMatter(page, 'uk');
  const day = (await freeDays())[3];
  const slot = day.slots[1];
  await chooseSlotByKeyboard(page, day.date, slot.start);
  await fillDetails(page, 'uk', PERSON_NATIONAL_ID, 'sms');
  const { sent, body: booking } = await bookOnSummary(page);
  assert.equal(sent.language, 'uk', 'the chosen language goes with the booking');
  assert.equal(sent.confirm_by, 'sms');

  const code = await mailbox(booking.booking_id, 'code');
  await type(page, page.getByLabel(L.uk['sent.code'], { exact: true }), code);
  await page.keyboard.press('Enter');
  await expectText(page.locator('#confirm-result .kiosk-code-sent'), new RegExp(`^${L.uk['done.kiosk_code_sent']}$`), 'the kiosk code is sent, not shown, after the SMS code');
  await expectAccessible(page, 'booking page after the SMS code (uk)');

  await page.goto(`${termin.base}/cancel-id.html?office=${OFFICE}`);
  await settled(page);
  await expectText(page.locator('h1'), new RegExp(`^${L.uk['byid.title']}$`), 'the cancel-by-ID page');
  await page.locator('#service').selectOption(SERVICE);
  // A date field's keyboard order follows the browser's locale, not the page's: filled.
  await page.getByLabel(L.uk['byid.date']).fill(day.date);
  await type(page, page.getByLabel(L.uk['who.pesel'], { exact: true }), PERSON_NATIONAL_ID.pesel);
  await press(page.getByRole('button', { name: L.uk['btn.cancel_by_id'] }), 'Enter');
  // A national ID proves nothing: the answer only says a link went to the booking's email.
  const sentAnswer = new RegExp('^' + L.uk['byid.sent'].replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  await expectText(page.locator('#result'), sentAnswer, 'the cancel-by-ID answer');
  assert.equal(await seatsLeftViaApi(booking.start), slot.seats_left - 1, 'nothing is cancelled before the link is used');
  await expectAccessibleInEveryLanguage(page, 'cancel-by-ID page', 'uk');

  await page.goto(await mailbox(booking.booking_id, 'cancel'));
  await expectText(page.locator('h1'), new RegExp(`^${L.uk['manage.title']}$`), 'the manage page from the cancel link');
  await press(page.getByRole('button', { name: L.uk['btn.cancel_booking'] }), 'Enter');
  await expectText(page.locator('#result'), new RegExp(`^${L.uk['manage.cancelled']}`), 'the cancel result');
  assert.equal(await seatsLeftViaApi(booking.start), slot.seats_left, 'the seat is free again');
});

flow('when the last seat is taken from another browser first, the page says so and offers the next free times', async () => {
  const service = 'driving-licence'; // one desk: one seat per time
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/`);
  await switchLanguage(page, 'en');
  await chooseMatter(page, 'en', service);
  const day = (await freeDays(service))[2];
  const slot = day.slots[2];
  assert.equal(slot.seats_left, 1);
  await chooseSlotByKeyboard(page, day.date, slot.start);
  await fillDetails(page, 'en', PERSON_SLOT_TAKEN, 'email');

  const other = await api('/bookings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ office_id: OFFICE, service_id: service, start: slot.start, first_name: PERSON_FIRST.first, last_name: PERSON_FIRST.last,
      email: PERSON_FIRST.email, national_id: PERSON_FIRST.pesel, confirm_by: 'email', language: 'pl', accept_terms: true, consent_data_processing: true }),
  });
  assert.equal(other.status, 201, JSON.stringify(other.body));

  await bookOnSummary(page, 409);
  await expectText(page.locator('#book-result'), new RegExp(`^${L.en['error.slot_full']}`), 'the slot-taken message');
  await expectAccessible(page, 'booking page: slot taken (en)');
  const offered = page.locator('#book-result .next-free button');
  assert.ok(await offered.count() > 0, 'next free times are offered');
  await press(offered.first(), 'Enter');
  const { body: booking } = await bookOnSummary(page);
  assert.notEqual(booking.start, slot.start);
  await expectText(page.locator('#sent-info'), new RegExp(booking.public_ref), 'the check-your-email step');
});

flow('a person books a named clerk by keyboard at Mielec: only the clerk\'s free times are offered, and the summary and the confirmed visit name the clerk; the choice passes axe in four languages', async () => {
  const office = 'mielec';
  const service = 'vehicle-registration';
  const clerk = { id: 'anna-nowicka', name: 'Anna Nowicka' };
  const clerkSlots = async () => (await api(`/offices/${office}/services/${service}/slots?clerk=${clerk.id}`)).body.days.filter((d) => d.slots.length > 1);
  const day = (await clerkSlots())[0];
  assert.ok(day, 'Anna has free times in the booking window');
  // Someone else books Anna's first time that day through the API: the
  // department still has desks then, Anna has not.
  const taken = day.slots[0];
  const other = await api('/bookings', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ office_id: office, service_id: service, start: taken.start, first_name: PERSON_SLOT_TAKEN.first, last_name: PERSON_SLOT_TAKEN.last,
      email: PERSON_SLOT_TAKEN.email, national_id: PERSON_SLOT_TAKEN.pesel, confirm_by: 'email', language: 'pl', accept_terms: true, consent_data_processing: true, clerk_id: clerk.id }),
  });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  assert.ok(await seatsLeftViaApi(taken.start, service, office) > 0, 'the department still has a desk at that time');

  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/`);
  await switchLanguage(page, 'pl');
  await chooseMatter(page, 'pl', service, office);
  const anyClerk = page.getByRole('radio', { name: L.pl['where.clerk_any'], exact: true });
  assert.equal(await anyClerk.isChecked(), true, 'any clerk unless one is chosen');
  await expectAccessibleInEveryLanguage(page, 'booking page: named clerks');
  await press(page.getByRole('radio', { name: clerk.name, exact: true }), 'Space');
  assert.equal(await page.getByRole('radio', { name: clerk.name, exact: true }).isChecked(), true);

  const slot = day.slots[1];
  const listed = page.waitForResponse((r) => r.url().includes(`/slots?clerk=${clerk.id}`));
  await chooseSlotByKeyboard(page, day.date, slot.start);
  assert.equal((await listed).status(), 200, 'the page asks for the clerk\'s free times');
  const offered = await page.locator('#hours input[type=radio]').evaluateAll((rs) => rs.map((r) => r.value));
  assert.ok(!offered.includes(taken.start), `Anna's taken time ${taken.start} is not offered: ${offered.join(', ')}`);
  await expectAccessible(page, 'booking page: the clerk\'s calendar (pl)');

  await fillDetails(page, 'pl', PERSON_LAYOUT, 'email');
  await expectText(page.locator('#summary'), new RegExp(`${L.pl['check.clerk']}${clerk.name}`), 'the clerk on the summary');
  const { sent, body: booking } = await bookOnSummary(page);
  assert.equal(sent.clerk_id, clerk.id, 'the clerk goes with the booking');
  assert.deepEqual(booking.clerk, clerk);
  const still = (await api(`/offices/${office}/services/${service}/slots?clerk=${clerk.id}&from=${day.date}&to=${day.date}`)).body;
  assert.ok(!still.days.flatMap((d) => d.slots).some((s) => s.start === slot.start), 'the time is Anna\'s no more');

  await page.goto(await mailbox(booking.booking_id, 'confirm'));
  await press(page.getByRole('button', { name: L.pl['btn.confirm'], exact: true }), 'Enter');
  await expectText(page.locator('#visit'), new RegExp(`${L.pl['done.clerk']}${clerk.name}`), 'the clerk on the confirmed visit');
  await expectAccessible(page, 'confirm page with a named clerk (pl)');
});

// The full keyboard booking in the other two languages (Polish and Ukrainian
// are above): Czech at Opava, whose form asks for a birth number, and English
// at Olsztyn; each confirmed by the email link and cancelled by the cancel link.
for (const { l, office, service, person, dayIndex } of [
  { l: 'cs', office: 'opava', service: 'id-card', person: PERSON_CS, dayIndex: 1 },
  { l: 'en', office: OFFICE, service: SERVICE, person: PERSON_EN, dayIndex: 4 },
]) {
  flow(`a person books by keyboard in ${l} at ${office}, confirms by the email link and cancels by the cancel link`, async () => {
    const page = await termin.context.newPage();
    await page.goto(`${termin.base}/`);
    await switchLanguage(page, l);
    await chooseMatter(page, l, service, office);
    const day = (await freeDays(service, office))[dayIndex];
    const slot = day.slots[0];
    await chooseSlotByKeyboard(page, day.date, slot.start);
    await fillDetails(page, l, person, 'email');
    const { sent, body: booking } = await bookOnSummary(page);
    assert.equal(sent.language, l, 'the chosen language goes with the booking');
    assert.equal(sent.office_id, office);
    await expectText(page.locator('#sent-info'), new RegExp(booking.public_ref), 'the check-your-email step');
    assert.equal(await seatsLeftViaApi(booking.start, service, office), slot.seats_left - 1, 'the hold takes a seat');

    await page.goto(await mailbox(booking.booking_id, 'confirm'));
    await expectText(page.locator('h1'), new RegExp(`^${literally(L[l]['confirm.title'])}$`), 'the confirm page');
    await press(page.getByRole('button', { name: L[l]['btn.confirm'], exact: true }), 'Enter');
    await expectText(page.locator('#visit .kiosk-code'), /\d{6}$/, 'the kiosk code');

    await page.goto(await mailbox(booking.booking_id, 'cancel'));
    await expectText(page.locator('h1'), new RegExp(`^${literally(L[l]['manage.title'])}$`), 'the manage page');
    await press(page.getByRole('button', { name: L[l]['btn.cancel_booking'] }), 'Enter');
    await expectText(page.locator('#result'), new RegExp(`^${literally(L[l]['manage.cancelled'])}`), 'the cancel result');
    assert.equal(await seatsLeftViaApi(booking.start, service, office), slot.seats_left, 'the seat is free again');
  });
}

flow('the walk-up page lists today\'s free times with the walk-up notice, office language first, passes axe in four languages, fits 360 px, and books one by keyboard', async () => {
  const catalog = (await api(`/offices/${OFFICE}`)).body;
  const department = catalog.departments.find((d) => d.services.some((s) => s.id === SERVICE));
  assert.equal(typeof department.walk_up_notice_minutes, 'number',
    `GET /api/offices/${OFFICE} gives no walk_up_notice_minutes for ${department.id}: termin-local lacks the walk-up API`);
  assert.ok(department.walk_up_notice_minutes < department.min_notice_minutes, 'the walk-up notice is the shorter one');
  // "Today" is a working day ahead, an hour after its first free time (server
  // and browser clocks moved there): the online notice hides the next hour,
  // the walk-up notice does not.
  const day = (await freeDays())[8];
  const arrival = new Date(Date.parse(day.slots[0].start) + 62 * 60_000);
  const page = await termin.context.newPage();
  await page.clock.install({ time: arrival });
  await setClock(arrival, page);
  try {
    const slots = await walkUpSlots(day.date);
    assert.ok(slots.length > 0, `walk-up times on ${day.date}`);
    const soonest = slots[0];
    assert.ok(Date.parse(soonest.start) >= arrival.getTime() + department.walk_up_notice_minutes * 60_000, 'no walk-up time inside the walk-up notice');
    assert.ok(Date.parse(soonest.start) < arrival.getTime() + department.min_notice_minutes * 60_000,
      `the soonest walk-up time ${soonest.start} is sooner than the online notice allows at ${arrival.toISOString()}`);

    await page.goto(`${termin.base}/walk-up.html?office=${OFFICE}`);
    const matter = page.locator('.walk-up-matter', { has: page.locator(`#matter-${SERVICE}`) });
    await matter.locator('.soonest button').waitFor();
    await settled(page);
    assert.equal(await page.locator('#languages button').first().getAttribute('lang'), 'pl', "the office's language comes first");
    const offered = await matter.locator('button[data-start]').evaluateAll((bs) => bs.map((b) => b.dataset.start));
    assert.deepEqual(offered, slots.map((s) => s.start), 'the page offers exactly today\'s walk-up times, soonest first');
    await expectAccessibleInEveryLanguage(page, 'walk-up page');

    await page.setViewportSize({ width: 360, height: 800 });
    await expectNoSidewaysScroll(page, 'the walk-up page at 360 px');
    await screenshot(page, 'walk-up-360.png');
    await page.setViewportSize({ width: 1280, height: 960 });

    await press(matter.locator('.soonest button'), 'Enter');
    await expectText(page.locator('#who-h'), new RegExp(`^${literally(L.pl['who.heading'])}$`), 'the form step');
    await expectAccessible(page, 'walk-up page: form (pl)');
    await fillDetails(page, 'pl', PERSON_WALK_UP, 'email', false);
    const { sent, body: booking } = await bookOnSummary(page);
    assert.equal(sent.walk_up, true, 'the booking is sent as a walk-up booking');
    assert.equal(sent.start, soonest.start);
    assert.equal(sent.language, 'pl');
    await expectText(page.locator('#sent-info'), new RegExp(booking.public_ref), 'the check-your-email step');
    await expectAccessible(page, 'walk-up page: check your email (pl)');
    const left = (await walkUpSlots(day.date)).find((s) => s.start === soonest.start);
    assert.equal(left ? left.seats_left : 0, soonest.seats_left - 1, 'the hold takes a seat');

    // Opava's page comes in Czech first.
    await page.goto(`${termin.base}/walk-up.html?office=opava`);
    await page.locator('#today h3').first().waitFor();
    assert.equal(await page.locator('#languages button').first().getAttribute('lang'), 'cs', "the office's language comes first");
  } finally {
    // The browser's clock belongs to the whole context: back to now for the next flows.
    await setClock(null, page);
  }
});
