// A lesson lowers a KMS request quota for one step (StepContext.lowerRequestQuota) to provoke
// ThrottlingException, then sees the SDK's retries get through (kmsWithRetries): through a real
// session on a fresh local engine; on AWS nothing is changed and the step says so.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadLesson } from '../../src/lessons/loader.js';
import { createStepContext } from '../../src/runtime/context.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';
import { tempHome } from '../helpers/engine.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/02-request-quotas', import.meta.url));
let home: string;
let session: RuntimeSession;
let lesson: Lesson;

beforeAll(async () => {
  home = tempHome('kms-workshop-quotas-');
  const loaded = loadLesson(FIXTURE);
  expect(loaded.problems).toEqual([]);
  lesson = loaded.lesson!;
  session = await openSession({ home, freshEngine: true });
});
afterAll(async () => {
  await session.close();
  rmSync(home, { recursive: true, force: true });
});

const run = (stepId: string): Promise<StepOutcome> => session.runStep(lesson, lesson.steps.find((s) => s.id === stepId)!);
const texts = (outcome: StepOutcome) => outcome.results.flatMap((r) => (r.kind === 'text' ? [r.text] : []));

test("lowered to 3 GenerateDataKey a second, a burst of 6 gets 3 through and ThrottlingException in AWS's words, shown as expected; the screen names the shared quota", async () => {
  const outcome = await run('throttled-burst');
  expect(outcome.status).toBe('passed');
  const [said, counted] = texts(outcome);
  expect(said).toBe(
    'The local engine now allows 3 requests a second under the quota "Cryptographic operations (symmetric) request rate", which Decrypt, Encrypt, ' +
      "GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateMac, GenerateRandom, ReEncrypt, VerifyMac share, until this step ends (AWS's default here: 100,000 a second).",
  );
  expect(counted).toBe('succeeded 3');
  expect(outcome.results.find((r) => r.kind === 'expectedError')).toMatchObject({
    code: 'ThrottlingException',
    message: 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.',
  });
  const throttled = outcome.calls.filter((c: ApiCall) => !c.outcome.ok);
  expect(throttled.map((c) => [c.operation, c.outcome.ok ? '' : c.outcome.code])).toEqual(Array(3).fill(['GenerateDataKey', 'ThrottlingException']));
});

test('a throttle nobody asked for is retried: 8 CreateKeys at once (AWS allows 5 a second) all succeed, some after the backoff, each call shown once', async () => {
  const outcome = await run('create-key-burst');
  expect(outcome.status, JSON.stringify(outcome)).toBe('passed');
  expect(texts(outcome)).toEqual(['made 8']);
  const creates = outcome.calls.filter((c) => c.operation === 'CreateKey');
  expect(creates).toHaveLength(8);
  expect(creates.every((c) => c.outcome.ok)).toBe(true);
  expect(creates.filter((c) => c.retries).length).toBeGreaterThanOrEqual(3);
});

test("the same burst through kmsWithRetries all succeeds, some calls after the SDK's backoff, each shown once", async () => {
  const outcome = await run('retried-burst');
  expect(outcome.status, JSON.stringify(outcome)).toBe('passed');
  const attempts = Number(/attempts (\d+)/.exec(texts(outcome).at(-1)!)![1]);
  expect(attempts).toBeGreaterThanOrEqual(6 + 3); // three of the six waited at least once
  expect(outcome.calls.filter((c) => c.operation === 'GenerateDataKey')).toHaveLength(6);
  expect(outcome.calls.every((c) => c.outcome.ok)).toBe(true);
  // Each call says what the SDK's retries cost it: the attempts the step counted, and time in backoff
  const retried = outcome.calls.filter((c) => c.retries);
  expect(retried.length).toBeGreaterThanOrEqual(3);
  const bursts = outcome.calls.filter((c) => c.operation === 'GenerateDataKey');
  expect(bursts.reduce((n, c) => n + (c.retries?.attempts ?? 1), 0)).toBe(attempts);
  for (const c of retried) expect(c.retries!.delayMs).toBeGreaterThan(0);
});

test("the quota is AWS's again once the step that lowered it ends: 30 GenerateDataKey at once all succeed", async () => {
  const outcome = await run('burst-afterwards');
  expect(outcome.status, JSON.stringify(outcome)).toBe('passed');
  expect(texts(outcome)).toEqual(['succeeded 30']);
});

test('an operation without a request quota fails the step with a plain message', async () => {
  const outcome = await run('no-such-quota');
  expect(outcome.status).toBe('failed');
  if (outcome.status === 'failed') expect(outcome.error.message).toBe("KMS has no request quota for 'MakeCoffee': name an operation such as GenerateDataKey or CreateKey.");
});

test('on AWS nothing is changed and the step says so (applied: false)', async () => {
  const shown: StepResult[] = [];
  const ctx = createStepContext({
    kms: undefined as never, s3: undefined as never, cloudtrail: undefined as never, names: undefined as never, show: undefined as never,
    kmsWithRetries: undefined as never,
    region: 'eu-west-1', target: 'aws', workspace: home, calls: [],
    emit: (r) => shown.push(r),
    progress: () => {},
    waitForCloudTrail: async () => ({ seconds: 0, fastForwarded: false }),
  });
  expect(await ctx.lowerRequestQuota('GenerateDataKey', 3)).toEqual({ applied: false });
  expect(shown).toEqual([{
    kind: 'text',
    tone: 'info',
    text: "On AWS the request quotas are your account's own and a lesson cannot lower them: nothing was changed, so GenerateDataKey is unlikely to be throttled here. The local engine can lower them to show it.",
  }]);
});
