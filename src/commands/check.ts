// `kms-workshop check [DIR]`: for lesson authors. Validates every lesson folder
// in DIR (or DIR itself if it holds a lesson.md; default: the packaged lessons),
// a lesson pack anywhere (whose ids must not be those of the packaged lessons: see
// lessons/packs.ts), printing each problem as file:line: message (what the loader refuses, then the
// standards a lesson must meet: lessons/standards.ts), then runs every valid
// lesson end to end against a fresh engine in memory. Exit code 0 only if all is well.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../lessons/errors.js';
import { loadLessons } from '../lessons/loader.js';
import { loadPack } from '../lessons/packs.js';
import { checkLessonStandards } from '../lessons/standards.js';
import { quietOnBrokenPipe, runLessons, summaryLine } from './run-lessons.js';

export async function check(opts: { dir?: string }): Promise<number> {
  quietOnBrokenPipe();
  const { lessons, problems: refused } = opts.dir === undefined ? loadLessons() : loadPack(opts.dir);
  const problems = [...refused, ...lessons.flatMap(checkLessonStandards)];
  for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
  process.stdout.write(`${lessons.length} lesson${lessons.length === 1 ? '' : 's'} valid, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  if (lessons.length === 0) return 1;
  const home = mkdtempSync(join(tmpdir(), 'kms-workshop-check-'));
  const { openSession } = await import('../runtime/session.js');
  const session = await openSession({ home, freshEngine: true, recordProgress: false });
  try {
    const report = await runLessons(session, lessons, { brief: true });
    process.stdout.write(`\n${summaryLine(report)}`);
    return report.failed === 0 && problems.length === 0 ? 0 : 1;
  } finally {
    await session.close();
    rmSync(home, { recursive: true, force: true });
  }
}
