// Where the trail's segments live: one JSON line per event, appended; a segment is named
// by the sequence number of its first event, so numbering survives the removal of old
// segments. On disk (<home>/engine/cloudtrail/segments/), read back line by line or one
// event at a time, never whole; in memory for an engine without a home.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../atomic-file.js';

export interface Line {
  offset: number;
  /** Bytes, without the newline. */
  length: number;
  text: string;
}

export interface SegmentFiles {
  /** The segments there are, by first sequence number, ascending. */
  list(): number[];
  /** Begins an empty segment. */
  create(seg: number): void;
  /** Appends one line; returns where it is. */
  append(seg: number, line: string): { offset: number; length: number; bytes: number };
  read(seg: number, offset: number, length: number): string;
  /** Every complete line of a segment; with `repair`, a torn last line (a crash mid-write) is cut off. */
  lines(seg: number, repair: boolean): Iterable<Line>;
  /** Bytes of data in the segment. */
  size(seg: number): number;
  /** No more lines go to this segment: flush it and keep its index beside it. */
  seal(seg: number, index: Buffer): void;
  readIndex(seg: number): Buffer | undefined;
  remove(seg: number): void;
  close(): void;
}

const NAME = /^(\d{16})\.jsonl$/;
/** A line longer than this cannot be an event the trail wrote (fields are bounded): skipped. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * Lines appended are written together, at most this long after the first of them (or at
 * once past FLUSH_BYTES), and before anything reads, seals or closes a segment: a write per
 * call cost more than the rest of recording it. An engine killed outright loses at most
 * that much of its history, and the events still waiting to be stored (trail.ts's
 * STORE_DELAY_MS); closing it, or its process exiting, writes everything.
 */
export const FLUSH_MS = 100;
const FLUSH_BYTES = 256 * 1024;
/** Past this much waiting to be written (a disk that keeps refusing writes), appends fail. */
const MAX_UNWRITTEN_BYTES = 16 * 1024 * 1024;

/** Every DiskSegmentFiles with lines waiting, written when the process exits. */
const unwritten = new Set<DiskSegmentFiles>();
let exitHookSet = false;

export class DiskSegmentFiles implements SegmentFiles {
  private appending: { seg: number; fd: number; size: number } | undefined;
  /** Open read handles, oldest first; a few at most. */
  private readers = new Map<number, number>();
  /** Lines appended to the segment being appended to, not yet written (see FLUSH_MS). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!exitHookSet) {
      exitHookSet = true;
      process.once('exit', () => {
        for (const files of unwritten) files.tryFlush();
      });
    }
  }

  private file(seg: number, ext: 'jsonl' | 'idx') {
    return path.join(this.dir, `${String(seg).padStart(16, '0')}.${ext}`);
  }

  list(): number[] {
    return fs
      .readdirSync(this.dir)
      .map((name) => NAME.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  create(seg: number) {
    this.openAppending(seg);
  }

  append(seg: number, line: string) {
    if (this.pendingBytes > MAX_UNWRITTEN_BYTES) this.flush(); // throws while the disk still refuses: the call fails, as a failed write did
    const to = this.appending?.seg === seg ? this.appending : this.openAppending(seg);
    const data = Buffer.from(line + '\n', 'utf8');
    const offset = to.size;
    to.size += data.length;
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.tryFlush();
    else if (!this.timer) {
      unwritten.add(this);
      this.timer = setTimeout(() => this.tryFlush(), FLUSH_MS).unref();
    }
    return { offset, length: data.length - 1, bytes: data.length };
  }

  /** Writes the lines waiting; what a failing disk refuses stays waiting, for the next try. */
  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    unwritten.delete(this);
    if (this.pendingBytes === 0 || !this.appending) return;
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    let written = 0;
    try {
      while (written < data.length) written += fs.writeSync(this.appending.fd, data, written);
      this.pending = [];
      this.pendingBytes = 0;
      this.failure = undefined;
    } catch (e) {
      this.pending = [data.subarray(written)];
      this.pendingBytes = data.length - written;
      unwritten.add(this);
      throw e;
    }
  }

  /** flush(), from a timer or the process's exit: a failure is said once, and retried later. */
  private tryFlush() {
    try {
      this.flush();
    } catch (e) {
      if (!this.failure) console.error(`CloudTrail events could not be written to ${this.dir}: ${(e as Error).message}`);
      this.failure = e as Error;
      if (!this.timer) this.timer = setTimeout(() => this.tryFlush(), FLUSH_MS).unref();
    }
  }

  read(seg: number, offset: number, length: number): string {
    if (this.appending?.seg === seg) this.flush();
    let fd = this.readers.get(seg);
    if (fd === undefined) {
      if (this.readers.size >= 8) this.closeReader(this.readers.keys().next().value!);
      fd = fs.openSync(this.file(seg, 'jsonl'), 'r');
      this.readers.set(seg, fd);
    }
    const buf = Buffer.allocUnsafe(length);
    const n = fs.readSync(fd, buf, 0, length, offset);
    return buf.toString('utf8', 0, n);
  }

  *lines(seg: number, repair: boolean): Iterable<Line> {
    if (this.appending?.seg === seg) this.flush();
    const file = this.file(seg, 'jsonl');
    let end = 0;
    for (const line of readLines(file)) {
      end = line.offset + line.length + 1;
      yield line;
    }
    if (repair && fs.statSync(file).size > end) fs.truncateSync(file, end);
  }

  size(seg: number): number {
    if (this.appending?.seg === seg) this.flush();
    try {
      return fs.statSync(this.file(seg, 'jsonl')).size;
    } catch {
      return 0;
    }
  }

  seal(seg: number, index: Buffer) {
    if (this.appending?.seg === seg) this.closeAppending();
    writeFileAtomic(this.file(seg, 'idx'), index);
  }

  readIndex(seg: number): Buffer | undefined {
    try {
      return fs.readFileSync(this.file(seg, 'idx'));
    } catch {
      return undefined;
    }
  }

  remove(seg: number) {
    if (this.appending?.seg === seg) this.closeAppending();
    this.closeReader(seg);
    fs.rmSync(this.file(seg, 'idx'), { force: true }); // the index first: data without one is re-indexed
    fs.rmSync(this.file(seg, 'jsonl'), { force: true });
  }

  close() {
    try {
      this.closeAppending();
    } catch (e) {
      console.error(`CloudTrail events could not be written to ${this.dir}: ${(e as Error).message}`); // closing goes on
    }
    for (const seg of [...this.readers.keys()]) this.closeReader(seg);
  }

  private openAppending(seg: number) {
    this.closeAppending();
    const fd = fs.openSync(this.file(seg, 'jsonl'), 'a', 0o600);
    return (this.appending = { seg, fd, size: fs.fstatSync(fd).size });
  }

  private closeAppending() {
    if (!this.appending) return;
    try {
      this.flush();
      fs.fsyncSync(this.appending.fd);
    } finally {
      // Lines a failing disk refused belong to this segment: never to the next one opened.
      this.pending = [];
      this.pendingBytes = 0;
      fs.closeSync(this.appending.fd);
      this.appending = undefined;
    }
  }

  private closeReader(seg: number) {
    const fd = this.readers.get(seg);
    if (fd === undefined) return;
    this.readers.delete(seg);
    fs.closeSync(fd);
  }
}

/** Segments as lists of lines, for an engine that keeps nothing on disk: the "offset" is the line's number. */
export class MemorySegmentFiles implements SegmentFiles {
  private segments = new Map<number, { lines: string[]; bytes: number }>();

  list() {
    return [...this.segments.keys()].sort((a, b) => a - b);
  }
  create(seg: number) {
    this.segments.set(seg, { lines: [], bytes: 0 });
  }
  append(seg: number, line: string) {
    let s = this.segments.get(seg);
    if (!s) this.segments.set(seg, (s = { lines: [], bytes: 0 }));
    s.lines.push(line);
    s.bytes += line.length + 1;
    return { offset: s.lines.length - 1, length: line.length, bytes: line.length + 1 };
  }
  read(seg: number, offset: number) {
    return this.segments.get(seg)?.lines[offset] ?? '';
  }
  *lines(seg: number) {
    const lines = this.segments.get(seg)?.lines ?? [];
    for (let i = 0; i < lines.length; i++) yield { offset: i, length: lines[i]!.length, text: lines[i]! };
  }
  size(seg: number) {
    return this.segments.get(seg)?.bytes ?? 0;
  }
  seal() {}
  readIndex() {
    return undefined;
  }
  remove(seg: number) {
    this.segments.delete(seg);
  }
  close() {}
}

/** The complete lines of a file, read in 1 MB chunks (a file of any size; never the whole as one string). */
export function* readLines(file: string): Iterable<Line> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let lineStart = 0; // file offset of the line being gathered
    let position = 0;
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, position);
      if (n === 0) return; // a last line without its newline is torn: not yielded
      let from = 0;
      for (let nl = chunk.indexOf(10, 0); nl !== -1 && nl < n; nl = chunk.indexOf(10, from)) {
        const part = chunk.subarray(from, nl);
        const length = pendingBytes + part.length;
        if (length <= MAX_LINE_BYTES) {
          const text = pending.length ? Buffer.concat([...pending, part]).toString('utf8') : part.toString('utf8');
          yield { offset: lineStart, length, text };
        }
        pending = [];
        pendingBytes = 0;
        lineStart += length + 1;
        from = nl + 1;
      }
      if (from < n) {
        // Part of a line continues in the next chunk; an overlong one is only counted, not kept.
        if (pendingBytes + (n - from) <= MAX_LINE_BYTES) pending.push(Buffer.from(chunk.subarray(from, n)));
        else pending = [];
        pendingBytes += n - from;
      }
      position += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}
