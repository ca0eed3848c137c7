// A lesson pack: an instructor's own lessons, in a folder anywhere (a folder of
// lesson folders, or one lesson folder), given with `--lessons DIR`. Its
// lessons join the built-in ones, after them: a class keeps the workshop's
// lessons and gains the instructor's, and progress stays keyed by lesson id,
// so an id the two share would mix two lessons' progress: that is refused.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Lesson } from '../runtime/types.js';
import { formatProblem, problem, type LessonProblem } from './errors.js';
import { loadLessons } from './loader.js';

export interface Pack {
  /** The pack's valid lessons whose ids no built-in lesson uses. */
  lessons: Lesson[];
  /** What the loader refused, and each id a built-in lesson already uses. */
  problems: LessonProblem[];
}

/** Loads the pack in `dir` and checks its ids against the built-in lessons (except a built-in folder checked as itself). */
export function loadPack(dir: string, builtIn: readonly Lesson[] = loadLessons().lessons): Pack {
  const { lessons, problems } = loadLessons(dir);
  if (lessons.length === 0 && problems.length === 0)
    problems.push(problem(resolve(dir), 1, 'no lesson here: a lesson is a folder with a lesson.md and a steps.ts (kms-workshop new-lesson DIR makes one)'));
  const kept: Lesson[] = [];
  for (const lesson of lessons) {
    const same = builtIn.find((b) => b.id === lesson.id && b.dir !== lesson.dir);
    if (!same) {
      kept.push(lesson);
      continue;
    }
    const file = join(lesson.dir, 'lesson.md');
    problems.push(
      problem(file, idLine(file), `lesson id '${lesson.id}' is already the id of the built-in lesson "${same.title}" (${join(same.dir, 'lesson.md')}); give your lesson an id of its own`),
    );
  }
  return { lessons: kept, problems };
}

/** The built-in lessons followed by the pack's; the pack's problems apart, for the caller to refuse. */
export function loadLessonsWithPack(dir: string | undefined): { lessons: Lesson[]; problems: LessonProblem[]; packProblems: LessonProblem[] } {
  const builtIn = loadLessons();
  if (dir === undefined) return { ...builtIn, packProblems: [] };
  const pack = loadPack(dir, builtIn.lessons);
  return { lessons: [...builtIn.lessons, ...pack.lessons], problems: builtIn.problems, packProblems: pack.problems };
}

/** Says on stderr why the pack cannot be used (`who: file:line: message` each); false when it can. */
export function refusePackProblems(who: string, dir: string, problems: readonly LessonProblem[], err: NodeJS.WritableStream = process.stderr): boolean {
  if (problems.length === 0) return false;
  for (const p of problems) err.write(`${who}: ${formatProblem(p)}\n`);
  err.write(`${who}: the lessons in ${dir} cannot be used until these are fixed ('kms-workshop check ${dir}' checks them).\n`);
  return true;
}

/** The line of `id:` in the front matter (the loader checked it is there). */
function idLine(file: string): number {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const at = lines.findIndex((l, i) => i > 0 && /^id\s*:/.test(l));
  return at < 0 ? 1 : at + 1;
}
