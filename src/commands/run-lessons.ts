// Plays lessons headless, step after step, and reports each step as plain
// text or as one JSON object per line. Shared by `run` and `check`.
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepListener } from '../runtime/types.js';
import { introText, resultJson, stepOrder, stepReport } from './plain-results.js';

export interface RunReport {
  lessons: number;
  steps: number;
  passed: number;
  failed: number;
  skipped: number;
  ms: number;
  /** The target went away (a class engine stopped answering): the run stopped there, with this message. */
  lost?: string;
}

export interface RunLessonsOptions {
  json?: boolean;
  /** One line per step instead of every call and result (check). */
  brief?: boolean;
  out?: NodeJS.WritableStream;
  /** Hears each step's outcome (run --transcript). */
  onStep?: (lesson: Lesson, outcome: StepOutcome) => void;
}

export async function runLessons(session: RuntimeSession, lessons: Lesson[], opts: RunLessonsOptions = {}): Promise<RunReport> {
  const out = opts.out ?? process.stdout;
  const report: RunReport = { lessons: lessons.length, steps: 0, passed: 0, failed: 0, skipped: 0, ms: 0 };
  const started = Date.now();
  every: for (const lesson of lessons) {
    if (!opts.json) out.write(`\n== ${lesson.id}: ${lesson.title} (${lesson.steps.length} steps, workspace ${session.workspace(lesson)})\n`);
    const intro = opts.json || opts.brief ? '' : introText(lesson);
    if (intro) out.write(`\n${intro}`);
    let failed = false;
    for (const [i, step] of lesson.steps.entries()) {
      report.steps++;
      const header = `[${i + 1}/${lesson.steps.length}] ${step.title}`;
      if (failed) {
        report.skipped++;
        if (opts.json) out.write(JSON.stringify({ lesson: lesson.id, step: step.id, title: step.title, status: 'skipped' }) + '\n');
        else out.write(`${header}\n    skipped: an earlier step failed\n`);
        continue;
      }
      const happened = stepOrder();
      const progress = session.target === 'aws' ? waitProgress(process.stderr) : undefined;
      const outcome = await session.runStep(lesson, step, (event) => {
        happened.listener(event);
        progress?.(event);
      });
      opts.onStep?.(lesson, outcome);
      if (outcome.status === 'passed') report.passed++;
      else {
        report.failed++;
        failed = true;
      }
      // The lesson's introduction travels with its first step's line.
      if (opts.json) out.write(JSON.stringify({ ...stepJson(lesson, step.title, outcome), ...(i === 0 ? { intro: lesson.intro, basedOn: lesson.basedOn } : {}) }) + '\n');
      else if (opts.brief) out.write(briefLine(header, outcome));
      else out.write(stepReport(outcome, header, happened.order));
      if (outcome.status === 'failed' && outcome.error.connectionLost) {
        report.lost = outcome.error.message;
        break every; // every step after would fail the same way
      }
    }
  }
  report.ms = Date.now() - started;
  return report;
}

/** On AWS a CloudTrail wait takes minutes: say how it goes (on stderr, at most every 15 s) so a log does not look stuck. */
function waitProgress(err: NodeJS.WritableStream): StepListener {
  let last = 0;
  let lastLabel = '';
  return (event) => {
    if (event.type !== 'progress') return;
    const now = Date.now();
    if (event.label === lastLabel && now - last < 15_000) return;
    last = now;
    lastLabel = event.label;
    err.write(`    waiting ${event.done} s (at most ${event.total} s): ${event.label}\n`);
  };
}

function briefLine(header: string, outcome: StepOutcome): string {
  if (outcome.status === 'passed') return `${header}: ${outcome.solved ? 'solution passed its checks' : 'passed'} (${outcome.calls.length} call${outcome.calls.length === 1 ? '' : 's'}, ${outcome.durationMs} ms)\n`;
  return `${header}: FAILED: ${outcome.error.message}${outcome.error.requestId ? ` (request id ${outcome.error.requestId})` : ''}\n`;
}

function stepJson(lesson: Lesson, title: string, outcome: StepOutcome) {
  const exercise = lesson.steps.find((s) => s.id === outcome.stepId)?.exercise;
  return {
    lesson: lesson.id,
    step: outcome.stepId,
    title,
    status: outcome.status,
    // An exercise runs headless as its reference solution, then its checks.
    ...(exercise ? { exercise: exercise.kind, solved: outcome.status === 'passed' } : {}),
    durationMs: outcome.durationMs,
    calls: outcome.calls.map((c: ApiCall) => c),
    results: outcome.results.map(resultJson),
    ...(outcome.status === 'failed' ? { error: outcome.error } : {}),
  };
}

export function summaryLine(r: RunReport): string {
  const parts = [`${r.passed} passed`, `${r.failed} failed`, ...(r.skipped ? [`${r.skipped} skipped`] : [])];
  return `${r.lessons} lesson${r.lessons === 1 ? '' : 's'}, ${r.steps} steps: ${parts.join(', ')} in ${(r.ms / 1000).toFixed(2)} s\n`;
}

/**
 * Finds lessons by id, folder name, number or a prefix of the id that names one
 * lesson only ('direct-encryption', '01-direct-encryption', '1', '01', 'direct'), or 'all'.
 */
export function selectLessons(all: Lesson[], names: string[]): { lessons: Lesson[]; unknown: string[] } {
  if (names.includes('all')) return { lessons: all, unknown: [] };
  const lessons: Lesson[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const exact = all.find((l) => l.id === name || l.slug === name || (/^\d+$/.test(name) && Number(l.slug.split('-')[0]) === Number(name)));
    const byPrefix = all.filter((l) => l.id.startsWith(name));
    const found = exact ?? (byPrefix.length === 1 ? byPrefix[0] : undefined);
    if (found) lessons.push(found);
    else unknown.push(name);
  }
  return { lessons, unknown };
}

/** When the reader of stdout goes away (`run all | head`), stop quietly instead of dying with a stack trace. */
export function quietOnBrokenPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}
