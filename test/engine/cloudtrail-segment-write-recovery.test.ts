// The trail's writes to disk past the ordinary case (segment-files.ts): one exit hook for
// all segment folders, which writes what waits (in this process, where a child's would not
// show which hook ran); 256 KB waiting are
// written at once, not a timer later; a write the disk refused is tried again by the timer
// alone, with nothing else appended or read; and after a write the disk took only part of,
// what waits is what is left (the 16 MB bound counts that, not the whole).
import fs, { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { DiskSegmentFiles, FLUSH_MS } from '../../src/engine/cloudtrail/segment-files.js';

const realWriteSync = fs.writeSync;

/** Replaces fs.writeSync for every module (segment-files.ts imports it as an ES module namespace). */
function writeSyncBy(fake: (fd: number, data: Buffer, offset: number) => number) {
  (fs as { writeSync: unknown }).writeSync = fake;
  syncBuiltinESMExports();
}

const dirs: string[] = [];
const folder = () => {
  const d = mkdtempSync(join(tmpdir(), 'kms-segrecover-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  (fs as { writeSync: unknown }).writeSync = realWriteSync;
  syncBuiltinESMExports();
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const file = (dir: string, seg: number) => join(dir, `${String(seg).padStart(16, '0')}.jsonl`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const diskError = (code: string) => Object.assign(new Error(`${code}: the disk refused`), { code });

// First in the file: the hook is set by the first DiskSegmentFiles a module instance makes.
test("one 'exit' hook however many segment folders, and it writes every folder's waiting lines", () => {
  const once = vi.spyOn(process, 'once');
  const exitListeners = process.listenerCount('exit');
  const [a, b] = [folder(), folder()];
  const first = new DiskSegmentFiles(a);
  const second = new DiskSegmentFiles(b);
  expect(process.listenerCount('exit')).toBe(exitListeners + 1);
  const hooks = once.mock.calls.filter(([event]) => event === 'exit');
  expect(hooks).toHaveLength(1);
  first.append(0, '{"a":1}');
  second.append(0, '{"b":2}');
  expect(statSync(file(a, 0)).size).toBe(0);
  (hooks[0]![1] as () => void)(); // as the process exiting calls it
  expect(readFileSync(file(a, 0), 'utf8')).toBe('{"a":1}\n');
  expect(readFileSync(file(b, 0), 'utf8')).toBe('{"b":2}\n');
  first.close();
  second.close();
});

test('256 KB waiting are written at once, before the timer and without a read', () => {
  const dir = folder();
  const files = new DiskSegmentFiles(dir);
  files.create(0);
  files.append(0, 'a'.repeat(1000));
  expect(statSync(file(dir, 0)).size).toBe(0); // under 256 KB: waits for the timer
  const big = 'b'.repeat(256 * 1024);
  files.append(0, big);
  expect(readFileSync(file(dir, 0), 'utf8')).toBe('a'.repeat(1000) + '\n' + big + '\n');
  files.close();
  // At the byte: a line that brings what waits to 256 KB exactly is written at once; one byte less waits.
  const exact = folder();
  const atLimit = new DiskSegmentFiles(exact);
  atLimit.append(0, 'c'.repeat(256 * 1024 - 2)); // and its newline: one byte short
  expect(statSync(file(exact, 0)).size).toBe(0);
  atLimit.append(0, ''); // a newline: 256 KB exactly
  expect(statSync(file(exact, 0)).size).toBe(256 * 1024);
  atLimit.close();
});

test('a write the disk refused is tried again by the timer alone, and reaches the disk once the disk takes it', async () => {
  const dir = folder();
  vi.spyOn(console, 'error').mockImplementation(() => {});
  const files = new DiskSegmentFiles(dir);
  files.create(0);
  let refusing = true;
  writeSyncBy((fd, data, offset) => {
    if (refusing) throw diskError('EIO');
    return realWriteSync(fd, data, offset);
  });
  files.append(0, '{"a":1}');
  await sleep(FLUSH_MS + 100); // the first try failed
  expect(statSync(file(dir, 0)).size).toBe(0);
  refusing = false;
  await sleep(3 * FLUSH_MS + 100); // no append, read or close: only the retry can write it
  expect(readFileSync(file(dir, 0), 'utf8')).toBe('{"a":1}\n');
  files.close();
});

test('after a partial write only the bytes left wait: appends go on until 16 MB truly wait, then fail', () => {
  const dir = folder();
  vi.spyOn(console, 'error').mockImplementation(() => {});
  const files = new DiskSegmentFiles(dir);
  files.create(0);
  const MB = 1024 * 1024;
  let budget = 8 * MB; // the disk takes 8 MB, then refuses
  writeSyncBy((fd, data, offset) => {
    if (budget === 0) throw diskError('ENOSPC');
    const n = realWriteSync(fd, data, offset, Math.min(budget, data.length - offset));
    budget -= n;
    return n;
  });
  files.append(0, 'x'.repeat(9 * MB)); // past 256 KB: written at once, 8 MB of it; 1 MB + 1 byte waits
  expect(statSync(file(dir, 0)).size).toBe(8 * MB);
  // 1 MB waiting is far under the 16 MB bound: more appends are taken, and wait too.
  for (let i = 0; i < 3; i++) expect(() => files.append(0, 'y'.repeat(MB))).not.toThrow();
  for (let i = 0; i < 20; i++) {
    try {
      files.append(0, 'z'.repeat(MB));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      // Waiting then: the 1 MB (and a newline) left, and 3 + i lines of 1 MB (and a newline)
      // since, past 16 MB first at i = 12; counting the whole 9 MB as waiting fails at once.
      expect(i).toBe(12);
      files.close();
      return;
    }
  }
  throw new Error('appends never failed with 16 MB waiting');
});
