// The atomic file writer: what a crash at any moment can leave is the old version or
// the new one. That rests on the order of its system calls (write a temporary file,
// fsync it, close it, rename it over the file, fsync the folder), which these tests
// record by wrapping node:fs itself, and on cleaning up after a failure.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { isAtomicTemporary, syncFolder, writeFileAtomic } from '../src/atomic-file.js';

const fs = createRequire(import.meta.url)('node:fs') as Record<string, (...args: unknown[]) => unknown>;
const WRAPPED = ['openSync', 'writeSync', 'fsyncSync', 'closeSync', 'renameSync', 'rmSync'] as const;
const originals = Object.fromEntries(WRAPPED.map((name) => [name, fs[name]!]));

type Call = { op: (typeof WRAPPED)[number]; args: unknown[]; result?: unknown };
/** Records the calls the writer makes; `fail` may throw instead of making one. */
function record(fail: (call: Call) => Error | undefined = () => undefined): Call[] {
  const calls: Call[] = [];
  for (const op of WRAPPED) {
    fs[op] = (...args: unknown[]) => {
      const call: Call = { op, args };
      calls.push(call);
      const error = fail(call);
      if (error) throw error;
      call.result = originals[op]!(...args);
      return call.result;
    };
  }
  syncBuiltinESMExports();
  return calls;
}

const homes: string[] = [];
afterEach(() => {
  for (const op of WRAPPED) fs[op] = originals[op]!;
  syncBuiltinESMExports();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});
function folder() {
  const h = mkdtempSync(join(tmpdir(), 'kms-workshop-atomic-'));
  homes.push(h);
  return h;
}
const eio = (what: string) => Object.assign(new Error(`EIO: i/o error, ${what}`), { code: 'EIO' });

test('the order that makes it atomic: temporary file written, fsynced and closed, renamed over the file, then the folder fsynced', () => {
  const dir = folder();
  const file = join(dir, 'state.json');
  const calls = record();
  writeFileAtomic(file, 'new contents');
  expect(readFileSync(file, 'utf8')).toBe('new contents');
  const [open, ...rest] = calls;
  const tmp = open!.args[0] as string;
  expect(open).toMatchObject({ op: 'openSync', args: [tmp, 'w', 0o600] });
  expect(dirname(tmp)).toBe(dir);
  expect(isAtomicTemporary(tmp)).toBe(true);
  const fd = open!.result;
  const writes = rest.filter((c) => c.op === 'writeSync');
  expect(writes.length).toBeGreaterThan(0);
  for (const w of writes) expect(w.args[0]).toBe(fd);
  const ops = rest.filter((c) => c.op !== 'writeSync');
  expect(ops.map((c) => c.op)).toEqual(['fsyncSync', 'closeSync', 'renameSync', 'openSync', 'fsyncSync', 'closeSync']);
  expect(ops[0]!.args[0]).toBe(fd);
  expect(ops[1]!.args[0]).toBe(fd);
  expect(ops[2]!.args).toEqual([tmp, file]);
  expect(ops[3]!.args).toEqual([dir, 'r']);
  expect(ops[4]!.args[0]).toBe(ops[3]!.result);
  expect(ops[5]!.args[0]).toBe(ops[3]!.result);
  expect(rest.indexOf(writes.at(-1)!)).toBeLessThan(rest.indexOf(ops[0]!));
  expect(readdirSync(dir)).toEqual(['state.json']);
});

test('the file gets the mode asked for (0600 by default), and a missing folder is made (0700)', () => {
  const dir = folder();
  writeFileAtomic(join(dir, 'a', 'b', 'secret.key'), Buffer.from([1, 2, 3]));
  expect(statSync(join(dir, 'a', 'b', 'secret.key')).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, 'a', 'b')).mode & 0o777).toBe(0o700);
  writeFileAtomic(join(dir, 'public.txt'), 'x', 0o644);
  expect(statSync(join(dir, 'public.txt')).mode & 0o777).toBe(0o644);
});

test('bytes and text are written whole, even when the disk takes them a little at a time', () => {
  const dir = folder();
  const original = originals.writeSync!;
  // A short write: at most 1000 bytes a call, as a busy disk or a signal can make it.
  fs.writeSync = (fd: unknown, buffer: unknown, offset: unknown) => original(fd, buffer, offset, Math.min(1000, (buffer as Buffer).length - (offset as number)));
  syncBuiltinESMExports();
  const bytes = Buffer.from(Array.from({ length: 10_500 }, (_, i) => i % 251));
  writeFileAtomic(join(dir, 'bytes'), bytes);
  expect(readFileSync(join(dir, 'bytes')).equals(bytes)).toBe(true);
  const text = 'é€😀 '.repeat(500); // multi-byte characters: more bytes than characters
  writeFileAtomic(join(dir, 'text'), text);
  expect(readFileSync(join(dir, 'text'), 'utf8')).toBe(text);
  writeFileAtomic(join(dir, 'empty'), '');
  expect(readFileSync(join(dir, 'empty'), 'utf8')).toBe('');
});

test.each([
  ['the temporary file cannot be made', 'openSync', 0],
  ['the write fails', 'writeSync', 0],
  ['the fsync fails', 'fsyncSync', 0],
  ['the rename fails', 'renameSync', 0],
] as const)('when %s, the error is the one that happened, the old file is whole and no temporary file stays', (_, op, nth) => {
  const dir = folder();
  const file = join(dir, 'state.json');
  writeFileSync(file, 'old contents');
  let seen = 0;
  const calls = record((call) => (call.op === op && seen++ === nth ? eio(op) : undefined));
  expect(() => writeFileAtomic(file, 'new contents')).toThrow(`EIO: i/o error, ${op}`);
  expect(readFileSync(file, 'utf8')).toBe('old contents');
  expect(readdirSync(dir)).toEqual(['state.json']);
  // Every file the writer opened, it closed.
  const opened = calls.filter((c) => c.op === 'openSync' && c.result !== undefined).map((c) => c.result);
  const closed = calls.filter((c) => c.op === 'closeSync').map((c) => c.args[0]);
  expect(closed).toEqual(opened);
});

test('a folder that cannot be fsynced (some file systems) does not fail the write, and its descriptor is closed', () => {
  const dir = folder();
  const calls = record((call) => (call.op === 'fsyncSync' && call.args[0] !== calls[0]!.result ? Object.assign(new Error('EINVAL: invalid argument, fsync'), { code: 'EINVAL' }) : undefined));
  writeFileAtomic(join(dir, 'f'), 'data');
  expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('data');
  const folderFd = calls.filter((c) => c.op === 'openSync')[1]!.result;
  expect(calls.filter((c) => c.op === 'closeSync').map((c) => c.args[0])).toContain(folderFd);
  expect(() => syncFolder(join(dir, 'no-such-folder'))).not.toThrow();
});

test('temporary files are told apart from the files they replace', () => {
  const dir = folder();
  const names: string[] = [];
  const calls = record();
  for (let i = 0; i < 3; i++) writeFileAtomic(join(dir, 'progress.json'), String(i));
  for (const c of calls) if (c.op === 'renameSync') names.push(c.args[0] as string);
  expect(new Set(names).size).toBe(3); // a new temporary name each time
  for (const name of names) expect(isAtomicTemporary(name)).toBe(true);
  expect(isAtomicTemporary(`progress.json.tmp-${process.pid}-12`)).toBe(true);
  for (const name of ['progress.json', 'progress.json.tmp-', 'progress.json.tmp-12', 'progress.json.tmp-12-', 'progress.json.tmp-1-2.bak', 'progress.json.tmp-a-1', 'progress.json.tmp-1-b', 'progress.jsontmp-1-2'])
    expect(isAtomicTemporary(name), name).toBe(false);
});
