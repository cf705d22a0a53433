// Helpers of the browser tests and screenshots: a whosaid server on a
// temporary data dir and a free port, and Debian's chromium driven by
// playwright-core (never `npx playwright install`: no browser downloads).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bin = process.env.WHOSAID_BIN || path.join(root, 'bin', 'whosaid-e2e');
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

// The seed article: the repository's own fixture (the extractor's gold file).
export function seedArticle() {
  const gold = JSON.parse(readFileSync(path.join(root, 'internal/extract/testdata/seed.gold.json'), 'utf8'));
  return {
    text: gold.text,
    title: gold.text.split('\n')[0],
    url: 'https://news.example.org/2025/02/18/riyadh-talks',
    outlet: 'Reuters',
    published_at: '2025-02-18T10:00:00Z',
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// startServer runs `whosaid serve` on a new data dir; keys (name → scope)
// are created first with `whosaid keys create`. It resolves when /readyz
// answers 200.
export async function startServer({ auth = false, keys = {} } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'whosaid-e2e-'));
  const secrets = {};
  for (const [name, scope] of Object.entries(keys)) {
    const out = execFileSync(bin, ['keys', '--data-dir', dir, '--json', 'create', '--name', name, '--scope', scope], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const k = JSON.parse(out);
    secrets[name] = k.key || k.secret;
    if (!secrets[name]) throw new Error('keys create printed no key: ' + out);
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', dir, '--auth', auth ? 'on' : 'off', '--rate-limit', '0'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log += d; });
  const deadline = Date.now() + 60000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error('whosaid serve exited: ' + log);
    try {
      const r = await fetch(base + '/readyz');
      if (r.ok) break;
    } catch (e) { /* not listening yet */ }
    if (Date.now() > deadline) { proc.kill(); throw new Error('whosaid serve not ready in 60s: ' + log); }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base, secrets,
    log: () => log,
    async api(method, p, body, key) {
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (key) headers.Authorization = 'Bearer ' + key;
      const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const t = await r.text();
      if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${t}`);
      return t ? JSON.parse(t) : null;
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => { if (proc.exitCode !== null) r(); else proc.once('exit', r); });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
