// `kms-workshop run <lesson...|all>`: plays lessons without the TUI, for CI, for
// an instructor preparing a demo, for tests. Exit code 0 only when every step
// did what its lesson expects.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatProblem } from '../lessons/errors.js';
import { loadLessonsWithPack, refusePackProblems } from '../lessons/packs.js';
import type { ClassTargetOptions } from '../runtime/class-target.js';
import type { Lesson, StepOutcome, TargetKind } from '../runtime/types.js';
import { lessonTranscript, transcriptStepOf, type TranscriptStep } from './transcript.js';
import { quietOnBrokenPipe, runLessons, selectLessons, summaryLine } from './run-lessons.js';

export interface RunOptions {
  names: string[];
  home: string;
  json: boolean;
  /** A fresh engine in memory instead of the one kept in the home. */
  fresh: boolean;
  /** 'local' (default) or 'aws': a real account, after showing the plan and cost and asking (see run-aws.ts). */
  target?: TargetKind;
  /** With --target aws: proceed without asking. */
  yes?: boolean;
  /** Also write a Markdown record of what happened to this file. */
  transcript?: string;
  /** `join URL --profile P run`: the lessons on a class engine, in the learner's own account there. */
  join?: ClassTargetOptions;
  /** A lesson pack's folder: its lessons join the built-in ones (lessons/packs.ts). */
  lessonsDir?: string;
}

export async function run(opts: RunOptions): Promise<number> {
  quietOnBrokenPipe();
  const { lessons: all, problems, packProblems } = loadLessonsWithPack(opts.lessonsDir);
  if (refusePackProblems('kms-workshop run', opts.lessonsDir ?? '', packProblems)) return 2;
  for (const p of problems) process.stderr.write(`kms-workshop run: ${formatProblem(p)}\n`);
  const { lessons, unknown } = selectLessons(all, opts.names);
  if (unknown.length) {
    process.stderr.write(`kms-workshop run: no lesson '${unknown.join("', '")}'. Lessons: ${all.map((l) => l.id).join(', ')}, or all.\n`);
    return 2;
  }
  let aws;
  if (opts.target === 'aws') {
    const { awsGoAhead } = await import('./run-aws.js');
    const go = await awsGoAhead({ home: opts.home, lessons, yes: opts.yes ?? false, command: 'run' });
    if ('exitCode' in go) return go.exitCode;
    aws = go.setup;
  }
  const { openSession } = await import('../runtime/session.js');
  let session;
  try {
    session = await openSession({ home: opts.home, freshEngine: opts.fresh, ...(aws ? { target: 'aws' as const, aws } : {}), ...(opts.join ? { target: 'class' as const, class: opts.join } : {}) });
  } catch (e) {
    process.stderr.write(`${opts.join ? 'kms-workshop join' : 'kms-workshop run'}: ${(e as Error).message}\n`);
    return 1;
  }
  for (const note of session.notes ?? []) process.stderr.write(`kms-workshop run: note: ${note}\n`);
  // On AWS, Ctrl-C first removes what the lessons created (closing the session does), then stops.
  const open = session;
  const interrupted = () => {
    process.stderr.write('\nkms-workshop run: interrupted; removing what the lessons created in AWS first (Ctrl-C again to stop at once).\n');
    process.once('SIGINT', () => process.exit(130));
    void open.close().finally(() => process.exit(130));
  };
  if (aws) process.once('SIGINT', interrupted);
  try {
    if (!opts.json) process.stdout.write(`kms-workshop: running ${lessons.length} lesson${lessons.length === 1 ? '' : 's'} against the ${session.targetLabel}\n`);
    const outcomes = new Map<Lesson, Map<string, TranscriptStep>>();
    const onStep = (lesson: Lesson, outcome: StepOutcome) => {
      if (!outcomes.has(lesson)) outcomes.set(lesson, new Map());
      outcomes.get(lesson)!.set(outcome.stepId, transcriptStepOf(outcome));
    };
    const report = await runLessons(session, lessons, { json: opts.json, ...(opts.transcript ? { onStep } : {}) });
    if (!opts.json) process.stdout.write(`\n${summaryLine(report)}`);
    else process.stderr.write(summaryLine(report));
    if (opts.transcript) {
      const written = writeTranscript(opts.transcript, lessons.map((lesson) => lessonTranscript({ lesson, target: session.targetLabel, steps: outcomes.get(lesson) ?? new Map() })));
      if (!written) return 1;
    }
    if (report.lost) process.stderr.write(`kms-workshop join: ${report.lost}\n`);
    return report.failed === 0 && problems.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', interrupted);
    await session.close();
  }
}

/** The lessons' transcripts, one after the other, in one file; false after saying why it could not be written. */
function writeTranscript(file: string, transcripts: string[]): boolean {
  const path = resolve(file);
  try {
    writeFileSync(path, transcripts.join('\n---\n\n'));
  } catch (e) {
    process.stderr.write(`kms-workshop run: could not write the transcript to ${path}: ${(e as Error).message}\n`);
    return false;
  }
  process.stderr.write(`kms-workshop run: transcript written to ${path}\n`);
  return true;
}
