// State kept as a snapshot plus an append-only journal of the changes since: a change costs
// one appended line and one fdatasync, whatever the size of the state; when the journal has
// grown past the snapshot's size, a new snapshot is written and the journal emptied, so
// compaction costs O(1) per change on average and the journal stays bounded.
//
// Each line carries a hash of itself. A crash in the middle of an append leaves a torn last
// line: it was never acknowledged, so it is dropped (and cut off the file before anything
// else is appended). A damaged line followed by whole ones is not a crash but a damaged
// file, and is reported rather than silently skipped.
// Replaying is idempotent (entries set or delete whole records), so a crash between writing
// a snapshot and emptying the journal loses nothing and changes nothing.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { syncFolder } from '../atomic-file.js';

/** Lines appended one at a time, each durable before append() returns. */
export interface JournalFile {
  /** The lines appended before this file was opened, oldest first. */
  readonly lines: readonly string[];
  /** Bytes in the file now. */
  readonly bytes: number;
  append(line: string): void;
  /** Empties the file (durably). */
  clear(): void;
  close(): void;
}

/** Compaction waits at least until the journal holds this much, so small states do not rewrite often. */
const MIN_COMPACTION_BYTES = 256 * 1024;

/** What a journaled state needs of the store it lives in (store.ts's Store has it). */
export interface StateFiles {
  openJournal(name: string): JournalFile;
  readFile(name: string): Buffer | undefined;
  readJson<T>(name: string): T | undefined;
  writeFile(name: string, data: Buffer): void;
}

export class JournaledState<Entry> {
  private readonly journal: JournalFile;
  private snapshotBytes: number;

  constructor(
    private readonly store: StateFiles,
    private readonly snapshotName: string,
    journalName: string,
  ) {
    this.journal = store.openJournal(journalName);
    this.snapshotBytes = store.readFile(snapshotName)?.length ?? 0;
  }

  /** The last snapshot and the batches of entries written after it, oldest first. */
  load<Snapshot>(): { snapshot: Snapshot | undefined; batches: Entry[][] } {
    return { snapshot: this.store.readJson<Snapshot>(this.snapshotName), batches: this.journal.lines.map((l) => JSON.parse(l) as Entry[]) };
  }

  /** Writes a batch of entries, all or none; durable before it returns. */
  record(batch: Entry[], snapshot: () => unknown): void {
    this.journal.append(JSON.stringify(batch));
    if (this.journal.bytes > Math.max(MIN_COMPACTION_BYTES, this.snapshotBytes)) this.compact(snapshot());
  }

  compact(snapshot: unknown): void {
    const data = Buffer.from(JSON.stringify(snapshot));
    this.store.writeFile(this.snapshotName, data);
    this.snapshotBytes = data.length;
    this.journal.clear();
  }
}

export class MemoryJournal implements JournalFile {
  readonly lines: string[] = [];
  bytes = 0;
  append(line: string) {
    this.lines.push(line);
    this.bytes += line.length + 1;
  }
  clear() {
    this.lines.length = 0;
    this.bytes = 0;
  }
  close() {}
}

const HASH_CHARS = 16;

function hashOf(payload: string): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, HASH_CHARS);
}

/** Saved state that cannot be read without losing acknowledged changes: said to the user, never guessed around. */
export class EngineStateDamagedError extends Error {
  override name = 'EngineStateDamagedError';
}

export class DiskJournal implements JournalFile {
  readonly lines: string[] = [];
  bytes = 0;
  private fd: number;

  constructor(readonly file: string) {
    const existed = fs.existsSync(file);
    this.fd = fs.openSync(file, 'a+', 0o600);
    if (!existed) syncFolder(path.dirname(file));
    const text = fs.readFileSync(this.fd, 'utf8');
    let end = 0;
    let lineNo = 0;
    while (end < text.length) {
      const newline = text.indexOf('\n', end);
      lineNo++;
      const line = newline === -1 ? undefined : text.slice(end, newline);
      const payload = line?.slice(HASH_CHARS + 1);
      if (line === undefined || line[HASH_CHARS] !== ' ' || hashOf(payload!) !== line.slice(0, HASH_CHARS)) {
        if (newline !== -1 && newline < text.length - 1)
          throw new EngineStateDamagedError(`${file} is damaged at line ${lineNo} (whole lines follow it, so it is not an interrupted write). Move it aside to start from the last snapshot, losing the changes it holds.`);
        break; // the torn tail of an append a crash interrupted: never acknowledged
      }
      this.lines.push(payload!);
      end = newline + 1;
    }
    this.bytes = Buffer.byteLength(text.slice(0, end));
    if (end < text.length) {
      fs.ftruncateSync(this.fd, this.bytes);
      fs.fsyncSync(this.fd);
    }
  }

  append(line: string) {
    const data = Buffer.from(`${hashOf(line)} ${line}\n`);
    try {
      for (let written = 0; written < data.length; ) written += fs.writeSync(this.fd, data, written);
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      // A failed append (a full disk) must not leave half a line for the next one to follow.
      try {
        fs.ftruncateSync(this.fd, this.bytes);
      } catch {
        /* the file keeps a torn tail, dropped at the next start */
      }
      throw e;
    }
    this.bytes += data.length;
  }

  clear() {
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
    this.bytes = 0;
  }

  close() {
    fs.closeSync(this.fd);
  }
}
