// Every lesson, played headless through the runtime against a fresh local
// engine, with its real outcomes asserted: the expected errors, the identical
// round trips, who called KMS and how often, what CloudTrail shows.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { assetsRoot } from '../../src/package-paths.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';

let home: string;
let session: RuntimeSession;
const { lessons, problems } = loadLessons();
/** lesson id -> step id -> outcome, filled by playing each lesson once. */
const played = new Map<string, Map<string, StepOutcome>>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lessons-'));
  session = await openSession({ home, freshEngine: true });
  for (const lesson of lessons) {
    const outcomes = new Map<string, StepOutcome>();
    for (const step of lesson.steps) outcomes.set(step.id, await session.runStep(lesson, step));
    played.set(lesson.id, outcomes);
  }
}, 120_000); // lesson 11's retried bursts wait real seconds
afterAll(async () => {
  await session.close();
  rmSync(home, { recursive: true, force: true });
});

function outcome(lessonId: string, stepId: string): StepOutcome {
  const o = played.get(lessonId)?.get(stepId);
  if (!o) throw new Error(`no step ${lessonId}/${stepId}`);
  return o;
}
function results<K extends StepResult['kind']>(o: StepOutcome, kind: K): Extract<StepResult, { kind: K }>[] {
  return o.results.filter((r): r is Extract<StepResult, { kind: K }> => r.kind === kind);
}
function calls(o: StepOutcome, operation: string, caller = 'you'): ApiCall[] {
  return o.calls.filter((c) => c.operation === operation && c.caller === caller);
}
function lessonById(id: string): Lesson {
  return lessons.find((l) => l.id === id)!;
}
const workspace = (id: string) => session.workspace(lessonById(id));
const file = (id: string, name: string) => readFileSync(join(workspace(id), name));
const sample = readFileSync(join(assetsRoot(), 'plaintext_u.txt'));

test('the lessons load in order, and every step of every lesson passes', () => {
  expect(problems).toEqual([]);
  // Lessons are being added (9-12) in parallel: these keep their folder order, others may come between
  const known = [
    'direct-encryption', 'envelope-encryption', 'sse-s3', 'cse-data-key-caching',
    'key-lifecycle', 'imported-key-material', 'rotation-and-reencryption', 'asymmetric-and-hmac',
    'quotas-and-backoff',
  ];
  expect(lessons.map((l) => l.id).filter((id) => known.includes(id))).toEqual(known);
  const failed = [...played.entries()].flatMap(([lesson, steps]) =>
    [...steps.values()].filter((o) => o.status !== 'passed').map((o) => `${lesson}/${o.stepId}: ${o.status === 'failed' ? o.error.message : ''}`),
  );
  expect(failed).toEqual([]);
  expect([...played.values()].map((s) => s.size)).toEqual(lessons.map((l) => l.steps.length));
});

describe('lesson 1: direct encryption', () => {
  const L = 'direct-encryption';
  test('Encrypt sends the context project=kmsworkshop and the ciphertext file holds none of the text', () => {
    const o = outcome(L, 'encrypt-secret');
    expect(calls(o, 'Encrypt')).toHaveLength(1);
    expect(calls(o, 'Encrypt')[0]).toMatchObject({ alias: 'alias/kms-workshop-direct', encryptionContext: { project: 'kmsworkshop' }, outcome: { ok: true } });
    expect(file(L, 'NewSecretFile.txt').toString()).toBe('New secret text\n');
    expect(file(L, 'NewSecretsEncryptedFile.txt').includes('secret')).toBe(false);
    expect(results(o, 'hexdump')[0]!.totalBytes).toBe(file(L, 'NewSecretsEncryptedFile.txt').length);
  });

  test('Decrypt without the context fails with InvalidCiphertextException, shown as an expected error', () => {
    const o = outcome(L, 'decrypt-without-context');
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'InvalidCiphertextException', operation: 'Decrypt' })]);
    expect(calls(o, 'Decrypt')[0]!.outcome).toMatchObject({ ok: false, code: 'InvalidCiphertextException' });
    expect(calls(o, 'Decrypt')[0]!.encryptionContext).toBeUndefined();
  });

  test('with the context it succeeds and the decrypted file is identical', () => {
    const o = outcome(L, 'decrypt-with-context');
    expect(calls(o, 'Decrypt')[0]).toMatchObject({ encryptionContext: { project: 'kmsworkshop' }, outcome: { ok: true } });
    expect(results(o, 'diff')[0]).toMatchObject({ identical: true, before: 'NewSecretFile.txt', after: 'NewSecretsDecryptedFile.txt' });
    expect(file(L, 'NewSecretsDecryptedFile.txt').equals(file(L, 'NewSecretFile.txt'))).toBe(true);
  });

  test('5 KB is refused with the 4096-byte ValidationException', () => {
    const o = outcome(L, 'too-big-to-encrypt');
    expect(file(L, 'BigSecretFile.txt')).toHaveLength(5120);
    const [error] = results(o, 'expectedError');
    expect(error).toMatchObject({ code: 'ValidationException', operation: 'Encrypt' });
    expect(error!.message).toMatch(/less than or equal to 4096/);
  });

  test('GenerateRandom returns 32 bytes; clean-up schedules the key for deletion', () => {
    expect(results(outcome(L, 'generate-random'), 'hexdump')[0]!.bytes).toHaveLength(32);
    const clean = outcome(L, 'clean-up');
    expect(calls(clean, 'ScheduleKeyDeletion')).toHaveLength(1);
    expect(results(clean, 'json')[0]!.value).toMatchObject({ KeyState: 'PendingDeletion' });
  });
});

describe('lesson 2: envelope encryption', () => {
  const L = 'envelope-encryption';
  test('GenerateDataKey with project=workshop; the plaintext key is masked and the file is not readable', () => {
    const o = outcome(L, 'encrypt-with-data-key');
    expect(calls(o, 'GenerateDataKey')[0]).toMatchObject({ encryptionContext: { project: 'workshop' }, alias: 'alias/kms-workshop-envelope' });
    const shown = results(o, 'json')[0]!.value as Record<string, string>;
    expect(shown.Plaintext).toMatch(/^[A-Za-z0-9+/=]{2}\*\*\.\.\.\*\*[A-Za-z0-9+/=]{3}$/);
    expect(shown.CiphertextBlob).toBe(file(L, 'datakeyEncrypted.txt').toString('base64'));
    expect(file(L, 'encryptedSecret.txt').includes('Sample Secret')).toBe(false);
    expect(file(L, 'encryptedSecret.txt')).toHaveLength(12 + 16 + 'Sample Secret Text to Encrypt\n'.length);
  });

  test('the OpenSSL -k trap: the file opens with the command text alone, and no KMS call was made', () => {
    const o = outcome(L, 'openssl-trap');
    expect(o.calls).toEqual([]);
    expect(results(o, 'check')).toEqual([expect.objectContaining({ ok: true })]);
    expect(file(L, 'encryptedSecret-openssl-k.txt').subarray(0, 8).toString()).toBe('Salted__');
  });

  test.runIf(spawnSync('openssl', ['version']).status === 0)('real OpenSSL decrypts the trap file with the workshop command, no data key involved', () => {
    const out = execFileSync('openssl', ['enc', '-d', '-aes256', '-in', 'encryptedSecret-openssl-k.txt', '-k', 'fileb://datakeyPlainText.txt'], { cwd: workspace(L), stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out.toString()).toBe('Sample Secret Text to Encrypt\n');
  });

  test('the data key does not decrypt without its context, does with it, and the file round-trips', () => {
    expect(results(outcome(L, 'decrypt-key-without-context'), 'expectedError')[0]).toMatchObject({ code: 'InvalidCiphertextException' });
    const o = outcome(L, 'decrypt-key-and-file');
    expect(calls(o, 'Decrypt')[0]).toMatchObject({ encryptionContext: { project: 'workshop' }, outcome: { ok: true } });
    expect(results(o, 'diff')[0]!.identical).toBe(true);
    expect(file(L, 'decryptedSecret.txt').toString()).toBe('Sample Secret Text to Encrypt\n');
  });
});

describe('lesson 3: SSE-KMS with S3', () => {
  const L = 'sse-s3';
  test('the upload makes S3 call GenerateDataKey on your behalf, with the object ARN as context', () => {
    const o = outcome(L, 'upload-with-sse-kms');
    expect(calls(o, 'PutObject')).toHaveLength(1);
    expect(calls(o, 'GenerateDataKey')).toHaveLength(0);
    const [byS3] = calls(o, 'GenerateDataKey', 's3.amazonaws.com');
    expect(byS3).toMatchObject({ service: 'kms', encryptionContext: { 'aws:s3:arn': expect.stringMatching(/^arn:aws:s3:::reinvent-builder-\d+\/encrypted_e.txt$/) } });
    expect(byS3!.seq).toBeLessThan(calls(o, 'PutObject')[0]!.seq);
    expect(results(o, 'counter')[0]!.counts).toContainEqual({ operation: 'GenerateDataKey', caller: 's3.amazonaws.com', count: 1 });
  });

  test('head-object shows aws:kms and the key ARN', () => {
    const o = outcome(L, 'head-object');
    const head = results(o, 'json')[0]!.value as Record<string, string>;
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/);
    expect(results(o, 'check').every((c) => c.ok)).toBe(true);
  });

  test('the download: S3 calls Decrypt on your behalf, and plaintext_u_cycled.txt was identical', () => {
    const o = outcome(L, 'get-object');
    expect(calls(o, 'Decrypt', 's3.amazonaws.com')).toHaveLength(1);
    expect(results(o, 'diff')[0]).toMatchObject({ before: 'plaintext_u.txt', after: 'plaintext_u_cycled.txt', identical: true });
  });

  test('CloudTrail lists the GenerateDataKey and the Decrypt invoked by s3.amazonaws.com, after the wait', () => {
    const o = outcome(L, 'cloudtrail-events');
    expect(results(o, 'wait')[0]).toMatchObject({ fastForwarded: true, seconds: 120 });
    const rows = results(o, 'table')[0]!.rows;
    // Two uploads by then (the lesson's and its exercise's, solved by run): a data key each.
    expect(rows.filter((r) => r[2] === 's3.amazonaws.com').map((r) => r[1]).sort()).toEqual(['Decrypt', 'GenerateDataKey', 'GenerateDataKey']);
  });

  test('clean-up deletes the object, the bucket, the alias and the files it wrote', () => {
    const o = outcome(L, 'clean-up');
    // The lesson's object and the exercise's.
    expect(o.calls.map((c) => c.operation)).toEqual(['DeleteObject', 'DeleteObject', 'DeleteBucket', 'DescribeKey', 'DeleteAlias', 'ScheduleKeyDeletion']);
    expect(o.calls.every((c) => c.outcome.ok)).toBe(true);
    expect(existsSync(join(workspace(L), 'plaintext_u_cycled.txt'))).toBe(false);
  });
});

describe('lesson 4: client-side encryption with data key caching', () => {
  const L = 'cse-data-key-caching';
  test('two encryptions through the cache make exactly one GenerateDataKey', () => {
    const o = outcome(L, 'encrypt-twice-cached');
    expect(calls(o, 'GenerateDataKey')).toHaveLength(1);
    expect(results(o, 'counter')[0]!.counts).toEqual([{ operation: 'GenerateDataKey', caller: 'you', count: 1 }]);
  });

  test('both files decrypt with one Decrypt and are identical to plaintext_u.txt', () => {
    const o = outcome(L, 'decrypt-both');
    expect(calls(o, 'Decrypt')).toHaveLength(1);
    expect(results(o, 'diff').map((d) => [d.after, d.identical])).toEqual([
      ['plaintext_u_cycled_1.txt', true],
      ['plaintext_u_cycled_2.txt', true],
    ]);
  });

  test('after the fast-forwarded wait, CloudTrail shows exactly one GenerateDataKey for the cached run', () => {
    const o = outcome(L, 'cloudtrail-count');
    expect(results(o, 'wait')[0]).toMatchObject({ fastForwarded: true });
    expect(results(o, 'table')[0]!.rows).toHaveLength(1);
    expect(results(o, 'table')[0]!.rows[0]![1]).toBe('GenerateDataKey');
    expect(lessonById(L).steps.find((s) => s.id === 'cloudtrail-count')!.question!.prompt).toMatch(/wait 2 minutes/);
  });

  test('without the cache the same two encryptions make two GenerateDataKey calls', () => {
    const o = outcome(L, 'without-cache');
    expect(calls(o, 'GenerateDataKey')).toHaveLength(2);
    expect(calls(o, 'GenerateDataKey').every((c) => c.encryptionContext?.cache === 'off')).toBe(true);
    expect(results(o, 'check').map((c) => c.ok)).toEqual([true, true]);
  });

  test('clean-up removes what the lesson wrote and keeps the sample', () => {
    expect(outcome(L, 'clean-up').status).toBe('passed');
    for (const name of ['encrypted_e_1.txt', 'encrypted_e_2.txt', 'plaintext_u_cycled_1.txt', 'plaintext_u_cycled_2.txt']) expect(existsSync(join(workspace(L), name))).toBe(false);
    expect(file(L, 'plaintext_u.txt').equals(sample)).toBe(true);
  });
});

test('a lesson run again on the same engine after an interrupted run reuses the alias it left behind', async () => {
  const again = mkdtempSync(join(tmpdir(), 'kms-workshop-lessons-again-'));
  const s = await openSession({ home: again });
  try {
    const lesson = lessonById('direct-encryption');
    const first = await s.runStep(lesson, lesson.steps[0]!); // stopped here: no clean-up
    const second = await s.runStep(lesson, lesson.steps[0]!);
    expect([first.status, second.status]).toEqual(['passed', 'passed']);
    expect(second.calls.map((c) => [c.operation, c.outcome.ok])).toEqual([
      ['CreateKey', true],
      ['CreateAlias', false],
      ['UpdateAlias', true],
    ]);
    for (const step of lesson.steps.slice(1)) expect((await s.runStep(lesson, step)).status).toBe('passed');
  } finally {
    await s.close();
    rmSync(again, { recursive: true, force: true });
  }
});
