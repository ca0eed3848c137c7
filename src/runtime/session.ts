// A runtime session: one target, SDK clients built for it with call capture,
// and the running of lesson steps. This is the one place that decides which
// target is in use; everything above it (TUI, `run`) sees only types.ts.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMS } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import { afterCleanUpFailure, isMissingResource, PassOrder } from './after-clean-up.js';
import { explainAwsProblem } from './aws-errors.js';
import type { AwsSetup } from './aws-target.js';
import type { ClassTargetOptions } from './class-target.js';
import { retryThrottlingOnly } from './throttle-retry.js';
import { captureCalls, type CapturedCall } from './capture.js';
import { createStepContext, StepExpectationError, type IdentityClients, type IdentityCredentials, type StepFunction } from './context.js';
import { startLocalTarget } from './local-target.js';
import { lessonNames, type Names } from './names.js';
import { progressCounts, recordStepPassed, recordStepSolved } from './progress.js';
import { watchExercise } from './exercises/watch.js';
import { callLabel, checkCalls, checkFiles, keyIdOf } from './exercises/expect.js';
import { createShow } from './show.js';
import { loadStepFunctions, StepModuleError } from './step-module.js';
import { RUNTIME_USER_AGENT, type ClientSettings, type Target } from './target.js';
import type { ApiCall, ExerciseCheck, ExerciseVerdict, ExerciseWatch, Lesson, LessonStep, RuntimeSession, StepEvent, StepFailure, StepListener, StepOutcome, StepResult, TargetKind } from './types.js';
import { ensureWorkspace, resetWorkspace } from './workspace.js';
import { explainHomeError } from '../home.js';

export interface SessionOptions {
  /** Where lessons run: 'local' (the engine in this process, the default) or 'aws' (a real account). */
  target?: TargetKind;
  /** For 'aws': credentials and Region found by prepareAws() (run before, so a command can ask first). */
  aws?: AwsSetup;
  /** For 'class': the class engine joined and the learner's profile (kms-workshop join). */
  class?: ClassTargetOptions;
  /** For 'aws': where the clean-up at close reports (default stderr). */
  notice?: (line: string) => void;
  /** The program home (see src/home.ts): engine state, progress.json, workspaces. */
  home: string;
  /** Run against a fresh engine kept in memory instead of the one in <home>/engine (check, tests). */
  freshEngine?: boolean;
  /** Where lesson workspaces go; default <home>/workspace. */
  workspaceRoot?: string;
  /** Record passed steps in <home>/progress.json (default true). */
  recordProgress?: boolean;
  cloudTrailDelaySeconds?: number;
  /** Locally: the engine's loopback port ('stable': 4599 or the next free one, for a second shell; default any free one). */
  port?: number | 'stable';
}

export async function openSession(opts: SessionOptions): Promise<RuntimeSession> {
  const kind = opts.target ?? 'local';
  if (kind === 'aws') {
    const { prepareAws, startAwsTarget } = await import('./aws-target.js');
    const setup = opts.aws ?? (await prepareAws({ home: opts.home }));
    return new Session(await startAwsTarget(setup, { ...(opts.notice ? { notice: opts.notice } : {}) }), opts);
  }
  if (kind === 'class') {
    if (!opts.class) throw new Error("target 'class' needs a class engine's URL and a profile: kms-workshop join URL --profile learnerN");
    const { startClassTarget } = await import('./class-target.js');
    return new Session(await startClassTarget(opts.class), opts);
  }
  if (kind !== 'local') throw new Error(`unknown target '${kind}': use 'local' or 'aws'.`);
  let target;
  try {
    target = await startLocalTarget({ home: opts.freshEngine ? null : opts.home, cloudTrailDelaySeconds: opts.cloudTrailDelaySeconds, ...(opts.port !== undefined ? { port: opts.port } : {}) });
  } catch (e) {
    const explained = explainHomeError(e, opts.home);
    throw explained ? new Error(explained, { cause: e }) : e;
  }
  return new Session(target, opts);
}

interface ActiveStep {
  stepId: string;
  /** Calls made while an exercise's checks run (its verify function): never evidence. */
  verifying?: boolean;
  calls: ApiCall[];
  listener?: StepListener;
  /** Undone in turn when the step ends: request quotas it lowered, clients it made. */
  undo: (() => unknown)[];
}

class Session implements RuntimeSession {
  readonly target: TargetKind;
  readonly targetLabel: string;
  readonly notes: readonly string[];
  readonly endpoint?: string;
  readonly secondShell?: readonly string[];
  readonly calls: ApiCall[] = [];
  private readonly listeners = new Set<(call: ApiCall) => void>();
  private readonly kms: KMS;
  private readonly s3: S3Client;
  private readonly cloudtrail: CloudTrailClient;
  private readonly iam: IAMClient;
  private readonly sts: STSClient;
  private readonly stopFollowing: () => void;
  private readonly modules = new Map<string, Promise<Record<string, StepFunction>>>();
  private readonly workspaceRoot: string;
  private readonly names: Names;
  private active: ActiveStep | undefined;
  private seq = 0;
  /** When each step last passed, to tell a step run again after its lesson's clean-up. */
  private readonly passOrder = new PassOrder();

  constructor(
    private readonly t: Target,
    private readonly opts: SessionOptions,
  ) {
    this.target = t.kind;
    this.targetLabel = t.label;
    if (t.kind === 'local' && t.clientSettings.endpoint) this.endpoint = t.clientSettings.endpoint;
    this.notes = t.notes ?? [];
    if (t.secondShell) this.secondShell = t.secondShell;
    this.workspaceRoot = opts.workspaceRoot ?? join(opts.home, 'workspace');
    this.names = lessonNames(t.namePrefix);
    const settings = this.clientSettings(t.clientSettings);
    this.kms = new KMS(settings);
    this.s3 = new S3Client({ ...settings, forcePathStyle: settings.s3PathStyle ?? true });
    this.cloudtrail = new CloudTrailClient(settings);
    this.iam = new IAMClient(settings);
    this.sts = new STSClient(settings);
    for (const client of [this.kms, this.s3, this.cloudtrail, this.iam, this.sts]) captureCalls(client, (call) => this.record(call));
    // A target that follows S3's calls from afar delivers them before an S3 call returns, as locally.
    if (t.catchUp) catchUpAfterEachCall(this.s3, () => t.catchUp!());
    const stopService = t.followServiceCalls((call) => this.record(call));
    const stopOthers = t.followOtherClients?.((call) => this.record(call));
    this.stopFollowing = () => {
      stopService();
      stopOthers?.();
    };
  }

  onCall(listener: (call: ApiCall) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  workspace(lesson: Lesson): string {
    return ensureWorkspace(this.workspaceRoot, lesson);
  }

  async runStep(lesson: Lesson, step: LessonStep, listener?: StepListener): Promise<StepOutcome> {
    // An exercise's function is its reference solution: it runs, then the exercise's checks.
    const { outcome } = await this.execute(lesson, step, async () => (await this.stepFunctions(lesson))[step.functionName]!, listener, step.exercise ? 'solution' : 'step');
    return outcome;
  }

  watchExercise(lesson: Lesson, step: LessonStep, onVerdict: (verdict: ExerciseVerdict) => void): ExerciseWatch {
    if (!step.exercise) throw new Error(`step '${step.id}' is not an exercise`);
    // On AWS another client's calls reach CloudTrail minutes later and are not followed: say so in the checklist.
    const unseen = step.exercise.kind === 'terminal' && !this.t.followOtherClients;
    const say = unseen
      ? (verdict: ExerciseVerdict) =>
          onVerdict(verdict.passed ? verdict : {
            ...verdict,
            checks: [...verdict.checks, { label: 'your own calls can be seen here', ok: false, why: `on ${this.targetLabel}, calls from your own terminal are not followed as they happen: s runs the solution instead` }],
          })
      : onVerdict;
    return watchExercise({
      lesson,
      step,
      workspace: this.workspace(lesson),
      calls: this.calls,
      onCall: (listener) => this.onCall((call) => {
        if (!this.active?.verifying || call.client) listener(call);
      }),
      evaluate: (calls) => this.exerciseChecks(lesson, step, calls, this.workspace(lesson)),
      runLearnerCode: async (fn) => {
        while (this.active) await new Promise((r) => setTimeout(r, 50)); // one step at a time
        return this.execute(lesson, step, async () => fn, undefined, 'learner');
      },
      passed: () => {
        this.recordPassed(lesson, step, false);
        this.reportProgress(lesson, step);
      },
      onVerdict: say,
    });
  }

  /**
   * Runs a step's function (or a learner's file in its place) with the step context; for an
   * exercise ('solution', 'learner') then its checks, which the step must meet to pass.
   */
  private async execute(
    lesson: Lesson,
    step: LessonStep,
    load: () => Promise<StepFunction>,
    listener: StepListener | undefined,
    mode: 'step' | 'solution' | 'learner',
  ): Promise<{ outcome: StepOutcome; checks: ExerciseCheck[]; threw: boolean }> {
    if (this.active) throw new Error(`step '${this.active.stepId}' is still running; run one step at a time`);
    const active: ActiveStep = { stepId: step.id, calls: [], listener, undo: [] };
    this.active = active;
    const started = Date.now();
    const results: StepResult[] = [];
    const emit = (event: StepEvent) => {
      try {
        listener?.(event);
      } catch {
        /* a listener's problem must not break the step */
      }
    };
    const show = (result: StepResult) => {
      results.push(result);
      emit({ type: 'result', result });
    };
    emit({ type: 'start', lessonId: lesson.id, stepId: step.id });

    let failure: StepFailure | undefined;
    let checks: ExerciseCheck[] = [];
    let threw = false;
    try {
      const first = step.id === lesson.steps[0]?.id && mode !== 'learner';
      const workspace = first ? resetWorkspace(this.workspaceRoot, lesson) : ensureWorkspace(this.workspaceRoot, lesson);
      if (first && this.t.namePrefix)
        show({ kind: 'text', tone: 'info', text: `On AWS, the names this lesson creates start with your prefix ${this.t.namePrefix} (aliases alias/${this.t.namePrefix}/..., buckets ${this.t.namePrefix}-...), so it never touches anything else in the account.` });
      const fn = await load();
      const returned = await fn(this.context(active, workspace, active.calls, show, emit));
      for (const r of [returned].flat()) if (isStepResult(r) && !results.includes(r)) show(r);
      if (mode !== 'step') {
        checks = await this.exerciseChecks(lesson, step, [...active.calls], workspace);
        for (const c of checks) show({ kind: 'check', label: c.label, ok: c.ok, ...(c.why ? { detail: c.why } : {}) });
      }
      // An SSE-KMS upload or download made KMS calls that this target cannot show as they happen: say so.
      if (this.t.serviceCallsNote && active.calls.some((c) => c.service === 's3' && c.caller === 'you' && c.keyId && /^(Put|Get)Object$/.test(c.operation)))
        show({ kind: 'text', tone: 'info', text: this.t.serviceCallsNote });
      const failedCheck = results.find((r): r is Extract<StepResult, { kind: 'check' }> => r.kind === 'check' && !r.ok);
      if (failedCheck) failure = { message: `The lesson expects: ${failedCheck.label}${failedCheck.detail ? ` (${failedCheck.detail})` : ''}, but it is not so.` };
    } catch (e) {
      failure = describeFailure(e, active.calls);
      const lost = this.t.explainError?.(e);
      if (lost) failure = { message: lost, connectionLost: true };
      threw = true;
      // The learner's file stopped: its checklist still says which call missed, and why.
      if (mode === 'learner') checks = await this.exerciseChecks(lesson, step, [...active.calls], ensureWorkspace(this.workspaceRoot, lesson)).catch(() => []);
      const cleanUp = isMissingResource(e) ? this.passOrder.cleanedUpBefore(lesson, step) : undefined;
      if (cleanUp) failure = afterCleanUpFailure(failure, lesson, cleanUp);
    } finally {
      this.active = undefined;
      await undoAll(active);
    }

    const base = { lessonId: lesson.id, stepId: step.id, results, calls: active.calls, durationMs: Date.now() - started };
    const solved = mode === 'solution';
    const outcome: StepOutcome = failure ? { status: 'failed', ...base, error: failure } : { status: 'passed', ...base, ...(solved ? { solved } : {}) };
    // The learner's file passing is the exercise's watch to record; a solution or a step records here.
    if (outcome.status === 'passed' && mode !== 'learner') this.recordPassed(lesson, step, solved);
    this.reportProgress(lesson, step);
    emit({ type: 'end', outcome });
    return { outcome, checks, threw };
  }

  private recordPassed(lesson: Lesson, step: LessonStep, solved: boolean) {
    this.passOrder.passed(lesson, step);
    if (this.opts.recordProgress === false) return;
    try {
      if (solved) recordStepSolved(this.opts.home, lesson, step.id);
      else recordStepPassed(this.opts.home, lesson, step.id);
    } catch {
      /* progress is a convenience; a read-only home must not fail the step */
    }
  }

  /** Tells the target (a class engine) where the learner is: this step, and their counts over every lesson. */
  private reportProgress(lesson: Lesson, step: LessonStep) {
    if (!this.t.reportProgress) return;
    const { passed, solved } = this.opts.recordProgress === false ? { passed: 0, solved: 0 } : progressCounts(this.opts.home);
    void this.t.reportProgress({ lesson: lesson.id, lessonTitle: lesson.title, step: lesson.steps.indexOf(step) + 1, steps: lesson.steps.length, stepTitle: step.title, passed, solved });
  }

  private context(active: ActiveStep, workspace: string, calls: readonly ApiCall[], show: (r: StepResult) => void, emit: (e: StepEvent) => void) {
    return createStepContext({
      kms: this.kms,
      s3: this.s3,
      cloudtrail: this.cloudtrail,
      iam: this.iam,
      sts: this.sts,
      as: (credentials, who) => this.clientsAs(active, credentials, who),
      ...(this.t.otherAccount ? { otherAccount: () => this.t.otherAccount!() } : {}),
      region: this.t.clientSettings.region,
      target: this.target,
      names: this.names,
      workspace,
      show: createShow(workspace, () => calls, show),
      calls,
      emit: show,
      progress: (label, done, total) => emit({ type: 'progress', label, done, total }),
      waitForCloudTrail: (progress) => this.t.waitForCloudTrail(progress, this.calls),
      ...(this.t.setRequestQuota ? { lowerRequestQuota: (operation, perSecond) => this.lowerRequestQuota(active, operation, perSecond) } : {}),
      kmsWithRetries: (retry) => this.kmsWithRetries(active, retry),
      ...(this.t.advanceClock ? { advanceClock: (seconds: number) => this.t.advanceClock!(seconds) } : {}),
    });
  }

  /**
   * An exercise's checklist over the evidence: its expected calls (aliases as this target names
   * them), its files, and what its verify function states with show.check. The verify function's
   * own calls are never evidence.
   */
  private async exerciseChecks(lesson: Lesson, step: LessonStep, calls: readonly ApiCall[], workspace: string): Promise<ExerciseCheck[]> {
    const exercise = step.exercise!;
    const expected = exercise.calls.map((c) => (c.key?.startsWith('alias/') ? { ...c, key: this.names.alias(c.key) } : c));
    const keyOf = await this.keyResolver(expected.flatMap((c) => (c.key ? [c.key] : [])));
    // On AWS the calls a service makes on your behalf (S3 -> KMS) are not seen as they happen, only in
    // CloudTrail minutes later: they are named, not awaited; the exercise's verify checks the outcome.
    const seen = this.t.kind === 'aws' ? expected.filter((c) => !c.caller || c.caller === 'you') : expected;
    const unseen = expected.filter((c) => !seen.includes(c)).map((c) => ({
      label: callLabel(c),
      ok: true,
      why: 'not checked on AWS: calls made on your behalf reach CloudTrail minutes later',
    }));
    const checks = [...checkCalls(seen, calls, keyOf), ...unseen, ...checkFiles(exercise.files, workspace)];
    if (!exercise.verify) return checks;
    const verify = (await this.stepFunctions(lesson))[exercise.verify]!;
    const outer = this.active;
    const active: ActiveStep = { stepId: step.id, verifying: true, calls: [], undo: [] };
    const stated: StepResult[] = [];
    this.active = active;
    try {
      await verify(this.context(active, workspace, calls, (r) => stated.push(r), () => {}));
    } catch (e) {
      checks.push({ label: 'the exercise could be checked', ok: false, why: describeFailure(e, active.calls).message });
    } finally {
      await undoAll(active);
      this.active = outer;
      outer?.calls.push(...active.calls);
    }
    for (const r of stated) if (r.kind === 'check') checks.push({ label: r.label, ok: r.ok, ...(r.detail ? { why: r.detail } : {}) });
    return checks;
  }

  /** Names of keys as their key ids: aliases from the calls seen (they name both), else DescribeKey. */
  private async keyResolver(names: string[]) {
    const known = new Map<string, string>();
    for (const c of this.calls) {
      const id = c.keyId && keyIdOf(c.keyId);
      if (c.alias && id && !known.has(c.alias)) known.set(c.alias, id);
    }
    for (const name of names.filter((n) => n.startsWith('alias/'))) {
      try {
        const { KeyMetadata } = await this.quietKms().describeKey({ KeyId: name });
        if (KeyMetadata?.KeyId) known.set(name, KeyMetadata.KeyId);
      } catch {
        /* no such alias (yet): only calls that name it match */
      }
    }
    return (name: string) => known.get(name) ?? keyIdOf(name);
  }

  private quiet: KMS | undefined;
  /** A KMS client whose calls are not shown: the runtime's own look-ups. */
  private quietKms(): KMS {
    return (this.quiet ??= new KMS(this.clientSettings(this.t.clientSettings)));
  }

  async close(): Promise<void> {
    this.stopFollowing();
    this.quiet?.destroy();
    this.kms.destroy();
    this.s3.destroy();
    this.cloudtrail.destroy();
    this.iam.destroy();
    this.sts.destroy();
    await this.t.close();
  }

  /** For this step only: the step's end gives the quota back its figure. */
  private async lowerRequestQuota(active: ActiveStep, operation: string, perSecond: number) {
    const quota = await this.t.setRequestQuota!(operation, perSecond);
    this.quotasLowered++;
    active.undo.push(() => {
      this.quotasLowered--;
      return this.t.setRequestQuota!(operation, undefined);
    });
    return quota;
  }

  /** Quotas a step has lowered on purpose: while any is, the clients make one attempt (throttle-retry.ts). */
  private quotasLowered = 0;

  /**
   * The runtime's clients' settings: on an engine (one attempt), throttles alone retried unless
   * a step lowered a quota; on AWS the SDK's own retries.
   */
  private clientSettings<T extends ClientSettings>(base: T): T & { customUserAgent: string } {
    const settings = { ...base, customUserAgent: RUNTIME_USER_AGENT };
    if (base.maxAttempts !== 1) return settings;
    return { ...settings, retryStrategy: retryThrottlingOnly(() => this.quotasLowered > 0) };
  }

  /** A KMS client of this step with the SDK's retries as given, its calls captured like the session's own. */
  private kmsWithRetries(active: ActiveStep, retry: { maxAttempts: number; retryMode?: 'standard' | 'adaptive' }) {
    const kms = new KMS({ ...this.t.clientSettings, customUserAgent: RUNTIME_USER_AGENT, maxAttempts: retry.maxAttempts, retryMode: retry.retryMode ?? 'standard' });
    captureCalls(kms, (call) => this.record(call));
    active.undo.push(() => kms.destroy());
    return kms;
  }

  /**
   * Clients of this step that sign as another identity, their calls captured with `who` as
   * the caller (the call log says who made each call); closed when the step ends.
   */
  private clientsAs(active: ActiveStep, credentials: IdentityCredentials, who: string): IdentityClients {
    const given = credentials as Partial<Record<'accessKeyId' | 'secretAccessKey' | 'sessionToken' | 'AccessKeyId' | 'SecretAccessKey' | 'SessionToken', string>>;
    const accessKeyId = given.accessKeyId ?? given.AccessKeyId;
    const secretAccessKey = given.secretAccessKey ?? given.SecretAccessKey;
    const sessionToken = given.sessionToken ?? given.SessionToken;
    if (!accessKeyId || !secretAccessKey) throw new Error('as() needs an accessKeyId and a secretAccessKey (CreateAccessKey\'s AccessKey, or AssumeRole\'s Credentials)');
    if (!who.trim() || who === 'you') throw new Error(`as() needs the name of who signs (a user or role name), not '${who}'`);
    const settings = this.clientSettings({
      ...this.t.clientSettings,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    });
    const clients: IdentityClients = {
      kms: new KMS(settings),
      s3: new S3Client({ ...settings, forcePathStyle: settings.s3PathStyle ?? true }),
      iam: new IAMClient(settings),
      sts: new STSClient(settings),
    };
    for (const client of Object.values(clients)) {
      captureCalls(client, (call) => this.record({ ...call, caller: who }));
      active.undo.push(() => client.destroy());
    }
    return clients;
  }

  private stepFunctions(lesson: Lesson) {
    let loading = this.modules.get(lesson.dir);
    if (!loading) {
      loading = loadStepFunctions(lesson);
      loading.catch(() => this.modules.delete(lesson.dir));
      this.modules.set(lesson.dir, loading);
    }
    return loading;
  }

  private record(captured: CapturedCall) {
    const call: ApiCall = { ...captured, seq: ++this.seq, ...(this.active ? { stepId: this.active.stepId } : {}) };
    this.calls.push(call);
    try {
      this.t.observeCall?.(call);
    } catch {
      /* following resources must not break the step */
    }
    if (this.active) {
      this.active.calls.push(call);
      try {
        this.active.listener?.({ type: 'call', call });
      } catch {
        /* ignore listener errors */
      }
    }
    for (const listener of this.listeners) {
      try {
        listener(call);
      } catch {
        /* ignore listener errors */
      }
    }
  }
}

/** Undoes, in turn, what a step changed for itself; one that fails does not stop the others nor hide the step's outcome. */
async function undoAll(active: ActiveStep): Promise<void> {
  for (const undo of active.undo.splice(0)) {
    try {
      await undo();
    } catch {
      /* the step's outcome stands */
    }
  }
}

/** After each call of `client`, waits until the target has delivered what services did on the learner's behalf meanwhile. */
function catchUpAfterEachCall(client: S3Client, catchUp: () => Promise<void>): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } finally {
        await catchUp();
      }
    },
    { step: 'initialize', name: 'kmsWorkshopCatchUp', priority: 'low' },
  );
}

const RESULT_KINDS = new Set<StepResult['kind']>(['text', 'table', 'json', 'hexdump', 'diff', 'counter', 'expectedError', 'wait', 'file', 'check']);

function isStepResult(v: unknown): v is StepResult {
  return typeof v === 'object' && v !== null && RESULT_KINDS.has((v as { kind?: StepResult['kind'] }).kind!);
}

/** An error as the learner should read it: what failed, the AWS error and request id; never a stack. */
export function describeFailure(e: unknown, calls: readonly ApiCall[]): StepFailure {
  if (e instanceof StepExpectationError) return { message: e.message, ...(e.code ? { code: e.code } : {}), ...(e.requestId ? { requestId: e.requestId } : {}) };
  if (e instanceof StepModuleError) return { message: e.message };
  const err = e as { name?: string; message?: string; $metadata?: { requestId?: string }; $fault?: string; code?: string };
  if (err && typeof err === 'object' && (err.$metadata || err.$fault)) {
    const failed = [...calls].reverse().find((c) => !c.outcome.ok);
    const operation = failed?.operation;
    const requestId = err.$metadata?.requestId ?? failed?.requestId;
    const problem = explainAwsProblem(e, operation);
    return {
      message: problem
        ? `${operation ?? 'An AWS call'} failed${err.name && err.name !== 'Error' ? ` with ${err.name}` : ''}. ${problem.what} What to do: ${problem.todo}`
        : `${operation ?? 'An AWS call'} failed with ${err.name}${err.message && err.message !== 'UnknownError' ? `: ${err.message}` : ''}`,
      ...(err.name ? { code: err.name } : {}),
      ...(requestId ? { requestId } : {}),
      ...(operation ? { operation } : {}),
    };
  }
  const problem = explainAwsProblem(e);
  if (problem) return { message: `${problem.what} What to do: ${problem.todo}` };
  if (e instanceof Error) return { message: err.code && !e.message.includes(err.code) ? `${err.code}: ${e.message}` : `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` };
  return { message: String(e) };
}
