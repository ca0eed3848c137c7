// Watches an exercise being done. In the learner's own terminal: every call
// reaching the engine from now on, and every change in the workspace, makes
// the checklist be said again. In their editor: the starter file is copied
// into the workspace once, and every save runs it (debounced: editors write a
// file in several events) and checks what it did. The first verdict that
// passes is recorded and ends the watch.
import { copyFileSync, existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { StepFunction } from '../context.js';
import type { ApiCall, ExerciseCheck, ExerciseVerdict, ExerciseWatch, Lesson, LessonStep, StepOutcome, StepResult } from '../types.js';
import { loadLearnerFunction } from './learner-code.js';

/** Saves and calls that come together are one change. */
export const DEBOUNCE_MS = 150;

export interface WatchParts {
  lesson: Lesson;
  step: LessonStep;
  workspace: string;
  /** The session's calls so far (the evidence starts after them). */
  calls: readonly ApiCall[];
  onCall(listener: (call: ApiCall) => void): () => void;
  evaluate(calls: readonly ApiCall[]): Promise<ExerciseCheck[]>;
  /** `threw`: the file stopped with an error (rather than missing a check). */
  runLearnerCode(fn: StepFunction): Promise<{ outcome: StepOutcome; checks: ExerciseCheck[]; threw: boolean }>;
  passed(): void;
  onVerdict(verdict: ExerciseVerdict): void;
}

export function watchExercise(parts: WatchParts): ExerciseWatch {
  const exercise = parts.step.exercise!;
  const evidence: ApiCall[] = [];
  let stopped = false;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<ExerciseVerdict | undefined> = Promise.resolve(undefined);
  const file = exercise.kind === 'editor' ? join(parts.workspace, exercise.starter!) : undefined;
  if (file && !existsSync(file)) copyFileSync(exercise.starterPath!, file);

  const say = (verdict: ExerciseVerdict) => {
    if (stopped || done) return verdict;
    if (verdict.passed) {
      done = true;
      parts.passed();
    }
    try {
      parts.onVerdict(verdict);
    } catch {
      /* a listener's problem must not stop the watch */
    }
    if (done) stop();
    return verdict;
  };

  const terminalVerdict = async (): Promise<ExerciseVerdict> => {
    const calls = [...evidence];
    const checks = await parts.evaluate(calls);
    return { passed: checks.every((c) => c.ok), checks, calls };
  };

  const editorVerdict = async (): Promise<ExerciseVerdict> => {
    const at = Date.now();
    let fn: StepFunction;
    try {
      fn = await loadLearnerFunction(file!);
    } catch (e) {
      return { passed: false, checks: [], calls: [], file: file!, run: { ok: false, results: [], error: (e as Error).message, at } };
    }
    const { outcome, checks, threw } = await parts.runLearnerCode(fn);
    const labels = new Set(checks.map((c) => c.label));
    // The run's results without the exercise's own checks, which the checklist shows.
    const results = outcome.results.filter((r: StepResult) => !(r.kind === 'check' && labels.has(r.label)));
    const error = outcome.status === 'failed' && threw ? outcome.error.message : undefined;
    return {
      passed: outcome.status === 'passed' && checks.every((c) => c.ok),
      checks,
      calls: outcome.calls,
      file: file!,
      run: { ok: !error, results, ...(error ? { error } : {}), at },
    };
  };

  const again = () => {
    chain = chain.then(() => (stopped ? undefined : (file ? editorVerdict() : terminalVerdict()).then(say)), () => undefined);
    return chain;
  };
  const soon = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(again, DEBOUNCE_MS);
  };

  const unsubscribe = file ? () => {} : parts.onCall((call) => {
    evidence.push(call);
    soon();
  });
  let watcher: FSWatcher | undefined;
  try {
    // The folder, not the file: editors that save by renaming a new file over the old still count.
    watcher = watch(parts.workspace, (_event, name) => {
      if (!file || name === exercise.starter) soon();
    });
    watcher.on('error', () => undefined);
  } catch {
    /* a folder that cannot be watched: calls still count, and recheck() runs it */
  }
  void again();

  function stop() {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    unsubscribe();
    watcher?.close();
  }

  return {
    stop,
    async recheck() {
      const verdict = await again();
      return verdict ?? (await terminalVerdict());
    },
  };
}
