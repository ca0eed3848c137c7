// Lesson 11 (quotas, throttling and backoff), played headless through the
// runtime against a fresh local engine, with its outcomes asserted: the burst
// throttled with the retries off, every call through with the standard and the
// adaptive retry modes (attempts and waits shown), S3's GenerateDataKey cut by
// a Bucket Key, data key caching under the same quota, the quota given back
// after each step, and the clean-up. Then on a pretend AWS target (no
// lowerRequestQuota), where the bursts must say what they would do and send
// nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CreateKeyCommand, GenerateDataKeyCommand, KMS } from '@aws-sdk/client-kms';
import { loadLessons } from '../../src/lessons/loader.js';
import { checkLessonStandards } from '../../src/lessons/standards.js';
import { createStepContext } from '../../src/runtime/context.js';
import { createShow } from '../../src/runtime/show.js';
import { openSession } from '../../src/runtime/session.js';
import { loadStepFunctions } from '../../src/runtime/step-module.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';

const ID = 'quotas-and-backoff';
let home: string;
let session: RuntimeSession;
const { lessons } = loadLessons();
const lesson: Lesson = lessons.find((l) => l.id === ID)!;
const played = new Map<string, StepOutcome>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lesson-11-'));
  session = await openSession({ home, freshEngine: true });
  for (const step of lesson.steps) played.set(step.id, await session.runStep(lesson, step));
}, 90_000);
afterAll(async () => {
  await session?.close();
  rmSync(home, { recursive: true, force: true });
});

function outcome(stepId: string): StepOutcome {
  const o = played.get(stepId);
  if (!o) throw new Error(`no step ${stepId}`);
  return o;
}
function results<K extends StepResult['kind']>(o: StepOutcome, kind: K): Extract<StepResult, { kind: K }>[] {
  return o.results.filter((r): r is Extract<StepResult, { kind: K }> => r.kind === kind);
}
const generated = (o: StepOutcome): ApiCall[] => o.calls.filter((c) => c.operation === 'GenerateDataKey');
const throttled = (o: StepOutcome) => generated(o).filter((c) => !c.outcome.ok && c.outcome.code === 'ThrottlingException');

test('lesson 11 loads, meets the standards, ends with clean-up, and every step passes', () => {
  expect(lesson).toBeDefined();
  expect(checkLessonStandards(lesson)).toEqual([]);
  expect(lesson.steps.at(-1)!.id).toBe('clean-up');
  const failed = [...played.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : ''}`);
  expect(failed).toEqual([]);
  expect(played.size).toBe(lesson.steps.length);
});

describe('the bursts', () => {
  test('with the retries off, some of the 20 GenerateDataKey are throttled (ThrottlingException with AWS words) and the rest get data keys', () => {
    const o = outcome('burst-without-retries');
    const all = generated(o);
    expect(all).toHaveLength(20);
    expect(throttled(o).length).toBeGreaterThan(0);
    expect(all.filter((c) => c.outcome.ok).length).toBeGreaterThan(0);
    const [error] = results(o, 'expectedError');
    expect(error).toMatchObject({ code: 'ThrottlingException', operation: 'GenerateDataKey' });
    expect(error!.message).toMatch(/exceeded the rate at which you may call KMS/);
    // The quota the step lowered is said, with AWS's figure beside it
    expect(results(o, 'text').map((t) => t.text).join('\n')).toMatch(/allows 5 requests a second under the quota "Cryptographic operations \(symmetric\) request rate"/);
    const table = results(o, 'table')[0]!;
    expect(table.rows).toContainEqual(['throttled', String(throttled(o).length)]);
  });

  for (const mode of ['standard', 'adaptive'] as const) {
    test(`with the ${mode} retry mode, all 10 calls succeed, and the table shows attempts above 1 and the wait for some`, () => {
      const o = outcome(`burst-with-${mode}-retries`);
      const all = generated(o);
      expect(all).toHaveLength(10);
      expect(all.filter((c) => !c.outcome.ok)).toEqual([]);
      const table = results(o, 'table')[0]!;
      expect(table.title).toBe(mode);
      expect(table.columns).toEqual(['call', 'attempts', 'waited (ms)']);
      expect(table.rows).toHaveLength(10);
      expect(table.rows.every(([, attempts]) => /^\d+$/.test(attempts!))).toBe(true);
      // 10 at once over a quota of 5: the SDK had to retry some, and waited before it did
      expect(table.rows.some(([, attempts]) => Number(attempts) > 1)).toBe(true);
      expect(table.rows.some(([, , waited]) => Number(waited) > 0)).toBe(true);
      expect(results(o, 'check')).toEqual([expect.objectContaining({ label: 'every call got its data key', ok: true })]);
    });
  }

  test('the lowered quota ends with its step: a burst of 20 at once afterwards is not throttled', async () => {
    const kms = new KMS({
      endpoint: session.endpoint!, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    try {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      const all = await Promise.allSettled(
        Array.from({ length: 20 }, () => kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256' }))),
      );
      expect(all.filter((r) => r.status === 'rejected')).toEqual([]);
    } finally {
      kms.destroy();
    }
  });
});

test('S3 SSE-KMS: 10 uploads without a Bucket Key make 10 GenerateDataKey by S3, with one they make 1', () => {
  const o = outcome('s3-bucket-keys');
  const byS3 = generated(o).filter((c) => c.caller === 's3.amazonaws.com');
  expect(byS3).toHaveLength(11);
  const table = results(o, 'table')[0]!;
  expect(table.rows).toEqual([
    ['without a Bucket Key', '10'],
    ['with a Bucket Key', '1'],
  ]);
});

test('data key caching: 20 encryptions under the same lowered quota make one GenerateDataKey, never throttled', () => {
  const o = outcome('data-key-caching');
  expect(generated(o)).toHaveLength(1);
  expect(throttled(o)).toEqual([]);
  expect(results(o, 'text').map((t) => t.text).join('\n')).toMatch(/allows 5 requests a second/);
});

test('the clean-up empties and deletes the bucket and schedules the key for deletion', () => {
  const o = outcome('clean-up');
  expect(o.calls.filter((c) => c.operation === 'DeleteObject')).toHaveLength(20);
  expect(o.calls.map((c) => c.operation)).toEqual(expect.arrayContaining(['DeleteBucket', 'DeleteAlias', 'ScheduleKeyDeletion']));
  expect(o.calls.every((c) => c.outcome.ok)).toBe(true);
});

describe('on --target aws (no lowerRequestQuota)', () => {
  test('each burst step says it is skipped on AWS and sends no GenerateDataKey', async () => {
    const steps = await loadStepFunctions(lesson);
    for (const id of ['burst-without-retries', 'burst-with-standard-retries', 'burst-with-adaptive-retries']) {
      const step = lesson.steps.find((s) => s.id === id)!;
      const emitted: StepResult[] = [];
      const sent: string[] = [];
      const kms = new Proxy({}, { get: () => () => sent.push('kms') }) as never;
      const ctx = createStepContext({
        kms, s3: kms, cloudtrail: kms, region: 'eu-west-1', target: 'aws',
        names: { alias: (n: string) => `alias/p/${n}`, bucket: (n: string) => `p-${n}` } as never,
        workspace: home, show: createShow(home, () => [], (r) => emitted.push(r)),
        kmsWithRetries: () => { sent.push('kmsWithRetries'); return kms; },
        calls: [], emit: (r) => emitted.push(r), progress: () => {},
        waitForCloudTrail: async () => ({ seconds: 0, fastForwarded: false }),
      });
      await steps[step.functionName]!(ctx);
      expect(sent, id).toEqual([]);
      expect(emitted.map((r) => (r.kind === 'text' ? r.text : r.kind)).join('\n'), id).toMatch(/Skipped on AWS/);
    }
  });
});

test('the clean-up after only the first step (no bucket yet) still deletes the alias and schedules the key, so reset leaves nothing', async () => {
  const h = mkdtempSync(join(tmpdir(), 'kms-workshop-lesson-11-early-'));
  const s = await openSession({ home: h, freshEngine: true });
  try {
    expect((await s.runStep(lesson, lesson.steps[0]!)).status).toBe('passed');
    const o = await s.runStep(lesson, lesson.steps.at(-1)!);
    expect(o.status).toBe('passed');
    expect(o.calls.map((c) => c.operation)).toEqual(['DescribeKey', 'DeleteAlias', 'ScheduleKeyDeletion']);
  } finally {
    await s.close();
    rmSync(h, { recursive: true, force: true });
  }
});
