// The pages' strings, without a browser, for each set of strings: the citizen
// pages' (web/i18n/{pl,cs,en,uk}.json), the queue board's and desk
// screen's (web/queue-i18n/) and the administration page's
// (web/admin/i18n/, used by the files in web/admin/). In each set every language has the same keys
// with the same {placeholders}, every key its pages use exists, and every key
// is used. A key counts as used when it is quoted in a page's JS ('key') or
// named in its HTML (data-i18n="key", data-i18n-label="key"); keys are never
// built from pieces, so this is exact. The kiosk screen's strings
// (web/kiosk-i18n) are checked by its own test.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const LANGUAGES = ['pl', 'cs', 'en', 'uk'];
/** The hall board and the desk screen, with the module they share. */
const queueScreen = (f) => /^(board|desk|queue-screens)\./.test(f);
const SETS = [
  { folder: 'i18n', pages: 'the citizen pages', uses: (f) => !f.startsWith('kiosk') && !queueScreen(f) },
  { folder: 'queue-i18n', pages: 'the queue board and the desk screen', uses: queueScreen },
  { folder: 'admin/i18n', dir: 'admin', pages: "the administration page's files", uses: () => true },
];
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');

/** Keys named in the sources: in t('…') calls, data-i18n attributes, and quoted 'a.b' strings. */
function keysIn({ text }) {
  const keys = new Set();
  for (const m of text.matchAll(/data-i18n(?:-label)?="([^"]+)"/g)) keys.add(m[1]);
  for (const m of text.matchAll(/['"`]([a-z]+(?:\.[a-z_]+)+)['"`]/g)) keys.add(m[1]);
  return keys;
}

for (const { folder, dir = '.', pages, uses } of SETS) {
  const strings = Object.fromEntries(LANGUAGES.map((l) => [l, JSON.parse(fs.readFileSync(path.join(web, folder, `${l}.json`), 'utf8'))]));
  const sources = fs.readdirSync(path.join(web, dir)).filter((f) => /\.(js|html)$/.test(f) && uses(f))
    .map((f) => ({ file: path.join(dir, f), text: fs.readFileSync(path.join(web, dir, f), 'utf8') }));

  test(`${folder}: every language has the same keys, each a non-empty string with the same placeholders`, () => {
    const en = strings.en;
    for (const l of LANGUAGES) {
      const missing = Object.keys(en).filter((k) => !(k in strings[l]));
      const extra = Object.keys(strings[l]).filter((k) => !(k in en));
      assert.deepEqual(missing, [], `${folder}/${l}.json lacks keys that en.json has`);
      assert.deepEqual(extra, [], `${folder}/${l}.json has keys that en.json lacks`);
      for (const [k, v] of Object.entries(strings[l])) {
        assert.ok(typeof v === 'string' && v.trim(), `${folder}/${l}.json: ${k} is empty`);
        assert.equal(placeholders(v), placeholders(en[k]), `${folder}/${l}.json: ${k} has other placeholders than en.json`);
      }
    }
  });

  test(`${folder}: every key ${pages} use exists, and every key is used by one of them`, () => {
    assert.ok(sources.length > 0, `no sources for ${folder}`);
    const used = new Map(); // key → file
    for (const s of sources) for (const k of keysIn(s)) if (!used.has(k)) used.set(k, s.file);
    // Quoted dotted strings that are not keys: file names and the like.
    const notKeys = [...used.keys()].filter((k) => /\.(js|html|json|css|ics)$/.test(k));
    for (const k of notKeys) used.delete(k);
    const missing = [...used].filter(([k]) => !(k in strings.en)).map(([k, f]) => `${k} (${f})`);
    assert.deepEqual(missing, [], `keys used by ${pages} but missing from ${folder}/`);
    const unused = Object.keys(strings.en).filter((k) => !used.has(k));
    assert.deepEqual(unused, [], `keys in ${folder}/ that none of ${pages} uses`);
  });
}
