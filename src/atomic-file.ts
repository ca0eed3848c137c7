// Writing a file so that a crash leaves the old version or the new one, never half:
// a temporary file beside it, fsync, rename over the target, fsync the folder.
// Used for engine state, progress, the learner's name prefix and the AWS resource ledger.
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

export function writeFileAtomic(file: string, data: Buffer | string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${++counter}`;
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  try {
    const fd = fs.openSync(tmp, 'w', mode);
    try {
      for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true }); // a full disk, say: leave the old version and no temporary file
    throw e;
  }
  syncFolder(path.dirname(file));
}

/** Makes a change to a folder's names (a file created, renamed) durable. */
export function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some file systems do not allow fsync on a folder */
  }
}

/** The temporary files writeFileAtomic leaves if the process is killed mid-write. */
export function isAtomicTemporary(name: string): boolean {
  return /\.tmp-\d+-\d+$/.test(name);
}
