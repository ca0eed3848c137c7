// The steps lessons 1 and 3 gained from the seeds, played headless with their
// lessons against a fresh local engine: seed 004's command-line trap (the
// base64 that `--output text` prints, sent through fileb:// as it is) and
// seed 002's EBS volume, which cannot run without EC2, shown through the KMS
// calls EBS makes. The trap is also played with the real AWS CLI, to check
// that the step does what the CLI does.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { checkLessonStandards } from '../../src/lessons/standards.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';
import { awsCliEnv } from '../helpers/cli.js';

const DIRECT = 'direct-encryption';
const SSE = 'sse-s3';
let home: string;
let session: RuntimeSession;
const lessons = new Map<string, Lesson>();
const played = new Map<string, Map<string, StepOutcome>>();
/** Lesson 1's workspace files just before its clean-up. */
const before = new Map<string, Buffer>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lessons-1-3-'));
  session = await openSession({ home, freshEngine: true });
  for (const id of [DIRECT, SSE]) {
    const lesson = loadLessons().lessons.find((l) => l.id === id)!;
    lessons.set(id, lesson);
    const outcomes = new Map<string, StepOutcome>();
    for (const step of lesson.steps) {
      if (id === DIRECT && step.id === 'clean-up')
        for (const f of ['NewSecretFile.txt', 'NewSecretFile.base64', 'NewSecretFile.bin'])
          if (existsSync(join(session.workspace(lesson), f))) before.set(f, readFileSync(join(session.workspace(lesson), f)));
      outcomes.set(step.id, await session.runStep(lesson, step));
    }
    played.set(id, outcomes);
  }
}, 60_000);
afterAll(async () => {
  await session?.close();
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
const calls = (o: StepOutcome, operation: string): ApiCall[] => o.calls.filter((c) => c.operation === operation);
const stepIds = (id: string) => lessons.get(id)!.steps.map((s) => s.id);

test('both lessons still meet the standards and every step passes', () => {
  for (const id of [DIRECT, SSE]) {
    expect(checkLessonStandards(lessons.get(id)!)).toEqual([]);
    const failed = [...played.get(id)!.values()].filter((o) => o.status !== 'passed').map((o) => o.stepId);
    expect(failed).toEqual([]);
  }
});

describe("lesson 1: seed 004's --output text and fileb:// trap", () => {
  test('comes after decrypting with the context and before the AWS CLI exercise, which it prepares', () => {
    const ids = stepIds(DIRECT);
    expect(ids.indexOf('base64-trap')).toBe(ids.indexOf('decrypt-with-context') + 1);
    expect(ids.indexOf('cli-encrypt-decrypt')).toBe(ids.indexOf('base64-trap') + 1);
    expect(lessons.get(DIRECT)!.steps.find((s) => s.id === 'base64-trap')!.predict).toBeDefined();
  });

  test('the saved file is the base64 text of the ciphertext and a newline, as --output text prints it', () => {
    const text = before.get('NewSecretFile.base64')!.toString('latin1');
    expect(text).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    expect(Buffer.from(text, 'base64')).toEqual(before.get('NewSecretFile.bin'));
    const [dump] = results(outcome(DIRECT, 'base64-trap'), 'hexdump');
    expect(dump).toMatchObject({ path: 'NewSecretFile.base64', totalBytes: text.length });
  });

  test('its bytes sent as the ciphertext, with the right context, fail with InvalidCiphertextException; decoded first, they decrypt to the secret', () => {
    const o = outcome(DIRECT, 'base64-trap');
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'InvalidCiphertextException', operation: 'Decrypt' })]);
    const [refused, decrypted] = calls(o, 'Decrypt');
    // the context was right: what was wrong was the bytes
    expect(refused).toMatchObject({ encryptionContext: { project: 'kmsworkshop' }, outcome: { ok: false, code: 'InvalidCiphertextException' } });
    expect(decrypted).toMatchObject({ encryptionContext: { project: 'kmsworkshop' }, outcome: { ok: true } });
    expect(results(o, 'check')).toEqual([expect.objectContaining({ ok: true })]);
  });

  test.runIf(spawnSync('aws', ['--version']).status === 0)('the real AWS CLI does the same: fileb:// of the saved base64 fails, base64 --decode first works', async () => {
    const work = mkdtempSync(join(tmpdir(), 'kms-workshop-cli-trap-'));
    // not spawnSync: the engine answers from this very process
    const aws = (...args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
        execFile('aws', ['--endpoint-url', session.endpoint!, ...args], { env: awsCliEnv(home), cwd: work }, (e, stdout, stderr) =>
          resolve({ status: e ? Number(e.code ?? 1) : 0, stdout, stderr }),
        ),
      );
    try {
      writeFileSync(join(work, 'secret.txt'), 'New secret text\n');
      const key = await aws('kms', 'create-key', '--query', 'KeyMetadata.KeyId', '--output', 'text');
      expect(key.status, key.stderr).toBe(0);
      const encrypted = await aws('kms', 'encrypt', '--key-id', key.stdout.trim(), '--plaintext', 'fileb://secret.txt', '--output', 'text', '--query', 'CiphertextBlob');
      expect(encrypted.status, encrypted.stderr).toBe(0);
      writeFileSync(join(work, 'secret.base64'), encrypted.stdout);
      const refused = await aws('kms', 'decrypt', '--ciphertext-blob', 'fileb://secret.base64');
      expect(refused.status).not.toBe(0);
      expect(refused.stderr).toContain('InvalidCiphertextException');
      writeFileSync(join(work, 'secret.bin'), Buffer.from(encrypted.stdout, 'base64'));
      const decrypted = await aws('kms', 'decrypt', '--ciphertext-blob', 'fileb://secret.bin', '--output', 'text', '--query', 'Plaintext');
      expect(decrypted.status, decrypted.stderr).toBe(0);
      expect(Buffer.from(decrypted.stdout.trim(), 'base64').toString()).toBe('New secret text\n');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("lesson 3: seed 002's EBS volume, through the calls EBS makes", () => {
  test('comes just before the clean-up', () => {
    const ids = stepIds(SSE);
    expect(ids.indexOf('ebs-envelope')).toBe(ids.indexOf('clean-up') - 1);
  });

  test('GenerateDataKeyWithoutPlaintext with aws:ebs:id = a volume id answers no plaintext; a grant constrained to that volume; Decrypt with the same context; the grant revoked', () => {
    const o = outcome(SSE, 'ebs-envelope');
    const [generated] = calls(o, 'GenerateDataKeyWithoutPlaintext');
    expect(generated).toMatchObject({ alias: 'alias/kms_key_sse_usecase_1', outcome: { ok: true } });
    const volume = generated!.encryptionContext?.['aws:ebs:id'];
    expect(volume).toMatch(/^vol-[0-9a-f]{17}$/);
    const [shown] = results(o, 'json');
    expect(shown!.value).toHaveProperty('CiphertextBlob');
    expect(shown!.value).not.toHaveProperty('Plaintext');
    expect(calls(o, 'CreateGrant')[0]!.outcome.ok).toBe(true);
    expect(calls(o, 'Decrypt')[0]).toMatchObject({ encryptionContext: { 'aws:ebs:id': volume }, outcome: { ok: true } });
    expect(calls(o, 'RevokeGrant')[0]!.outcome.ok).toBe(true);
    expect(results(o, 'check').map((c) => c.ok)).toEqual([true, true]);
    const [counter] = results(o, 'counter');
    expect(counter!.counts.map((c) => [c.operation, c.count])).toEqual([
      ['GenerateDataKeyWithoutPlaintext', 1],
      ['CreateGrant', 1],
      ['Decrypt', 1],
      ['RevokeGrant', 1],
    ]);
  });

  test('the clean-up still removes everything, the volume\'s data key file included', () => {
    const o = outcome(SSE, 'clean-up');
    expect(calls(o, 'ScheduleKeyDeletion')[0]!.outcome.ok).toBe(true);
    expect(() => readFileSync(join(session.workspace(lessons.get(SSE)!), 'volume-datakey.bin'))).toThrow(/ENOENT/);
  });
});
