// `kms-workshop` with no command: the TUI on a terminal; elsewhere (a pipe, CI,
// a dumb terminal) the lesson list and how to run a lesson headless, exit 0.
// This module stays light: Ink, React and the screens load only for the TUI,
// and the SDK and the engine only after the menu's first frame.
import type { Lesson } from '../runtime/types.js';
import { canOpenTui } from '../tui/terminal.js';
import type { TuiOptions } from './tui-app.js';

export async function tui(opts: TuiOptions): Promise<number> {
  if (!canOpenTui()) return printLessons(opts.home, process.stdout, opts.packLessons);
  // chalk (inside Ink) reads the colour level once, when it loads: decide before that.
  if (process.env.NO_COLOR) process.env.FORCE_COLOR = '0';
  const { runTui } = await import('./tui-app.js');
  return runTui(opts);
}

/** The plain fallback: lessons, the learner's progress, and the commands to use without a terminal. */
export async function printLessons(home: string, out: NodeJS.WritableStream = process.stdout, packLessons: Lesson[] = []): Promise<number> {
  const { loadLessons } = await import('../lessons/loader.js');
  const { readProgress, lessonStatus } = await import('../runtime/progress.js');
  const builtIn = loadLessons();
  const lessons = [...builtIn.lessons, ...packLessons];
  const problems = builtIn.problems;
  const progress = readProgress(home);
  const lines = ['kms-workshop: learn AWS Key Management Service by doing it.', '', 'Lessons:'];
  const idWidth = Math.max(0, ...lessons.map((l) => l.id.length));
  for (const lesson of lessons) {
    const status = lessonStatus(progress, lesson);
    const state = status.complete ? 'done' : status.done === 0 ? 'not started' : `${status.done} of ${status.total} steps done`;
    lines.push(`  ${lesson.id.padEnd(idWidth)}  ${lesson.title} (${lesson.minutes} min, ${lesson.level}): ${state}`);
  }
  if (lessons.length === 0) lines.push('  (no lessons found)');
  for (const p of problems) lines.push(`  problem: ${p.file}:${p.line}: ${p.message}`);
  lines.push(
    '',
    'No interactive terminal here, so the tutorial prints this list instead.',
    `Run a lesson headless:  kms-workshop run ${lessons[0]?.id ?? '<lesson>'}`,
    'Run every lesson:       kms-workshop run all',
    'Open the tutorial:      kms-workshop   (in a terminal)',
    '',
  );
  out.write(lines.join('\n'));
  return 0;
}
