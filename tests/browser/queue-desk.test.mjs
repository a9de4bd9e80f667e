// The clerk's desk screen (web/desk.html) in headless Chromium against
// `termin-local`: a clerk signs in, opens a desk, calls, recalls, marks served
// and missed and closes the desk with the keyboard alone (Tab, Enter, Space);
// a pasted token signs in, a forged one is refused; and every screen (sign
// in, open a desk, a called booked ticket, the admission list) passes
// axe-core with no violation at all in all four languages.
//
// Run on its own (after `cargo build -p termin-local`):
//   (cd tests/browser && npm ci && node --test queue-desk.test.mjs)
// Knobs: TERMIN_LOCAL_BIN, CHROMIUM (see harness.mjs). On failure,
// screenshots and the runner's log are in tests/browser/artifacts/queue-desk/.
// What it relies on in termin-local: see queue-support.mjs.

import assert from 'node:assert/strict';
import { withTerminLocal } from './harness.mjs';
import {
  BOOKED_SERVICE, CLERK, LANGUAGES, OFFICE, Q, apiOf, expectAccessible, expectExactly, fill, openingPlus, pesel,
  switchLanguage, tabTo,
} from './queue-support.mjs';

let days; // working days with free times, the first one soonest
const termin = withTerminLocal({
  table: 'termin-queue-desk-test',
  artifacts: 'artifacts/queue-desk',
  chromium: { viewport: { width: 1280, height: 1024 } },
  setUp: async () => { days = await api.freeDays(); },
});
const { flow } = termin;
const api = apiOf(termin);
const BUTTONS = ['call-next', 'recall', 'served', 'missed', 'close-desk'];

/** Which of the desk's buttons are enabled, by id. */
async function enabledButtons(page) {
  const enabled = [];
  for (const id of BUTTONS) if (await page.locator(`#${id}`).isEnabled()) enabled.push(id);
  return enabled;
}

/** The desk screen, on its sign-in screen, in `lang`. */
async function openDeskScreen(lang) {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/desk.html?lang=${lang}`);
  await page.locator('#screen-signin').waitFor();
  await page.locator('#demo-user option').first().waitFor({ state: 'attached' });
  return page;
}

/** A desk as the API has it now. */
async function deskNow(token, desk) {
  const { desks } = await api.expect(200, 'GET', `/staff/offices/${OFFICE}/desks`, undefined, { authorization: `Bearer ${token}` });
  return desks.find((d) => d.desk === desk);
}

flow('a clerk works a desk by keyboard alone: signs in, opens it, calls next, recalls, marks served and missed, closes it', async () => {
  const at = openingPlus(days[1], 60);
  await api.setClock(at);
  const first = await api.walkIn(at);
  const second = await api.walkIn(at);
  const token = await api.staffToken();
  const page = await openDeskScreen('pl');
  const said = page.locator('#result');

  assert.equal(await page.locator('#demo-user').inputValue(), CLERK, 'the Olsztyn clerk is the first demo account');
  await tabTo(page, '#demo-form button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.locator('#screen-setup').waitFor();
  await expectExactly(said, fill(Q.pl['desk.did.sign_in'], { user: CLERK }), 'signed in');
  await page.locator('#group-choices input[value="A"]').waitFor();
  assert.equal(await page.locator('#office').inputValue(), OFFICE, "the token's office is chosen");

  await tabTo(page, '#desk-id');
  await page.keyboard.type('2');
  await tabTo(page, '#group-choices input[value="A"]');
  await page.keyboard.press('Space');
  assert.ok(await page.locator('#group-choices input[value="A"]').isChecked(), 'group A ticked with Space');
  await tabTo(page, '#open-desk');
  await page.keyboard.press('Enter');
  await page.locator('#screen-desk').waitFor();
  await expectExactly(page.locator('#desk-h'), fill(Q.pl['desk.desk_heading'], { desk: '2' }), 'the desk heading');
  await expectExactly(said, fill(Q.pl['desk.did.open'], { desk: '2', groups: 'A' }), 'the desk opened');
  assert.deepEqual(await enabledButtons(page), ['call-next', 'close-desk'], 'an open desk with nobody called');

  await tabTo(page, '#call-next');
  await page.keyboard.press('Enter');
  await expectExactly(page.locator('#current-ticket'), first, 'the first walk-in called');
  const maxCalls = (await deskNow(token, '2')).current.max_calls;
  await expectExactly(said, fill(Q.pl['desk.did.call'], { ticket: first, calls: 1, max: maxCalls }), 'the call said');
  assert.deepEqual(await enabledButtons(page), ['recall', 'served', 'missed'], 'a called ticket');

  await tabTo(page, '#recall');
  await page.keyboard.press('Space');
  await expectExactly(said, fill(Q.pl['desk.did.recall'], { ticket: first, calls: 2, max: maxCalls }), 'the recall said');
  assert.equal((await deskNow(token, '2')).current.calls, 2, 'the API counted the recall');
  await expectExactly(page.locator('#current-body dl dd').last(), Q.pl['desk.reason.walk_in'], 'why it was called, still shown after the recall');

  await tabTo(page, '#served');
  await page.keyboard.press('Enter');
  await expectExactly(said, fill(Q.pl['desk.did.served'], { ticket: first }), 'served said');
  await expectExactly(page.locator('#current-body .no-ticket'), Q.pl['desk.no_current'], 'no ticket at the desk');
  assert.deepEqual((await deskNow(token, '2')).finished, { ticket: first, status: 'served' });

  await tabTo(page, '#call-next');
  await page.keyboard.press('Space');
  await expectExactly(page.locator('#current-ticket'), second, 'the second walk-in called');
  await tabTo(page, '#missed');
  await page.keyboard.press('Enter');
  await expectExactly(said, fill(Q.pl['desk.did.missed'], { ticket: second }), 'missed said');
  assert.deepEqual((await deskNow(token, '2')).finished, { ticket: second, status: 'missed' });

  await tabTo(page, '#call-next');
  await page.keyboard.press('Enter');
  await expectExactly(said, Q.pl['desk.did.nobody'], 'nobody waits');

  await tabTo(page, '#close-desk');
  await page.keyboard.press('Space');
  await page.locator('#screen-setup').waitFor();
  await expectExactly(said, fill(Q.pl['desk.did.close'], { desk: '2' }), 'the desk closed');
  assert.equal((await deskNow(token, '2')).open, false, 'the API has the desk closed');
  const groupA = (await api.queue()).groups.find((g) => g.desk_group === 'A');
  assert.deepEqual([groupA.waiting, groupA.serving, groupA.desks_open], [0, [], []], 'nothing left in group A');
});

flow('a pasted token signs in and out; something that is not a token, or a forged one, is refused', async () => {
  const token = await api.staffToken();
  const page = await openDeskScreen('en');
  const said = page.locator('#result');

  await page.locator('#token').fill('not a token');
  await page.locator('#token-form button[type="submit"]').click();
  await expectExactly(said, Q.en['desk.error.token_unreadable'], 'not a token');
  assert.ok(await page.locator('#screen-signin').isVisible());

  await page.locator('#token').fill(`Bearer ${token}`);
  await page.locator('#token-form button[type="submit"]').click();
  await page.locator('#screen-setup').waitFor();
  await expectExactly(page.locator('#account-name'), fill(Q.en['desk.signed_in_as'], { user: CLERK }), 'who is signed in');
  await page.locator('#group-choices input').first().waitFor();
  assert.ok(await page.evaluate(() => sessionStorage.getItem('termin-desk-session').includes('"token"')), 'the token is kept in sessionStorage');
  await page.locator('#sign-out').click();
  await page.locator('#screen-signin').waitFor();
  await expectExactly(said, Q.en['desk.did.sign_out'], 'signed out');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('termin-desk-session')), null, 'the token is forgotten');

  // The same claims with a signature that is not the office's: the API refuses it, the screen signs out.
  const [header, payload] = token.split('.');
  await page.locator('#token').fill(`${header}.${payload}.${'A'.repeat(43)}`);
  await page.locator('#token-form button[type="submit"]').click();
  await expectExactly(said, Q.en['desk.error.unauthorized'], 'a forged token refused');
  await page.locator('#screen-signin').waitFor();
});

flow('every desk screen passes axe in every language: sign in, open a desk, the admission list, a called booked ticket', async () => {
  // A confirmed booking (with an application number) on a coming day, its code typed at the kiosk ten minutes before.
  await api.setClock(null);
  const day = (await api.freeDays(BOOKED_SERVICE))[2];
  const slot = day.slots[Math.floor(day.slots.length / 2)];
  const applicationNumber = 'DO/2026/4711';
  const booking = await api.bookAndConfirm(BOOKED_SERVICE, slot, {
    first: 'Ewa', last: 'Okienko', email: 'ewa.okienko@example.pl', pesel: pesel('0468'), application_number: applicationNumber,
  });
  const arrival = new Date(Date.parse(slot.start) - 10 * 60_000);
  await api.setClock(arrival);
  const redeemed = await api.kiosk('POST', '/kiosk/redeem', { code: booking.kiosk_code }, arrival);
  assert.equal(redeemed.status, 200, `redeem answered ${redeemed.status}: ${JSON.stringify(redeemed.data)}`);
  const ticket = redeemed.data.ticket.number;

  const page = await openDeskScreen('pl');
  const inEveryLanguage = async (screen, check) => {
    for (const l of [...LANGUAGES.filter((x) => x !== 'pl'), 'pl']) {
      await switchLanguage(page, l);
      await check(l);
      await expectAccessible(page, `desk: ${screen} (${l})`);
    }
  };
  await inEveryLanguage('sign in', (l) => expectExactly(page.locator('#signin-h'), Q[l]['desk.signin_heading'], `the heading in ${l}`));

  await page.locator('#demo-form button[type="submit"]').click();
  await page.locator('#group-choices input[value="A"]').waitFor();
  await inEveryLanguage('open a desk', (l) => expectExactly(page.locator('#setup-h'), Q[l]['desk.setup_heading'], `the heading in ${l}`));

  await page.locator('#desk-id').fill('5');
  await page.locator('#group-choices input[value="A"]').check();
  await page.locator('#open-desk').click();
  const entry = page.locator('#admission-body tbody tr', { hasText: booking.public_ref });
  await entry.waitFor();
  await inEveryLanguage('an open desk and its admission list', async (l) => {
    await expectExactly(entry.locator('td').nth(2), applicationNumber, 'the application number on the list');
    await expectExactly(entry.locator('td').nth(3), Q[l]['desk.status.redeemed'], `the booking's status in ${l}`);
    await expectExactly(entry.locator('td').nth(4), ticket, 'its ticket');
  });

  await page.locator('#call-next').click();
  await expectExactly(page.locator('#current-ticket'), ticket, 'the booked ticket called');
  await inEveryLanguage('a called booked ticket', async (l) => {
    const facts = page.locator('#current-body dl');
    await expectExactly(facts.locator('dd').nth(1), Q[l]['desk.kind.booked'], `its kind in ${l}`);
    const text = await facts.textContent();
    for (const fact of [booking.public_ref, applicationNumber, slot.start.slice(11, 16)]) {
      assert.ok(text.includes(fact), `the called ticket shows ${fact}: ${text}`);
    }
    assert.equal(await entry.getAttribute('aria-current'), 'true', 'the called ticket marked on the list');
  });
});
