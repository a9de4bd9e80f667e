// A front for termin-local that serves web/ from another folder: static files
// from `webDir`, everything under /api/ and /_local/ passed to the runner.
//
// Why: termin-local serves the web/ of the checkout it was built from (its
// workspace root is compiled in), so a worktree testing its own pages with a
// binary built elsewhere needs this. The harness starts it when
// TERMIN_WEB_DIR is set; without it the runner serves web/ itself.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Starts the front on `port`; resolves to the server once it listens. */
export function startWebFront({ port, webDir, upstream }) {
  const root = path.resolve(webDir);
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://front');
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/_local/') || url.pathname === '/_local') {
      const proxied = http.request({
        host: target.hostname, port: target.port, method: req.method, path: req.url,
        headers: { ...req.headers, host: target.host },
      }, (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      proxied.on('error', () => { res.writeHead(502); res.end(); });
      req.pipe(proxied);
      return;
    }
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) { res.writeHead(403); res.end(); return; }
    if (url.pathname.endsWith('/')) file = path.join(file, 'index.html');
    fs.readFile(file, (error, body) => {
      if (error) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
