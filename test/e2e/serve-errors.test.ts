// `serve` meets a busy port, an unusable home or bad options with one clear line, never a trace.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tempHome } from '../helpers/engine.js';
import { CLI, ensureBuilt, startServe, type Served } from '../helpers/cli.js';

let served: Served;
let home: string;
beforeAll(async () => {
  home = tempHome();
  served = await startServe(['--home', home]);
}, 60_000);
afterAll(async () => {
  await served.stop();
  rmSync(home, { recursive: true, force: true });
});

function cli(...args: string[]) {
  ensureBuilt();
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 });
}

test('a port already in use', () => {
  const port = new URL(served.endpoint).port;
  const other = tempHome();
  const r = cli('serve', '--port', port, '--home', other);
  rmSync(other, { recursive: true, force: true });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('a home already used by a running engine', () => {
  const r = cli('serve', '--port', '0', '--home', home);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('is in use by another kms-workshop process');
});

test('a home that cannot be a folder', () => {
  const r = cli('serve', '--port', '0', '--home', `${CLI}/not-a-folder`);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('cannot keep state in');
  expect(r.stderr).not.toMatch(/\n\s+at /);
});

test('bad options exit 2 with the help hint', () => {
  const bad = cli('serve', '--port', 'abc');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('--port must be a whole number');
  const unknown = cli('serve', '--bogus');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toContain("Run 'kms-workshop serve --help'");
});
