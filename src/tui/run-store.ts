// What the screens know about runs: per lesson, per step, the calls and results
// streamed so far and how the run ended. It lives above the screens, so going
// back to the menu and into the lesson again keeps what was on screen.
// Steps build on each other (a key made in step 1 is used in step 3), so
// running step k first runs the earlier steps that have not passed in this session.
import type { ApiCall, ExerciseVerdict, ExerciseWatch, Lesson, LessonStep, RuntimeSession, StepFailure, StepOutcome, StepResult } from '../runtime/types.js';

/** 'watching': an exercise waiting for the learner's calls, files or saves. */
export type RunStatus = 'running' | 'watching' | 'passed' | 'failed' | 'crashed';

export interface StepRun {
  status: RunStatus;
  startedAt: number;
  durationMs?: number;
  calls: ApiCall[];
  results: StepResult[];
  /** A long wait in progress (polling CloudTrail on AWS). */
  progress?: { label: string; done: number; total: number };
  /** The step did not do what the lesson expects: plain words from the runtime. */
  failure?: StepFailure;
  /** Something broke that no lesson expects; the full trace is in the log. */
  crash?: { message: string; logFile?: string };
  /** Earlier steps run first, so this one had what it builds on. */
  caughtUp?: string[];
  /** An exercise: where it stands (checklist, the learner's calls, the last run of their file). */
  exercise?: ExerciseVerdict;
  /** An exercise done by its reference solution (`s`), not by the learner. */
  solved?: boolean;
}

export interface RunStoreOptions {
  /** A step passed (an exercise: done by the learner, or `solved` by its reference solution). */
  onPassed?: (lesson: Lesson, step: LessonStep, solved?: boolean) => void;
  onCrash?: (context: string, error: unknown) => { message: string; logFile?: string };
  now?: () => number;
}

type Listener = () => void;

export class RunStore {
  private runs = new Map<string, StepRun>();
  private passed = new Set<string>(); // lesson/step ids that passed in this session
  private busy = false;
  private watch: { stop(): void; lesson: Lesson; step: LessonStep } | undefined;
  private listeners = new Set<Listener>();
  private version = 0;

  constructor(private readonly options: RunStoreOptions = {}) {}

  subscribe = (listener: Listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Changes whenever anything changed: the snapshot for useSyncExternalStore. */
  getVersion = () => this.version;

  get running(): boolean {
    return this.busy;
  }

  runOf(lesson: Lesson, step: LessonStep): StepRun | undefined {
    return this.runs.get(key(lesson, step));
  }

  /** Forgets a lesson's runs (after a reset), so its steps start from nothing. */
  forget(lesson: Lesson) {
    if (this.watch?.lesson === lesson) this.stopWatching();
    for (const step of lesson.steps) {
      this.runs.delete(key(lesson, step));
      this.passed.delete(key(lesson, step));
    }
    this.changed();
  }

  /**
   * Runs step `index` of the lesson, after any earlier step not run yet. Resolves when done; never rejects.
   * An exercise step runs its reference solution: that is solving it (`s`).
   */
  async run(session: RuntimeSession, lesson: Lesson, index: number): Promise<StepRun | undefined> {
    if (this.busy) return undefined;
    const step = lesson.steps[index];
    if (!step) return undefined;
    this.stopWatching();
    this.busy = true;
    try {
      const before = await this.catchUp(session, lesson, index);
      if (!before) return this.runOf(lesson, step);
      await this.runOne(session, lesson, step);
      if (before.length > 0) this.update(lesson, step, { caughtUp: before.map((s) => s.title) });
      return this.runOf(lesson, step);
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  /**
   * Starts exercise step `index` (after any earlier step not run yet): from now on the learner's
   * calls, files and saves are its evidence, and the run follows the verdict until it passes.
   */
  async startExercise(session: RuntimeSession, lesson: Lesson, index: number): Promise<StepRun | undefined> {
    const step = lesson.steps[index];
    if (this.busy || !step?.exercise || !session.watchExercise) return undefined;
    this.stopWatching();
    this.busy = true;
    let before: LessonStep[] | undefined;
    try {
      before = await this.catchUp(session, lesson, index);
    } finally {
      this.busy = false;
    }
    if (!before) return this.runOf(lesson, step);
    this.set(lesson, step, { status: 'watching', startedAt: this.now(), calls: [], results: [], ...(before.length ? { caughtUp: before.map((s) => s.title) } : {}) });
    try {
      const watch = session.watchExercise(lesson, step, (verdict) => this.verdict(lesson, step, verdict));
      this.watch = { stop: () => watch.stop(), lesson, step };
    } catch (error) {
      const crash = this.options.onCrash?.(`starting ${lesson.id}/${step.id}`, error) ?? { message: String((error as Error)?.message ?? error) };
      this.update(lesson, step, { status: 'crashed', crash });
    }
    return this.runOf(lesson, step);
  }

  /** Stops following the exercise being watched, if any; its run shows what it had so far. */
  stopWatching() {
    const watch = this.watch;
    if (!watch) return;
    this.watch = undefined;
    watch.stop();
    const run = this.runOf(watch.lesson, watch.step);
    if (run?.status === 'watching') this.runs.delete(key(watch.lesson, watch.step));
    this.changed();
  }

  private verdict(lesson: Lesson, step: LessonStep, verdict: ExerciseVerdict) {
    const run = this.runOf(lesson, step);
    if (!run || run.status !== 'watching') return;
    if (!verdict.passed) {
      this.update(lesson, step, { exercise: verdict, calls: verdict.calls });
      return;
    }
    this.watch = undefined;
    this.update(lesson, step, { status: 'passed', exercise: verdict, calls: verdict.calls, results: verdict.run?.results ?? [], durationMs: this.now() - run.startedAt });
    this.passed.add(key(lesson, step));
    this.options.onPassed?.(lesson, step, false);
  }

  /** Runs the steps before `index` that have not passed; undefined (and the step marked blocked) if one fails. */
  private async catchUp(session: RuntimeSession, lesson: Lesson, index: number): Promise<LessonStep[] | undefined> {
    const step = lesson.steps[index]!;
    const before = lesson.steps.slice(0, index).filter((s) => !this.passed.has(key(lesson, s)));
    for (const earlier of before) {
      const run = await this.runOne(session, lesson, earlier);
      if (run.status !== 'passed') {
        this.set(lesson, step, {
          status: 'failed',
          startedAt: this.now(),
          durationMs: 0,
          calls: [],
          results: [],
          failure: { message: `Step ${lesson.steps.indexOf(earlier) + 1} (“${earlier.title}”), which this step builds on, did not pass: ${run.failure?.message ?? run.crash?.message ?? run.status}. Go back to it with ←.` },
        });
        return undefined;
      }
    }
    return before;
  }

  private async runOne(session: RuntimeSession, lesson: Lesson, step: LessonStep): Promise<StepRun> {
    this.set(lesson, step, { status: 'running', startedAt: this.now(), calls: [], results: [] });
    let outcome: StepOutcome;
    try {
      outcome = await session.runStep(lesson, step, (event) => {
        const run = this.runOf(lesson, step)!;
        if (event.type === 'call') this.update(lesson, step, { calls: [...run.calls, event.call] });
        else if (event.type === 'result') this.update(lesson, step, { results: [...run.results, event.result], progress: undefined });
        else if (event.type === 'progress') this.update(lesson, step, { progress: { label: event.label, done: event.done, total: event.total } });
      });
    } catch (error) {
      const crash = this.options.onCrash?.(`running ${lesson.id}/${step.id}`, error) ?? { message: String((error as Error)?.message ?? error) };
      const run = this.runOf(lesson, step)!;
      this.update(lesson, step, { status: 'crashed', crash, durationMs: this.now() - run.startedAt, progress: undefined });
      return this.runOf(lesson, step)!;
    }
    // The outcome is the record: it holds every call and result, even ones whose events raced the end.
    this.update(lesson, step, {
      status: outcome.status,
      calls: outcome.calls,
      results: outcome.results,
      durationMs: outcome.durationMs,
      failure: outcome.status === 'failed' ? outcome.error : undefined,
      progress: undefined,
      solved: outcome.status === 'passed' && outcome.solved ? true : undefined,
    });
    if (outcome.status === 'passed') {
      this.passed.add(key(lesson, step));
      this.options.onPassed?.(lesson, step, outcome.solved);
    }
    return this.runOf(lesson, step)!;
  }

  private now() {
    return (this.options.now ?? Date.now)();
  }

  private set(lesson: Lesson, step: LessonStep, run: StepRun) {
    this.runs.set(key(lesson, step), run);
    this.changed();
  }

  private update(lesson: Lesson, step: LessonStep, patch: Partial<StepRun>) {
    const run = this.runs.get(key(lesson, step));
    if (run) this.set(lesson, step, { ...run, ...patch });
  }

  private changed() {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

function key(lesson: Lesson, step: LessonStep) {
  return `${lesson.id}/${step.id}`;
}
