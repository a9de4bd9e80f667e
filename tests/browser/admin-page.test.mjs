// The office administrator's page (web/admin/) in headless Chromium against
// `termin-local`: the Olsztyn administrator changes a department's hours and
// closes a day that has bookings (the bookings left without a place are
// listed; the change is kept over a reload); fewer desks than booked is
// refused and saves nothing; problems are shown next to their fields and
// nothing is sent; a kiosk is registered and its secret, shown once, signs;
// the audit log lists what was done, filtered by days; the Mielec
// administrator adds a named clerk (seed 004); a clerk is told the
// account may not administer the office and gets only the desk work (tested
// in staff-desk-work.test.mjs). axe-core finds no violation on any
// screen, the department form in all four languages.
//
// Run on its own (after `cargo build -p termin-local`):
//   (cd tests/browser && npm ci && node --test admin-page.test.mjs)
// Knobs: TERMIN_LOCAL_BIN, CHROMIUM (see harness.mjs). On failure,
// screenshots and the runner's log are in tests/browser/artifacts/admin-page/.
// What it relies on in termin-local: the admin routes under
// /api/staff/offices/{office}/ (catalog, kiosks, audit), POST
// /_local/staff-token and GET /_local/staff, the local mailbox (/_local/sent)
// for the confirm links.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { withTerminLocal, eventually, expectText, root } from './harness.mjs';
import {
  LANGUAGES, OFFICE, apiOf, expectAccessible, expectExactly, fill, literally, pesel, switchLanguage, tabTo,
} from './queue-support.mjs';
import { signRequest } from '../../web/kiosk-sign.js';

const ADMIN = 'admin.olsztyn';
const CLERK = 'clerk.olsztyn';
const SERVICE = 'id-card-application';
const DEPARTMENT = 'civil-affairs';
const DEPARTMENT_PL = 'Wydział Spraw Obywatelskich';
const OFFICE_PL = 'Urząd Miasta Olsztyna';
/** The page's strings, by language. */
const A = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(root, 'web/admin/i18n', `${l}.json`), 'utf8'))]));

const termin = withTerminLocal({
  table: 'termin-admin-page-test',
  artifacts: 'artifacts/admin-page',
  chromium: { viewport: { width: 1280, height: 1024 }, locale: 'pl-PL' },
});
const { flow } = termin;
const api = apiOf(termin);

/** A one-page PDF's first and last lines: what the site checks a PDF by. */
const PDF = '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n';

/** The page in `lang`, signed in as `user` with the demo form, on the office's screen. */
async function signedIn(user, lang = 'pl') {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/admin/index.html?lang=${lang}`);
  await page.locator('#screen-signin').waitFor();
  await page.locator('#demo-user option').first().waitFor({ state: 'attached' });
  await page.locator('#demo-user').selectOption(user);
  await page.locator('#demo-form button[type="submit"]').click();
  await page.locator('#screen-office').waitFor();
  return page;
}

/** The catalog as the API has it now, read as the administrator. */
async function catalogNow() {
  const token = await api.staffToken(ADMIN);
  return api.expect(200, 'GET', `/staff/offices/${OFFICE}/catalog`, undefined, { authorization: `Bearer ${token}` });
}

/** Opens the department form of `name` from the departments part. */
async function editDepartment(page, lang, name) {
  await page.locator('#to-departments').click();
  await page.getByRole('button', { name: fill(A[lang]['admin.edit_named'], { name }), exact: true }).click();
  await expectExactly(page.locator('#editor-h'), fill(A[lang]['admin.dep.heading'], { name }), 'the department form');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'editor-h', 'the form heading has the focus');
}

/** A string with `{placeholders}` filled from `vars` and any other one matching anything, as a RegExp. */
function pattern(s, vars) {
  const parts = s.split(/(\{\w+\})/);
  return new RegExp(parts.map((p) => {
    const m = /^\{(\w+)\}$/.exec(p);
    if (!m) return literally(p);
    return m[1] in vars ? literally(String(vars[m[1]])) : '.+';
  }).join(''));
}

flow('an administrator changes the hours and closes a booked day: the bookings left without a place are listed, the change is kept, fewer desks than booked is refused', async () => {
  // Two confirmed bookings in one slot of civil affairs (three desks online).
  const days = await api.freeDays(SERVICE);
  const day = days[1] || days[0];
  const slot = day.slots[0];
  const bookings = [];
  for (const [i, first] of [['0101', 'Anna'], ['0202', 'Jan']]) {
    bookings.push(await api.bookAndConfirm(SERVICE, slot, {
      first, last: 'Urzędowa', email: `${first.toLowerCase()}.urzedowa@example.pl`, pesel: pesel(i),
    }));
  }
  const before = await catalogNow();

  const page = await signedIn(ADMIN);
  const said = page.locator('#result');
  await expectExactly(said, fill(A.pl['admin.did.sign_in'], { user: ADMIN }), 'signed in');
  await expectExactly(page.locator('#office-h'), fill(A.pl['admin.office_heading'], { office: OFFICE_PL }), 'the office chosen from the token');
  await page.locator('#office-name-pl').waitFor();
  assert.equal(await page.locator('#to-office').getAttribute('aria-current'), 'page', 'the office settings first');
  await expectAccessible(page, 'admin: office settings');
  await page.locator('#to-departments').click();
  await page.locator('#dep-add').waitFor();
  await expectAccessible(page, 'admin: departments');

  // Friday gets a lunch break (two ranges), and the booked day a closure.
  await editDepartment(page, 'pl', DEPARTMENT_PL);
  await page.locator('#dep-hours-fri-0-to').fill('12:00');
  await page.getByRole('button', { name: fill(A.pl['admin.dep.add_range_on'], { day: A.pl['admin.day.fri'] }) }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dep-hours-fri-1-from', 'the new range has the focus');
  await page.locator('#dep-hours-fri-1-from').fill('12:30');
  await page.locator('#dep-hours-fri-1-to').fill('15:30');
  await page.locator('#dep-closure-new').fill(day.date);
  await page.locator('#dep-closure-add').click();
  await page.locator(`#dep-closures time[datetime="${day.date}"]`).waitFor();
  await expectExactly(page.locator('#dirty'), A.pl['admin.dirty'], 'unsaved changes said');
  await expectAccessible(page, 'admin: a department with changes');

  await page.locator('#save').click();
  await expectExactly(page.locator('#outcome-h'), A.pl['admin.outcome.saved_heading'], 'saved');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'outcome-h', 'the outcome has the focus');
  await expectExactly(said, fill(A.pl['admin.outcome.saved_stranded'], { count: 2 }), 'the stranded bookings said');
  const rows = page.locator('#stranded tbody tr');
  assert.equal(await rows.count(), 2, 'both bookings listed');
  for (const booking of bookings) {
    const row = rows.filter({ hasText: booking.public_ref });
    await expectExactly(row.locator('td').nth(2), A.pl['admin.reason.day_closed'], `why ${booking.public_ref} no longer fits`);
    const when = await row.locator('td').nth(0).textContent();
    assert.ok(when.includes(slot.start.slice(11, 16)), `the visit at ${slot.start} in the office's time: ${when}`);
  }
  await expectExactly(page.locator('#dirty'), fill(A.pl['admin.clean'], { version: before.version + 1 }), 'nothing unsaved');
  await expectAccessible(page, 'admin: saved, with bookings to call');

  const saved = await catalogNow();
  assert.equal(saved.version, before.version + 1, 'one version later');
  const civil = saved.catalog.departments.find((d) => d.id === DEPARTMENT);
  assert.deepEqual(civil.hours.fri, [{ from: '07:30', to: '12:00' }, { from: '12:30', to: '15:30' }], "Friday's two ranges saved");
  assert.ok(civil.closed_on.includes(day.date), 'the closure saved');
  assert.equal(civil.desks_online, 3);

  // A reload keeps the session and the part; the form shows what was saved.
  await page.reload();
  await page.locator('#dep-add').waitFor();
  assert.equal(await page.locator('#to-departments').getAttribute('aria-current'), 'page', 'back at the departments');
  await editDepartment(page, 'pl', DEPARTMENT_PL);
  assert.equal(await page.locator('#dep-hours-fri-1-from').inputValue(), '12:30', "Friday's second range kept");
  await page.locator(`#dep-closures time[datetime="${day.date}"]`).waitFor();

  // One desk for a slot two people booked: refused, nothing saved, the draft kept.
  await page.locator('#dep-desks').fill('1');
  await page.locator('#save').click();
  await expectExactly(page.locator('#outcome-h'), A.pl['admin.outcome.refused_heading'], 'refused');
  await expectText(page.locator('#outcome'), pattern(A.pl['admin.refusal.capacity'], { department: DEPARTMENT_PL, booked: 2, desks: 1 }), 'why it was refused');
  await expectExactly(said, A.pl['admin.outcome.refused_said'], 'the refusal said');
  await expectExactly(page.locator('#dirty'), A.pl['admin.dirty'], 'the change is still there, unsaved');
  await expectAccessible(page, 'admin: a refused change');
  const after = await catalogNow();
  assert.equal(after.version, saved.version, 'no new version');
  assert.equal(after.catalog.departments.find((d) => d.id === DEPARTMENT).desks_online, 3, 'the desks unchanged');

  await page.locator('#discard').click();
  await expectExactly(said, A.pl['admin.did.discard'], 'discarded');
  await expectExactly(page.locator('#dirty'), fill(A.pl['admin.clean'], { version: saved.version }), 'back to the saved settings');
});

flow('problems are shown next to their fields and in a summary that leads to them, by keyboard, and nothing is sent', async () => {
  const before = await catalogNow();
  const page = await signedIn(ADMIN, 'en');
  await editDepartment(page, 'en', 'Vehicle registration');

  // Monday gets a second range, overlapping the first, with the keyboard; the desk group a reserved letter.
  await tabTo(page, '#dep-hours-mon-add');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dep-hours-mon-1-from', 'the new range has the focus');
  await page.locator('#dep-hours-mon-1-from').fill('10:00');
  await page.locator('#dep-desk-group').fill('RX');
  await page.locator('#dep-desk-group').press('Tab');
  await tabTo(page, '#save');
  await page.keyboard.press('Enter');

  await expectExactly(page.locator('#outcome-h'), fill(A.en['admin.outcome.errors'], { count: 2 }), 'the summary');
  await expectExactly(page.locator('#result'), fill(A.en['admin.outcome.errors'], { count: 2 }), 'the problems said');
  const links = page.locator('#outcome .problems a');
  assert.equal(await links.count(), 2);
  await expectText(links.nth(0), new RegExp(literally(A.en['admin.invalid.overlap'])), 'the overlap in the summary');
  await expectText(links.nth(1), new RegExp(literally(A.en['admin.invalid.desk_group'])), 'the desk group in the summary');
  await expectExactly(page.locator('#dep-hours-mon-error'), A.en['admin.invalid.overlap'], "the overlap next to Monday's hours");
  await expectExactly(page.locator('#dep-desk-group-error'), A.en['admin.invalid.desk_group'], 'the desk group error next to it');
  assert.equal(await page.locator('#dep-desk-group').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#dep-desk-group').getAttribute('aria-describedby'), /dep-desk-group-error/);
  await expectAccessible(page, 'admin: problems to fix');

  // From another part, the summary's link opens the form and focuses the field.
  await page.locator('#to-office').click();
  await page.locator('#outcome .problems li:nth-child(2) a').focus();
  await page.keyboard.press('Enter');
  await eventually('the desk group focused', () => page.evaluate(() => document.activeElement.id === 'dep-desk-group'));
  assert.equal((await catalogNow()).version, before.version, 'nothing was sent');

  await page.locator('#discard').click();
  await expectExactly(page.locator('#dirty'), fill(A.en['admin.clean'], { version: before.version }), 'the changes dropped');
});

flow('a kiosk is registered with its secret shown once, the secret signs, and the audit log lists what was done, by days', async () => {
  // A change made through the API, to find in the log.
  const token = await api.staffToken(ADMIN);
  const doc = await catalogNow();
  const vehicles = doc.catalog.departments.find((d) => d.id === 'vehicles');
  vehicles.horizon_days -= 1;
  await api.expect(200, 'PUT', `/staff/offices/${OFFICE}/catalog`, doc, { authorization: `Bearer ${token}` });

  const page = await signedIn(ADMIN);
  const said = page.locator('#result');
  await page.locator('#to-kiosks').click();
  await page.locator('#kiosk-id').waitFor();
  await expectAccessible(page, 'admin: kiosks');
  await page.locator('#kiosk-id').fill('olsztyn-hall-7');
  await page.locator('#kiosk-lang-uk').check();
  await page.locator('#kiosk-message-pl').fill('Kiosk nieczynny, prosimy podejść do okienka 1.');
  await page.locator('#kiosk-register').click();
  await expectExactly(page.locator('#kiosk-secret-h'), fill(A.pl['admin.kiosk.registered'], { id: 'olsztyn-hall-7' }), 'registered');
  await expectExactly(said, fill(A.pl['admin.kiosk.registered_said'], { id: 'olsztyn-hall-7' }), 'registration said');
  await expectExactly(page.locator('#kiosk-secret .copy-now'), A.pl['admin.kiosk.copy_now'], 'the copy-it-now note');
  const secret = (await page.locator('#kiosk-secret-value').textContent()).trim();
  assert.match(secret, /^\S{16,}$/, 'a secret is shown');
  await expectAccessible(page, 'admin: a kiosk registered, its secret shown');

  // The secret works: the kiosk reads its configuration, with the languages chosen.
  const headers = await signRequest({ secret, kioskId: 'olsztyn-hall-7', method: 'GET', path: '/kiosk/config' });
  const config = await api.expect(200, 'GET', '/kiosk/config', undefined, headers);
  assert.deepEqual(config.languages, ['pl', 'uk']);
  assert.equal(config.office.id, OFFICE);

  await page.locator('#kiosk-hide').click();
  await expectExactly(said, A.pl['admin.kiosk.hidden'], 'hidden');
  assert.equal(await page.locator('#kiosk-secret').count(), 0, 'the secret is gone from the page');
  assert.ok(!(await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage))).includes(secret), 'kept nowhere');

  // The list shows the kiosk; switching it off makes it refuse with its message, and on again.
  const row = page.locator('#kiosk-row-olsztyn-hall-7');
  await expectText(row, new RegExp(literally(A.pl['admin.kiosk.on'])), 'listed, switched on');
  await page.locator('#kiosk-switch-olsztyn-hall-7').click();
  await expectExactly(said, fill(A.pl['admin.kiosk.switched_off'], { id: 'olsztyn-hall-7' }), 'switched off said');
  await expectExactly(page.locator('#kiosk-switch-olsztyn-hall-7'), fill(A.pl['admin.kiosk.switch_on'], { id: 'olsztyn-hall-7' }), 'the button now switches on');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'kiosk-switch-olsztyn-hall-7', 'focus stays on the switch');
  await expectAccessible(page, 'admin: the kiosk list, one kiosk off');
  const walkIn = { service_id: 'id-card-application' };
  const offHeaders = await signRequest({ secret, kioskId: 'olsztyn-hall-7', method: 'POST', path: '/kiosk/walk-in', body: JSON.stringify(walkIn) });
  const off = await api.expect(503, 'POST', '/kiosk/walk-in', walkIn, offHeaders);
  assert.equal(off.error.code, 'kiosk_disabled');
  assert.equal(off.error.kiosk_message.pl, 'Kiosk nieczynny, prosimy podejść do okienka 1.');
  await page.locator('#kiosk-switch-olsztyn-hall-7').click();
  await expectExactly(said, fill(A.pl['admin.kiosk.switched_on'], { id: 'olsztyn-hall-7' }), 'switched on said');
  await expectText(row, new RegExp(literally(A.pl['admin.kiosk.on'])), 'on again');

  // The audit log: the catalog change with its before and after, and the kiosk.
  await page.locator('#to-audit').click();
  const table = page.locator('#audit-table');
  await table.waitFor();
  const changed = table.locator('tbody tr', { hasText: 'departments[vehicles].horizon_days' });
  await expectText(changed, new RegExp(`${literally(A.pl['admin.action.catalog_changed'])}[\\s\\S]*${vehicles.horizon_days + 1} → ${vehicles.horizon_days}`), 'the change in the log');
  await expectText(changed.locator('td').nth(0), new RegExp(literally(ADMIN)), 'who changed it');
  const registered = table.locator('tbody tr', { hasText: A.pl['admin.action.kiosk_registered'] });
  await expectText(registered, /olsztyn-hall-7/, 'the kiosk in the log');
  const switched = table.locator('tbody tr', { hasText: A.pl['admin.action.kiosk_changed'] });
  assert.equal(await switched.count(), 2, 'switched off and on: two entries');
  await expectText(switched.first(), /enabled[\s\S]*false → true/, 'the newest: switched on, with before and after');
  assert.ok(!(await table.textContent()).includes(secret), 'the log does not show the secret');
  await expectAccessible(page, 'admin: the audit log');

  // Days without entries, then back.
  await page.locator('#audit-from').fill('2020-01-01');
  await page.locator('#audit-to').fill('2020-01-31');
  await page.locator('#audit-show').click();
  await expectExactly(said, fill(A.pl['admin.audit.shown'], { count: 0 }), 'nothing in January 2020');
  await expectText(page.locator('#audit-entries'), new RegExp(literally(A.pl['admin.audit.none'])), 'no entries');
  await page.locator('#audit-to').fill('2020-01-01');
  await page.locator('#audit-from').fill('2020-01-31');
  await page.locator('#audit-show').click();
  await expectExactly(said, A.pl['admin.audit.invalid_range'], 'the first day after the last refused');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'audit-from');
});

flow('a new department and a matter in it are added from the forms and offered to citizens; a save over someone else\'s is refused and offers the saved settings', async () => {
  const page = await signedIn('admin.mielec', 'en');
  await expectExactly(page.locator('#office-h'), fill(A.en['admin.office_heading'], { office: 'Mielec County Office' }), "the token's office");
  await page.locator('#to-departments').click();
  await page.locator('#dep-add').click();
  await expectExactly(page.locator('#editor-h'), A.en['admin.dep.new'], 'a new department');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dep-id', 'its id has the focus');
  await page.keyboard.type('passports');
  await page.locator('#dep-name-pl').fill('Paszporty');
  await page.locator('#dep-name-en').fill('Passports');
  await page.locator('#dep-location-pl').fill('Pokój 7');
  await page.locator('#dep-desks').fill('2');
  // A group of matters (seed 003) and the emergency switch (seed 002).
  await page.locator('#dep-group-add').click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dep-group-0-id', "the new group's id has the focus");
  await page.keyboard.type('travel');
  await page.locator('#dep-group-0-name-pl').fill('Dokumenty podróży');
  await page.locator('#dep-group-0-name-en').fill('Travel documents');
  await page.locator('#dep-phone-registration-on').check();
  await page.locator('#save').click();
  await expectExactly(page.locator('#dep-phone-registration-text-error'), A.en['admin.invalid.required_text'], 'the switch needs its text');
  await page.locator('#dep-phone-registration-text-pl').fill('Rejestracja tylko telefonicznie: 17 788 00 00');
  await expectAccessible(page, 'admin: a department with a group and the emergency switch');
  await page.locator('#dep-back').click();
  await expectText(page.locator('#dep-list-caption'), /\S/, 'the list again');
  await page.getByRole('button', { name: fill(A.en['admin.edit_named'], { name: 'Passports' }) }).waitFor();

  await page.locator('#to-services').click();
  await page.locator('#svc-add').click();
  await expectExactly(page.locator('#editor-h'), A.en['admin.svc.new'], 'a new matter');
  await page.locator('#svc-id').fill('passport-application');
  await page.locator('#svc-department').selectOption('passports');
  await page.locator('#svc-group').selectOption('travel');
  await page.locator('#svc-name-pl').fill('Wniosek o paszport');
  await page.locator('#svc-name-en').fill('Passport application');
  await page.locator('#svc-visit').fill('30');
  await page.locator('#svc-document-add').click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'svc-document-0-pl', 'the new document has the focus');
  await page.keyboard.type('Aktualne zdjęcie 35×45 mm');
  await page.locator('#svc-template-add').click();
  await page.keyboard.type('Wniosek paszportowy');
  await page.locator('#svc-template-0-url').fill('javascript:alert(1)');
  await page.locator('#save').click();
  await expectExactly(page.locator('#outcome-h'), fill(A.en['admin.outcome.errors'], { count: 1 }), 'a link that is not a web address');
  await expectExactly(page.locator('#svc-template-0-url-error'), A.en['admin.invalid.url'], 'said next to it');
  await page.locator('#svc-template-0-url').fill('https://www.gov.pl/web/gov/uzyskaj-paszport');
  // A second one as a file (seed 001): published at once, the link then points at it.
  await page.locator('#svc-template-add').click();
  await page.locator('#svc-template-1-file').setInputFiles({ name: 'Wniosek o paszport.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) });
  await expectExactly(page.locator('#result'), fill(A.en['admin.svc.template_uploaded'], { name: 'Wniosek-o-paszport.pdf' }), 'the file published');
  const fileUrl = await page.locator('#svc-template-1-url').inputValue();
  assert.match(fileUrl, new RegExp(`^${literally(termin.base)}/documents/mielec/[0-9A-Z]{26}/Wniosek-o-paszport\\.pdf$`), 'the link points at the file');
  assert.equal(await page.locator('#svc-template-1-title-pl').inputValue(), 'Wniosek o paszport', "the file's name is the title");
  await page.locator('#svc-template-add').click();
  await page.locator('#svc-template-2-file').setInputFiles({ name: 'strona.html', mimeType: 'text/html', buffer: Buffer.from('<script>alert(1)</script>') });
  await expectText(page.locator('#svc-template-2-file-status'), new RegExp(literally(A.en['admin.svc.template_refused'].split('{')[0])), 'a page is not a document');
  await page.getByRole('button', { name: fill(A.en['admin.svc.remove_template_n'], { n: 3 }) }).click();
  await expectAccessible(page, 'admin: a new matter');
  await page.locator('#save').click();
  await expectExactly(page.locator('#outcome-h'), A.en['admin.outcome.saved_heading'], 'saved');
  await expectText(page.locator('#outcome'), new RegExp(literally(A.en['admin.outcome.none_stranded'])), 'nothing stranded');
  assert.equal(await page.locator('#svc-id').count(), 0, 'saved ids are fixed');

  // Citizens see it (a warm function may keep the catalog it read for up to a minute).
  const passports = await eventually('the new department offered to citizens', async () => {
    const office = await api.expect(200, 'GET', '/offices/mielec');
    return office.departments.find((d) => d.id === 'passports');
  }, 90_000);
  assert.deepEqual(passports.groups, [{ id: 'travel', name: { pl: 'Dokumenty podróży', en: 'Travel documents' } }]);
  assert.deepEqual(passports.phone_registration, { pl: 'Rejestracja tylko telefonicznie: 17 788 00 00' });
  const matter = passports.services.find((x) => x.id === 'passport-application');
  assert.equal(matter.group_id, 'travel');
  assert.deepEqual(matter.name, { pl: 'Wniosek o paszport', en: 'Passport application' });
  assert.equal(matter.visit_minutes, 30);
  assert.deepEqual(matter.required_documents, [{ pl: 'Aktualne zdjęcie 35×45 mm' }]);
  assert.deepEqual(matter.document_templates, [
    { title: { pl: 'Wniosek paszportowy' }, url: 'https://www.gov.pl/web/gov/uzyskaj-paszport' },
    { title: { pl: 'Wniosek o paszport' }, url: fileUrl },
  ]);
  const served = await fetch(fileUrl);
  assert.equal(served.status, 200, 'the site serves the file');
  assert.equal(served.headers.get('content-type'), 'application/pdf');
  assert.equal(served.headers.get('content-disposition'), 'attachment; filename="Wniosek-o-paszport.pdf"');
  assert.equal(await served.text(), PDF);

  // The citizen page lists the department's matters under their group.
  const citizen = await termin.context.newPage();
  await citizen.goto(`${termin.base}/index.html?lang=en&office=mielec`);
  await citizen.getByRole('radio', { name: 'Passports' }).check();
  const travel = citizen.getByRole('group', { name: 'Travel documents' });
  await travel.getByRole('radio', { name: 'Passport application' }).waitFor();
  await expectAccessible(citizen, 'citizen page: matters in groups');
  await citizen.close();

  // Someone else saves while this page edits: the page's save is refused and offers the saved settings.
  const token = await api.staffToken('admin.mielec');
  const auth = { authorization: `Bearer ${token}` };
  const theirs = await api.expect(200, 'GET', '/staff/offices/mielec/catalog', undefined, auth);
  theirs.catalog.departments.find((d) => d.id === 'passports').horizon_days = 14;
  await api.expect(200, 'PUT', '/staff/offices/mielec/catalog', theirs, auth);
  await page.locator('#svc-visit').fill('45');
  await page.locator('#save').click();
  await expectExactly(page.locator('#outcome-h'), A.en['admin.outcome.conflict_heading'], 'someone else saved');
  await expectAccessible(page, 'admin: someone else saved meanwhile');
  await page.locator('#reload').click();
  await expectExactly(page.locator('#result'), fill(A.en['admin.did.reload'], { version: theirs.version + 1 }), 'the saved settings loaded');
  const now = await api.expect(200, 'GET', '/staff/offices/mielec/catalog', undefined, auth);
  assert.equal(now.catalog.departments.find((d) => d.id === 'passports').horizon_days, 14, 'their change kept');
  assert.equal(now.catalog.services.find((x) => x.id === 'passport-application').visit_minutes, 30, 'ours not saved');
});

flow('the Mielec administrator adds a named clerk to a department: a missing name and no matter are shown next to their fields, and once saved citizens are offered the clerk without the staff account', async () => {
  const page = await signedIn('admin.mielec', 'en');
  await editDepartment(page, 'en', 'Vehicles and licences');
  assert.equal(await page.locator('#dep-clerk-0-name').inputValue(), 'Anna Nowicka', 'the clerks as saved');
  assert.equal(await page.locator('#dep-clerk-0-staff').inputValue(), 'clerk.mielec');
  assert.equal(await page.locator('#dep-clerk-0-id').count(), 0, "a saved clerk's id is fixed");
  await expectAccessible(page, 'admin: a department with named clerks');

  await page.locator('#dep-clerk-add').click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dep-clerk-3-id', "the new clerk's id has the focus");
  await page.keyboard.type('marta-kowal');
  // A new clerk handles every matter of the department until told otherwise.
  for (const box of ['#dep-clerk-3-service-0', '#dep-clerk-3-service-1']) {
    assert.equal(await page.locator(box).isChecked(), true);
    await page.locator(box).uncheck();
  }
  await page.locator('#save').click();
  await expectExactly(page.locator('#outcome-h'), fill(A.en['admin.outcome.errors'], { count: 2 }), 'two problems');
  await expectExactly(page.locator('#dep-clerk-3-name-error'), fill(A.en['admin.invalid.clerk_name'], { max: 80 }), 'the name is missing');
  await expectExactly(page.locator('#dep-clerk-3-services-error'), A.en['admin.invalid.clerk_services'], 'no matter ticked');
  await expectAccessible(page, 'admin: a named clerk with problems');

  await page.locator('#dep-clerk-3-name').fill('Marta Kowal');
  await page.locator('#dep-clerk-3-services').getByRole('checkbox', { name: 'Driving licence', exact: true }).check();
  await page.locator('#save').click();
  await expectExactly(page.locator('#outcome-h'), A.en['admin.outcome.saved_heading'], 'saved');
  const token = await api.staffToken('admin.mielec');
  const saved = await api.expect(200, 'GET', '/staff/offices/mielec/catalog', undefined, { authorization: `Bearer ${token}` });
  const marta = saved.catalog.departments.find((d) => d.id === 'vehicles').clerks.find((c) => c.id === 'marta-kowal');
  assert.deepEqual(marta, { id: 'marta-kowal', name: 'Marta Kowal', services: ['driving-licence'] }, 'no staff account given, none saved');

  // Citizens see her for driving licences (a warm function may keep the catalog it read for up to a minute).
  const licence = await eventually('the new clerk offered to citizens', async () => {
    const office = await api.expect(200, 'GET', '/offices/mielec');
    const matter = office.departments.flatMap((d) => d.services).find((x) => x.id === 'driving-licence');
    return matter.clerks.some((c) => c.id === 'marta-kowal') && { matter, office };
  }, 90_000);
  assert.deepEqual(licence.matter.clerks.find((c) => c.id === 'marta-kowal'), { id: 'marta-kowal', name: 'Marta Kowal' });
  assert.ok(!JSON.stringify(licence.office).includes('clerk.mielec'), 'the staff accounts stay with the staff');
});

flow('a clerk is told the account may not administer the office and gets the desk work only; every language passes axe on the sign-in and the department form', async () => {
  const page = await signedIn(CLERK, 'en');
  await expectExactly(page.locator('#denied-h'), fill(A.en['admin.denied.heading'], { office: 'Olsztyn City Hall' }), 'denied');
  await expectText(page.locator('#denied'), /403/, 'the API said 403');
  assert.equal(await page.title(), A.en['admin.title_clerk'], "a clerk's page is titled as the desk work");
  for (const part of ['office', 'departments', 'services', 'kiosks', 'audit', 'statistics']) {
    assert.ok(await page.locator(`#to-${part}`).isHidden(), `no ${part} for a clerk`);
  }
  assert.ok(await page.locator('#part-bookings').isVisible(), "a clerk's desk work instead");
  await expectExactly(page.locator('#result'), fill(A.en['admin.clerk.said'], { user: CLERK, office: 'Olsztyn City Hall' }), 'said');
  await expectAccessible(page, 'admin: may not administer');
  await page.locator('#sign-out').click();
  await page.locator('#screen-signin').waitFor();
  for (const l of LANGUAGES) {
    await switchLanguage(page, l);
    await expectExactly(page.locator('#signin-h'), A[l]['admin.signin_heading'], `the sign-in in ${l}`);
    await expectAccessible(page, `admin: sign in (${l})`);
  }

  const admin = await signedIn(ADMIN);
  await editDepartment(admin, 'pl', 'Biuro Obsługi Klienta');
  for (const l of LANGUAGES) {
    await switchLanguage(admin, l);
    await expectExactly(admin.locator('#dep-hours legend').first(), A[l]['admin.dep.hours'], `the form in ${l}`);
    await expectAccessible(admin, `admin: a department (${l})`);
  }
});
