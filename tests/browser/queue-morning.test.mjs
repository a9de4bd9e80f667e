// An office morning, played through the screens in headless Chromium against
// `termin-local`: two walk-ins take tickets at the kiosk, a citizen who booked
// online (and confirmed by the email link) types the code; a clerk opens a
// desk on the desk screen and calls them in the order the rule gives — the
// walk-in first while the booked time has not come, then the booked client
// as soon as it has (before the walk-in who came earlier), then the other
// walk-in —, recalls, marks served and missed. The hall's board and the
// citizens' "queue now" page follow every step.
//
// Run on its own (after `cargo build -p termin-local`):
//   (cd tests/browser && npm ci && node --test queue-morning.test.mjs)
// Knobs: TERMIN_LOCAL_BIN, CHROMIUM (see harness.mjs). On failure,
// screenshots and the runner's log are in tests/browser/artifacts/queue-morning/.
// What it relies on in termin-local: see queue-support.mjs.

import assert from 'node:assert/strict';
import { eventually, withTerminLocal } from './harness.mjs';
import {
  BOOKED_SERVICE, C, CLERK, OFFICE, Q, apiOf, expectExactly, fill, pesel,
} from './queue-support.mjs';

const termin = withTerminLocal({
  table: 'termin-queue-morning-test',
  artifacts: 'artifacts/queue-morning',
  chromium: { viewport: { width: 1920, height: 1080 } },
});
const { flow } = termin;
const api = apiOf(termin);
const minutes = (at, n) => new Date(at.getTime() + n * 60_000);

flow('an office morning: kiosk tickets, a booked client called when their time comes, and the board and the queue page following each call', async () => {
  // Before the day: a booking for 10:00 or later on a coming working day, confirmed by the email link.
  await api.setClock(null);
  const day = (await api.freeDays(BOOKED_SERVICE))[1];
  const slot = day.slots.find((s) => s.start.slice(11, 16) >= '10:00') || day.slots[day.slots.length - 1];
  const applicationNumber = 'DO/2026/0815';
  const booking = await api.bookAndConfirm(BOOKED_SERVICE, slot, {
    first: 'Anna', last: 'Poranna', email: 'anna.poranna@example.pl', pesel: pesel('0721'), application_number: applicationNumber,
  });
  const appointment = new Date(slot.start);

  // 15 minutes before: two walk-ins; 10 minutes before: the booked client's code.
  let now = minutes(appointment, -15);
  await api.setClock(now);
  const walkIn1 = await api.walkIn(now);
  const walkIn2 = await api.walkIn(now);
  now = minutes(appointment, -10);
  await api.setClock(now);
  const redeemed = await api.kiosk('POST', '/kiosk/redeem', { code: booking.kiosk_code }, now);
  assert.equal(redeemed.status, 200, `redeem answered ${redeemed.status}: ${JSON.stringify(redeemed.data)}`);
  const booked = redeemed.data.ticket.number;
  assert.equal(redeemed.data.ticket.kind, 'booked');

  // The hall's board, a citizen's phone, and the clerk's screen.
  const board = await termin.context.newPage();
  await board.goto(`${termin.base}/board.html?office=${OFFICE}`);
  const boardA = board.locator('#group-rows tr[data-group="A"]');
  const phone = await termin.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(`${termin.base}/queue.html?office=${OFFICE}`);
  const phoneA = phone.locator('.queue-group[data-group="A"]');
  const desk = await termin.context.newPage();
  await desk.setViewportSize({ width: 1280, height: 1024 });
  await desk.goto(`${termin.base}/desk.html?lang=pl`);
  const said = desk.locator('#result');

  /** The board and the queue page after a step: waiting in group A, and who is served at desk 1. */
  async function hallShows(waiting, serving, step) {
    await expectExactly(boardA.locator('td.waiting'), String(waiting), `board: waiting in A ${step}`);
    if (serving) {
      await expectExactly(board.locator(`#serving-rows tr[data-ticket="${serving}"] td.desk`), '→ 1', `board: ${serving} at desk 1 ${step}`);
    } else {
      await eventually(`board: nobody served ${step}`, async () => (await board.locator('#serving-rows tr').count()) === 0);
    }
    await phone.locator('#refresh').click();
    await expectExactly(phoneA.locator('.waiting'), String(waiting), `queue page: waiting in A ${step}`);
    await expectExactly(phoneA.locator('.serving'), serving ? fill(C.pl['queue.at_desk'], { ticket: serving, desk: '1' }) : C.pl['queue.serving_none'], `queue page: served in A ${step}`);
  }

  await hallShows(3, null, 'before the desk opens');
  await expectExactly(phoneA.locator('.wait'), C.pl['queue.no_desk'], 'queue page: no desk open yet');

  // The clerk signs in and opens desk 1 for group A; the booking is on the admission list with its ticket.
  await desk.locator('#demo-user').selectOption(CLERK);
  await desk.locator('#demo-form button[type="submit"]').click();
  await desk.locator('#group-choices input[value="A"]').waitFor();
  await desk.locator('#desk-id').fill('1');
  await desk.locator('#group-choices input[value="A"]').check();
  await desk.locator('#open-desk').click();
  await desk.locator('#screen-desk').waitFor();
  await expectExactly(desk.locator('#desk-facts'), fill(Q.pl['desk.facts'], { groups: 'A', waiting: 3 }), 'three waiting for desk 1');
  const entry = desk.locator('#admission-body tbody tr', { hasText: booking.public_ref });
  await expectExactly(entry.locator('td').nth(4), booked, 'the booked ticket on the admission list');
  await expectExactly(entry.locator('td').nth(2), applicationNumber, 'the application number on the admission list');
  await expectExactly(boardA.locator('td.desks'), '1', 'board: desk 1 open for A');

  // 10 minutes before the booked time: the first walk-in, in arrival order.
  await desk.locator('#call-next').click();
  await expectExactly(desk.locator('#current-ticket'), walkIn1, 'the first walk-in called before the booked time');
  await expectExactly(desk.locator('#current-body dl dd').nth(1), Q.pl['desk.kind.walk_in'], 'a walk-in');
  await expectExactly(board.locator('#announce'), fill(Q.pl['board.announce'], { ticket: walkIn1, desk: '1' }), 'board: the call announced');
  await hallShows(2, walkIn1, `after ${walkIn1} is called`);
  await desk.locator('#served').click();
  await expectExactly(said, fill(Q.pl['desk.did.served'], { ticket: walkIn1 }), `${walkIn1} served`);
  await hallShows(2, null, `after ${walkIn1} is served`);

  // The booked time comes: the booked client goes before the walk-in who came earlier.
  now = minutes(appointment, 1);
  await api.setClock(now);
  await desk.locator('#call-next').click();
  await expectExactly(desk.locator('#current-ticket'), booked, 'the booked client called when their time has come');
  const facts = desk.locator('#current-body dl');
  await expectExactly(facts.locator('dd').nth(1), Q.pl['desk.kind.booked'], 'a booked client');
  const shown = await facts.textContent();
  for (const fact of [booking.public_ref, applicationNumber, slot.start.slice(11, 16), Q.pl['desk.reason.appointment']]) {
    assert.ok(shown.includes(fact), `the desk shows ${fact}: ${shown}`);
  }
  await expectExactly(board.locator('#announce'), fill(Q.pl['board.announce'], { ticket: booked, desk: '1' }), 'board: the booked call announced');
  await hallShows(1, booked, `after ${booked} is called`);
  await desk.locator('#served').click();
  await expectExactly(said, fill(Q.pl['desk.did.served'], { ticket: booked }), `${booked} served`);

  // The other walk-in: called, recalled, and missed.
  await desk.locator('#call-next').click();
  await expectExactly(desk.locator('#current-ticket'), walkIn2, 'the second walk-in called last');
  await hallShows(0, walkIn2, `after ${walkIn2} is called`);
  await desk.locator('#recall').click();
  await expectExactly(board.locator('#announce'), fill(Q.pl['board.announce_recall'], { ticket: walkIn2, desk: '1', call: 2 }), 'board: the recall announced');
  await desk.locator('#missed').click();
  await expectExactly(said, fill(Q.pl['desk.did.missed'], { ticket: walkIn2 }), `${walkIn2} missed`);
  await hallShows(0, null, `after ${walkIn2} is missed`);
  await expectExactly(desk.locator('#desk-facts'), fill(Q.pl['desk.facts'], { groups: 'A', waiting: 0 }), 'nobody waiting for desk 1');

  // The day as the API has it: each ticket's last call, newest first (the recall moved its ticket to the top).
  const status = await api.queue();
  assert.deepEqual(status.calls.map((c) => `${c.ticket}/${c.call}`), [`${walkIn2}/2`, `${booked}/1`, `${walkIn1}/1`], 'the calls, newest first');
  const groupA = status.groups.find((g) => g.desk_group === 'A');
  assert.equal(groupA.measured, true, 'the visits served today measure the service time');
});
