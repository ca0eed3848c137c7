// What a newcomer meets in the first five minutes, through the built CLI with no TTY:
// each message says what happened and what to do, never a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CLI, ensureBuilt } from '../helpers/cli.js';

const temp: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kms-workshop-first-'));
  temp.push(d);
  return d;
};
function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, CI: 'true', ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+/);

beforeAll(() => ensureBuilt());
afterAll(() => temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

test('a corrupt progress file: list says so, keeps it aside, and starts afresh', () => {
  const home = tempDir();
  writeFileSync(join(home, 'progress.json'), '{"version": 1, "lessons": ');
  const r = cli(['list', '--home', home]);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/your progress file could not be read; it was kept as .*progress\.json\.unreadable-\d+ and progress starts afresh/);
  expect(r.stdout).toContain('not started');
  const aside = readdirSync(home).find((f) => f.startsWith('progress.json.unreadable-'))!;
  expect(readFileSync(join(home, aside), 'utf8')).toBe('{"version": 1, "lessons": ');
  expect(existsSync(join(home, 'progress.json'))).toBe(false);
  noTrace(r.stderr);
});
