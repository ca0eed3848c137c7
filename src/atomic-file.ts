// Writing a file so that a crash leaves the old version or the new one, never half:
// a temporary file beside it, fsync, rename over the target, fsync the folder.
// Used for engine state, progress, the learner's name prefix and the AWS resource ledger.
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

export function writeFileAtomic(file: string, data: Buffer | string, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${++counter}`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    /* some file systems do not allow fsync on a folder */
  }
}
