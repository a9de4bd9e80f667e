// Signs a kiosk request. Runs in the browser and in Node ≥ 18 (both have
// globalThis.crypto.subtle), so tests/browser/kiosk-sign.test.mjs checks it
// against a vector computed with node:crypto.
//
// The server recomputes:
//   HMAC-SHA256(secret, METHOD \n PATH \n TIMESTAMP \n NONCE \n SHA256_HEX(body))
// PATH is the route path without the /api prefix ("/kiosk/redeem").

const encoder = new TextEncoder();

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 16 random bytes as 32 lowercase hex characters. */
export function randomNonce() {
  return hex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
}

export async function sha256Hex(text) {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * The x-kiosk-* headers for one request.
 * - secret: the kiosk secret exactly as staff typed it (its UTF-8 bytes are the key)
 * - method: "GET" / "POST" (upper-cased here)
 * - path: route path without /api, e.g. "/kiosk/config"
 * - body: the exact string sent ("" or undefined when there is none)
 * - now: milliseconds since the epoch (Date.now()) or a Date; defaults to now
 * - nonce: 32 lowercase hex chars; defaults to a fresh random one
 */
export async function signRequest({ secret, kioskId, method, path, body = '', now = Date.now(), nonce = randomNonce() }) {
  const timestamp = String(Math.floor(Number(now) / 1000));
  const bodySha = await sha256Hex(body || '');
  const message = [method.toUpperCase(), path, timestamp, nonce, bodySha].join('\n');
  const key = await globalThis.crypto.subtle.importKey(
    'raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'],
  );
  const signature = hex(await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  return {
    'x-kiosk-id': kioskId,
    'x-kiosk-timestamp': timestamp,
    'x-kiosk-nonce': nonce,
    'x-kiosk-body-sha256': bodySha,
    'x-kiosk-signature': signature,
  };
}
