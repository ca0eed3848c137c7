// One engine per home: real processes racing for the same home, stale locks (a dead owner,
// a pid now used by another program), and what the refusal says.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { EngineHomeLockedError, lockHome, startOf } from '../../src/engine/home-lock.js';
import { tempHome } from '../helpers/engine.js';

const homes: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function engineDir() {
  const home = tempHome();
  homes.push(home);
  const dir = join(home, 'engine');
  mkdirSync(dir);
  return dir;
}

/** A running program that is not kms-workshop. */
function otherProgram(): number {
  const child = spawn('sleep', ['60']);
  children.push(child as unknown as ChildProcessWithoutNullStreams);
  return child.pid!;
}

const lockFiles = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('engine.lock')).sort();

// --- real processes racing ---------------------------------------------------

// The store as the engine uses it, bundled for plain `node` children (fast to start, so a pair
// really starts together). Each child opens the store on "go", says what happened, and holds
// the home until told to exit.
let racer: string;
let bundleDir: string;
beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'kms-lock-racer-'));
  await build({ entryPoints: [new URL('../../src/engine/store.ts', import.meta.url).pathname], bundle: true, platform: 'node', format: 'esm', outfile: join(bundleDir, 'store.mjs'), logLevel: 'error' });
  racer = join(bundleDir, 'racer.mjs');
  writeFileSync(
    racer,
    `import { openStore } from './store.mjs';
import { createInterface } from 'node:readline';
let store;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'go') {
    try { store = openStore(process.argv[2]); console.log('held'); }
    catch (e) { console.log(e.name === 'EngineHomeLockedError' ? 'locked ' + e.message : 'error ' + e.stack); }
  } else if (line === 'exit') { store?.close(); process.exit(0); }
});
console.log('ready');
`,
  );
}, 60_000);
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

function startRacer(home: string) {
  const child = spawn(process.execPath, [racer, home], { stdio: 'pipe' });
  children.push(child);
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    partial += d.toString();
    for (let i; (i = partial.indexOf('\n')) !== -1; ) {
      const line = partial.slice(0, i);
      partial = partial.slice(i + 1);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`no answer from racer ${child.pid}: ${err}`)), 20_000);
      waiters.push((l) => {
        clearTimeout(timer);
        resolve(l);
      });
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, nextLine, exited };
}

test('100 pairs of processes started together on one home: exactly one gets it, the other a clear error naming it', async () => {
  // Four homes raced at once (25 pairs each) to finish sooner on a small machine.
  const lanes = await Promise.all([0, 1, 2, 3].map(() => raceOnOneHome(25)));
  expect(lanes.flatMap((l) => l.failures)).toEqual([]);
  expect(lanes.reduce((n, l) => n + l.overStaleLock, 0)).toBe(48);
}, 180_000);

/** Races pairs on one home. Every other winner is killed while holding it, so the next pair races over a stale lock. */
async function raceOnOneHome(trials: number) {
  const home = tempHome();
  homes.push(home);
  mkdirSync(join(home, 'engine'));
  const failures: string[] = [];
  let overStaleLock = 0;
  for (let trial = 0; trial < trials; trial++) {
    const stale = lockFiles(join(home, 'engine')).length > 0;
    const pair = [startRacer(home), startRacer(home)];
    expect(await Promise.all(pair.map((r) => r.nextLine()))).toEqual(['ready', 'ready']);
    for (const r of pair) r.child.stdin.write('go\n');
    const answers = await Promise.all(pair.map((r) => r.nextLine()));
    const winners = pair.filter((_, i) => answers[i] === 'held');
    const loser = answers.find((a) => a !== 'held');
    if (winners.length !== 1 || !loser?.includes(`is in use by another kms-workshop process (pid ${winners[0]!.child.pid})`))
      failures.push(`${stale ? 'over a stale lock' : 'fresh'}: ${JSON.stringify(answers)}`);
    else if (stale) overStaleLock++;
    for (const r of pair) {
      if (r === winners[0] && trial % 2 === 0) r.child.kill('SIGKILL');
      else r.child.stdin.write('exit\n');
    }
    await Promise.all(pair.map((r) => r.exited));
  }
  return { failures, overStaleLock };
}

// --- stale locks and what a refusal says ---------------------------------------

test('a lock left by a process that died is taken over under the next name, and the old lock is removed', () => {
  const dir = engineDir();
  const dead = spawn(process.execPath, ['-e', '']);
  const deadPid = dead.pid!;
  writeFileSync(join(dir, 'engine.lock'), JSON.stringify({ pid: deadPid, start: 'gone', host: hostname() }));
  return new Promise<void>((resolve) =>
    dead.once('exit', () => {
      const lock = lockHome(dir);
      expect(lockFiles(dir)).toEqual(['engine.lock.1']);
      expect(JSON.parse(readFileSync(join(dir, 'engine.lock.1'), 'utf8')).pid).toBe(process.pid);
      lock.release();
      expect(lockFiles(dir)).toEqual([]);
      resolve();
    }),
  );
});

test('a lock whose pid now belongs to another program (its start time differs) is taken over', () => {
  const dir = engineDir();
  const pid = otherProgram();
  writeFileSync(join(dir, 'engine.lock'), JSON.stringify({ pid, start: `${startOf(pid)}-earlier`, host: hostname() }));
  const lock = lockHome(dir);
  expect(lockFiles(dir)).toEqual(['engine.lock.1']);
  lock.release();
});

test('a lock held by a running kms-workshop (same pid, same start time) is respected and named', () => {
  const dir = engineDir();
  const pid = otherProgram();
  writeFileSync(join(dir, 'engine.lock'), JSON.stringify({ pid, start: startOf(pid), host: hostname() }));
  expect(() => lockHome(dir)).toThrow(new EngineHomeLockedError(dir, pid));
  expect(() => lockHome(dir)).toThrow(`is in use by another kms-workshop process (pid ${pid})`);
  expect(lockFiles(dir)).toEqual(['engine.lock']);
});

test('an older lock (a bare pid) naming a running program is respected, saying it may be another program', () => {
  const dir = engineDir();
  const pid = otherProgram();
  writeFileSync(join(dir, 'engine.lock'), String(pid));
  let error: Error | undefined;
  try {
    lockHome(dir);
  } catch (e) {
    error = e as Error;
  }
  expect(error).toBeInstanceOf(EngineHomeLockedError);
  expect(error!.message).toContain(`is locked by process ${pid}, which is running, but its lock (from an older version) does not say which program it is`);
  expect(error!.message).toContain('another program may have been given the pid of one that was killed');
  expect(error!.message).not.toContain('another kms-workshop process');
});

test('a lock taken on another host is respected and names the host', () => {
  const dir = engineDir();
  writeFileSync(join(dir, 'engine.lock'), JSON.stringify({ pid: process.pid, start: 'x', host: 'classroom-server' }));
  expect(() => lockHome(dir)).toThrow(`is locked by process ${process.pid}, on another host (classroom-server)`);
});

test('a dead later lock does not hide a live earlier one', () => {
  const dir = engineDir();
  const pid = otherProgram();
  writeFileSync(join(dir, 'engine.lock'), JSON.stringify({ pid, start: startOf(pid), host: hostname() }));
  writeFileSync(join(dir, 'engine.lock.1'), JSON.stringify({ pid: 999_999_999, start: 'gone', host: hostname() }));
  expect(() => lockHome(dir)).toThrow(`(pid ${pid})`);
});

test('a second take of a home within one process is refused; after release it can be taken again', () => {
  const dir = engineDir();
  const lock = lockHome(dir);
  expect(() => lockHome(dir)).toThrow(EngineHomeLockedError);
  lock.release();
  lockHome(dir).release();
});
