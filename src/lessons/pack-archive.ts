// A lesson pack as a class engine serves it (GET /_class/lessons) and a
// learner's `join` receives it: its files, each a relative path and its bytes
// (base64), in JSON. Both sides bound it (files, bytes, path length and depth)
// and take only plain names (letters, digits, '.', '_', '-'; no '..', no
// hidden files), so a reply cannot write outside the folder it is unpacked in.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';

export interface LessonPackArchive {
  files: Array<{ path: string; base64: string }>;
}

/** At most this many files, bytes (decoded, all files) and path characters and folders deep. */
export const MAX_PACK_FILES = 200;
export const MAX_PACK_BYTES = 4 * 1024 * 1024;
const MAX_PATH_LENGTH = 200;
const MAX_DEPTH = 6;
/** The reply's JSON at most: base64 is 4/3 of the bytes, plus names and punctuation. */
export const MAX_PACK_REPLY_BYTES = Math.ceil((MAX_PACK_BYTES * 4) / 3) + MAX_PACK_FILES * (MAX_PATH_LENGTH + 64) + 64;

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Not sent: the editor's tsconfig.json names paths on the instructor's machine; installed packages are not lessons. */
const LEFT_OUT = new Set(['tsconfig.json', 'node_modules']);

export class PackArchiveError extends Error {
  override name = 'PackArchiveError';
}

/** Why this path may not be in a pack, or undefined when it may. */
export function badPackPath(path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'a file has no path';
  if (path.length > MAX_PATH_LENGTH) return `the path ${JSON.stringify(path.slice(0, 40))}... is longer than ${MAX_PATH_LENGTH} characters`;
  const segments = path.split('/');
  if (segments.length > MAX_DEPTH) return `the path ${JSON.stringify(path)} is more than ${MAX_DEPTH} folders deep`;
  if (!segments.every((s) => SEGMENT.test(s) && !s.includes('..')))
    return `the path ${JSON.stringify(path.slice(0, MAX_PATH_LENGTH))} is not a plain relative path (letters, digits, '.', '_', '-' between '/'; no '..', no hidden files)`;
  return undefined;
}

/**
 * The pack in `dir` (a folder of lesson folders, or one lesson folder, kept as a folder of its own
 * name) as an archive: every file of its lesson folders, but hidden ones, tsconfig.json and
 * node_modules; refused past the bounds.
 */
export function packArchive(dir: string): LessonPackArchive {
  const root = resolve(dir);
  const single = existsSync(join(root, 'lesson.md'));
  const files: LessonPackArchive['files'] = [];
  let bytes = 0;
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      if (name.startsWith('.') || name.startsWith('_') || LEFT_OUT.has(name)) continue;
      const full = join(folder, name);
      const path = prefix ? `${prefix}/${name}` : name;
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) throw new PackArchiveError(`${full}: a lesson pack is served without symbolic links; copy the file in`);
      if (stat.isDirectory()) {
        walk(full, path);
        continue;
      }
      const bad = badPackPath(path);
      if (bad) throw new PackArchiveError(`${full}: ${bad}`);
      if (files.length === MAX_PACK_FILES) throw new PackArchiveError(`${root}: a lesson pack is served with at most ${MAX_PACK_FILES} files`);
      const data = readFileSync(full);
      bytes += data.length;
      if (bytes > MAX_PACK_BYTES) throw new PackArchiveError(`${root}: a lesson pack is served up to ${MAX_PACK_BYTES / 1024 / 1024} MB in all`);
      files.push({ path, base64: data.toString('base64') });
    }
  };
  if (single) walk(root, basename(root));
  else
    for (const name of readdirSync(root).sort()) {
      const full = join(root, name);
      // As the loader: lesson folders only, not hidden or '_' ones
      if (name.startsWith('.') || name.startsWith('_') || !lstatSync(full).isDirectory()) continue;
      walk(full, name);
    }
  return { files };
}

/**
 * Writes an archive received from a class engine into `into` (emptied first), checking it as
 * hostile: its shape, every path, the bounds. Written beside and renamed into place, so a bad
 * archive leaves the previous pack as it was.
 */
export function unpackArchive(archive: unknown, into: string): void {
  const files = (archive as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) throw new PackArchiveError('the lessons are not a list of files');
  if (files.length > MAX_PACK_FILES) throw new PackArchiveError(`${files.length} files: at most ${MAX_PACK_FILES}`);
  const decoded: Array<{ path: string; data: Buffer }> = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const file of files as Array<{ path?: unknown; base64?: unknown }>) {
    const bad = badPackPath(file?.path);
    if (bad) throw new PackArchiveError(bad);
    const path = file.path as string;
    const key = path.toLowerCase(); // one file, whatever the file system's case rules
    if (seen.has(key) || [...seen].some((p) => key.startsWith(`${p}/`) || p.startsWith(`${key}/`)))
      throw new PackArchiveError(`the path ${JSON.stringify(path)} is given twice, or as a file and a folder`);
    seen.add(key);
    if (typeof file.base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(file.base64)) throw new PackArchiveError(`${path}: its content is not base64`);
    const data = Buffer.from(file.base64, 'base64');
    bytes += data.length;
    if (bytes > MAX_PACK_BYTES) throw new PackArchiveError(`more than ${MAX_PACK_BYTES / 1024 / 1024} MB of files`);
    decoded.push({ path, data });
  }
  const target = resolve(into);
  const fresh = `${target}.${process.pid}.new`;
  rmSync(fresh, { recursive: true, force: true });
  try {
    for (const { path, data } of decoded) {
      const file = resolve(fresh, ...path.split('/'));
      // Checked above already; kept as the last word on where a file may go
      if (relative(fresh, file).split(sep)[0] === '..') throw new PackArchiveError(`${path} is outside the pack`);
      mkdirSync(resolve(file, '..'), { recursive: true });
      writeFileSync(file, data, { flag: 'wx' });
    }
    mkdirSync(fresh, { recursive: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(fresh, target);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}
