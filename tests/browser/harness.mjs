// What every browser test file needs around its flows: `termin-local` on free
// ports and headless Chromium, started before the file's first test and
// stopped after its last, plus the waits and the axe-core run they share.
//
// Knobs: TERMIN_LOCAL_BIN (default <target dir>/debug/termin-local), CHROMIUM
// (default /usr/bin/chromium), TERMIN_WEB_DIR (termin-local serves the pages
// from this folder, e.g. another checkout's web/), TERMIN_TEST_LOG_DIR (the
// runner's log goes there instead: tests/run checks the log of the whole run).
// On failure, screenshots and the runner's log are in the file's artifacts
// folder (the log in TERMIN_TEST_LOG_DIR when that is set).
//
// Every wait is on a condition with a deadline, never on the clock alone: the
// runner is ready when GET /api/offices answers 200. The deadlines are generous
// for a busy two-core CI machine. Only starting things is retried (the runner,
// with fresh ports, and Chromium), once; every assertion of a flow counts the
// first time.

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
/** The workspace root (the folder with Cargo.toml and web/). */
export const root = path.resolve(here, '../..');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// Deadlines (ms).
const SERVER_READY = 180_000; // DynamoDB Local (Java) and moto (Python) starting
export const UI = 30_000; // one page action, or a text to appear
const TEST = 5 * 60_000; // one flow

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Waits and checks
// ---------------------------------------------------------------------------

/** Polls `check` until it returns a truthy value; fails with `what` after `ms`. */
export async function eventually(what, check, ms = UI) {
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
    await sleep(200);
  }
}

/** Waits until the element's text matches `pattern`; the failure shows the text it had. */
export async function expectText(locator, pattern, what) {
  let seen = '';
  try {
    await eventually(what, async () => {
      seen = ((await locator.textContent({ timeout: 1000 })) || '').trim();
      return pattern.test(seen);
    }, UI);
  } catch {
    assert.fail(`${what}: expected ${pattern}, page shows ${JSON.stringify(seen)}`);
  }
  return seen;
}

/**
 * axe-core on the page as it is: logs every violation, with the elements and
 * how to fix them, and returns them. Which ones fail the test is the caller's
 * rule (the kiosk allows none at all). `options` go to axe.run, e.g. `runOnly`.
 */
export async function axeViolations(page, name, options = {}) {
  await page.addScriptTag({ path: axePath });
  const { violations } = await page.evaluate((o) => window.axe.run(document, { resultTypes: ['violations'], ...o }), options);
  for (const v of violations) {
    console.log(`axe ${name}: [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes) console.log(`    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`);
  }
  return violations;
}

// ---------------------------------------------------------------------------
// The runner and the browser
// ---------------------------------------------------------------------------

/**
 * Runs termin-local and Chromium for every test in the calling file: registers
 * the file's before, afterEach and after hooks. Options:
 * - `table`: the DynamoDB table name, one per file;
 * - `artifacts`: the folder, relative to tests/browser/, for the runner's log
 *   and screenshots of failed flows (emptied first);
 * - `chromium`: launch options added to the defaults, e.g. `{ viewport }`;
 * - `setUp(termin)`: what the file needs once both are up, before its first
 *   test. (Not a `before` of the file's own: Node 20 runs a file's top-level
 *   `before` hooks side by side, so it could run before termin-local is up.)
 *
 * Returns `termin`: `termin.base` (the runner's URL) and `termin.context` (the
 * browser, one persistent profile for the whole file) once started, and
 * `termin.flow(name, body)`, a test whose failure leaves a screenshot of every
 * open page in the artifacts folder.
 */
export function withTerminLocal({ table, artifacts, chromium: chromiumOptions = {}, setUp = async () => {} }) {
  const artifactsDir = path.join(here, artifacts);
  const termin = { base: undefined, context: undefined, flow };
  let server; // { child, logPath }
  let userDataDir;

  function stopServer() {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      try { process.kill(-server.child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
  process.on('exit', stopServer);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { stopServer(); process.exit(130); });

  /**
   * Starts termin-local on free ports, its output in `logPath`, and waits
   * until it answers GET /api/offices with 200 (the table is made and the demo
   * offices loaded before it listens). Fails, with the tail of the log, if it
   * ends first or does not answer within SERVER_READY.
   */
  async function startServer(bin, logPath) {
    const [dbPort, webPort, mailPort] = await freePorts(3);
    const publicBase = `http://127.0.0.1:${webPort}`;
    const log = fs.openSync(logPath, 'w');
    // The same environment as local/run (keep them in step), on ports of its own.
    const child = spawn(bin, [], {
      cwd: root,
      detached: true, // its own process group, so the Java child goes with it
      stdio: ['ignore', log, log],
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
        AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${mailPort}`,
        EMAIL_FROM: 'termin@urzad.example.pl',
        PUBLIC_BASE_URL: publicBase,
        REMINDER_LEAD_HOURS: '24',
        TABLE_NAME: table,
        HASH_KEY: 'dGVybWluLWxvY2FsLWRldmVsb3BtZW50LWtleS0wMDAwMDA=',
        RUST_LOG: process.env.RUST_LOG || 'info',
      },
    });
    fs.closeSync(log);
    server = { child, logPath };
    termin.base = publicBase;
    const started = Date.now();
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`termin-local ended (${child.exitCode ?? child.signalCode}) before it answered; the end of ${logPath}:\n${tail(logPath)}`);
      }
      try {
        const response = await fetch(`${termin.base}/api/offices`, { signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        if (response.status === 200) {
          console.log(`termin-local answered GET /api/offices after ${((Date.now() - started) / 1000).toFixed(1)} s`);
          return;
        }
      } catch { /* not listening yet */ }
      if (Date.now() - started > SERVER_READY) {
        stopServer();
        throw new Error(`termin-local did not answer GET /api/offices with 200 within ${SERVER_READY / 1000} s; the end of ${logPath}:\n${tail(logPath)}`);
      }
      await sleep(250);
    }
  }

  /** Headless Chromium with a fresh profile. */
  async function launchChromium() {
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'termin-chromium-'));
    return chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      timeout: 60_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      ...chromiumOptions,
    });
  }

  before(async () => {
    fs.rmSync(artifactsDir, { recursive: true, force: true });
    fs.mkdirSync(artifactsDir, { recursive: true });
    const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
    const bin = process.env.TERMIN_LOCAL_BIN || path.join(targetDir, 'debug/termin-local');
    assert.ok(fs.existsSync(bin), `${bin} is missing: cargo build -p termin-local`);

    const logDir = process.env.TERMIN_TEST_LOG_DIR;
    if (logDir) fs.mkdirSync(logDir, { recursive: true });
    const logPath = (attempt) => {
      const name = attempt === 1 ? 'termin-local.log' : 'termin-local.retry.log';
      return logDir ? path.join(logDir, `${table}.${name}`) : path.join(artifactsDir, name);
    };
    await startedOnRetry('termin-local', (attempt) => startServer(bin, logPath(attempt)), async () => stopServer());

    const context = await startedOnRetry('Chromium', launchChromium, async () => {
      fs.rmSync(userDataDir, { recursive: true, force: true });
    });
    context.setDefaultTimeout(UI);
    context.setDefaultNavigationTimeout(UI);
    for (const page of context.pages()) await page.close();
    context.on('page', (page) => {
      page.on('pageerror', (e) => console.log(`page error on ${page.url()}: ${e.message}`));
    });
    termin.context = context;
    await setUp(termin);
  }, { timeout: 2 * SERVER_READY + 3 * 60_000 });

  afterEach(async () => {
    await Promise.all(termin.context.pages().map((p) => p.close().catch(() => {})));
  });

  after(async () => {
    if (termin.context) await termin.context.close().catch(() => {});
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
  }, { timeout: 60_000 });

  /** A test whose failure leaves a screenshot of every open page in the artifacts folder. */
  function flow(name, body) {
    test(name, { timeout: TEST }, async () => {
      try {
        await body();
      } catch (error) {
        const stem = name.split(' ').slice(0, 8).join('-').replace(/[^a-z0-9-]+/gi, '');
        await Promise.all(termin.context.pages().map((p, i) => {
          const file = path.join(artifactsDir, `${stem}-${i}.png`);
          return p.screenshot({ path: file, fullPage: true })
            .then(() => console.log(`screenshot of ${p.url()}: ${path.relative(here, file)}`))
            .catch(() => {});
        }));
        throw error;
      }
    });
  }

  return termin;
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

/** The last lines of a file, for a failure message. */
function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') || '(the log is empty)';
  } catch (e) {
    return `(no log: ${e.message})`;
  }
}

/**
 * Runs `start` (what); if it fails, says why and runs it once more. Only for
 * starting things, whose failure is the machine's (a port taken between
 * choosing and binding it, a browser that did not come up), never for a flow.
 */
async function startedOnRetry(what, start, cleanUp) {
  try {
    return await start(1);
  } catch (error) {
    // Playwright's message repeats Chromium's whole command line; the rest says why.
    const why = error.message.split('\n').filter((line) => !line.includes('<launching>')).join('\n');
    console.log(`${what} failed to start, retrying once:\n${why}`);
    await cleanUp();
    return start(2);
  }
}
