// `kms-workshop list`: the lessons with their minutes and the learner's progress.
import { formatProblem } from '../lessons/errors.js';
import { loadLessonsWithPack, refusePackProblems } from '../lessons/packs.js';
import { lessonStatus, readProgress } from '../runtime/progress.js';
import { quietOnBrokenPipe } from './run-lessons.js';

export function list(opts: { home: string; json: boolean; lessonsDir?: string }): number {
  quietOnBrokenPipe();
  const { lessons, problems, packProblems } = loadLessonsWithPack(opts.lessonsDir);
  if (refusePackProblems('kms-workshop list', opts.lessonsDir ?? '', packProblems)) return 2;
  const progress = readProgress(opts.home, (keptAs) =>
    process.stderr.write(`kms-workshop list: your progress file could not be read; it was kept as ${keptAs} and progress starts afresh.\n`),
  );
  const rows = lessons.map((lesson) => ({ lesson, status: lessonStatus(progress, lesson) }));
  if (opts.json) {
    for (const { lesson, status } of rows)
      process.stdout.write(
        JSON.stringify({ id: lesson.id, slug: lesson.slug, title: lesson.title, minutes: lesson.minutes, level: lesson.level, steps: status.total, done: status.done, solved: status.solved, complete: status.complete }) + '\n',
      );
  } else {
    const idWidth = Math.max(2, ...lessons.map((l) => l.id.length));
    const titleWidth = Math.max(5, ...lessons.map((l) => l.title.length));
    process.stdout.write(`${'#'.padEnd(3)} ${'id'.padEnd(idWidth)}  ${'title'.padEnd(titleWidth)}  min  progress\n`);
    for (const { lesson, status } of rows) {
      const solved = status.solved ? ` (${status.solved} solved)` : '';
      const state = (status.complete ? 'done' : status.done === 0 ? 'not started' : `${status.done}/${status.total} steps`) + solved;
      process.stdout.write(`${lesson.slug.split('-')[0]!.padEnd(3)} ${lesson.id.padEnd(idWidth)}  ${lesson.title.padEnd(titleWidth)}  ${String(lesson.minutes).padStart(3)}  ${state}\n`);
    }
    if (lessons.length === 0) process.stdout.write('(no lessons found)\n');
  }
  for (const p of problems) process.stderr.write(`kms-workshop list: ${formatProblem(p)}\n`);
  return problems.length ? 1 : 0;
}
