// A lesson's workspace: <home>/workspace/<slug>/, where its files are written
// and the learner can open them from another terminal. It starts from the
// lesson's sample files, copied from assets/.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Lesson } from './types.js';

export function workspaceOf(root: string, lesson: Lesson): string {
  return join(root, lesson.slug);
}

/** Empties the workspace and copies the samples in: a lesson run from its first step starts clean. */
export function resetWorkspace(root: string, lesson: Lesson): string {
  const dir = workspaceOf(root, lesson);
  rmSync(dir, { recursive: true, force: true });
  return ensureWorkspace(root, lesson);
}

/** Creates the workspace if needed and restores any missing sample file. */
export function ensureWorkspace(root: string, lesson: Lesson): string {
  const dir = workspaceOf(root, lesson);
  mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(lesson.assets ?? {})) {
    const target = join(dir, name);
    if (!existsSync(target)) copyFileSync(source, target);
  }
  return dir;
}
