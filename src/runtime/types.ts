// The contract between the runtime and whoever shows a lesson (the Ink TUI, the
// headless `run` command, tests). Plain data only: no AWS SDK types, no engine
// types, so a screen can render everything here without knowing AWS exists.
//
// Flow: loadLessons() -> Lesson[]; a RuntimeSession runs one LessonStep at a
// time; while it runs, StepEvents stream out (calls as they happen, results as
// they are shown); at the end a StepOutcome says whether the step did what
// the lesson expects.
import type { JsonValue } from '../mask.js';

// ---------------------------------------------------------------- lessons

export type LessonLevel = 'beginner' | 'intermediate' | 'advanced';

/** A lesson folder (lessons/NN-slug/), loaded and validated. */
export interface Lesson {
  /** Stable id from the front matter, e.g. 'direct-encryption'. Used in progress.json and `run <id>`. */
  id: string;
  /** Folder name, e.g. '01-direct-encryption'; sorts lessons in order. */
  slug: string;
  /** Absolute path of the lesson folder. */
  dir: string;
  title: string;
  /** One or two sentences for the lesson list. */
  summary: string;
  /** Estimated minutes for a learner. */
  minutes: number;
  level: LessonLevel;
  /** Where the lesson comes from (workshop names, docs), as written in the front matter. */
  basedOn: string[];
  /** Markdown before the first step: the lesson's introduction. */
  intro: string;
  steps: LessonStep[];
  /** Sample files the lesson's workspace starts with: file name -> absolute path of the original.
   * Always set by the loader; optional so a UI's test fixtures can leave it out. */
  assets?: Record<string, string>;
}

export interface LessonStep {
  /** Unique within the lesson, e.g. 'decrypt-without-context'. */
  id: string;
  title: string;
  /** The step's narrative, markdown (already stripped of the step's own fields). */
  text: string;
  /** Name of the exported function in steps.ts that runs this step. */
  functionName: string;
  /** The equivalent AWS CLI command(s), shell text, if the lesson gives one. */
  cli?: string;
  /** A hint, markdown. */
  hint?: string;
  /** Hints shown one at a time (`h`), from a nudge to nearly the answer: `hint` first, then `hints`. */
  hints?: string[];
  /** The learner does this step themselves; the step's function is then the reference solution. */
  exercise?: Exercise;
  /** A question to think about after the step. */
  question?: Question;
  /** Predict, then observe: a question about the step's outcome, asked before it runs; its answer is revealed once the step has run. */
  predict?: Question;
  /** Markdown shown once the step has run: what the learner just saw, explained (kept out of the narrative so it does not give the outcome away). */
  explain?: string;
  /** Source text of the step's function as written in steps.ts: what the screen shows as "the code". */
  source: string;
  /** 1-based line of the function in steps.ts (for "open in editor" and error messages). */
  sourceLine: number;
}

/**
 * What counts as done for a step the learner does themselves (lessons/README.md, "Exercises").
 * In their own terminal, the evidence is every call reaching the engine (any client) and the
 * workspace; in their editor, the calls and the result of running the file they edit.
 */
export interface Exercise {
  kind: 'terminal' | 'editor';
  /** Editor: the starter file's name, copied from the lesson's exercises/ folder into the workspace. */
  starter?: string;
  /** Editor: absolute path of the starter in the lesson folder. */
  starterPath?: string;
  calls: ExpectedCall[];
  files: ExpectedFile[];
  /** The name of an exported function in steps.ts that states further checks with show.check. */
  verify?: string;
}

/** A call the exercise expects: each field given must match. */
export interface ExpectedCall {
  operation: string;
  /** A key id, ARN or alias name ('alias/x', written as the lesson names it locally). */
  key?: string;
  /** These pairs must be in the call's encryption context. */
  context?: Record<string, string>;
  /** The call must fail with this AWS error code; without it, the call must succeed. */
  error?: string;
  /** Who made it: 'you' (default: anyone) or a service on your behalf ('s3.amazonaws.com'). */
  caller?: string;
  /** What the learner reads in the checklist; default said from the fields. */
  label?: string;
}

/** A file the exercise expects in the workspace. */
export interface ExpectedFile {
  path: string;
  /** Its text contains this. */
  contains?: string;
  /** Byte for byte the same as this workspace file. */
  sameAs?: string;
  /** Not byte for byte the same as this workspace file (a ciphertext is not its plaintext). */
  differsFrom?: string;
  label?: string;
}

/** One line of an exercise's checklist. */
export interface ExerciseCheck {
  label: string;
  ok: boolean;
  /** Why a near miss does not count ("you called Decrypt without the encryption context"). */
  why?: string;
}

/** Where an exercise stands, re-said whenever a call arrives, a file changes or the edited file runs. */
export interface ExerciseVerdict {
  passed: boolean;
  checks: ExerciseCheck[];
  /** The calls counted as evidence, in order. */
  calls: ApiCall[];
  /** Editor: how the last run of the learner's file went (results it showed, or what went wrong). */
  run?: { ok: boolean; results: StepResult[]; error?: string; at: number };
  /** Editor: the file the learner edits. */
  file?: string;
}

export interface ExerciseWatch {
  /** Stops watching (calls, files); idempotent. */
  stop(): void;
  /** Evaluates again now (after the learner says so). */
  recheck(): Promise<ExerciseVerdict>;
}

export interface Question {
  prompt: string;
  choices: string[];
  /** Index into `choices` of the right answer. */
  answer: number;
  /** Markdown shown after answering, right or wrong. */
  explanation: string;
}

// ---------------------------------------------------------------- API calls

/** Who made a call: the learner's own code, or a service acting on their behalf. */
export type CallCaller = 'you' | 's3.amazonaws.com' | (string & {});

/**
 * One API call, as the runtime saw it. Calls the learner's code makes are
 * captured at the SDK client; calls a service makes on the learner's behalf
 * (S3 -> KMS for SSE-KMS) are followed from the target.
 */
export interface ApiCall {
  /** Increases by one per call within a session; calls arrive in seq order. */
  seq: number;
  /** ISO time the call started (wall clock). */
  time: string;
  /** 'kms' | 's3' | 'cloudtrail'. */
  service: string;
  /** The API operation, e.g. 'GenerateDataKey', 'PutObject'. */
  operation: string;
  /** KeyId as given in the request (id, ARN or alias name), or the key the response named. */
  keyId?: string;
  /** Alias name when the request named the key by alias, e.g. 'alias/kms_key_cse_usecase_4'. */
  alias?: string;
  /** S3 bucket/key for S3 calls. */
  bucket?: string;
  objectKey?: string;
  /** An S3 object call that used an S3 Bucket Key (S3's KMS call, if any, names the bucket, not the object). */
  bucketKey?: boolean;
  encryptionContext?: Record<string, string>;
  caller: CallCaller;
  outcome: CallOutcome;
  /** Wall time of the call; 0 for calls followed from the target (not timed by us). */
  durationMs: number;
  /** The SDK retried the call (a client with retries, e.g. after ThrottlingException): attempts made and the time spent in backoff. */
  retries?: { attempts: number; delayMs: number };
  requestId?: string;
  /** The step that was running when the call happened, if any. */
  stepId?: string;
  /** A call from another client (the AWS CLI in a second shell): its user agent's first word. */
  client?: string;
  /** The request and the response as sent and received, secrets masked (capture.ts); calls followed from the engine have none. */
  request?: JsonValue;
  response?: JsonValue;
}

export type CallOutcome = { ok: true } | { ok: false; code: string; message: string };

// ---------------------------------------------------------------- results

export type { JsonValue };

export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** What a step shows. Every result is plain data, already safe to print (secrets masked). */
export type StepResult =
  /** A paragraph of plain text (may contain markdown inline code). */
  | { kind: 'text'; text: string; tone?: 'info' | 'ok' | 'warn' }
  | { kind: 'table'; title?: string; columns: string[]; rows: string[][] }
  /** A response or document; data-key plaintext and similar secrets are masked already (e.g. '97**...**OOL'). */
  | { kind: 'json'; title?: string; value: JsonValue }
  /** Bytes as a hex editor shows them; `bytes` may be the first part of a file, `totalBytes` its full size. */
  | { kind: 'hexdump'; title?: string; path?: string; bytes: Uint8Array; totalBytes: number }
  /** Two files compared line by line; `identical` when not one byte differs. */
  | { kind: 'diff'; before: string; after: string; identical: boolean; lines: DiffLine[] }
  /** Calls counted by operation (and by caller), e.g. GenerateDataKey 1. */
  | { kind: 'counter'; title?: string; counts: CallCount[] }
  /** An error the lesson provokes on purpose, explained: a result, not a failure. */
  | { kind: 'expectedError'; code: string; message: string; why: string; fix: string; operation?: string; requestId?: string }
  /** A wait (CloudTrail delivery, say): fast-forwarded locally, real on AWS. */
  | { kind: 'wait'; label: string; seconds: number; fastForwarded: boolean }
  /** A file the step wrote in the workspace. */
  | { kind: 'file'; path: string; bytes: number; note?: string }
  /** Something the lesson expects to be true (an identical diff, one GenerateDataKey); a false check fails the step. */
  | { kind: 'check'; label: string; ok: boolean; detail?: string };

export type StepResultKind = StepResult['kind'];

export interface CallCount {
  operation: string;
  caller: CallCaller;
  count: number;
}

// ---------------------------------------------------------------- running a step

/** Streamed while a step runs, in order. */
export type StepEvent =
  | { type: 'start'; lessonId: string; stepId: string }
  /** An API call finished (kept in seq order). */
  | { type: 'call'; call: ApiCall }
  /** The step showed a result. */
  | { type: 'result'; result: StepResult }
  /** Progress of a long wait (polling CloudTrail on AWS); `done` of `total` seconds. */
  | { type: 'progress'; label: string; done: number; total: number }
  | { type: 'end'; outcome: StepOutcome };

export type StepListener = (event: StepEvent) => void;

/** How a step ended. 'passed' means it did what the lesson expects. */
export type StepOutcome =
  /** `solved`: an exercise done by its reference solution (`s`, or headless `run`), not by the learner. */
  | { status: 'passed'; lessonId: string; stepId: string; results: StepResult[]; calls: ApiCall[]; durationMs: number; solved?: boolean }
  | {
      status: 'failed';
      lessonId: string;
      stepId: string;
      results: StepResult[];
      calls: ApiCall[];
      durationMs: number;
      /** Plain words, never a stack trace. */
      error: StepFailure;
    };

export interface StepFailure {
  message: string;
  /** AWS error code when the failure was an unexpected AWS error. */
  code?: string;
  requestId?: string;
  operation?: string;
  /** The step failed because the lesson's clean-up has removed what it builds on; run the lesson from its start. */
  afterCleanUp?: boolean;
  /** The target is gone (a class engine no longer answers): nothing more can run until the learner joins again. */
  connectionLost?: boolean;
}

// ---------------------------------------------------------------- the session

/** 'local': the engine in this process; 'aws': a real account; 'class': a class engine joined (kms-workshop join), in the learner's own account there. */
export type TargetKind = 'local' | 'aws' | 'class';

/** What a UI needs to run lessons. Made by openSession() in src/runtime/session.ts. */
export interface RuntimeSession {
  readonly target: TargetKind;
  /** Human description of the target, e.g. 'local engine at http://127.0.0.1:53211'. */
  readonly targetLabel: string;
  /** One-line notes about the target from its start (Target.notes), for `run` and the TUI to show. */
  readonly notes?: readonly string[];
  /** Every call of the session so far, in seq order. */
  readonly calls: readonly ApiCall[];
  /** Subscribes to every call of the session (also calls outside steps); returns unsubscribe. */
  onCall(listener: (call: ApiCall) => void): () => void;
  /** The lesson's workspace folder (created, samples copied in) where its files are written. */
  workspace(lesson: Lesson): string;
  /** Locally: the engine's endpoint, for a second shell (AWS_ENDPOINT_URL). */
  readonly endpoint?: string;
  /** A class engine joined: the lines a second shell runs to call it as the learner (Target.secondShell). */
  readonly secondShell?: readonly string[];
  /**
   * Starts an exercise step: from now on every call reaching the engine and every change in the
   * workspace (and, in the editor kind, every save of the learner's file, which is then run) is
   * evidence; `onVerdict` hears where it stands each time. Passing records progress.
   */
  watchExercise?(lesson: Lesson, step: LessonStep, onVerdict: (verdict: ExerciseVerdict) => void): ExerciseWatch;
  /**
   * Runs one step. Steps of a lesson build on each other (a key created in
   * step 1 is used in step 2), so run them in order; the runtime keeps a
   * lesson's state between its steps.
   * An exercise runs its reference solution, then its checks: the outcome is `solved` when it passes.
   */
  runStep(lesson: Lesson, step: LessonStep, listener?: StepListener): Promise<StepOutcome>;
  /** Stops the local engine, closes clients. */
  close(): Promise<void>;
}
