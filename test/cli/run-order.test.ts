import { PassThrough } from 'node:stream';
import { expect, test } from 'vitest';
import { runLessons } from '../../src/commands/run-lessons.js';
import type { ApiCall, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';
import { lesson, step } from '../tui/fake-workshop.js';

const call = (seq: number, operation: string): ApiCall => ({ seq, time: new Date(0).toISOString(), service: 'kms', operation, caller: 'you', outcome: { ok: true }, durationMs: 1 });
const text = (t: string): StepResult => ({ kind: 'text', text: t });

/** A session whose one step shows a line, calls Encrypt, shows another line, calls Decrypt, as a step function would. */
function session(): RuntimeSession {
  return {
    target: 'local',
    targetLabel: 'local engine',
    calls: [],
    onCall: () => () => {},
    workspace: () => '/tmp/ws',
    async runStep(l, s, listener) {
      const events = [text('before any call'), call(1, 'Encrypt'), text('between the calls'), call(2, 'Decrypt')];
      for (const e of events) listener?.('kind' in e ? { type: 'result', result: e } : { type: 'call', call: e });
      const outcome: StepOutcome = { status: 'passed', lessonId: l.id, stepId: s.id, results: events.filter((e): e is StepResult => 'kind' in e), calls: events.filter((e): e is ApiCall => 'seq' in e), durationMs: 3 };
      listener?.({ type: 'end', outcome });
      return outcome;
    },
    close: async () => {},
  } as RuntimeSession;
}

test("the plain run log prints a step's calls and output in the order they happened", async () => {
  const out = new PassThrough();
  let log = '';
  out.on('data', (d: Buffer) => (log += d.toString()));
  await runLessons(session(), [lesson('order', [step('one')])], { out });
  const at = (needle: string) => log.indexOf(needle);
  expect(at('before any call')).toBeGreaterThan(-1);
  expect(at('before any call')).toBeLessThan(at('kms:Encrypt'));
  expect(at('kms:Encrypt')).toBeLessThan(at('between the calls'));
  expect(at('between the calls')).toBeLessThan(at('kms:Decrypt'));
  expect(at('kms:Decrypt')).toBeLessThan(at('passed ('));
});
