// A person books, confirms and cancels on the local page, in headless Chromium
// against `termin-local` (DynamoDB Local, the demo offices, the API and web/).
// axe-core checks the index, confirm and cancel pages on the way.
//
// Run by tests/run after `cargo build -p termin-local`; on its own:
//   (cd tests/browser && npm ci && node --test)
// Knobs: TERMIN_LOCAL_BIN (default <target dir>/debug/termin-local), CHROMIUM
// (default /usr/bin/chromium). On failure, screenshots and the runner's log are
// in tests/browser/artifacts/.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const artifacts = path.join(here, 'artifacts');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const OFFICE = 'olsztyn';
const SERVICE = 'id-card-application';
// Valid PESELs (checksum holds): one person per flow.
const PERSON_LINKS = { first: 'Anna', last: 'Kowalska', email: 'anna.kowalska@example.pl', pesel: '44051401359' };
const PERSON_NATIONAL_ID = { first: 'Jan', last: 'Nowak', email: 'jan.nowak@example.pl', pesel: '02070803628', phone: '601 234 567' };

let server; // { child, base, log }
let context;
let userDataDir;

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
  const page = await context.newPage();
  try {
    await page.goto(`${server.base}/_local/mailbox`);
    const target = kind === 'cancel' ? 'cancel.html' : 'confirm.html';
    return await eventually(`a "${kind}" message for booking ${bookingId} in the local mailbox`, async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(300);
      for (const email of await page.locator('article.email').all()) {
        const link = email.locator(`a[href*="${target}?booking=${bookingId}"]`).first();
        if (!(await link.count())) continue;
        if (kind === 'code') {
          const m = /\b([3479ACEFHJKMNPRTWXY]{6})\b/.exec(await email.locator('pre').textContent());
          if (m) return m[1];
        } else {
          return new URL(await link.getAttribute('href'), server.base).href;
        }
      }
      return null;
    });
  } finally {
    await page.close();
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** Polls `check` until it returns a truthy value; fails with `what` after `ms`. */
async function eventually(what, check, ms = 15000) {
  const until = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the element's text matches `pattern`; the failure shows the text it had. */
async function expectText(locator, pattern, what) {
  let seen = '';
  try {
    await eventually(what, async () => {
      seen = ((await locator.textContent({ timeout: 1000 })) || '').trim();
      return pattern.test(seen);
    }, 10000);
  } catch {
    assert.fail(`${what}: expected ${pattern}, page shows ${JSON.stringify(seen)}`);
  }
  return seen;
}

/** axe-core on the page as it is; fails on any serious or critical violation. */
async function expectAccessible(page, name) {
  await page.addScriptTag({ path: axePath });
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  for (const v of violations) {
    console.log(`axe ${name}: [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) console.log(`    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`);
  }
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(blocking.map((v) => `${v.impact} ${v.id}`), [], `axe found serious or critical problems on the ${name}`);
}

/** Free TCP ports on loopback, distinct from each other. */
async function freePorts(n) {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

async function api(pathAndQuery) {
  const response = await fetch(`${server.base}/api${pathAndQuery}`);
  assert.equal(response.status, 200, `GET ${pathAndQuery}`);
  return response.json();
}

/** Seats left at `start` according to the API (0 when the slot is not listed as free). */
async function seatsLeftViaApi(date, start) {
  const listing = await api(`/offices/${OFFICE}/services/${SERVICE}/slots?from=${date}&to=${date}`);
  const slot = listing.days.flatMap((d) => d.slots).find((s) => s.start === start);
  return slot ? slot.seats_left : 0;
}

/** Opens the booking page with the office and the matter chosen, and waits for the free times. */
async function openBookingPage(page) {
  await page.goto(`${server.base}/`);
  await page.locator(`#office option[value="${OFFICE}"]`).waitFor({ state: 'attached' });
  let slots = page.waitForResponse((r) => r.url().includes(`/api/offices/${OFFICE}/services/`) && r.url().includes('/slots'));
  await page.getByLabel('Office').selectOption(OFFICE);
  await slots;
  slots = page.waitForResponse((r) => r.url().includes(`/api/offices/${OFFICE}/services/${SERVICE}/slots`));
  await page.getByLabel('Matter').selectOption(SERVICE);
  await slots;
  await page.locator('#days .slots button').first().waitFor();
  await expectText(page.locator('#service-info'), /Visit: 15 min/, 'the matter description');
}

/**
 * The first free time of the first listed day after the earliest one: not today,
 * so the minimum notice cannot take it away while the test runs.
 */
async function firstFreeSlot(page) {
  const days = page.locator('#days h3');
  assert.ok((await days.count()) >= 2, 'at least two days with free times are listed');
  const date = (await days.nth(1).textContent()).trim();
  const button = page.locator('#days h3').nth(1).locator('xpath=following-sibling::div[1]').locator('button').first();
  const label = await button.getAttribute('aria-label');
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}), (\d+) seats left$/.exec(label);
  assert.ok(m, `slot label ${label}`);
  assert.equal(m[1], date);
  return { date, time: m[2], seats: Number(m[3]) };
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
// The runner and the browser
// ---------------------------------------------------------------------------

function stopServer() {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    try { process.kill(-server.child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', stopServer);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stopServer(); process.exit(130); });

before(async () => {
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
  const bin = process.env.TERMIN_LOCAL_BIN || path.join(targetDir, 'debug/termin-local');
  assert.ok(fs.existsSync(bin), `${bin} is missing: cargo build -p termin-local`);

  const [dbPort, webPort, mailPort] = await freePorts(3);
  const logPath = path.join(artifacts, 'termin-local.log');
  const log = fs.openSync(logPath, 'w');
  // The same environment as local/run (keep them in step), on ports of its own.
  const child = spawn(bin, [], {
    cwd: root,
    detached: true, // its own process group, so the Java child goes with it
    stdio: ['ignore', 'pipe', log],
    env: {
      ...process.env,
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dbPort}`,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: `http://127.0.0.1:${dbPort}`,
      TERMIN_LOCAL_ADDR: `127.0.0.1:${webPort}`,
      // SES and SNS stand-in (moto), for the runner that sends real messages.
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${mailPort}`,
      AWS_ENDPOINT_URL_SNS: `http://127.0.0.1:${mailPort}`,
      EMAIL_FROM: 'termin@urzad.example.pl',
      PUBLIC_BASE_URL: `http://127.0.0.1:${webPort}`,
      REMINDER_LEAD_HOURS: '24',
      TABLE_NAME: 'termin-browser-test',
      HASH_KEY: 'dGVybWluLWxvY2FsLWRldmVsb3BtZW50LWtleS0wMDAwMDA=',
      RUST_LOG: process.env.RUST_LOG || 'info',
    },
  });
  server = { child, base: `http://127.0.0.1:${webPort}`, logPath };
  await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`termin-local did not say "Termin is running" within 120 s; see ${logPath}`)), 120000);
    child.stdout.on('data', (chunk) => {
      fs.appendFileSync(log, chunk);
      out += chunk;
      if (out.includes('Termin is running')) { clearTimeout(timer); resolve(); }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`termin-local ended (${code ?? signal}) before it was ready:\n${fs.readFileSync(logPath, 'utf8').slice(-3000)}`));
    });
  });

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'termin-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(15000);
  for (const page of context.pages()) await page.close();
  context.on('page', (page) => {
    page.on('pageerror', (e) => console.log(`page error on ${page.url()}: ${e.message}`));
  });
});

afterEach(async () => {
  await Promise.all(context.pages().map((p) => p.close().catch(() => {})));
});

/** A test whose failure leaves a screenshot of every open page in artifacts/. */
function flow(name, body) {
  test(name, async () => {
    try {
      await body();
    } catch (error) {
      const stem = name.split(' ').slice(0, 8).join('-').replace(/[^a-z0-9-]+/gi, '');
      await Promise.all(context.pages().map((p, i) => p.screenshot({
        path: path.join(artifacts, `${stem}-${i}.png`), fullPage: true,
      }).then(() => console.log(`screenshot of ${p.url()}: artifacts/${stem}-${i}.png`)).catch(() => {})));
      throw error;
    }
  });
}

after(async () => {
  if (context) await context.close().catch(() => {});
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  if (server) {
    const { child } = server;
    const ended = new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(stopServer, 5000);
    await ended;
    clearTimeout(timer);
    stopServer(); // anything left in the group
  }
});

// ---------------------------------------------------------------------------
// The flows
// ---------------------------------------------------------------------------

flow('a person books, confirms by the email link and cancels by the cancel link, and the time is free again', async () => {
  const page = await context.newPage();
  await openBookingPage(page);
  await expectAccessible(page, 'booking page');

  const slot = await firstFreeSlot(page);
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
    new RegExp(`^Confirmed for .+\\. Your kiosk code: [3479ACEFHJKMNPRTWXY]{6}\\. Reference ${booking.public_ref}\\.$`),
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
  const page = await context.newPage();
  await openBookingPage(page);
  const slot = await firstFreeSlot(page);
  await slotButton(page, slot).click();
  const booking = await book(page, PERSON_NATIONAL_ID, 'sms');
  await expectSeatsOnPage(page, slot, slot.seats - 1);

  // The SMS carries only the code; the confirm page takes it by hand.
  const code = await mailbox(booking.booking_id, 'code');
  await page.goto(`${server.base}/confirm.html?booking=${booking.booking_id}`);
  await page.getByLabel('Code from the SMS (if you have no link)').fill(code);
  await page.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expectText(page.locator('#result'), new RegExp(`Reference ${booking.public_ref}\\.$`), 'the confirm result');

  await openBookingPage(page);
  await expectSeatsOnPage(page, slot, slot.seats - 1);
  await page.getByLabel('Day').fill(slot.date);
  await page.getByLabel('PESEL / rodné číslo').last().fill(PERSON_NATIONAL_ID.pesel);
  await page.getByRole('button', { name: 'Cancel my booking for the chosen matter' }).click();
  await expectText(page.locator('#cancel-result'), new RegExp(`^Cancelled booking ${booking.public_ref}\\.$`), 'the cancel result');
  await expectSeatsOnPage(page, slot, slot.seats);
  assert.equal(await seatsLeftViaApi(slot.date, booking.start), slot.seats, 'the seat is free again (API)');
  await expectAccessible(page, 'booking page after cancelling by national ID');

  // A second try finds nothing left to cancel.
  await page.getByRole('button', { name: 'Cancel my booking for the chosen matter' }).click();
  await expectText(page.locator('#cancel-result'), /^(?!Cancelled booking).+/, 'the second cancel result');
  assert.equal(await page.locator('#cancel-result').getAttribute('class'), 'error');
});
