// Persistence of engine state under <home>/engine.
// - JSON documents are written atomically: temporary file, fsync, rename, fsync dir.
// - State that changes often (KMS) is a snapshot plus an append-only journal (journal.ts).
// - Key material never touches disk in clear: it is wrapped (AES-256-GCM) under a
//   root key kept in its own 0600 file.
// - One process at a time (home-lock.ts); temporary files a killed process left behind
//   are removed when the next one takes the home.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAtomicTemporary, writeFileAtomic as writeAtomic } from '../atomic-file.js';
import { lockHome, type HomeLock } from './home-lock.js';
import { DiskJournal, MemoryJournal, type JournalFile } from './journal.js';
import { memoryRead, memoryWrite, openDiskRead, openDiskWrite, type StreamedRead, type StreamedWrite } from './streamed-file.js';

export { EngineHomeLockedError } from './home-lock.js';

export interface Store {
  readonly dir: string | null;
  readJson<T>(name: string): T | undefined;
  writeJson(name: string, value: unknown): void;
  readFile(name: string): Buffer | undefined;
  writeFile(name: string, data: Buffer): void;
  removeFile(name: string): void;
  listFiles(prefix: string): string[];
  appendLine(name: string, line: string): void;
  readLines(name: string): string[];
  /** An append-only journal (one per name; the store closes it). */
  openJournal(name: string): JournalFile;
  /** A file written in pieces (S3 object data): invisible under `name` until commit() has fsynced and renamed it. */
  openWrite(name: string): Promise<StreamedWrite>;
  /** A file read in pieces; undefined if there is none. */
  openRead(name: string): Promise<StreamedRead | undefined>;
  /** Encrypts secret bytes (key material) under the root key for storage. */
  wrap(secret: Buffer): Buffer;
  unwrap(wrapped: Buffer): Buffer;
  close(): void;
}

export function openStore(home: string | null): Store {
  return home === null ? new MemoryStore() : new DiskStore(path.join(home, 'engine'));
}

const WRAP_VERSION = 1;

abstract class BaseStore {
  protected abstract rootKey(): Buffer;
  wrap(secret: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.rootKey(), iv);
    const body = Buffer.concat([cipher.update(secret), cipher.final()]);
    return Buffer.concat([Buffer.from([WRAP_VERSION]), iv, cipher.getAuthTag(), body]);
  }
  unwrap(wrapped: Buffer): Buffer {
    if (wrapped[0] !== WRAP_VERSION) throw new Error('unknown wrapped key format');
    const decipher = createDecipheriv('aes-256-gcm', this.rootKey(), wrapped.subarray(1, 13));
    decipher.setAuthTag(wrapped.subarray(13, 29));
    return Buffer.concat([decipher.update(wrapped.subarray(29)), decipher.final()]);
  }
}

class MemoryStore extends BaseStore implements Store {
  readonly dir = null;
  private files = new Map<string, Buffer>();
  private key = randomBytes(32);
  protected rootKey() {
    return this.key;
  }
  readJson<T>(name: string) {
    const b = this.files.get(name);
    return b ? (JSON.parse(b.toString('utf8')) as T) : undefined;
  }
  writeJson(name: string, value: unknown) {
    this.files.set(name, Buffer.from(JSON.stringify(value)));
  }
  readFile(name: string) {
    return this.files.get(name);
  }
  writeFile(name: string, data: Buffer) {
    this.files.set(name, Buffer.from(data));
  }
  async openWrite(name: string) {
    return memoryWrite((data) => this.files.set(name, data));
  }
  async openRead(name: string) {
    const data = this.files.get(name);
    return data && memoryRead(data);
  }
  removeFile(name: string) {
    this.files.delete(name);
  }
  listFiles(prefix: string) {
    return [...this.files.keys()].filter((n) => n.startsWith(prefix));
  }
  /** Appended lines are kept as a list: concatenating on every append would be quadratic. */
  private lines = new Map<string, string[]>();
  appendLine(name: string, line: string) {
    const list = this.lines.get(name);
    if (list) list.push(line);
    else this.lines.set(name, [line]);
  }
  readLines(name: string) {
    return [...(this.lines.get(name) ?? [])];
  }
  private journals = new Map<string, MemoryJournal>();
  openJournal(name: string) {
    let journal = this.journals.get(name);
    if (!journal) this.journals.set(name, (journal = new MemoryJournal()));
    return journal;
  }
  close() {}
}

class DiskStore extends BaseStore implements Store {
  private key: Buffer | undefined;
  private readonly lock: HomeLock;
  private appendFds = new Map<string, number>();
  private journals = new Map<string, DiskJournal>();

  constructor(readonly dir: string) {
    super();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.lock = lockHome(dir);
    try {
      removeTemporaries(dir);
    } catch (e) {
      this.lock.release();
      throw e;
    }
  }

  protected rootKey(): Buffer {
    if (this.key) return this.key;
    const file = path.join(this.dir, 'root.key');
    try {
      this.key = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const key = randomBytes(32);
      writeAtomic(file, key, 0o600);
      this.key = key;
    }
    if (this.key.length !== 32) throw new Error(`${file} is not a 32-byte root key`);
    return this.key;
  }

  private file(name: string) {
    const p = path.join(this.dir, name);
    if (!p.startsWith(this.dir + path.sep)) throw new Error(`bad store path ${name}`);
    return p;
  }

  readJson<T>(name: string): T | undefined {
    const b = this.readFile(name);
    return b ? (JSON.parse(b.toString('utf8')) as T) : undefined;
  }
  writeJson(name: string, value: unknown) {
    this.writeFile(name, Buffer.from(JSON.stringify(value)));
  }
  readFile(name: string): Buffer | undefined {
    try {
      return fs.readFileSync(this.file(name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
  writeFile(name: string, data: Buffer) {
    const p = this.file(name);
    fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
    writeAtomic(p, data, 0o600);
  }
  openWrite(name: string) {
    return openDiskWrite(this.file(name));
  }
  openRead(name: string) {
    return openDiskRead(this.file(name));
  }
  removeFile(name: string) {
    fs.rmSync(this.file(name), { force: true });
  }
  listFiles(prefix: string): string[] {
    const base = this.file(prefix.endsWith('/') ? prefix + 'x' : prefix);
    const dir = prefix.endsWith('/') ? path.dirname(base) : path.dirname(base);
    const out: string[] = [];
    const walk = (d: string) => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else if (!e.name.includes('.tmp-')) {
          const rel = path.relative(this.dir, full).split(path.sep).join('/');
          if (rel.startsWith(prefix)) out.push(rel);
        }
      }
    };
    walk(dir);
    return out.sort();
  }
  /** Appends survive a crash of this process (they reach the OS at once); the OS flushes them. */
  appendLine(name: string, line: string) {
    let fd = this.appendFds.get(name);
    if (fd === undefined) {
      const p = this.file(name);
      fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
      fd = fs.openSync(p, 'a', 0o600);
      this.appendFds.set(name, fd);
    }
    fs.writeSync(fd, line + '\n');
  }
  readLines(name: string): string[] {
    return (this.readFile(name)?.toString('utf8') ?? '').split('\n').filter(Boolean);
  }
  openJournal(name: string): JournalFile {
    let journal = this.journals.get(name);
    if (!journal) {
      const p = this.file(name);
      fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
      this.journals.set(name, (journal = new DiskJournal(p)));
    }
    return journal;
  }
  close() {
    for (const journal of this.journals.values()) journal.close();
    this.journals.clear();
    for (const fd of this.appendFds.values()) {
      try {
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.appendFds.clear();
    this.lock.release();
  }
}

/** Removes, everywhere under the folder, the temporary files of atomic writes a kill interrupted. */
function removeTemporaries(dir: string) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) removeTemporaries(full);
    else if (isAtomicTemporary(entry.name)) fs.rmSync(full, { force: true });
  }
}
