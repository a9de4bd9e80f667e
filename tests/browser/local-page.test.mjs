// A person books, confirms and cancels on the local page, in headless Chromium
// against `termin-local` (DynamoDB Local, the demo offices, the API and web/).
// axe-core checks the index, confirm and cancel pages on the way.
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
import { UI, axeViolations, eventually, expectText, withTerminLocal } from './harness.mjs';

const MAILBOX = 60_000; // the stream consumer polls, then moto stores the message (ms)

const OFFICE = 'olsztyn';
const SERVICE = 'id-card-application';
// Valid PESELs (checksum holds): one person per flow.
const PERSON_LINKS = { first: 'Anna', last: 'Kowalska', email: 'anna.kowalska@example.pl', pesel: '44051401359' };
const PERSON_NATIONAL_ID = { first: 'Jan', last: 'Nowak', email: 'jan.nowak@example.pl', pesel: '02070803628', phone: '601 234 567' };

const termin = withTerminLocal({
  table: 'termin-browser-test',
  artifacts: 'artifacts',
  setUp: ({ context }) => context.addInitScript(countApiCalls),
});
const { flow } = termin;

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
          const link = email.querySelector(`a[href*="${target}?booking=${bookingId}"]`);
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

/** axe-core on the page as it is; fails on any serious or critical violation. */
async function expectAccessible(page, name) {
  await settled(page);
  const violations = await axeViolations(page, name);
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(blocking.map((v) => `${v.impact} ${v.id}`), [], `axe found serious or critical problems on the ${name}`);
}

async function api(pathAndQuery) {
  const response = await fetch(`${termin.base}/api${pathAndQuery}`, { signal: AbortSignal.timeout(UI) });
  assert.equal(response.status, 200, `GET ${pathAndQuery}`);
  return response.json();
}

/** Seats left at `start` according to the API (0 when the slot is not listed as free). */
async function seatsLeftViaApi(date, start) {
  const listing = await api(`/offices/${OFFICE}/services/${SERVICE}/slots?from=${date}&to=${date}`);
  const slot = listing.days.flatMap((d) => d.slots).find((s) => s.start === start);
  return slot ? slot.seats_left : 0;
}

/**
 * Counts the page's API calls not yet done with, for `settled`. web/api.js
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

/**
 * Waits until the page has no API call in flight and has rendered every answer.
 * The booking page chains calls (offices, then the office, then the slots) and
 * renders the slots of every call it makes, so changing a select while a chain
 * runs would list the days twice; each change therefore waits for this first.
 */
async function settled(page) {
  await page.waitForFunction(() => window.__terminApiCalls === 0, null, { timeout: UI });
}

/** Opens the booking page with the office and the matter chosen, and waits for the free times. */
async function openBookingPage(page) {
  await page.goto(`${termin.base}/`);
  await page.locator(`#office option[value="${OFFICE}"]`).waitFor({ state: 'attached' });
  await settled(page);
  await page.getByLabel('Office').selectOption(OFFICE);
  await settled(page);
  await page.getByLabel('Matter').selectOption(SERVICE);
  await settled(page);
  await page.locator('#days .slots button').first().waitFor();
  await expectText(page.locator('#service-info'), /Visit: 15 min/, 'the matter description');
  const dates = await page.locator('#days h3').allTextContents();
  assert.equal(new Set(dates).size, dates.length, `each day is listed once: ${dates.join(', ')}`);
}

/**
 * A free time well inside the booking window: on the third listed day, so
 * neither today nor the first bookable day, whatever the hour (the minimum
 * notice cannot take it away, nor can the date turning over at midnight while
 * the test runs); and from the middle of that day, not its first or last time.
 */
async function aFreeSlot(page) {
  const days = page.locator('#days h3');
  assert.ok((await days.count()) >= 3, 'at least three days with free times are listed');
  const date = (await days.nth(2).textContent()).trim();
  const buttons = days.nth(2).locator('xpath=following-sibling::div[1]').locator('button');
  const count = await buttons.count();
  assert.ok(count > 0, `free times listed on ${date}`);
  const button = buttons.nth(Math.floor(count / 2));
  const label = await button.getAttribute('aria-label');
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}), (\d+) seats left$/.exec(label);
  assert.ok(m, `slot label ${label}`);
  assert.equal(m[1], date);
  return { date, time: m[2], seats: Number(m[3]) };
}

/** Presses "Cancel my booking for the chosen matter" and waits for the API's answer. */
async function cancelByNationalId(page) {
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/bookings/cancel') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Cancel my booking for the chosen matter' }).click();
  await answer;
}

function slotButton(page, slot) {
  return page.locator(`#days .slots button[aria-label^="${slot.date} ${slot.time},"]`);
}

async function expectSeatsOnPage(page, slot, seats) {
  await expectText(slotButton(page, slot), new RegExp(`^${slot.time} \\(${seats}\\)$`), `seats left at ${slot.date} ${slot.time}`);
}

/** Fills the form for `person`, books the chosen slot, and returns the API's answer. */
async function book(page, person, confirmBy) {
  await page.getByLabel('First name').fill(person.first);
  await page.getByLabel('Last name').fill(person.last);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('PESEL / rodné číslo').first().fill(person.pesel);
  if (person.phone) await page.getByLabel('Phone (optional)').fill(person.phone);
  await page.getByLabel('Confirm by').selectOption(confirmBy);
  await page.getByLabel('I accept the terms').check();
  await page.getByLabel('I consent to the processing of my data for this booking').check();
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/bookings') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Book', exact: true }).click();
  const response = await answer;
  const body = await response.json();
  assert.equal(response.status(), 201, `booking answered ${response.status()}: ${JSON.stringify(body)}`);
  assert.match(body.booking_id, /^[0-9A-Z]{26}$/);
  await expectText(page.locator('#result'), new RegExp(`^Booked, reference ${body.public_ref}\\.`), 'the booking result');
  return body;
}

// ---------------------------------------------------------------------------
// The flows
// ---------------------------------------------------------------------------

flow('a person books, confirms by the email link and cancels by the cancel link, and the time is free again', async () => {
  const page = await termin.context.newPage();
  await openBookingPage(page);
  await expectAccessible(page, 'booking page');

  const slot = await aFreeSlot(page);
  assert.ok(slot.seats > 0);
  await slotButton(page, slot).click();
  assert.equal(await slotButton(page, slot).getAttribute('aria-pressed'), 'true');
  const booking = await book(page, PERSON_LINKS, 'email');
  await expectSeatsOnPage(page, slot, slot.seats - 1);
  assert.equal(await seatsLeftViaApi(slot.date, booking.start), slot.seats - 1, 'the hold takes a seat');
  await expectText(page.locator('#mailbox-section h2'), /^Local mailbox$/, 'the mailbox section');
  await expectAccessible(page, 'booking page after booking');

  await page.goto(await mailbox(booking.booking_id, 'confirm'));
  await expectText(page.locator('h1'), /^Confirm your booking$/, 'the confirm page');
  await expectAccessible(page, 'confirm page');
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expectText(page.locator('#result'),
    new RegExp(`^Confirmed for .+\\. Your kiosk code: \\d{6}\\. Reference ${booking.public_ref}\\.$`),
    'the confirm result');
  await expectAccessible(page, 'confirm page after confirming');
  assert.equal(await seatsLeftViaApi(slot.date, booking.start), slot.seats - 1, 'the confirmed booking keeps its seat');

  await page.goto(await mailbox(booking.booking_id, 'cancel'));
  await expectText(page.locator('h1'), /^Cancel your booking$/, 'the cancel page');
  await expectAccessible(page, 'cancel page');
  await page.getByRole('button', { name: 'Cancel the booking' }).click();
  await expectText(page.locator('#result'), /^Your booking is cancelled\.$/, 'the cancel result');
  await expectAccessible(page, 'cancel page after cancelling');

  assert.equal(await seatsLeftViaApi(slot.date, booking.start), slot.seats, 'the seat is free again (API)');
  await openBookingPage(page);
  await expectSeatsOnPage(page, slot, slot.seats);
});

flow('a person books, confirms by the SMS code and cancels with the national ID on the booking page', async () => {
  const page = await termin.context.newPage();
  await openBookingPage(page);
  const slot = await aFreeSlot(page);
  await slotButton(page, slot).click();
  const booking = await book(page, PERSON_NATIONAL_ID, 'sms');
  await expectSeatsOnPage(page, slot, slot.seats - 1);

  // The SMS carries only the code; the confirm page takes it by hand.
  const code = await mailbox(booking.booking_id, 'code');
  await page.goto(`${termin.base}/confirm.html?booking=${booking.booking_id}`);
  await page.getByLabel('Code from the SMS (if you have no link)').fill(code);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expectText(page.locator('#result'), new RegExp(`Reference ${booking.public_ref}\\.$`), 'the confirm result');

  await openBookingPage(page);
  await expectSeatsOnPage(page, slot, slot.seats - 1);
  await page.getByLabel('Day').fill(slot.date);
  await page.getByLabel('PESEL / rodné číslo').last().fill(PERSON_NATIONAL_ID.pesel);
  await cancelByNationalId(page);
  await expectText(page.locator('#cancel-result'), new RegExp(`^Cancelled booking ${booking.public_ref}\\.$`), 'the cancel result');
  await expectSeatsOnPage(page, slot, slot.seats);
  assert.equal(await seatsLeftViaApi(slot.date, booking.start), slot.seats, 'the seat is free again (API)');
  await expectAccessible(page, 'booking page after cancelling by national ID');

  // A second try finds nothing left to cancel.
  await cancelByNationalId(page);
  await expectText(page.locator('#cancel-result'), /^(?!Cancelled booking).+/, 'the second cancel result');
  assert.equal(await page.locator('#cancel-result').getAttribute('class'), 'error');
});
