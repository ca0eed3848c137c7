// `serve` stops cleanly on SIGTERM or SIGINT whatever became of its stdout (a closed
// pipe must not crash it with EPIPE and leave the engine's lock behind), and reports a
// saved clock it could not use in one line.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { tempHome } from '../helpers/engine.js';
import { CLI, ensureBuilt } from '../helpers/cli.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** Starts the built CLI's serve with stdout and stderr as pipes; resolves once it listens. */
async function startServe(home: string) {
  ensureBuilt();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stdout}${stderr}`)), 15_000);
    child.stdout.on('data', () => {
      if (stdout.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${stdout}${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}

test.each(['SIGTERM', 'SIGINT'] as const)('%s with stdout closed stops serve with exit code 0 and no lock file left', async (signal) => {
  const home = tempHome();
  homes.push(home);
  const served = await startServe(home);
  const lock = join(home, 'engine', 'engine.lock');
  expect(existsSync(lock)).toBe(true);
  served.child.stdout.destroy();
  served.child.kill(signal);
  expect(await served.exited).toBe(0);
  expect(served.stderr()).not.toMatch(/EPIPE|\n\s+at /);
  expect(existsSync(lock)).toBe(false);
  expect(existsSync(join(home, 'engine', 'control.secret'))).toBe(false);
}, 30_000);

test('a saved clock that cannot be used is reported by serve in one line, and serve runs', async () => {
  const home = tempHome();
  homes.push(home);
  mkdirSync(join(home, 'engine'), { recursive: true });
  writeFileSync(join(home, 'engine', 'clock.json'), '{"aheadSeconds":1e13}');
  const served = await startServe(home);
  served.child.kill('SIGTERM');
  expect(await served.exited).toBe(0);
  const notes = served.stderr().split('\n').filter((l) => l.includes('clock'));
  expect(notes).toEqual([expect.stringMatching(/^kms-workshop serve: note: The engine clock starts from the real time: the saved one could not be used \(it puts the clock past 9999-01-01T00:00:00\.000Z\) and was set aside from .*clock\.json to clock\.json\.unusable\.$/)]);
  expect(existsSync(join(home, 'engine', 'clock.json.unusable'))).toBe(true);
}, 30_000);
