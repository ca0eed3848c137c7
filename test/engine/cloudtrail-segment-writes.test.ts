// How the trail's segments reach the disk (segment-files.ts): lines are written together, within
// FLUSH_MS of the first or before anything reads the segment, so recording a call costs no write
// of its own; the process exiting writes what waits; a disk that refuses writes is said once,
// never crashes the engine, and fails appends only once too much waits.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { DiskSegmentFiles, FLUSH_MS } from '../../src/engine/cloudtrail/segment-files.js';

const dirs: string[] = [];
const folder = () => {
  const d = mkdtempSync(join(tmpdir(), 'kms-segwrites-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const file = (dir: string, seg: number) => join(dir, `${String(seg).padStart(16, '0')}.jsonl`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('appended lines wait in memory, are read back at once, and are on disk within FLUSH_MS without any read', async () => {
  const dir = folder();
  const files = new DiskSegmentFiles(dir);
  files.create(0);
  files.append(0, '{"a":1}');
  files.append(0, '{"b":2}');
  expect(readFileSync(file(dir, 0), 'utf8')).toBe(''); // one write for both, later
  await sleep(FLUSH_MS + 100);
  expect(readFileSync(file(dir, 0), 'utf8')).toBe('{"a":1}\n{"b":2}\n');
  const at = files.append(0, '{"c":3}');
  expect(files.read(0, at.offset, at.length)).toBe('{"c":3}'); // a read writes first
  expect(readFileSync(file(dir, 0), 'utf8')).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
  files.close();
});

test('lines waiting when the process exits are written', () => {
  const dir = folder();
  const module = new URL('../../src/engine/cloudtrail/segment-files.ts', import.meta.url).pathname;
  const script = `import { DiskSegmentFiles } from ${JSON.stringify(module)};
    const files = new DiskSegmentFiles(${JSON.stringify(dir)});
    files.append(0, '{"last":true}');
    process.exit(0);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  expect(readFileSync(file(dir, 0), 'utf8')).toBe('{"last":true}\n');
});

test('a disk that refuses writes (/dev/full): said once, nothing thrown from the timer, appends fail only once 16 MB wait', async () => {
  const dir = folder();
  symlinkSync('/dev/full', file(dir, 0));
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  const files = new DiskSegmentFiles(dir);
  files.append(0, '{"a":1}');
  await sleep(3 * FLUSH_MS + 100); // the timer tried, and tried again
  expect(errors).toHaveBeenCalledTimes(1);
  expect(String(errors.mock.calls[0]![0])).toMatch(/CloudTrail events could not be written to .*: ENOSPC/);
  const big = `"${'x'.repeat(1024 * 1024)}"`;
  let thrown: unknown;
  for (let i = 0; i < 20 && !thrown; i++) {
    try {
      files.append(0, big);
    } catch (e) {
      thrown = e;
    }
  }
  expect((thrown as NodeJS.ErrnoException | undefined)?.code).toBe('ENOSPC');
  files.close(); // says why, and closes
  expect(errors).toHaveBeenCalledTimes(2);
});

test('appends go on while at most 16 MB wait unwritten (one byte under, exactly 16 MB) and fail at the first byte past it', () => {
  const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024; // segment-files.ts's bound
  const dir = folder();
  symlinkSync('/dev/full', file(dir, 0));
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  const files = new DiskSegmentFiles(dir);
  files.append(0, 'x'.repeat(MAX_UNWRITTEN_BYTES - 2)); // with its newline, one byte under the bound waits
  expect(errors).toHaveBeenCalledTimes(1); // tried at once (past FLUSH_BYTES) and refused
  expect(files.append(0, '')).toMatchObject({ bytes: 1 }); // 16 MB - 1 waiting: taken, now exactly 16 MB
  expect(files.append(0, '')).toMatchObject({ bytes: 1 }); // exactly 16 MB waiting: taken, now one byte past
  expect(() => files.append(0, '')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
  expect(() => files.append(0, '')).toThrow(expect.objectContaining({ code: 'ENOSPC' })); // and again, while the disk refuses
  files.close();
});
