// A lesson and a runtime session made of plain data, to drive the screens by
// keys without the engine: the session answers each step with the events a
// real one streams (calls as they happen, then results, then the end).
import type { ApiCall, Lesson, LessonStep, RuntimeSession, StepEvent, StepOutcome, StepResult } from '../../src/runtime/types.js';
import type { ProgressPort } from '../../src/tui/app.js';
import type { LessonProgressView } from '../../src/tui/screens/home.js';

export function step(id: string, over: Partial<LessonStep> = {}): LessonStep {
  return {
    id,
    title: `Title of ${id}`,
    text: `Narrative of **${id}**.`,
    functionName: id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    source: `export async function ${id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())}({kms}: StepContext) {\n  return show.text('${id}');\n}`,
    sourceLine: 10,
    ...over,
  };
}

export function lesson(id: string, steps: LessonStep[], over: Partial<Lesson> = {}): Lesson {
  return { id, slug: `01-${id}`, dir: `/lessons/01-${id}`, title: `Lesson ${id}`, summary: `Summary of ${id}.`, minutes: 10, level: 'beginner', basedOn: [], intro: '', steps, ...over };
}

export interface Script {
  calls?: Array<Partial<ApiCall> & { operation: string }>;
  results?: StepResult[];
  fail?: string;
  /** With fail: the runtime found the lesson's clean-up had removed what the step builds on. */
  afterCleanUp?: boolean;
  throws?: Error;
  /** Resolve the step only when release() is called. */
  hold?: boolean;
}

export function fakeSession(scripts: Record<string, Script>) {
  let seq = 0;
  const ran: string[] = [];
  const releases: Array<() => void> = [];
  const session: RuntimeSession = {
    target: 'local',
    targetLabel: 'local engine at http://127.0.0.1:45999',
    calls: [],
    onCall: () => () => {},
    workspace: (l) => `/tmp/ws/${l.id}`,
    async runStep(l, s, listener) {
      ran.push(s.id);
      const script = scripts[s.id] ?? {};
      const emit = (e: StepEvent) => listener?.(e);
      emit({ type: 'start', lessonId: l.id, stepId: s.id });
      const calls: ApiCall[] = (script.calls ?? []).map((c) => ({ seq: ++seq, time: new Date(0).toISOString(), service: 'kms', caller: 'you', outcome: { ok: true }, durationMs: 1, ...c }));
      for (const call of calls) emit({ type: 'call', call });
      if (script.hold) await new Promise<void>((r) => releases.push(r));
      if (script.throws) throw script.throws;
      for (const result of script.results ?? []) emit({ type: 'result', result });
      const base = { lessonId: l.id, stepId: s.id, results: script.results ?? [], calls, durationMs: 12 };
      const outcome: StepOutcome = script.fail ? { ...base, status: 'failed', error: { message: script.fail, code: script.afterCleanUp ? 'NotFoundException' : 'AccessDeniedException', ...(script.afterCleanUp ? { afterCleanUp: true } : {}) } } : { ...base, status: 'passed' };
      emit({ type: 'end', outcome });
      return outcome;
    },
    close: async () => {},
  };
  return { session, ran, release: () => releases.shift()?.() };
}

/** Progress kept in memory, with the same meaning as progress.json: passed steps, last step seen. */
export function memoryProgress(): ProgressPort & { passed: Map<string, Set<string>> } {
  const passed = new Map<string, Set<string>>();
  const last = new Map<string, number>();
  return {
    passed,
    view(l): LessonProgressView {
      const done = passed.get(l.id)?.size ?? 0;
      if (done === l.steps.length) return { state: 'done', total: l.steps.length };
      if (done === 0 && !last.has(l.id)) return { state: 'new', total: l.steps.length };
      return { state: 'in-progress', step: (last.get(l.id) ?? 0) + 1, total: l.steps.length };
    },
    resumeAt: (l) => last.get(l.id) ?? 0,
    stepPassed(l, s) {
      if (!passed.has(l.id)) passed.set(l.id, new Set());
      passed.get(l.id)!.add(s.id);
    },
    stepVisited(l, i) {
      last.set(l.id, i);
    },
  };
}

export const KEYS = { enter: '\r', esc: '\u001B', up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D' };

export const tick = (ms = 40) => new Promise((r) => setTimeout(r, ms));

/** Waits until the frame matches, or fails with the last frame in the message. */
export async function waitForFrame(lastFrame: () => string | undefined, pattern: RegExp | string, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = lastFrame() ?? '';
    if (typeof pattern === 'string' ? frame.includes(pattern) : pattern.test(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`screen never showed ${pattern}; last frame:\n${frame}`);
    await tick(20);
  }
}
