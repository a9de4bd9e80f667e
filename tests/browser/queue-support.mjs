// What the queue screens' browser tests (queue-*.test.mjs) share: the API as
// a kiosk, a clerk and a citizen call it, the local clock, a confirmed
// booking's kiosk code, the screens' strings, and the checks they all make
// (axe-core with no violation at all; a key reached with Tab alone).
//
// What these tests rely on in termin-local, beyond what kiosk-page.test.mjs
// relies on: the queue routes of /work/notes' contract (GET
// /api/queue/offices/{office}, the staff desk routes under
// /api/staff/offices/{office}/desks), POST /_local/staff-token and GET
// /_local/staff (the demo staff accounts).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { signRequest } from '../../web/kiosk-sign.js';
import { UI, axeViolations, eventually, expectText, root } from './harness.mjs';

export const OFFICE = 'olsztyn';
/** A walk-in matter of desk group A (civil affairs). */
export const WALK_IN_SERVICE = 'id-card-application';
/** A booked matter of group A that carries an application number (seed 002). */
export const BOOKED_SERVICE = 'id-card-pickup';
export const CLERK = 'clerk.olsztyn';
export const LANGUAGES = ['pl', 'cs', 'en', 'uk'];
const KIOSK_ID = 'olsztyn-hall-1';

/** The screens' strings: the board's and desk's (queue-i18n) and the citizen pages' (i18n). */
export const Q = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(root, 'web/queue-i18n', `${l}.json`), 'utf8'))]));
export const C = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(root, 'web/i18n', `${l}.json`), 'utf8'))]));

/** A string with its {placeholders} filled. */
export function fill(s, vars) {
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A string as a regular expression that matches it literally. */
export function literally(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The API of one termin-local (`termin` from withTerminLocal): plain calls,
 * a clerk's calls with a token, and a kiosk's signed calls at a given time.
 */
export function apiOf(termin) {
  let kioskSecret = null;

  async function call(method, route, body, headers = {}) {
    const text = body === undefined ? '' : JSON.stringify(body);
    if (text) headers['content-type'] = 'application/json';
    const response = await fetch(`${termin.base}/api${route}`, { method, headers, body: text || undefined, signal: AbortSignal.timeout(UI) });
    return { status: response.status, data: await response.json().catch(() => ({})) };
  }

  /** A call that must answer `status`; returns the body. */
  async function expect(status, method, route, body, headers) {
    const answer = await call(method, route, body, headers);
    assert.equal(answer.status, status, `${method} ${route} answered ${answer.status}: ${JSON.stringify(answer.data)}`);
    return answer.data;
  }

  async function local(method, route, body) {
    const response = await fetch(`${termin.base}/_local/${route}`, {
      method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    });
    assert.equal(response.status, 200, `${method} /_local/${route} answered ${response.status}`);
    return response.json();
  }

  return {
    call,
    expect,

    /** A token for a demo staff account, as the desk screen gets it. */
    async staffToken(user = CLERK) {
      const { token } = await local('POST', 'staff-token', { user });
      assert.ok(token, `a token for ${user}`);
      return token;
    },

    /** A clerk's call to a desk route: `action` is open, call-next, recall, served, missed or close. */
    desk(token, desk, action, body) {
      return expect(200, 'POST', `/staff/offices/${OFFICE}/desks/${desk}/${action}`, body, { authorization: `Bearer ${token}` });
    },

    queue() {
      return expect(200, 'GET', `/queue/offices/${OFFICE}`);
    },

    /** A kiosk's signed request at `at` (the server's clock, moved there). */
    async kiosk(method, route, body, at) {
      if (!kioskSecret) {
        const listed = await local('GET', 'kiosks');
        kioskSecret = listed.kiosks.find((k) => k.kiosk_id === KIOSK_ID).secret;
      }
      const text = body === undefined ? '' : JSON.stringify(body);
      const headers = await signRequest({ secret: kioskSecret, kioskId: KIOSK_ID, method, path: route, body: text, now: at });
      return call(method, route, body, headers);
    },

    /** A walk-in ticket taken at the kiosk at `at`; returns its number. */
    async walkIn(at, service = WALK_IN_SERVICE) {
      const answer = await this.kiosk('POST', '/kiosk/walk-in', { service_id: service }, at);
      assert.equal(answer.status, 201, `walk-in answered ${answer.status}: ${JSON.stringify(answer.data)}`);
      return answer.data.ticket.number;
    },

    /** Moves the server's clock to `at` (a Date or RFC 3339); `null`: back to now. */
    setClock(at) {
      return local('POST', 'clock', { now: at ? new Date(at).toISOString() : null });
    },

    /**
     * Books `slot` for a person and confirms it by the email link, as a
     * citizen does; returns the booking (public_ref, kiosk_code, …).
     */
    async bookAndConfirm(service, slot, person) {
      const booked = await expect(201, 'POST', '/bookings', {
        office_id: OFFICE,
        service_id: service,
        start: slot.start,
        first_name: person.first,
        last_name: person.last,
        email: person.email,
        national_id: person.pesel,
        phone: null,
        confirm_by: 'email',
        language: 'pl',
        accept_terms: true,
        consent_data_processing: true,
        lost_document: false,
        application_number: person.application_number,
      });
      const id = booked.booking_id;
      const token = await eventually(`the confirm email for booking ${id}`, async () => {
        const sent = await local('GET', 'sent');
        for (const email of sent.emails) {
          const m = new RegExp(`confirm\\.html#booking=${id}&token=([A-Za-z0-9_-]+)`).exec(email.text);
          if (m) return m[1];
        }
        return null;
      }, 60_000);
      const confirmed = await expect(200, 'POST', `/bookings/${id}/confirm`, { token });
      return confirmed.booking;
    },

    /** The free slots of `service` by day, as the booking page lists them. */
    async freeDays(service = WALK_IN_SERVICE) {
      const listing = await expect(200, 'GET', `/offices/${OFFICE}/services/${service}/slots`);
      return listing.days.filter((d) => d.slots.some((s) => s.seats_left > 0));
    },
  };
}

/** A valid PESEL (checksum holds) for a person born on 1990-05-14, serial `serial` (4 digits). */
export function pesel(serial) {
  const digits = `900514${serial}`.split('').map(Number);
  const sum = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3].reduce((acc, w, i) => acc + w * digits[i], 0);
  return `900514${serial}${(10 - (sum % 10)) % 10}`;
}

/**
 * `minutes` after the first free time of a working day (the office's opening
 * on days with nothing booked yet): a moment when the hall is open.
 */
export function openingPlus(day, minutes) {
  return new Date(Date.parse(day.slots[0].start) + minutes * 60_000);
}

/** axe-core on the page as it is: no violation of any impact. */
export async function expectAccessible(page, name) {
  const violations = await axeViolations(page, name);
  assert.deepEqual(violations.map((v) => `${v.impact} ${v.id}`), [], `axe found problems on the ${name}`);
}

/**
 * Presses Tab (from where the focus is) until `selector` has the focus, and
 * checks the browser shows the focus; fails after `max` presses.
 */
export async function tabTo(page, selector, max = 40) {
  for (let i = 0; i < max; i += 1) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) {
      assert.ok(await page.evaluate(() => document.activeElement.matches(':focus-visible')), `${selector} shows its focus`);
      return;
    }
    await page.keyboard.press('Tab');
  }
  assert.fail(`${selector} is not reached with Tab within ${max} presses`);
}

/** The page's language switched with the keyboard (the switcher's button for `l`, then Enter). */
export async function switchLanguage(page, l) {
  await page.locator(`#languages button[lang="${l}"]`).focus();
  await page.keyboard.press('Enter');
  await eventually(`the page in ${l}`, () => page.evaluate((want) => document.documentElement.lang === want, l));
}

/** Waits for an element's text to be exactly `text`. */
export function expectExactly(locator, text, what) {
  return expectText(locator, new RegExp(`^${literally(text)}$`), what);
}
