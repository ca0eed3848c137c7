// The lessons for the menu's first frame, fast. Loading and validating every
// lesson folder (YAML front matter and step blocks, scanning steps.ts) costs
// tens of milliseconds, so the result is kept in <home>/cache/lessons.json,
// keyed by the path, size and modification time of every file the loader
// reads; any change to a lesson folder makes the loader run again.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LessonProblem } from '../lessons/errors.js';
import { lessonsRoot } from '../package-paths.js';
import type { Lesson } from '../runtime/types.js';

// Raised when the Lesson model gains fields (2: predict and explain), so a cache from an older loader is not used.
const VERSION = 2;

export interface LessonIndex {
  lessons: Lesson[];
  problems: LessonProblem[];
  cached: boolean;
}

export function cachePath(home: string): string {
  return join(home, 'cache', 'lessons.json');
}

export async function loadLessonIndex(home: string, root: string = lessonsRoot()): Promise<LessonIndex> {
  const key = fingerprint(root);
  const file = cachePath(home);
  try {
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; key: string; lessons: Lesson[]; problems: LessonProblem[] };
      if (saved.version === VERSION && saved.key === key) return { lessons: saved.lessons, problems: saved.problems, cached: true };
    }
  } catch {
    // unreadable cache: load afresh and overwrite it
  }
  // The loader (and its YAML parser) loads only when the cache cannot answer.
  const { loadLessons } = await import('../lessons/loader.js');
  const { lessons, problems } = loadLessons(root);
  try {
    mkdirSync(join(home, 'cache'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: VERSION, key, lessons, problems }));
    renameSync(tmp, file);
  } catch {
    // a read-only home only costs the next start its speed
  }
  return { lessons, problems, cached: false };
}

/** Every lesson folder's files with size and mtime, plus the assets they may copy: what the loader's result depends on. */
function fingerprint(root: string): string {
  const parts: string[] = [root];
  const add = (path: string) => {
    try {
      const s = statSync(path);
      parts.push(`${path}:${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push(`${path}:-`);
    }
  };
  let entries: string[] = [];
  try {
    entries = readdirSync(root).sort();
  } catch {
    return parts.join('|');
  }
  for (const name of entries) {
    const folder = join(root, name);
    add(folder);
    try {
      for (const file of readdirSync(folder).sort()) add(join(folder, file));
    } catch {
      // not a folder
    }
  }
  const assets = join(root, '..', 'assets');
  add(assets);
  try {
    for (const file of readdirSync(assets).sort()) add(join(assets, file));
  } catch {
    // no assets folder
  }
  return parts.join('|');
}
