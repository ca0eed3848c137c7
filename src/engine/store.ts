// Persistence of engine state under <home>/engine.
// - JSON documents are written atomically: temporary file, fsync, rename, fsync dir.
// - Key material never touches disk in clear: it is wrapped (AES-256-GCM) under a
//   root key kept in its own 0600 file.
// - One process at a time: a lock file holds the owner's pid; a second writer gets
//   a clear error, a lock left by a dead process is taken over.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic as writeAtomic } from '../atomic-file.js';

export class EngineHomeLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The engine state in ${dir} is in use by another kms-workshop process (pid ${pid}). ` +
        `Stop that process, or give this one another home with --home DIR (or KMS_WORKSHOP_HOME).`,
    );
    this.name = 'EngineHomeLockedError';
  }
}

const heldLocks = new Set<string>();

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
  close() {}
}

class DiskStore extends BaseStore implements Store {
  private key: Buffer | undefined;
  private readonly lockPath: string;
  private appendFds = new Map<string, number>();

  constructor(readonly dir: string) {
    super();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.lockPath = path.join(dir, 'engine.lock');
    this.acquireLock();
  }

  private acquireLock() {
    const real = fs.realpathSync(this.dir);
    if (heldLocks.has(real)) throw new EngineHomeLockedError(this.dir, process.pid);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(this.lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
        heldLocks.add(real);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const pid = Number(fs.readFileSync(this.lockPath, 'utf8').trim());
        if (pid && pid !== process.pid && isAlive(pid)) throw new EngineHomeLockedError(this.dir, pid);
        fs.rmSync(this.lockPath, { force: true }); // left by a process that died
      }
    }
    throw new EngineHomeLockedError(this.dir, 0);
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
  close() {
    for (const fd of this.appendFds.values()) {
      try {
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      } catch {
        /* already closed */
      }
    }
    this.appendFds.clear();
    try {
      if (fs.readFileSync(this.lockPath, 'utf8').trim() === String(process.pid)) fs.rmSync(this.lockPath, { force: true });
    } catch {
      /* lock already gone */
    }
    try {
      heldLocks.delete(fs.realpathSync(this.dir));
    } catch {
      /* home removed */
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
