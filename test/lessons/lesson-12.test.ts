// Lesson 12 (auditing with CloudTrail), played headless through the runtime
// against a fresh local engine, with its outcomes asserted: nothing found at
// once and everything after the fast-forwarded wait, the lookups by event
// name, key and user, one event read (context in the clear, no key), the
// failed Decrypt by its errorCode, S3's call by invokedBy, the DisableKey an
// alert would catch, then the clean-up and `reset`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DescribeKeyCommand, KMS, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { reset } from '../../src/commands/reset.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { checkLessonStandards } from '../../src/lessons/standards.js';
import { planLessons } from '../../src/runtime/cost.js';
import { startLocalTarget } from '../../src/runtime/local-target.js';
import { openSession } from '../../src/runtime/session.js';
import type { Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';

const ID = 'auditing-with-cloudtrail';
let home: string;
let session: RuntimeSession;
let lesson: Lesson;
const played = new Map<string, StepOutcome>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lesson-12-'));
  const found = loadLessons().lessons.find((l) => l.id === ID);
  if (!found) throw new Error(`no lesson ${ID}`);
  lesson = found;
  session = await openSession({ home, freshEngine: true });
  for (const step of lesson.steps) played.set(step.id, await session.runStep(lesson, step));
}, 60_000);
afterAll(async () => {
  await session.close();
  rmSync(home, { recursive: true, force: true });
});

function outcome(stepId: string): StepOutcome {
  const o = played.get(stepId);
  if (!o) throw new Error(`no step ${stepId}`);
  return o;
}
function results<K extends StepResult['kind']>(stepId: string, kind: K): Extract<StepResult, { kind: K }>[] {
  return outcome(stepId).results.filter((r): r is Extract<StepResult, { kind: K }> => r.kind === kind);
}
/** A table's rows by its title (the start of it). */
function rows(stepId: string, title: RegExp): string[][] {
  const table = results(stepId, 'table').find((t) => title.test(t.title ?? ''));
  if (!table) throw new Error(`no table ${title} in ${stepId}`);
  return table.rows.map((r) => r.map(String));
}
const checks = (stepId: string) => results(stepId, 'check').map((c) => [c.label, c.ok]);

test('lesson 12 loads after lesson 8, meets the standards, ends with clean-up, and every step passes', () => {
  const { lessons } = loadLessons();
  expect(lessons.findIndex((l) => l.id === ID)).toBeGreaterThan(lessons.findIndex((l) => l.id === 'asymmetric-and-hmac'));
  expect(checkLessonStandards(lesson)).toEqual([]);
  expect(lesson.steps.at(-1)!.id).toBe('clean-up');
  const failed = [...played.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : o.status}`);
  expect(failed).toEqual([]);
  expect(played.size).toBe(lesson.steps.length);
});

test('the Decrypt without its context fails with InvalidCiphertextException', () => {
  expect(results('a-failed-call', 'expectedError')).toEqual([expect.objectContaining({ code: 'InvalidCiphertextException', operation: 'Decrypt' })]);
});

test('a lookup made at once finds none of the key\'s events; after the wait, fast-forwarded by the 2 minutes the engine holds them, it finds them', () => {
  const [wait] = results('wait-for-delivery', 'wait');
  expect(wait).toEqual(expect.objectContaining({ fastForwarded: true, seconds: expect.any(Number) }));
  expect(wait!.seconds).toBeGreaterThan(0);
  expect(wait!.seconds).toBeLessThanOrEqual(120);
  const [atOnce, after] = rows('wait-for-delivery', /^LookupEvents ResourceName=/);
  expect(atOnce).toEqual(['at once', '0']);
  expect(Number(after![1])).toBeGreaterThanOrEqual(4);
});

test('by event name: the two GenerateDataKey on the lesson\'s key, one by you and one by S3', () => {
  const found = rows('lookup-by-event-name', /EventName=GenerateDataKey/);
  const key = results('use-the-key', 'json')[0]!.value as { Arn: string };
  const ours = found.filter((r) => r[2] === key.Arn);
  expect(ours.map((r) => r[3]).sort()).toEqual(['(you)', 's3.amazonaws.com']);
  expect(ours.every((r) => r[1] === 'workshop-learner')).toBe(true);
});

test('by key: the creation, the alias and both data keys, and not the Decrypt that named no key', () => {
  const events = rows('lookup-by-key', /^LookupEvents ResourceName=/).map((r) => r[1]);
  expect(events).toEqual(expect.arrayContaining(['CreateKey', 'CreateAlias', 'GenerateDataKey']));
  expect(events.filter((e) => e === 'GenerateDataKey')).toHaveLength(2);
  expect(events).not.toContain('Decrypt');
});

test('one event read: the learner as userIdentity, the encryption context in requestParameters, responseElements null, the key in resources', () => {
  const event = results('read-one-event', 'json')[0]!.value as Record<string, any>;
  const key = results('use-the-key', 'json')[0]!.value as { Arn: string };
  expect(event.eventName).toBe('GenerateDataKey');
  expect(event.eventSource).toBe('kms.amazonaws.com');
  expect(event.userIdentity).toEqual(expect.objectContaining({ type: 'IAMUser', userName: 'workshop-learner' }));
  expect(event.userIdentity.invokedBy).toBeUndefined();
  expect(event.requestParameters).toEqual(expect.objectContaining({ keySpec: 'AES_256', encryptionContext: { project: 'workshop' } }));
  expect(event.responseElements).toBeNull();
  expect(event.resources).toEqual([expect.objectContaining({ ARN: key.Arn, type: 'AWS::KMS::Key' })]);
  expect(JSON.stringify(event)).not.toMatch(/"plaintext"/i);
});

test('the failed calls: the Decrypt with its errorCode; S3\'s GenerateDataKey invoked by s3.amazonaws.com with the object\'s ARN as context', () => {
  const failed = rows('find-failed-calls', /failed/);
  expect(failed).toEqual([[expect.any(String), 'Decrypt', 'workshop-learner', 'InvalidCiphertextException']]);
  const byS3 = rows('calls-made-by-s3', /on your behalf/);
  expect(byS3).toEqual([
    ['GenerateDataKey', 'workshop-learner', 's3.amazonaws.com', expect.stringMatching(/"aws:s3:arn":"arn:aws:s3:::kms-workshop-audit-\d+\/audited\.txt"/)],
  ]);
});

test('by user: the learner\'s calls in every service since the lesson began, the failed Decrypt and their own lookups among them', () => {
  const found = rows('lookup-by-user', /^LookupEvents Username=workshop-learner$/);
  const pairs = found.map((r) => `${r[1]} ${r[2]}`);
  expect(pairs).toEqual(expect.arrayContaining(['kms.amazonaws.com CreateKey', 'kms.amazonaws.com Decrypt', 's3.amazonaws.com CreateBucket', 'cloudtrail.amazonaws.com LookupEvents']));
  expect(checks('lookup-by-user')).toEqual([['your KMS calls', true], ['and your lookups: CloudTrail records them too', true]]);
});

test('what to alert on: the DisableKey is found after a second wait, and the pattern names ScheduleKeyDeletion, DisableKey and PutKeyPolicy', () => {
  expect(results('what-to-alert-on', 'wait')[0]).toEqual(expect.objectContaining({ fastForwarded: true }));
  const found = rows('what-to-alert-on', /EventName=DisableKey/);
  const key = results('use-the-key', 'json')[0]!.value as { Arn: string };
  expect(found.map((r) => r[2])).toContain(key.Arn);
  const pattern = results('what-to-alert-on', 'json')[0]!.value as { detail: { eventName: string[] } };
  expect(pattern.detail.eventName).toEqual(['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy']);
  // The key was enabled again: the clean-up could still use it
  expect(outcome('what-to-alert-on').calls.map((c) => c.operation)).toEqual(expect.arrayContaining(['DisableKey', 'EnableKey']));
});

test('the clean-up schedules the key for deletion and removes the object, the bucket and the alias', () => {
  const json = results('clean-up', 'json')[0]!.value as { KeyState: string };
  expect(json.KeyState).toBe('PendingDeletion');
  const ops = outcome('clean-up').calls.filter((c) => c.outcome.ok).map((c) => c.operation);
  expect(ops).toEqual(expect.arrayContaining(['DeleteObject', 'DeleteBucket', 'DeleteAlias', 'ScheduleKeyDeletion']));
});

test('a lookup run again after the clean-up is explained as such (the key is gone), not a raw NotFoundException', async () => {
  const step = lesson.steps.find((st) => st.id === 'lookup-by-key')!;
  const again = await session.runStep(lesson, step);
  expect(again.status).toBe('failed');
  if (again.status === 'failed') expect(again.error.afterCleanUp).toBe(true);
});

test('reset after a run stopped after the upload deletes the object, the bucket and the alias and schedules the key', async () => {
  const stopped = mkdtempSync(join(tmpdir(), 'kms-workshop-lesson-12-reset-'));
  try {
    const s = await openSession({ home: stopped });
    for (const step of lesson.steps.slice(0, 3)) expect((await s.runStep(lesson, step)).status).toBe('passed');
    await s.close();
    const said: string[] = [];
    expect(await reset({ home: stopped, lesson: ID, out: { write: (t: string) => said.push(t) } as never })).toBe(0);
    expect(said.join('')).toMatch(/engine: ran the lesson's clean-up/);
    // What is left in the engine, seen through clients of its own
    const target = await startLocalTarget({ home: stopped });
    const kms = new KMS(target.clientSettings);
    const s3 = new S3Client({ ...target.clientSettings, forcePathStyle: true });
    try {
      const { Aliases } = await kms.send(new ListAliasesCommand({}));
      expect(Aliases!.map((a) => a.AliasName)).not.toContain('alias/kms-workshop-audit');
      const { Keys } = await kms.send(new ListKeysCommand({}));
      expect(Keys).toHaveLength(1);
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: Keys![0]!.KeyId }));
      expect(KeyMetadata!.KeyState).toBe('PendingDeletion');
      const { Buckets } = await s3.send(new ListBucketsCommand({}));
      expect(Buckets ?? []).toEqual([]);
    } finally {
      kms.destroy();
      s3.destroy();
      await target.close();
    }
  } finally {
    rmSync(stopped, { recursive: true, force: true });
  }
}, 60_000);

test('on --target aws the plan counts what the lesson makes: one key, one alias, one bucket with one object, no key of another kind', () => {
  expect(planLessons([lesson])).toEqual([
    expect.objectContaining({ keys: 1, importedKeys: 0, aliases: 1, buckets: 1, objects: 1, keySpecs: [], asymmetricRequests: 0, rotations: 0 }),
  ]);
});
