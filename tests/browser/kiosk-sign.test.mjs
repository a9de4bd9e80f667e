// web/kiosk-sign.js against signatures computed here, independently, with
// node:crypto. No browser, no server: node --test kiosk-sign.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { signRequest, randomNonce } from '../../web/kiosk-sign.js';

const SECRET = 'demo-kiosk-secret-olsztyn-hall-1';
const KIOSK = 'olsztyn-hall-1';
const NOW_MS = 1796200215123; // 2026-12-02T08:30:15.123Z: the timestamp is whole seconds
const TIMESTAMP = '1796200215';
const NONCE = '00112233445566778899aabbccddeeff';

function expected(method, path, body) {
  const bodySha = createHash('sha256').update(Buffer.from(body, 'utf8')).digest('hex');
  const message = `${method}\n${path}\n${TIMESTAMP}\n${NONCE}\n${bodySha}`;
  return {
    'x-kiosk-id': KIOSK,
    'x-kiosk-timestamp': TIMESTAMP,
    'x-kiosk-nonce': NONCE,
    'x-kiosk-body-sha256': bodySha,
    'x-kiosk-signature': createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(message, 'utf8').digest('hex'),
  };
}

test('a POST is signed over method, path, timestamp, nonce and the body hash', async () => {
  const body = JSON.stringify({ code: '123456' });
  const headers = await signRequest({ secret: SECRET, kioskId: KIOSK, method: 'POST', path: '/kiosk/redeem', body, now: NOW_MS, nonce: NONCE });
  assert.deepEqual(headers, expected('POST', '/kiosk/redeem', body));
});

test('a GET is signed with the hash of the empty body', async () => {
  const headers = await signRequest({ secret: SECRET, kioskId: KIOSK, method: 'get', path: '/kiosk/config', now: NOW_MS, nonce: NONCE });
  assert.equal(headers['x-kiosk-body-sha256'], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.deepEqual(headers, expected('GET', '/kiosk/config', ''));
});

test('a fixed vector does not drift', async () => {
  // Pinned so a change to the message layout shows up even if expected() changes with it.
  const headers = await signRequest({ secret: SECRET, kioskId: KIOSK, method: 'GET', path: '/kiosk/config', now: NOW_MS, nonce: NONCE });
  const message = 'GET\n/kiosk/config\n1796200215\n00112233445566778899aabbccddeeff\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  assert.equal(headers['x-kiosk-signature'], createHmac('sha256', SECRET).update(message).digest('hex'));
});

test('a secret with non-ASCII characters is keyed by its UTF-8 bytes', async () => {
  const secret = 'zażółć-gęślą-jaźń';
  const body = '{"service_id":"id-card-application"}';
  const headers = await signRequest({ secret, kioskId: KIOSK, method: 'POST', path: '/kiosk/walk-in', body, now: NOW_MS, nonce: NONCE });
  const bodySha = createHash('sha256').update(body).digest('hex');
  const message = `POST\n/kiosk/walk-in\n${TIMESTAMP}\n${NONCE}\n${bodySha}`;
  assert.equal(headers['x-kiosk-signature'], createHmac('sha256', Buffer.from(secret, 'utf8')).update(message).digest('hex'));
});

test('a different secret gives a different signature', async () => {
  const a = await signRequest({ secret: SECRET, kioskId: KIOSK, method: 'GET', path: '/kiosk/config', now: NOW_MS, nonce: NONCE });
  const b = await signRequest({ secret: `${SECRET}x`, kioskId: KIOSK, method: 'GET', path: '/kiosk/config', now: NOW_MS, nonce: NONCE });
  assert.notEqual(a['x-kiosk-signature'], b['x-kiosk-signature']);
});

test('nonces are 32 lowercase hex characters and differ between requests', async () => {
  const seen = new Set(Array.from({ length: 50 }, randomNonce));
  assert.equal(seen.size, 50);
  for (const n of seen) assert.match(n, /^[0-9a-f]{32}$/);
  const headers = await signRequest({ secret: SECRET, kioskId: KIOSK, method: 'GET', path: '/kiosk/config' });
  assert.match(headers['x-kiosk-nonce'], /^[0-9a-f]{32}$/);
  assert.match(headers['x-kiosk-timestamp'], /^\d{10}$/);
  assert.ok(Math.abs(Number(headers['x-kiosk-timestamp']) - Date.now() / 1000) < 5);
});
