// Lessons 7 (rotation and re-encryption) and 8 (asymmetric keys and HMAC),
// played headless through the runtime against a fresh local engine, with
// their outcomes asserted: the rotations listed, the old ciphertext opening
// under the same KeyId, ReEncrypt without plaintext, openssl and KMS agreeing
// both ways, the refused signature and MAC. Lesson 8 is also played with no
// openssl on the PATH, where node:crypto does the same work.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DescribeKeyCommand, KMS, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { reset } from '../../src/commands/reset.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { checkLessonStandards } from '../../src/lessons/standards.js';
import { startLocalTarget } from '../../src/runtime/local-target.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';

const ROTATION = 'rotation-and-reencryption';
const ASYMMETRIC = 'asymmetric-and-hmac';
const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;

let home: string;
let session: RuntimeSession;
const { lessons } = loadLessons();
const lessonById = (id: string): Lesson => {
  const found = lessons.find((l) => l.id === id);
  if (!found) throw new Error(`no lesson ${id}`);
  return found;
};
const played = new Map<string, Map<string, StepOutcome>>();

async function play(s: RuntimeSession, lesson: Lesson): Promise<Map<string, StepOutcome>> {
  const outcomes = new Map<string, StepOutcome>();
  for (const step of lesson.steps) outcomes.set(step.id, await s.runStep(lesson, step));
  return outcomes;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lessons-7-8-'));
  session = await openSession({ home, freshEngine: true });
  for (const id of [ROTATION, ASYMMETRIC]) played.set(id, await play(session, lessonById(id)));
}, 60_000);
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
const calls = (o: StepOutcome, operation: string): ApiCall[] => o.calls.filter((c) => c.operation === operation);
const operations = (o: StepOutcome) => o.calls.map((c) => c.operation);
const file = (lessonId: string, name: string) => readFileSync(join(session.workspace(lessonById(lessonId)), name));
const failures = (id: string) =>
  [...played.get(id)!.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : ''}`);

test('lessons 7 and 8 load, meet the standards (76 columns, no outcome given away), end with clean-up, and every step passes', () => {
  for (const id of [ROTATION, ASYMMETRIC]) {
    const lesson = lessonById(id);
    expect(checkLessonStandards(lesson)).toEqual([]);
    expect(lesson.steps.at(-1)!.id).toBe('clean-up');
    expect(failures(id)).toEqual([]);
    expect(played.get(id)!.size).toBe(lesson.steps.length);
  }
});

describe('lesson 7: rotation and re-encryption', () => {
  const L = ROTATION;

  test('a rotation period of 30 days is refused with ValidationException, 90 is accepted and the next rotation is 90 days on', () => {
    const o = outcome(L, 'enable-rotation');
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'ValidationException', operation: 'EnableKeyRotation' })]);
    expect(results(o, 'expectedError')[0]!.message).toMatch(/greater than or equal to 90/);
    const status = results(o, 'json')[0]!.value as { KeyRotationEnabled: boolean; RotationPeriodInDays: number; NextRotationDate: string };
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    const enabledAt = calls(o, 'EnableKeyRotation').at(-1)!.time;
    const days = (Date.parse(status.NextRotationDate) - Date.parse(enabledAt)) / 86_400_000;
    expect(days).toBeCloseTo(90, 3);
  });

  test('91 days fast-forwarded: the clock jump is said, and ListKeyRotations lists exactly one AUTOMATIC rotation, the current material', () => {
    const o = outcome(L, 'fast-forward-a-period');
    expect(results(o, 'text')[0]!.text).toMatch(/^The local engine's clock moved forward 91 days at once/);
    const [table] = results(o, 'table');
    expect(table!.rows).toHaveLength(1);
    expect(table!.rows[0]!.slice(1, 2).concat(table!.rows[0]![3]!)).toEqual(['AUTOMATIC', 'CURRENT']);
    expect(results(o, 'check')).toEqual([expect.objectContaining({ ok: true })]);
  });

  test('RotateKeyOnDemand: every material listed, the first, the automatic and the on-demand one, only the last CURRENT', () => {
    const o = outcome(L, 'rotate-on-demand');
    expect(calls(o, 'RotateKeyOnDemand')).toHaveLength(1);
    const rows = results(o, 'table')[0]!.rows;
    expect(rows.map((r) => [r[1], r[3]])).toEqual([
      ['(the first)', 'NON_CURRENT'],
      ['AUTOMATIC', 'NON_CURRENT'],
      ['ON_DEMAND', 'CURRENT'],
    ]);
    expect(new Set(rows.map((r) => r[0])).size).toBe(3);
  });

  test('the ciphertext from before both rotations decrypts, Decrypt naming the same key ARN, and the key now encrypts with other material', () => {
    const created = results(outcome(L, 'create-key-and-encrypt'), 'json')[0]!.value as { Arn: string; CurrentKeyMaterialId: string };
    const o = outcome(L, 'old-ciphertext-decrypts');
    const [decrypt] = calls(o, 'Decrypt');
    expect(decrypt!.outcome.ok).toBe(true);
    const rows = Object.fromEntries(results(o, 'table')[0]!.rows.map((r) => [r[0], r[1]]));
    expect(rows['Decrypt answered for KeyId']).toBe(created.Arn);
    expect(rows['the key ARN now']).toBe(created.Arn);
    expect(rows['its current key material']).toMatch(/^[0-9a-f]{64}$/);
    expect(rows['its current key material']).not.toBe(created.CurrentKeyMaterialId);
    expect(results(o, 'diff')[0]).toMatchObject({ before: 'secret.txt', after: 'decrypted.txt', identical: true });
    expect(file(L, 'after-rotation.bin').equals(file(L, 'before-rotation.bin'))).toBe(false);
  });

  test('ReEncrypt moves the old ciphertext to the archive key in one call: no Decrypt or Encrypt, no plaintext in the answer, the new context bound', async () => {
    const o = outcome(L, 're-encrypt');
    expect(operations(o)).toEqual(['CreateKey', 'CreateAlias', 'ReEncrypt']);
    const shown = results(o, 'json')[0]!.value as Record<string, string>;
    expect(Object.keys(shown)).not.toContain('Plaintext');
    expect(shown.SourceKeyId).not.toBe(shown.KeyId);
    expect(shown.CiphertextBlob).toBe(file(L, 'archived.bin').toString('base64'));
  });

  test('GenerateDataKeyWithoutPlaintext returns no plaintext; the later job decrypts the data key with its context and encrypts with it', () => {
    const o = outcome(L, 'data-key-for-later');
    expect(operations(o)).toEqual(['GenerateDataKeyWithoutPlaintext', 'Decrypt']);
    expect(calls(o, 'Decrypt')[0]!.encryptionContext).toEqual({ job: 'nightly-export' });
    expect(Object.keys(results(o, 'json')[0]!.value as object)).not.toContain('Plaintext');
    expect(file(L, 'export.enc')).toHaveLength(12 + 16 + 'Sample Secret Text to Encrypt\n'.length);
    expect(results(o, 'check').map((c) => c.ok)).toEqual([true, true]);
  });

  test('clean-up deletes both aliases and schedules both keys for deletion', () => {
    const o = outcome(L, 'clean-up');
    expect(calls(o, 'DeleteAlias')).toHaveLength(2);
    expect(calls(o, 'ScheduleKeyDeletion')).toHaveLength(2);
    expect(results(o, 'table')[0]!.rows.map((r) => r[2])).toEqual(['PendingDeletion', 'PendingDeletion']);
  });
});

describe('lesson 8: asymmetric keys and HMAC', () => {
  const L = ASYMMETRIC;

  test('GetPublicKey gives the RSA public key (DER, and the same key as PEM) and its two OAEP algorithms', () => {
    const o = outcome(L, 'create-rsa-key');
    expect(results(o, 'json')[0]!.value).toMatchObject({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] });
    expect(file(L, 'rsa-public.pem').toString()).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(file(L, 'rsa-public.der').toString('base64')).toBe((results(o, 'json')[0]!.value as { PublicKey: string }).PublicKey);
  });

  test.runIf(HAS_OPENSSL)('real openssl encrypts with the public key and no AWS call; KMS decrypts it with RSAES_OAEP_SHA_256', () => {
    const enc = outcome(L, 'encrypt-outside-aws');
    expect(enc.calls).toEqual([]);
    expect(results(enc, 'text')[0]!.text).toBe(
      'ran: openssl pkeyutl -encrypt -pubin -inkey rsa-public.pem -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in secret.txt -out secret.enc',
    );
    expect(file(L, 'secret.enc')).toHaveLength(256);
    const dec = outcome(L, 'decrypt-with-kms');
    expect(results(dec, 'json')[0]!.value).toMatchObject({ EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(results(dec, 'diff')[0]).toMatchObject({ identical: true, lines: [{ kind: 'same', text: 'The launch code is 0000' }] });
  });

  test('signed RAW and as a DIGEST: two different ECDSA signatures in DER', () => {
    const rows = results(outcome(L, 'sign-release'), 'table')[0]!.rows;
    expect(rows.map((r) => r[0])).toEqual(['RAW', 'DIGEST']);
    expect(file(L, 'release.sig').equals(file(L, 'release-digest.sig'))).toBe(false);
    for (const sig of ['release.sig', 'release-digest.sig']) expect(file(L, sig)[0]).toBe(0x30); // a DER SEQUENCE
  });

  test.runIf(HAS_OPENSSL)('KMS verifies the RAW signature and openssl dgst -verify accepts both with the downloaded public key', () => {
    const o = outcome(L, 'verify-signatures');
    expect(results(o, 'check').map((c) => [c.label, c.ok])).toEqual([
      ['KMS: the RAW signature is valid', true],
      ['openssl dgst -verify: release.sig verifies with the public key', true],
      ['openssl dgst -verify: release-digest.sig verifies with the public key', true],
    ]);
    // The step's verdict is openssl's own: the same command, run here, says so.
    const again = execFileSync('openssl', ['dgst', '-sha256', '-verify', 'signing-public.pem', '-signature', 'release-digest.sig', 'release.txt'], {
      cwd: session.workspace(lessonById(L)),
      encoding: 'utf8',
    });
    expect(again.trim()).toBe('Verified OK');
  });

  test('the tampered release: openssl says Verification failure, and KMS refuses it with KMSInvalidSignatureException, shown as expected', () => {
    const o = outcome(L, 'tampered-message');
    expect(file(L, 'release-tampered.txt').toString()).toBe('release 6.6.6 of our app\n');
    if (HAS_OPENSSL) expect(results(o, 'text')[0]!.text).toBe('openssl dgst -verify: Verification failure (exit 1)');
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'KMSInvalidSignatureException', operation: 'Verify' })]);
    expect(calls(o, 'Verify')[0]!.outcome).toMatchObject({ ok: false, code: 'KMSInvalidSignatureException' });
  });

  test('GenerateDataKeyPair: one KMS call for 100 local signatures; the private key is masked on screen and only its encrypted copy is kept', () => {
    const o = outcome(L, 'data-key-pair');
    expect(operations(o)).toEqual(['CreateKey', 'CreateAlias', 'GenerateDataKeyPair']);
    const shown = results(o, 'json')[0]!.value as Record<string, string>;
    expect(shown.PrivateKeyPlaintext).toMatch(/^[A-Za-z0-9+/=]{2}\*\*\.\.\.\*\*[A-Za-z0-9+/=]{3}$/);
    expect(shown.KeyPairSpec).toBe('ECC_NIST_P256');
    expect(results(o, 'check')).toEqual([expect.objectContaining({ label: '100 signatures, all valid, made locally', ok: true })]);
  });

  test('an HMAC token: GenerateMac, then VerifyMac says MacValid; the token is payload.mac in base64url', () => {
    const o = outcome(L, 'hmac-token');
    expect(operations(o)).toEqual(['CreateKey', 'CreateAlias', 'GenerateMac', 'VerifyMac']);
    expect(results(o, 'json')[0]!.value).toEqual({ payload: { sub: 'learner', role: 'reader' }, MacValid: true });
    const [body, mac] = file(L, 'token.txt').toString().split('.');
    expect(Buffer.from(body!, 'base64url').toString()).toBe('{"sub":"learner","role":"reader"}');
    expect(Buffer.from(mac!, 'base64url')).toHaveLength(32);
  });

  test('the forged admin token is refused by VerifyMac with KMSInvalidMacException, shown as expected', () => {
    const o = outcome(L, 'forged-token');
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'KMSInvalidMacException', operation: 'VerifyMac' })]);
  });

  test('clean-up schedules the four keys (RSA, ECC, symmetric, HMAC) for deletion', () => {
    const rows = results(outcome(L, 'clean-up'), 'table')[0]!.rows;
    expect(rows.map((r) => [r[1], r[2]])).toEqual([
      ['RSA_2048', 'PendingDeletion'],
      ['ECC_NIST_P256', 'PendingDeletion'],
      ['SYMMETRIC_DEFAULT', 'PendingDeletion'],
      ['HMAC_256', 'PendingDeletion'],
    ]);
  });
});

test('without openssl on the PATH, lesson 8 does the same with node:crypto, says so, and every step passes', async () => {
  const bare = mkdtempSync(join(tmpdir(), 'kms-workshop-lessons-no-openssl-'));
  const s = await openSession({ home: bare, freshEngine: true });
  const path = process.env.PATH;
  process.env.PATH = bare; // a folder with no openssl in it
  try {
    const outcomes = await play(s, lessonById(ASYMMETRIC));
    const failed = [...outcomes.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : ''}`);
    expect(failed).toEqual([]);
    const texts = (id: string) => results(outcomes.get(id)!, 'text').map((r) => r.text);
    expect(texts('encrypt-outside-aws')).toEqual(['openssl is not installed: node:crypto encrypted instead']);
    expect(results(outcomes.get('verify-signatures')!, 'check').map((c) => c.label)).toEqual([
      'KMS: the RAW signature is valid',
      'node:crypto: release.sig verifies with the public key',
      'node:crypto: release-digest.sig verifies with the public key',
    ]);
    expect(texts('tampered-message')).toEqual(['node:crypto verify: false']);
    expect(results(outcomes.get('decrypt-with-kms')!, 'diff')[0]!.identical).toBe(true);
  } finally {
    process.env.PATH = path;
    await s.close();
    rmSync(bare, { recursive: true, force: true });
  }
}, 60_000);

test('reset after a run stopped half-way (lesson 7 after step 1, lesson 8 after step 4) deletes every alias made and schedules every key made', async () => {
  const stopped = mkdtempSync(join(tmpdir(), 'kms-workshop-lessons-reset-'));
  try {
    for (const [id, upTo, keys] of [[ROTATION, 1, 1], [ASYMMETRIC, 4, 2]] as const) {
      const lesson = lessonById(id);
      const s = await openSession({ home: stopped });
      for (const step of lesson.steps.slice(0, upTo)) expect((await s.runStep(lesson, step)).status).toBe('passed');
      await s.close();
      const said: string[] = [];
      expect(await reset({ home: stopped, lesson: id, out: { write: (t: string) => said.push(t) } as never })).toBe(0);
      expect(said.join('')).toMatch(/engine: ran the lesson's clean-up/);
      // What is left in the engine, seen through a client of its own
      const target = await startLocalTarget({ home: stopped });
      const kms = new KMS(target.clientSettings);
      try {
        const { Aliases } = await kms.send(new ListAliasesCommand({}));
        expect(Aliases!.filter((a) => a.AliasName!.startsWith('alias/kms-workshop'))).toEqual([]);
        const { Keys } = await kms.send(new ListKeysCommand({}));
        const states = await Promise.all(Keys!.map(async (k) => (await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!.KeyState));
        expect(states.filter((st) => st !== 'PendingDeletion')).toEqual([]);
        expect(states.length).toBeGreaterThanOrEqual(keys);
      } finally {
        kms.destroy();
        await target.close();
      }
    }
  } finally {
    rmSync(stopped, { recursive: true, force: true });
  }
}, 60_000);
