// The hall's queue board (web/board.html) and the citizens' "queue now" page
// (web/queue.html) in headless Chromium against `termin-local`: a clerk's
// call reaches the board at once and is announced for screen readers, a
// recall is announced again, the board says when it loses the connection and
// recovers by itself, it fits a 1920×1080 screen without scrolling, and both
// pages pass axe-core (no violation at all) in all four languages.
//
// Run on its own (after `cargo build -p termin-local`):
//   (cd tests/browser && npm ci && node --test queue-board.test.mjs)
// Knobs: TERMIN_LOCAL_BIN, CHROMIUM (see harness.mjs). On failure,
// screenshots and the runner's log are in tests/browser/artifacts/queue-board/.
// What it relies on in termin-local: see queue-support.mjs.

import assert from 'node:assert/strict';
import { eventually, expectText, withTerminLocal } from './harness.mjs';
import {
  C, LANGUAGES, OFFICE, Q, apiOf, expectAccessible, expectExactly, fill, literally, openingPlus, switchLanguage,
} from './queue-support.mjs';

let days; // working days with free times, the first one soonest
const termin = withTerminLocal({
  table: 'termin-queue-board-test',
  artifacts: 'artifacts/queue-board',
  chromium: { viewport: { width: 1920, height: 1080 } },
  setUp: async () => { days = await api.freeDays(); },
});
const { flow } = termin;
const api = apiOf(termin);

/** The board of the demo office, with its first answer rendered. */
async function openBoard(query = '') {
  const page = await termin.context.newPage();
  await page.goto(`${termin.base}/board.html?office=${OFFICE}${query}`);
  await page.locator('#group-rows tr[data-group="A"]').waitFor();
  return page;
}

/** The wait as the pages write it, from a group of the API's QueueStatus. */
function waitText(strings, prefix, group) {
  if (!group.wait_minutes) return strings[`${prefix}.no_desk`];
  const { min, max } = group.wait_minutes;
  if (max === 0) return strings[`${prefix}.no_wait`];
  return min === max ? fill(strings[`${prefix}.wait_about`], { minutes: max }) : fill(strings[`${prefix}.wait_range`], { min, max });
}

flow('when a clerk calls a ticket the board shows it with its desk and announces it; a recall is announced again; served leaves the list', async () => {
  const at = openingPlus(days[1], 60);
  await api.setClock(at);
  const ticket = await api.walkIn(at);
  const page = await openBoard();
  const status = await api.queue();
  assert.equal(await page.evaluate(() => document.documentElement.lang), status.languages[0], "the office's first language");
  await expectText(page.locator('h1'), new RegExp(`^${literally(status.office_name[status.languages[0]])}`), 'the office name');
  const groupA = page.locator('#group-rows tr[data-group="A"]');
  await expectExactly(groupA.locator('td.waiting'), '1', 'one person waiting in group A');
  await expectExactly(groupA.locator('td.wait'), Q.pl['board.no_desk'], 'no desk open for group A yet');
  await expectExactly(page.locator('#serving-none'), Q.pl['board.nobody_called'], 'nobody called yet');

  const token = await api.staffToken();
  await api.desk(token, '4', 'open', { groups: ['A'] });
  const called = await api.desk(token, '4', 'call-next');
  assert.equal(called.current.ticket, ticket, 'the only waiting ticket is called');

  const row = page.locator(`#serving-rows tr[data-ticket="${ticket}"]`);
  await expectExactly(row.locator('td.desk'), '→ 4', 'the called ticket and its desk on the board');
  await expectExactly(page.locator('#announce'), fill(Q.pl['board.announce'], { ticket, desk: '4' }), 'the announcement');
  assert.equal(await page.locator('#announce').getAttribute('aria-live'), 'assertive');
  await expectExactly(groupA.locator('td.waiting'), '0', 'nobody left waiting in group A');
  await expectExactly(groupA.locator('td.desks'), '4', 'desk 4 open for group A');

  const recalled = await api.desk(token, '4', 'recall');
  assert.equal(recalled.current.calls, 2);
  await expectExactly(page.locator('#announce'), fill(Q.pl['board.announce_recall'], { ticket, desk: '4', call: 2 }), 'the recall announced');

  await api.desk(token, '4', 'served');
  await eventually('the served ticket off the "now serving" list', async () => (await row.count()) === 0);
  await expectExactly(page.locator(`#recent-list li[data-ticket="${ticket}"]`), `${ticket} ${fill(Q.pl['board.at_desk'], { desk: '4' })}`, 'the ticket among the earlier calls');

  await api.desk(token, '4', 'close');
  await expectExactly(groupA.locator('td.wait'), Q.pl['board.no_desk'], 'no desk open again after closing');
});

flow('when the board cannot reach the API it keeps the last state, says since when, and recovers by itself', async () => {
  const page = await openBoard();
  const asOf = (await page.locator('#as-of').textContent()).trim();
  assert.match(asOf, /^\d{2}:\d{2}$/);
  await page.route('**/api/queue/**', (route) => route.abort());
  const [before, after] = Q.pl['board.connection_lost_since'].split('{time}');
  await expectText(page.locator('#connection'), new RegExp(`^${literally(before)}\\d{2}:\\d{2}${literally(after)}$`), 'the connection-lost notice');
  assert.ok(await page.locator('#group-rows tr').count() > 0, 'the last state stays on the board');
  await page.unroute('**/api/queue/**');
  await page.locator('#connection').waitFor({ state: 'hidden' });
  await expectText(page.locator('#as-of'), /^\d{2}:\d{2}$/, 'the time of the fresh state');
});

flow('a busy board fits 1920×1080 without scrolling and passes axe in every language', async () => {
  const at = openingPlus(days[2], 60);
  await api.setClock(at);
  for (const service of ['id-card-application', 'id-card-application', 'id-card-application', 'vehicle-registration', 'driving-licence', 'customer-service-matters']) {
    await api.walkIn(at, service);
  }
  const token = await api.staffToken();
  const desks = { 1: ['A'], 2: ['A'], 5: ['P'], 7: ['K', 'B'] };
  for (const [desk, groups] of Object.entries(desks)) {
    await api.desk(token, desk, 'open', { groups });
    await api.desk(token, desk, 'call-next');
  }
  await api.desk(token, '2', 'recall');
  const status = await api.queue();
  const serving = status.groups.flatMap((g) => g.serving);
  assert.equal(serving.length, 4, 'four desks serve');

  for (const l of LANGUAGES) {
    const page = await openBoard(`&lang=${l}`);
    await eventually(`four tickets on the board (${l})`, async () => (await page.locator('#serving-rows tr').count()) === 4);
    assert.equal(await page.evaluate(() => document.documentElement.lang), l, '?lang= chooses the language');
    await expectExactly(page.locator('#serving-h'), Q[l]['board.now_serving'], `the heading in ${l}`);
    for (const g of status.groups) {
      const row = page.locator(`#group-rows tr[data-group="${g.desk_group}"]`);
      await expectExactly(row.locator('td.waiting'), String(g.waiting), `waiting in group ${g.desk_group}`);
      await expectExactly(row.locator('td.wait'), waitText(Q[l], 'board', g), `the wait in group ${g.desk_group} (${l})`);
    }
    const layout = await page.evaluate(() => ({
      height: document.documentElement.scrollHeight,
      width: document.documentElement.scrollWidth,
      bottoms: [...document.querySelectorAll('#group-rows tr, #serving-rows tr')].map((r) => r.getBoundingClientRect().bottom),
    }));
    assert.ok(layout.height <= 1080 && layout.width <= 1920, `the board scrolls (${l}): ${layout.width}×${layout.height}`);
    assert.ok(layout.bottoms.every((b) => b <= 1080), `every group and ticket is on the screen (${l}): ${layout.bottoms}`);
    await expectAccessible(page, `board (${l})`);
    await page.close();
  }
});

flow('the "queue now" page: offices to choose from, per group the waiting, the numbers served and the wait, a refresh button; axe in every language', async () => {
  const at = openingPlus(days[3], 60);
  await api.setClock(at);
  await api.walkIn(at);
  await api.walkIn(at);
  const token = await api.staffToken();
  await api.desk(token, '3', 'open', { groups: ['A'] });
  const first = (await api.desk(token, '3', 'call-next')).current.ticket;

  // The citizen pages link to it.
  const page = await termin.context.newPage();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${termin.base}/`);
  await switchLanguage(page, 'pl');
  await expectExactly(page.locator('nav a[href="queue.html"]'), C.pl['nav.queue'], 'the nav link to the queue page');
  await page.locator('nav a[href="queue.html"]').focus();
  await page.keyboard.press('Enter');

  // No office given: the offices to choose from.
  const { offices } = await api.expect(200, 'GET', '/offices');
  await eventually('the offices listed', async () => (await page.locator('#offices a').count()) === offices.length);
  for (const l of [...LANGUAGES.filter((x) => x !== 'pl'), 'pl']) {
    await switchLanguage(page, l);
    await expectExactly(page.locator('#choose-h'), C[l]['queue.choose'], `the chooser's heading in ${l}`);
    await expectAccessible(page, `queue page: choose an office (${l})`);
  }
  await page.locator(`#offices a[href="queue.html?office=${OFFICE}"]`).focus();
  await page.keyboard.press('Enter');
  await page.locator('.queue-group[data-group="A"]').waitFor();

  const status = await api.queue();
  assert.equal(await page.locator('.queue-group').count(), status.groups.length, 'one section per desk group');
  const groupA = page.locator('.queue-group[data-group="A"]');
  await expectExactly(groupA.locator('.waiting'), '1', 'one person waiting in group A');
  await expectExactly(groupA.locator('.serving'), fill(C.pl['queue.at_desk'], { ticket: first, desk: '3' }), 'the number served and its desk');
  await expectExactly(groupA.locator('.wait'), waitText(C.pl, 'queue', status.groups.find((g) => g.desk_group === 'A')), 'the wait in group A');
  await expectExactly(page.locator('.queue-group[data-group="K"] .wait'), C.pl['queue.no_desk'], 'no desk open for group K');
  const [before, after] = C.pl['queue.updated'].split('{time}');
  await expectText(page.locator('#updated'), new RegExp(`^${literally(before)}\\d{1,2}:\\d{2}${literally(after)}$`), 'when it was updated');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the queue page is ${wide} px wide on a 390 px phone`);

  // Someone else takes a ticket; the button shows it.
  await api.walkIn(at);
  await page.locator('#refresh').focus();
  await page.keyboard.press('Enter');
  await expectExactly(groupA.locator('.waiting'), '2', 'two waiting after the refresh');
  await expectText(page.locator('#refreshed'), new RegExp(`^${literally(before)}`), 'the refresh said aloud');

  for (const l of [...LANGUAGES.filter((x) => x !== 'pl'), 'pl']) {
    await switchLanguage(page, l);
    await expectExactly(groupA.locator('dt').first(), C[l]['queue.waiting'], `the labels in ${l}`);
    await expectAccessible(page, `queue page: ${OFFICE} (${l})`);
  }
});
