// The learner's progress: which steps of which lessons they have done, in
// <home>/progress.json. Written atomically (temporary file, fsync, rename) so a
// crash leaves the old file or the new one, never half of one. Shared by the
// TUI (resume where you left off) and `kms-workshop list`.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { join } from 'node:path';
import type { Lesson } from './types.js';

export interface LessonProgress {
  /** Step id -> ISO time it last passed (an exercise: done by the learner, or solved). */
  steps: Record<string, string>;
  /** Exercise step id -> ISO time it was solved by its reference solution (`s`) and not since done by the learner. */
  solved?: Record<string, string>;
  /** The step the learner ran last (to resume from). */
  lastStep?: string;
  /** Set when every step of the lesson has passed. */
  completedAt?: string;
  updatedAt: string;
}

export interface Progress {
  version: 1;
  lessons: Record<string, LessonProgress>;
}

export const PROGRESS_FILE = 'progress.json';

export function progressPath(home: string): string {
  return join(home, PROGRESS_FILE);
}

/**
 * The saved progress; empty when there is none. An unreadable file is kept aside,
 * not lost, and `onSetAside` learns where, so the learner can be told.
 */
export function readProgress(home: string, onSetAside?: (keptAs: string) => void): Progress {
  const file = progressPath(home);
  if (!existsSync(file)) return empty();
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Progress>;
    if (parsed && parsed.version === 1 && parsed.lessons && typeof parsed.lessons === 'object') return parsed as Progress;
  } catch {
    /* fall through */
  }
  const keptAs = `${file}.unreadable-${Date.now()}`;
  renameSync(file, keptAs);
  onSetAside?.(keptAs);
  return empty();
}

export function writeProgress(home: string, progress: Progress): void {
  writeFileAtomic(progressPath(home), JSON.stringify(progress, null, 2) + '\n');
}

/** Records that a step passed, and whether the lesson is now complete. */
export function recordStepPassed(home: string, lesson: Lesson, stepId: string, now = new Date()): Progress {
  return record(home, readProgress(home), lesson, stepId, now, false);
}

function record(home: string, progress: Progress, lesson: Lesson, stepId: string, now: Date, solved: boolean): Progress {
  const time = now.toISOString();
  const entry: LessonProgress = progress.lessons[lesson.id] ?? { steps: {}, updatedAt: time };
  entry.steps[stepId] = time;
  if (solved) entry.solved = { ...entry.solved, [stepId]: time };
  else if (entry.solved?.[stepId]) {
    delete entry.solved[stepId];
    if (Object.keys(entry.solved).length === 0) delete entry.solved;
  }
  entry.lastStep = stepId;
  entry.updatedAt = time;
  if (lesson.steps.every((s) => entry.steps[s.id])) entry.completedAt ??= time;
  progress.lessons[lesson.id] = entry;
  writeProgress(home, progress);
  return progress;
}

/** Records that an exercise was solved (its reference solution ran): done, but not by the learner. A step the learner did stays theirs. */
export function recordStepSolved(home: string, lesson: Lesson, stepId: string, now = new Date()): Progress {
  const progress = readProgress(home);
  if (progress.lessons[lesson.id]?.steps[stepId] && !progress.lessons[lesson.id]?.solved?.[stepId]) return progress;
  return record(home, progress, lesson, stepId, now, true);
}

/** Forgets a lesson's progress (start it over). */
export function resetLessonProgress(home: string, lessonId: string): void {
  const progress = readProgress(home);
  if (!(lessonId in progress.lessons)) return;
  delete progress.lessons[lessonId];
  writeProgress(home, progress);
}

export interface LessonStatus {
  done: number;
  /** Of those done, how many were solved by their reference solution rather than by the learner. */
  solved: number;
  total: number;
  complete: boolean;
  /** The first step not yet done (where to resume), if any. */
  nextStep?: string;
}

export function lessonStatus(progress: Progress, lesson: Lesson): LessonStatus {
  const entry = progress.lessons[lesson.id];
  const done = lesson.steps.filter((s) => entry?.steps[s.id]).length;
  const solved = lesson.steps.filter((s) => entry?.solved?.[s.id]).length;
  const next = lesson.steps.find((s) => !entry?.steps[s.id]);
  return { done, solved, total: lesson.steps.length, complete: done === lesson.steps.length, ...(next ? { nextStep: next.id } : {}) };
}

/**
 * Steps passed (solved exercises among them) and exercises solved, over every lesson: what a
 * class engine is told. Zeros when the progress cannot be read: telling is a convenience.
 */
export function progressCounts(home: string): { passed: number; solved: number } {
  try {
    const lessons = Object.values(readProgress(home).lessons);
    const count = (of: (l: LessonProgress) => Record<string, string> | undefined) => lessons.reduce((n, l) => n + Object.keys(of(l) ?? {}).length, 0);
    return { passed: count((l) => l.steps), solved: count((l) => l.solved) };
  } catch {
    return { passed: 0, solved: 0 };
  }
}

function empty(): Progress {
  return { version: 1, lessons: {} };
}
