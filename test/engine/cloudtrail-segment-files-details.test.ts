// Where the trail's segments live (cloudtrail/segment-files.ts), on disk and in memory: names and
// order, appends and where they land (bytes, not characters), reads by place, torn last lines
// cut off only when asked, the index beside a sealed segment, removal, and readLines across its
// 1 MB chunks with lines too long to be events skipped but counted.
import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { DiskSegmentFiles, MAX_LINE_BYTES, MemorySegmentFiles, readLines } from '../../src/engine/cloudtrail/segment-files.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'kms-workshop-segments-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The files under the test folder this process holds open (Linux: /proc/self/fd). */
function openFiles(): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(root)) open.push(target);
    } catch {
      // closed while listed
    }
  }
  return open;
}

const name = (seg: number, ext = 'jsonl') => `${String(seg).padStart(16, '0')}.${ext}`;

test('on disk: the folder is private, segments are listed by number from their names only, files private too', () => {
  const dir = join(root, 'a', 'segments');
  const files = new DiskSegmentFiles(dir);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  for (const seg of [120, 7, 2000, 9, 10, 100, 5]) files.create(seg);
  files.append(7, '{"n":1}');
  writeFileSync(join(dir, name(3, 'idx')), 'x');
  writeFileSync(join(dir, `${String(5).padStart(15, '0')}.jsonl`), 'x');
  writeFileSync(join(dir, `${name(9)}.tmp`), 'x');
  writeFileSync(join(dir, 'notes.txt'), 'x');
  expect(files.list()).toEqual([5, 7, 9, 10, 100, 120, 2000]); // by number, not as text
  expect(statSync(join(dir, name(7))).mode & 0o777).toBe(0o600);
  files.close();
});

test('on disk: segments are listed by number even when the folder gives their names in another order', () => {
  // Node (libuv) hands names back sorted, and 16 digits sort as numbers do: only a folder read in another order shows the sort.
  const files = new DiskSegmentFiles(root);
  for (const seg of [3, 40, 500]) files.create(seg);
  files.close();
  const readdir = fs.readdirSync;
  vi.spyOn(fs, 'readdirSync').mockImplementation(((dir: string) => (readdir(dir) as string[]).reverse()) as typeof fs.readdirSync);
  syncBuiltinESMExports(); // segment-files.ts's `import * as fs` sees the spy
  try {
    expect(readdirSync(root)).toEqual([name(500), name(40), name(3)]);
    expect(files.list()).toEqual([3, 40, 500]);
  } finally {
    vi.restoreAllMocks();
    syncBuiltinESMExports();
  }
  expect(readdirSync(root)).toEqual([name(3), name(40), name(500)]);
});

test('on disk: appends say where each line is in bytes; reads give it back, across segments and after switching', () => {
  const files = new DiskSegmentFiles(root);
  files.create(0);
  expect(files.append(0, '{"a":"é"}')).toEqual({ offset: 0, length: 10, bytes: 11 });
  expect(files.append(0, '{"b":2}')).toEqual({ offset: 11, length: 7, bytes: 8 });
  expect(files.append(5, '{"c":3}')).toEqual({ offset: 0, length: 7, bytes: 8 }); // another segment
  expect(files.append(0, '{"d":4}')).toEqual({ offset: 19, length: 7, bytes: 8 }); // back to the first, where it ended
  expect(files.read(0, 0, 10)).toBe('{"a":"é"}');
  expect(files.read(0, 11, 7)).toBe('{"b":2}');
  expect(files.read(0, 19, 7)).toBe('{"d":4}');
  expect(files.read(5, 0, 7)).toBe('{"c":3}');
  expect(files.read(0, 24, 10)).toBe('4}\n'); // as much as there is
  expect(files.size(0)).toBe(27);
  expect(files.size(99)).toBe(0);
  expect(readFileSync(join(root, name(0)), 'utf8')).toBe('{"a":"é"}\n{"b":2}\n{"d":4}\n');
  files.close();
});

test('on disk: more segments read than handles kept still read right (the oldest handle is closed)', () => {
  const files = new DiskSegmentFiles(root);
  for (let seg = 0; seg < 12; seg++) files.append(seg, `{"seg":${seg}}`);
  for (let i = 0; i < 10; i++) files.read(0, 0, 9);
  files.read(1, 0, 9);
  files.read(2, 0, 9);
  expect(openFiles().length).toBe(3 + 1); // one handle per segment read, kept for the next read; and the one appended to
  for (let round = 0; round < 2; round++) for (let seg = 0; seg < 12; seg++) expect(files.read(seg, 0, 8 + String(seg).length)).toBe(`{"seg":${seg}}`);
  expect(openFiles().length).toBeLessThanOrEqual(8 + 1); // 8 readers and the segment being appended to
  files.remove(3);
  expect(files.list()).not.toContain(3);
  expect(files.read(4, 0, 9)).toBe('{"seg":4}');
  files.close();
  expect(openFiles()).toEqual([]);
});

test('on disk: a torn last line is not a line; repair cuts it off, reading without repair leaves it', () => {
  const files = new DiskSegmentFiles(root);
  files.append(0, '{"a":1}');
  files.append(0, '{"b":2}');
  files.close();
  writeFileSync(join(root, name(0)), '{"a":1}\n{"b":2}\n{"tor', { flag: 'w' });
  const again = new DiskSegmentFiles(root);
  expect([...again.lines(0, false)]).toEqual([
    { offset: 0, length: 7, text: '{"a":1}' },
    { offset: 8, length: 7, text: '{"b":2}' },
  ]);
  expect(again.size(0)).toBe(21);
  expect([...again.lines(0, true)]).toHaveLength(2);
  expect(again.size(0)).toBe(16);
  expect(again.append(0, '{"c":3}').offset).toBe(16);
  expect([...again.lines(0, true)].map((l) => l.text)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  expect(again.size(0)).toBe(24);
  again.close();
});

test('on disk: sealing keeps the index beside the segment and ends appending to it; remove takes both', () => {
  const files = new DiskSegmentFiles(root);
  files.append(16, '{"a":1}');
  expect(files.readIndex(16)).toBeUndefined();
  expect(openFiles()).toEqual([join(root, name(16))]);
  files.seal(16, Buffer.from('index bytes'));
  expect(openFiles()).toEqual([]); // flushed and closed
  expect(files.readIndex(16)!.toString()).toBe('index bytes');
  expect(files.append(16, '{"b":2}').offset).toBe(8); // reopened at its end
  files.remove(16);
  expect(files.list()).toEqual([]);
  files.append(16, '{"c":3}'); // a segment removed while appended to starts again, on disk
  expect(files.list()).toEqual([16]);
  expect(files.read(16, 0, 7)).toBe('{"c":3}');
  files.remove(16);
  expect(files.readIndex(16)).toBeUndefined();
  expect(files.size(16)).toBe(0);
  files.remove(16); // nothing left: no error
  files.close();
  files.seal(16, Buffer.from('x')); // nothing appended to: sealing still keeps the index
  expect(files.readIndex(16)!.toString()).toBe('x');
  files.close();
});

test('in memory: the same contract, a line\'s place being its number', () => {
  const mem = new MemorySegmentFiles();
  mem.create(9);
  expect([...mem.lines(9)]).toEqual([]);
  expect(mem.append(3, 'abc')).toEqual({ offset: 0, length: 3, bytes: 4 });
  expect(mem.append(3, 'de')).toEqual({ offset: 1, length: 2, bytes: 3 });
  expect(mem.list()).toEqual([3, 9]);
  expect(mem.read(3, 1)).toBe('de');
  expect(mem.read(3, 5)).toBe('');
  expect(mem.read(4, 0)).toBe('');
  expect([...mem.lines(3)]).toEqual([{ offset: 0, length: 3, text: 'abc' }, { offset: 1, length: 2, text: 'de' }]);
  expect([...mem.lines(4)]).toEqual([]);
  expect([mem.size(3), mem.size(9), mem.size(4)]).toEqual([7, 0, 0]);
  mem.seal();
  expect(mem.readIndex()).toBeUndefined();
  mem.remove(3);
  expect(mem.list()).toEqual([9]);
  expect(mem.append(9, 'x')).toEqual({ offset: 0, length: 1, bytes: 2 });
  mem.close();
});

test('readLines: lines across 1 MB chunks are whole, a line longer than MAX_LINE_BYTES is skipped but counted, a missing file has none', () => {
  const file = join(root, 'big.jsonl');
  const a = 'a'.repeat(1024 * 1024 - 3); // ends just before the first chunk does
  const b = 'b'.repeat(1.5 * 1024 * 1024); // spans a chunk boundary
  const huge = 'h'.repeat(MAX_LINE_BYTES + 1);
  const edge = 'e'.repeat(MAX_LINE_BYTES); // exactly the most allowed
  writeFileSync(file, `${a}\n${b}\n${huge}\nshort\n${edge}\nlast\ntorn`);
  const lines = [...readLines(file)];
  expect(lines.map((l) => [l.offset, l.length, l.text.length, l.text[0]])).toEqual([
    [0, a.length, a.length, 'a'],
    [a.length + 1, b.length, b.length, 'b'],
    [a.length + b.length + huge.length + 3, 5, 5, 's'],
    [a.length + b.length + huge.length + 9, edge.length, edge.length, 'e'],
    [a.length + b.length + huge.length + edge.length + 10, 4, 4, 'l'],
  ]);
  expect(lines[2]!.text).toBe('short');
  expect(openFiles()).toEqual([]); // closed once read
  expect([...readLines(join(root, 'missing.jsonl'))]).toEqual([]);
  // The chunk buffer is reused: a newline left at the end of the previous chunk is not read as the torn last line's end.
  const stale = join(root, 'stale.jsonl');
  writeFileSync(stale, `${'x'.repeat(10)}\n${'y'.repeat(1024 * 1024 - 11)}${'z'.repeat(10)}`);
  expect([...readLines(stale)].map((l) => l.text)).toEqual(['x'.repeat(10)]);
  writeFileSync(join(root, 'plain'), '');
  expect(() => [...readLines(join(root, 'plain', 'under-a-file.jsonl'))]).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  mkdirSync(join(root, 'dir.jsonl'));
  expect(() => [...readLines(join(root, 'dir.jsonl'))]).toThrow();
});

test('in memory: segments are listed by number, whatever order they were begun in (10 before 9, 100 before 20 as text)', () => {
  const mem = new MemorySegmentFiles();
  for (const seg of [100, 20, 10, 9, 1000, 0]) mem.create(seg);
  mem.append(3, 'x'); // begun by an append
  expect(mem.list()).toEqual([0, 3, 9, 10, 20, 100, 1000]);
  mem.remove(10);
  mem.create(10); // begun again: still in its place by number
  expect(mem.list()).toEqual([0, 3, 9, 10, 20, 100, 1000]);
});

test('readLines: a line filling the 1 MB chunks exactly to MAX_LINE_BYTES is whole, one byte under too; one byte over is skipped, the next line found', () => {
  const chunk = 1024 * 1024;
  expect(MAX_LINE_BYTES % chunk).toBe(0); // so a line from offset 0 ends exactly at a chunk's end, its newline first in the next
  for (const [bytes, kept] of [
    [MAX_LINE_BYTES - 1, true],
    [MAX_LINE_BYTES, true],
    [MAX_LINE_BYTES + 1, false],
  ] as const) {
    const file = join(root, `line-${bytes}.jsonl`);
    writeFileSync(file, `${'m'.repeat(bytes)}\nnext\n`);
    const lines = [...readLines(file)].map((l) => ({ offset: l.offset, length: l.length, textLength: l.text.length, ends: l.text.slice(-2) }));
    const next = { offset: bytes + 1, length: 4, textLength: 4, ends: 'xt' };
    expect(lines, `${bytes} bytes`).toEqual(kept ? [{ offset: 0, length: bytes, textLength: bytes, ends: 'mm' }, next] : [next]);
    rmSync(file);
  }
});
