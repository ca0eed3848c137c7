// `kms-workshop reset [lesson]`: start a lesson (or every lesson) over. For each
// lesson: its engine resources are removed by running the lesson's own clean-up
// step through the runtime (the same SDK calls a learner makes: delete the
// alias, schedule the key's deletion, empty and delete the bucket), then its
// workspace folder is removed and its progress forgotten. Lessons whose
// clean-up finds nothing (never run, or already cleaned) are reset all the same.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadLessonsWithPack, refusePackProblems } from '../lessons/packs.js';
import { resetLessonProgress } from '../runtime/progress.js';
import type { Lesson, RuntimeSession } from '../runtime/types.js';
import { workspaceOf } from '../runtime/workspace.js';

export interface ResetOptions {
  home: string;
  /** A lesson id, its folder name, or its number in the list; every lesson when absent. */
  lesson?: string;
  /** A lesson pack's folder (--lessons DIR): its lessons can be reset too. */
  lessonsDir?: string;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export async function reset({ home, lesson, lessonsDir, out = process.stdout, err = process.stderr }: ResetOptions): Promise<number> {
  const { lessons, packProblems } = loadLessonsWithPack(lessonsDir);
  if (refusePackProblems('kms-workshop reset', lessonsDir ?? '', packProblems, err)) return 2;
  const chosen = lesson === undefined ? lessons : findLesson(lessons, lesson);
  if (!chosen || chosen.length === 0) {
    err.write(`kms-workshop reset: no lesson '${lesson}'. Lessons: ${lessons.map((l) => l.id).join(', ')}.\n`);
    return 2;
  }
  const { openSession } = await import('../runtime/session.js');
  let session: RuntimeSession;
  try {
    session = await openSession({ home, recordProgress: false });
  } catch (e) {
    err.write(`kms-workshop reset: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    for (const l of chosen) out.write(await resetLesson(session, home, l));
  } finally {
    await session.close();
  }
  return 0;
}

function findLesson(lessons: Lesson[], name: string): Lesson[] | undefined {
  const n = Number(name);
  const found = lessons.find((l) => l.id === name || l.slug === name) ?? (Number.isInteger(n) && n >= 1 ? lessons[n - 1] : undefined);
  return found ? [found] : undefined;
}

async function resetLesson(session: RuntimeSession, home: string, lesson: Lesson): Promise<string> {
  const lines = [`Reset ${lesson.id} (${lesson.title}):`];
  const workspace = workspaceOf(join(home, 'workspace'), lesson);
  // The clean-up step may read files the lesson left in its workspace (a bucket's name): run it before removing them.
  const cleanUp = lesson.steps.filter((s) => /^clean-?up\b/.test(s.id));
  if (cleanUp.length === 0) lines.push('  engine: the lesson has no clean-up step; nothing removed');
  for (const step of cleanUp) {
    const outcome = await session.runStep(lesson, step);
    const calls = outcome.calls.filter((c) => c.caller === 'you' && c.outcome.ok).map((c) => c.operation);
    lines.push(
      outcome.status === 'passed'
        ? `  engine: ran the lesson's clean-up (${calls.join(', ')})`
        : `  engine: nothing left to clean up (${outcome.error.message})`,
    );
  }
  if (existsSync(workspace)) {
    rmSync(workspace, { recursive: true, force: true });
    lines.push(`  workspace: removed ${workspace}`);
  } else {
    lines.push('  workspace: none');
  }
  resetLessonProgress(home, lesson.id);
  lines.push('  progress: cleared');
  return lines.join('\n') + '\n';
}
