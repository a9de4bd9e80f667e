// The desk work on the staff page (web/admin/) in headless Chromium against
// `termin-local`: the Olsztyn clerk sees only the sections a clerk may use,
// books for a caller without an email and is shown the kiosk code and
// reference, finds the booking by reference and by national ID, corrects the
// last name, exports the person (the downloaded JSON holds the booking) and
// cancels it after a confirmation step; the Olsztyn administrator sees the
// statistics per day and matter and downloads them as CSV. axe-core finds no
// violation on any section, nor on the bookings in any of the four languages.
//
// Run on its own (after `cargo build -p termin-local`):
//   (cd tests/browser && npm ci && node --test staff-desk-work.test.mjs)
// Knobs: TERMIN_LOCAL_BIN, CHROMIUM (see harness.mjs). On failure,
// screenshots and the runner's log are in tests/browser/artifacts/staff-desk-work/.
// What it relies on in termin-local: the staff routes under
// /api/staff/offices/{office}/ (bookings, bookings/search, …/cancel,
// …/contact, persons/export, statistics), GET /_local/staff and POST
// /_local/staff-token.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { withTerminLocal, eventually, expectText, root } from './harness.mjs';
import {
  LANGUAGES, OFFICE, apiOf, expectAccessible, expectExactly, fill, pesel, switchLanguage, tabTo,
} from './queue-support.mjs';

const ADMIN = 'admin.olsztyn';
const CLERK = 'clerk.olsztyn';
const SERVICE = 'id-card-application';
const NATIONAL_ID = pesel('0707');
/** The page's strings, by language. */
const A = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(root, 'web/admin/i18n', `${l}.json`), 'utf8'))]));

const termin = withTerminLocal({
  table: 'termin-staff-desk-work-test',
  artifacts: 'artifacts/staff-desk-work',
  chromium: { viewport: { width: 1280, height: 1024 }, locale: 'en-GB', acceptDownloads: true },
});
const { flow } = termin;
const api = apiOf(termin);

/** What the clerk's flow booked, for the administrator's flow: { day, ref }. */
let booked = null;

/** The page in `lang`, signed in as `user` with the demo form, on the office's screen. */
async function signedIn(user, lang = 'en') {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/admin/index.html?lang=${lang}`);
  await page.locator('#screen-signin').waitFor();
  await page.locator('#demo-user option').first().waitFor({ state: 'attached' });
  await page.locator('#demo-user').selectOption(user);
  await page.locator('#demo-form button[type="submit"]').click();
  await page.locator('#screen-office').waitFor();
  return page;
}

/** The text of a download (Playwright saves it; the page made it from a Blob URL). */
async function downloaded(page, click) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

flow('a clerk books for a caller without an email, finds, corrects, exports and cancels the booking', async () => {
  const office = await api.expect(200, 'GET', `/offices/${OFFICE}`);
  const serviceEn = office.departments.flatMap((d) => d.services).find((x) => x.id === SERVICE).name.en;
  const days = await api.freeDays(SERVICE);
  const day = (days[1] || days[0]).date;

  const page = await signedIn(CLERK);
  const said = page.locator('#result');
  // Only the clerk's sections; the administration is refused, and said so.
  await expectExactly(page.locator('#denied-h'), fill(A.en['admin.denied.heading'], { office: 'Olsztyn City Hall' }), 'not an administrator');
  await page.locator('#part-bookings-h').waitFor();
  assert.equal(await page.locator('#to-bookings').getAttribute('aria-current'), 'page', 'the bookings first');
  for (const part of ['office', 'departments', 'services', 'kiosks', 'audit', 'statistics']) {
    assert.ok(await page.locator(`#to-${part}`).isHidden(), `no ${part} for a clerk`);
  }
  assert.ok(await page.locator('#to-requests').isVisible(), 'data requests for a clerk');
  await expectAccessible(page, 'desk work: bookings (empty)');

  // Book: matter, day, a free time, the caller without an email.
  await page.locator('#book-service').selectOption(SERVICE);
  await page.locator('#book-day').fill(day);
  await page.locator('#book-slot-0').waitFor();
  await expectAccessible(page, 'desk work: free times');
  // The first free time chosen with the keyboard: Tab from the day, Space.
  await page.locator('#book-day').focus();
  await tabTo(page, '#book-slot-0');
  await page.keyboard.press('Space');
  assert.ok(await page.locator('#book-slot-0').isChecked(), 'the time chosen with Space');
  await page.locator('#book-first').fill('Zofia');
  await page.locator('#book-last').fill('Telefoniczna');
  await page.locator('#book-national-id').fill(NATIONAL_ID);
  await page.locator('#book-submit').click();
  const code = await expectText(page.locator('#booked-code'), /^\d{6}$/, 'the kiosk code shown');
  const ref = await expectText(page.locator('#booked-ref'), /^\S{4,}$/, 'the reference shown');
  await expectExactly(said, fill(A.en['desk.book.booked_said'], { code, ref }), 'booked said');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'booked-h', 'the booked panel has the focus');
  await expectText(page.locator('#booked'), new RegExp(serviceEn), 'the matter named');
  await expectText(page.locator('#booked'), new RegExp(A.en['desk.book.booked_tell']), 'tell the caller the code');
  await expectAccessible(page, 'desk work: booked');

  // Find it by reference, then by national ID.
  await page.locator('#search-ref').fill(ref);
  await page.locator('#search-submit').click();
  await expectExactly(page.locator('#results-h'), fill(A.en['desk.search.found'], { count: 1 }), 'found by reference');
  const item = page.locator('.result-item');
  await expectText(item.locator('.code'), new RegExp(`^${code}$`), 'its kiosk code');
  await expectText(item.locator('.status'), new RegExp(`^${A.en['desk.status.confirmed']}$`), 'confirmed at once');
  await page.locator('#search-by-national_id').check();
  await page.locator('#search-national-id').fill(NATIONAL_ID);
  await page.locator('#search-submit').click();
  await expectExactly(said, fill(A.en['desk.search.found_said'], { count: 1 }), 'found by national ID');
  await expectText(item.locator('.ref'), new RegExp(`^${ref}$`), 'the same booking');
  await expectAccessible(page, 'desk work: search results');

  // Correct the last name (inline form).
  await item.getByRole('button', { name: A.en['desk.correct.button'], exact: true }).click();
  const lastName = item.locator('form.correct input[id$="-last_name"]');
  assert.equal(await lastName.inputValue(), 'Telefoniczna', 'the form shows the details as they are');
  await expectAccessible(page, 'desk work: correcting the details');
  await lastName.fill('Poprawiona');
  await item.getByRole('button', { name: A.en['desk.correct.save'], exact: true }).click();
  await expectExactly(said, fill(A.en['desk.correct.done_said'], { ref }), 'corrected');
  await expectExactly(item.locator('h5'), 'Zofia Poprawiona', 'the corrected name listed');

  // Export the person: the JSON download holds the booking, the summary counts it.
  await page.locator('#to-requests').click();
  await page.locator('#export-value').waitFor();
  await expectAccessible(page, 'desk work: data requests');
  await page.locator('#export-value').fill(NATIONAL_ID);
  await page.locator('#export-submit').click();
  await page.locator('#export-h').waitFor();
  await expectExactly(page.locator('#export-caption'), fill(A.en['desk.export.bookings'], { count: 1 }), 'one booking in the summary');
  const { name, text } = await downloaded(page, () => page.locator('#export-download').click());
  assert.match(name, /^termin-olsztyn-person-.*\.json$/);
  const exported = JSON.parse(text);
  assert.equal(exported.found_by, 'national_id');
  const held = exported.bookings.find((b) => b.public_ref === ref);
  assert.ok(held, `the export holds ${ref}: ${text}`);
  assert.equal(held.last_name, 'Poprawiona', 'the export has the corrected name');
  await expectAccessible(page, 'desk work: the export');

  // Cancel it, after saying yes.
  await page.locator('#to-bookings').click();
  await item.getByRole('button', { name: A.en['desk.cancel.button'], exact: true }).click();
  await expectText(item.locator('.confirm'), new RegExp(ref), 'asked first');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), A.en['desk.cancel.no'], 'the safe answer has the focus');
  await expectAccessible(page, 'desk work: confirming the cancellation');
  await item.getByRole('button', { name: A.en['desk.cancel.yes'], exact: true }).click();
  await expectExactly(said, fill(A.en['desk.cancel.done_said'], { ref }), 'cancelled');
  await expectText(item.locator('.status'), new RegExp(`^${A.en['desk.status.cancelled']}$`), 'listed as cancelled');
  assert.equal(await item.getByRole('button', { name: A.en['desk.cancel.button'], exact: true }).count(), 0, 'no second cancel');
  const token = await api.staffToken(CLERK);
  const after = await api.expect(200, 'POST', `/staff/offices/${OFFICE}/bookings/search`, { ref }, { authorization: `Bearer ${token}` });
  assert.equal(after.bookings[0].status, 'cancelled', 'the API has it cancelled');
  booked = { day, ref };

  // The booking form and the found booking in every language.
  for (const l of LANGUAGES) {
    await switchLanguage(page, l);
    await expectExactly(page.locator('#book-h'), A[l]['desk.book.heading'], `the booking form in ${l}`);
    await expectAccessible(page, `desk work: bookings (${l})`);
  }
});

flow('a clerk books a caller with a named clerk (seed 004): only that clerk\'s free times are offered, and the booking names the clerk', async () => {
  const route = '/offices/mielec/services/vehicle-registration/slots';
  const listing = await api.expect(200, 'GET', `${route}?clerk=anna-nowicka`);
  const day = listing.days.find((d) => d.slots.some((x) => x.seats_left > 0)).date;
  const page = await signedIn('clerk.mielec');
  await page.locator('#part-bookings-h').waitFor();
  await page.locator('#book-service').selectOption('vehicle-registration');
  await page.locator('#book-clerk').selectOption('anna-nowicka');
  await page.locator('#book-day').fill(day);
  await page.locator('#book-slot-0').waitFor();
  await expectAccessible(page, 'desk work: free times of a named clerk');
  const first = await page.locator('#book-slot-0').getAttribute('value');
  await page.locator('#book-slot-0').check();
  await page.locator('#book-first').fill('Adam');
  await page.locator('#book-last').fill('Kierowca');
  await page.locator('#book-national-id').fill(pesel('0808'));
  await page.locator('#book-submit').click();
  await expectExactly(page.locator('#booked-clerk'), fill(A.en['desk.book.booked_clerk'], { name: 'Anna Nowicka' }), 'the clerk named');
  await expectAccessible(page, 'desk work: booked with a named clerk');
  // The clerk serves one visit at a time: that time is no longer hers to offer.
  const after = await api.expect(200, 'GET', `${route}?clerk=anna-nowicka`);
  const taken = after.days.flatMap((d) => d.slots).find((x) => x.start === first);
  assert.ok(!taken || taken.seats_left === 0, `${first} is taken for Anna Nowicka`);
});

flow('an administrator sees the statistics per day and matter and downloads them as CSV', async () => {
  const days = await api.freeDays(SERVICE);
  const day = booked ? booked.day : days[0].date;
  const page = await signedIn(ADMIN);
  await page.locator('#to-statistics').click();
  await page.locator('#stats-from').waitFor();
  // The office's default range first, then the booked day.
  await eventually('the first statistics', () => page.locator('#stats-table-area').evaluate((el) => !/…/.test(el.textContent)));
  await page.locator('#stats-from').fill(day);
  await page.locator('#stats-to').fill(day);
  await page.locator('#stats-show').click();
  const rows = page.locator('#stats-table tbody tr');
  await eventually('statistics rows', async () => (await rows.count()) > 0);
  await expectText(page.locator('#result'), /\d/, 'the rows counted');
  const row = page.locator('#stats-table tbody tr', { has: page.locator(`time[datetime="${day}"]`) }).first();
  await row.waitFor();
  await expectAccessible(page, 'desk work: statistics');

  const { name, text } = await downloaded(page, () => page.locator('#stats-csv').click());
  assert.equal(name, `termin-olsztyn-statistics-${day}-${day}.csv`);
  const header = text.split(/\r?\n/)[0];
  assert.match(header, /^date,service_id,offered,booked,confirmed,redeemed,no_show,/, `the CSV's header: ${header}`);
  assert.ok(text.split(/\r?\n/).some((l) => l.startsWith(`${day},${SERVICE},`)), `a line for ${SERVICE} on ${day}: ${text}`);
  await expectExactly(page.locator('#result'), fill(A.en['desk.stats.csv_said'], { from: day, to: day }), 'downloaded said');
});
