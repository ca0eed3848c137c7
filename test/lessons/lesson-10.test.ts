// Lesson 10 (the KMS developer demo), played headless through the runtime
// against a fresh local engine, twice, as the demo is meant to be run: the
// first run creates the key and disables it in its clean-up; a step run after
// that clean-up is told to start again; the second run meets the
// DisabledException, enables the key and re-uses it. In between, the demo's
// file format is checked by the test's own decoder: the <Q length and the IV
// in the header, the encrypted data key base64 in the object's metadata "Key".
import { DecryptCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { execFileSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { checkLessonStandards } from '../../src/lessons/standards.js';
import { planLessons } from '../../src/runtime/cost.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../helpers/engine.js';

const ID = 'developer-demo';
const FILES = ['message.enc', 'message.key', 'padlock.jpg', 'padlock.jpg.enc', 'padlock.jpg.key', 'padlock.jpg.enc.jpg'];
let home: string;
let session: RuntimeSession;
let lesson: Lesson;
let kms: KMSClient;
/** Run 1 and run 2, step id -> outcome. */
const runs = [new Map<string, StepOutcome>(), new Map<string, StepOutcome>()];
/** The workspace's files just before run 1's clean-up removed them. */
const before = new Map<string, Buffer>();
/** padlock.jpg.enc decrypted by this test, with the data key from the object's metadata, before the key was disabled. */
let decodedByTest: { length: bigint; iv: Buffer; picture: Buffer } | undefined;
let afterCleanUp: StepOutcome;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lesson-10-'));
  const found = loadLessons().lessons.find((l) => l.id === ID);
  if (!found) throw new Error(`no lesson ${ID}`);
  lesson = found;
  session = await openSession({ home, freshEngine: true });
  kms = new KMSClient({ endpoint: session.endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const workspace = session.workspace(lesson);
  for (const step of lesson.steps) {
    if (step.id === 'clean-up') {
      for (const f of FILES) if (existsSync(join(workspace, f))) before.set(f, readFileSync(join(workspace, f)));
      // a failure here is the metadata test's to report
      decodedByTest = await decodeAsTheDemoDoes(before.get('padlock.jpg.enc')!).catch(() => undefined);
    }
    runs[0]!.set(step.id, await session.runStep(lesson, step));
  }
  afterCleanUp = await session.runStep(lesson, lesson.steps.find((s) => s.id === 'encrypt-message')!);
  for (const step of lesson.steps) runs[1]!.set(step.id, await session.runStep(lesson, step));
}, 60_000);
afterAll(async () => {
  kms?.destroy();
  await session?.close();
  rmSync(home, { recursive: true, force: true });
});

/** The demo's decipher, written again here: the key from the object's metadata, then the header. */
async function decodeAsTheDemoDoes(file: Buffer) {
  const metadata = shownJson(0, 'upload-file').Metadata as Record<string, string>;
  const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(metadata.key!, 'base64') }));
  const length = file.readBigUInt64LE(0);
  const iv = file.subarray(8, 24);
  const decipher = createDecipheriv('aes-256-cbc', Plaintext!, iv).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(file.subarray(24)), decipher.final()]);
  return { length, iv, picture: padded.subarray(0, Number(length)) };
}

function outcome(run: number, stepId: string): StepOutcome {
  const o = runs[run]!.get(stepId);
  if (!o) throw new Error(`no step ${stepId} in run ${run + 1}`);
  return o;
}
function results<K extends StepResult['kind']>(run: number, stepId: string, kind: K): Extract<StepResult, { kind: K }>[] {
  return outcome(run, stepId).results.filter((r): r is Extract<StepResult, { kind: K }> => r.kind === kind);
}
function shownJson(run: number, stepId: string): Record<string, unknown> {
  return (runs[run]!.get(stepId)?.results.find((r) => r.kind === 'json') as { value: Record<string, unknown> } | undefined)?.value ?? {};
}
const calls = (run: number, stepId: string, operation: string): ApiCall[] => outcome(run, stepId).calls.filter((c) => c.operation === operation);
const failures = (run: number) =>
  [...runs[run]!.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : o.status}`);

test('lesson 10 loads between lessons 8 and 11, meets the standards, ends with clean-up, and every step passes on both runs', () => {
  const { lessons } = loadLessons();
  const at = lessons.findIndex((l) => l.id === ID);
  expect(at).toBeGreaterThan(lessons.findIndex((l) => l.id === 'asymmetric-and-hmac'));
  expect(at).toBeLessThan(lessons.findIndex((l) => l.id === 'quotas-and-backoff'));
  expect(checkLessonStandards(lesson)).toEqual([]);
  expect(lesson.steps.at(-1)!.id).toBe('clean-up');
  expect(failures(0)).toEqual([]);
  expect(failures(1)).toEqual([]);
  expect(runs[0]!.size).toBe(lesson.steps.length);
  expect(runs[1]!.size).toBe(lesson.steps.length);
});

test('the first run finds no key by the alias and creates one, with no DisabledException', () => {
  expect(calls(0, 'find-or-create-key', 'DescribeKey')[0]!.outcome).toMatchObject({ ok: false, code: 'NotFoundException' });
  expect(calls(0, 'find-or-create-key', 'CreateKey')).toHaveLength(1);
  expect(calls(0, 'find-or-create-key', 'CreateAlias')[0]).toMatchObject({ alias: 'alias/kms-workshop-developer-demo', outcome: { ok: true } });
  expect(results(0, 'find-or-create-key', 'expectedError')).toEqual([]);
  expect(shownJson(0, 'find-or-create-key')).toMatchObject({ KeyState: 'Enabled' });
});

test('the message: a data key with its plaintext masked, IV + ciphertext in message.enc, only the encrypted key kept, and the message back', () => {
  expect(calls(0, 'encrypt-message', 'GenerateDataKey')[0]).toMatchObject({ alias: 'alias/kms-workshop-developer-demo', outcome: { ok: true } });
  const shown = shownJson(0, 'encrypt-message') as Record<string, string>;
  expect(shown.Plaintext).toMatch(/^[A-Za-z0-9+/=]{2}\*\*\.\.\.\*\*[A-Za-z0-9+/=]{3}$/);
  expect(shown.CiphertextBlob).toBe(before.get('message.key')!.toString('base64'));
  const message = 'Hello world of cryptography with managed keys';
  expect(before.get('message.enc')).toHaveLength(16 + Math.ceil((message.length + 1) / 16) * 16);
  expect(before.get('message.enc')!.includes('Hello')).toBe(false);
  expect(results(0, 'decrypt-message', 'check')).toEqual([expect.objectContaining({ ok: true })]);
  expect(calls(0, 'decrypt-message', 'Decrypt')[0]!.outcome.ok).toBe(true);
});

test('the JPG asset is a baseline JPEG, and padlock.jpg.enc starts with its length as <Q (little-endian 64-bit), then the 16-byte IV, then whole CBC blocks', () => {
  const picture = before.get('padlock.jpg')!;
  expect([...picture.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
  expect(picture.subarray(6, 11).toString('latin1')).toBe('JFIF\0');
  expect([...picture.subarray(-2)]).toEqual([0xff, 0xd9]);
  expect(picture.length).toBeGreaterThan(1000);
  expect(picture.length).toBeLessThan(8000);

  const enc = before.get('padlock.jpg.enc')!;
  const lengthBytes = Buffer.alloc(8);
  lengthBytes.writeBigUInt64LE(BigInt(picture.length));
  expect(enc.subarray(0, 8)).toEqual(lengthBytes);
  expect(enc[0]).toBe(picture.length & 0xff); // lowest byte first
  expect(enc.length).toBe(24 + Math.ceil(picture.length / 16) * 16);
  // the hex dump on screen shows the same header, and the table names each field
  const [dump] = results(0, 'encrypt-file', 'hexdump');
  expect(Buffer.from(dump!.bytes.subarray(0, 24))).toEqual(enc.subarray(0, 24));
  expect(dump!.totalBytes).toBe(enc.length);
  const [table] = results(0, 'encrypt-file', 'table');
  expect(table!.rows).toEqual([
    ['0-7', 'original length, <Q', `${picture.length} bytes`],
    ['8-23', 'IV', enc.subarray(8, 24).toString('hex')],
    [`24-${enc.length - 1}`, 'ciphertext', `${enc.length - 24} bytes`],
  ]);
});

test('the object carries the encrypted data key, base64, in its metadata "Key" (returned as key), and the test decodes the file with it', () => {
  expect(calls(0, 'upload-file', 'PutObject')[0]!.outcome.ok).toBe(true);
  const { Metadata, ContentLength } = shownJson(0, 'upload-file') as { Metadata: Record<string, string>; ContentLength: number };
  expect(Object.keys(Metadata)).toEqual(['key']);
  expect(Buffer.from(Metadata.key!, 'base64')).toEqual(before.get('padlock.jpg.key'));
  expect(ContentLength).toBe(before.get('padlock.jpg.enc')!.length);
  expect(decodedByTest?.length).toBe(BigInt(before.get('padlock.jpg')!.length));
  expect(decodedByTest?.picture).toEqual(before.get('padlock.jpg'));
});

test('download, the key from the metadata, decrypt, compare: padlock.jpg.enc.jpg is padlock.jpg byte for byte', () => {
  expect(calls(0, 'download-and-decrypt', 'GetObject')).toHaveLength(1);
  expect(calls(0, 'download-and-decrypt', 'Decrypt')[0]!.outcome.ok).toBe(true);
  expect(before.get('padlock.jpg.enc.jpg')).toEqual(before.get('padlock.jpg'));
  expect(results(0, 'download-and-decrypt', 'check')).toEqual([
    expect.objectContaining({ label: 'padlock.jpg.enc.jpg is padlock.jpg, byte for byte', ok: true }),
  ]);
  const [sizes] = results(0, 'download-and-decrypt', 'table');
  const n = before.get('padlock.jpg')!.length;
  expect(sizes!.rows.map((r) => Number(r[1]))).toEqual([n, Math.ceil(n / 16) * 16, n]);
});

test('beside SSE-KMS: S3 hands out the ciphertext and calls KMS for no one', () => {
  const o = outcome(0, 'compare-with-sse-kms');
  expect(o.calls.filter((c) => c.service === 'kms')).toEqual([]);
  expect(Buffer.from(results(0, 'compare-with-sse-kms', 'hexdump')[0]!.bytes)).toEqual(before.get('padlock.jpg.enc')!.subarray(0, 32));
  expect(results(0, 'compare-with-sse-kms', 'check')[0]!.ok).toBe(true);
});

test('the clean-up removes the object, the bucket and the files, and disables the key (kept locally), with a disabled key billed as an enabled one', () => {
  const o = outcome(0, 'clean-up');
  expect(calls(0, 'clean-up', 'DeleteObject')).toHaveLength(1);
  expect(calls(0, 'clean-up', 'DeleteBucket')[0]!.outcome.ok).toBe(true);
  expect(calls(0, 'clean-up', 'DisableKey')[0]!.outcome.ok).toBe(true);
  expect(calls(0, 'clean-up', 'ScheduleKeyDeletion')).toEqual([]);
  expect(shownJson(0, 'clean-up')).toMatchObject({ KeyState: 'Disabled' });
  const [costs] = results(0, 'clean-up', 'table');
  expect(costs!.rows).toContainEqual(['Disabled', '$1 a month, prorated hourly: it still exists']);
  expect(o.status).toBe('passed');
});

test('a step run after the clean-up, not from the start, meets the disabled key and is told to run the lesson from step 1', () => {
  expect(afterCleanUp.status).toBe('failed');
  if (afterCleanUp.status !== 'failed') return;
  expect(afterCleanUp.error).toMatchObject({ afterCleanUp: true, code: 'DisabledException' });
  expect(afterCleanUp.error.message).toMatch(/Run the lesson again from its start \(step 1\)/);
});

test('the second run finds the disabled key by its alias: DisabledException first, then EnableKey, and the same key is re-used', async () => {
  expect(results(1, 'find-or-create-key', 'expectedError')).toEqual([
    expect.objectContaining({ code: 'DisabledException', operation: 'GenerateDataKey' }),
  ]);
  expect(calls(1, 'find-or-create-key', 'EnableKey')[0]!.outcome.ok).toBe(true);
  expect(calls(1, 'find-or-create-key', 'CreateKey')).toEqual([]);
  expect(shownJson(1, 'find-or-create-key')).toMatchObject({ KeyId: shownJson(0, 'find-or-create-key').KeyId, KeyState: 'Enabled' });
  // and the second clean-up leaves it disabled again, for a third run
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/kms-workshop-developer-demo' }));
  expect(KeyMetadata!.KeyState).toBe('Disabled');
});

test('on --target aws the plan knows what the lesson creates: 1 key, 1 alias, 1 bucket with 1 object', () => {
  expect(planLessons([lesson])[0]).toMatchObject({ keys: 1, aliases: 1, buckets: 1, objects: 1 });
});

test('padlock.jpg is what scripts/make-demo-jpeg.mjs makes, byte for byte: the project drew it', () => {
  const out = join(home, 'made.jpg');
  execFileSync(process.execPath, [join(import.meta.dirname, '..', '..', 'scripts', 'make-demo-jpeg.mjs'), out]);
  expect(readFileSync(out)).toEqual(readFileSync(join(lesson.dir, 'assets', 'padlock.jpg')));
});
