// Files written and read in pieces (S3 object data), so a large one is never held whole:
// - a streamed write goes to a temporary file beside its name (named as writeFileAtomic
//   names its own, so a kill mid-write leaves what the next start removes) and appears
//   under the name only once fsynced and renamed, the folder fsynced too;
// - a read is positional on an open handle, which stays readable if the name is removed
//   or replaced meanwhile (an object overwritten while it is being downloaded).
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface StreamedWrite {
  write(data: Buffer): Promise<void>;
  /** Durable and visible under its name: fsync, rename, fsync of the folder. */
  commit(): Promise<void>;
  /** Nothing left behind. */
  abort(): Promise<void>;
}

export interface StreamedRead {
  readonly size: number;
  /** Up to `length` bytes from `position` (fewer only at the end of the file). */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

let counter = 0;

export async function openDiskWrite(file: string): Promise<StreamedWrite> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${++counter}`;
  const handle = await fs.promises.open(tmp, 'wx', 0o600);
  let open = true;
  const close = async () => {
    if (!open) return;
    open = false;
    await handle.close();
  };
  return {
    write: async (data) => {
      for (let written = 0; written < data.length; ) written += (await handle.write(data, written)).bytesWritten;
    },
    commit: async () => {
      try {
        await handle.sync();
        await close();
        await fs.promises.rename(tmp, file);
      } catch (e) {
        await close().catch(() => {});
        await fs.promises.rm(tmp, { force: true });
        throw e;
      }
      await syncFolder(path.dirname(file));
    },
    abort: async () => {
      await close().catch(() => {});
      await fs.promises.rm(tmp, { force: true });
    },
  };
}

export async function openDiskRead(file: string): Promise<StreamedRead | undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const { size } = await handle.stat();
  return {
    size,
    read: async (position, length) => {
      const out = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
      let filled = 0;
      while (filled < out.length) {
        const { bytesRead } = await handle.read(out, filled, out.length - filled, position + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return out.subarray(0, filled);
    },
    close: () => handle.close(),
  };
}

/** The same, for a store kept in memory: the bytes are gathered and handed over on commit. */
export function memoryWrite(onCommit: (data: Buffer) => void): StreamedWrite {
  let chunks: Buffer[] = [];
  return {
    write: async (data) => void chunks.push(Buffer.from(data)),
    commit: async () => onCommit(Buffer.concat(chunks)),
    abort: async () => void (chunks = []),
  };
}

export function memoryRead(data: Buffer): StreamedRead {
  return {
    size: data.length,
    read: async (position, length) => data.subarray(position, position + length),
    close: async () => {},
  };
}

async function syncFolder(dir: string) {
  try {
    const handle = await fs.promises.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* some file systems do not allow fsync on a folder */
  }
}
