// Lessons 5 (a key's life) and 6 (your own key material), played headless
// through the runtime against a fresh local engine, with their outcomes
// asserted: the states a key goes through, the errors each state gives, the
// openssl-wrapped import, the expiry, and what clean-up leaves.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DescribeKeyCommand, KMS } from '@aws-sdk/client-kms';
import { spawnSync } from 'node:child_process';
import { loadLessons } from '../../src/lessons/loader.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../src/runtime/local-target.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';

const LIFECYCLE = 'key-lifecycle';
const IMPORTED = 'imported-key-material';
const { lessons } = loadLessons();
const lessonById = (id: string): Lesson => {
  const found = lessons.find((l) => l.id === id);
  if (!found) throw new Error(`no lesson ${id}`);
  return found;
};

let home: string;
let session: RuntimeSession;
const played = new Map<string, Map<string, StepOutcome>>();

async function play(s: RuntimeSession, lesson: Lesson): Promise<Map<string, StepOutcome>> {
  const outcomes = new Map<string, StepOutcome>();
  for (const step of lesson.steps) outcomes.set(step.id, await s.runStep(lesson, step));
  return outcomes;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lessons-5-6-'));
  session = await openSession({ home, freshEngine: true });
  for (const id of [LIFECYCLE, IMPORTED]) played.set(id, await play(session, lessonById(id)));
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
function calls(o: StepOutcome, operation: string, caller = 'you'): ApiCall[] {
  return o.calls.filter((c) => c.operation === operation && c.caller === caller);
}
const json = (o: StepOutcome, i = 0) => results(o, 'json')[i]!.value as Record<string, unknown>;
const file = (id: string, name: string) => join(session.workspace(lessonById(id)), name);
const failures = (id: string) =>
  [...played.get(id)!.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : ''}`);

describe("lesson 5: a key's life", () => {
  test('every step passes', () => {
    expect(played.get(LIFECYCLE)!.size).toBe(lessonById(LIFECYCLE).steps.length);
    expect(failures(LIFECYCLE)).toEqual([]);
  });

  test('create-key with no parameters: a symmetric, enabled, KMS-made, customer managed key, read field by field', () => {
    const o = outcome(LIFECYCLE, 'create-key');
    expect(calls(o, 'CreateKey')).toHaveLength(1);
    const rows = Object.fromEntries(results(o, 'table')[0]!.rows.map((r) => [r[0], r[1]]));
    expect(rows).toMatchObject({ KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS', KeyManager: 'CUSTOMER' });
    expect(rows.Arn).toBe(`arn:aws:kms:us-east-1:${rows.Arn!.split(':')[4]}:key/${rows.KeyId}`);
  });

  test('Encrypt by alias answers with the key ARN; the tags are on the key', () => {
    const o = outcome(LIFECYCLE, 'name-tag-and-use');
    expect(calls(o, 'Encrypt')[0]).toMatchObject({ alias: 'alias/kms-workshop-lifecycle', outcome: { ok: true } });
    expect(json(o)).toEqual({ alias: 'alias/kms-workshop-lifecycle', KeyId: expect.stringMatching(/^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]{36}$/) });
    expect(results(o, 'table')[0]!.rows).toEqual([['project', 'kms-workshop'], ['lesson', 'key-lifecycle']]);
  });

  test('the upload without a key id uses the AWS managed key aws/s3, which refuses DisableKey', () => {
    const o = outcome(LIFECYCLE, 'aws-managed-key');
    const [byS3] = calls(o, 'GenerateDataKey', 's3.amazonaws.com');
    const table = results(o, 'table')[0]!;
    expect(table.rows.find((r) => r[0] === 'KeyManager')).toEqual(['KeyManager', 'CUSTOMER', 'AWS']);
    expect(table.rows.find((r) => r[0] === 'protects the object')).toEqual(['protects the object', 'no', 'yes']);
    expect(calls(o, 'DisableKey')[0]!.keyId).toBe(byS3!.keyId!.split('/')[1]);
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'AccessDeniedException', operation: 'DisableKey' })]);
  });

  test('a disabled key refuses Encrypt and Decrypt with DisabledException', () => {
    const o = outcome(LIFECYCLE, 'disable-key');
    expect(json(o)).toEqual({ KeyState: 'Disabled', Enabled: false });
    expect(results(o, 'expectedError')).toEqual([
      expect.objectContaining({ code: 'DisabledException', operation: 'Encrypt' }),
      expect.objectContaining({ code: 'DisabledException', operation: 'Decrypt' }),
    ]);
  });

  test("the demo's advice is caught: the disabled key is still listed, Disabled, and the pricing says so", () => {
    const o = outcome(LIFECYCLE, 'what-a-disabled-key-costs');
    expect(results(o, 'check').map((c) => c.ok)).toEqual([true, true]);
    const costs = Object.fromEntries(results(o, 'table')[0]!.rows);
    expect(costs.Disabled).toMatch(/^\$1 a month, prorated hourly/);
    expect(costs.PendingDeletion).toBe('nothing during the waiting period');
    const predict = lessonById(LIFECYCLE).steps.find((s) => s.id === 'what-a-disabled-key-costs')!.predict!;
    expect(predict.choices[predict.answer]).toMatch(/\$1 a month, prorated hourly/);
  });

  test('enabled again, the first ciphertext decrypts; pending deletion, it is KMSInvalidStateException, 7 days out', () => {
    expect(readFileSync(file(LIFECYCLE, 'secret.encrypted')).length).toBeGreaterThan(30);
    expect(calls(outcome(LIFECYCLE, 'enable-key'), 'Decrypt')[0]!.outcome).toEqual({ ok: true });
    const o = outcome(LIFECYCLE, 'schedule-deletion');
    const { KeyState, DeletionDate } = json(o);
    expect(KeyState).toBe('PendingDeletion');
    const days = (Date.parse(String(DeletionDate)) - Date.parse(calls(o, 'ScheduleKeyDeletion')[0]!.time)) / 86_400_000;
    expect(days).toBeCloseTo(7, 1);
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'KMSInvalidStateException', operation: 'Decrypt' })]);
  });

  test('CancelKeyDeletion brings the key back Disabled, the answer the question gives', () => {
    const o = outcome(LIFECYCLE, 'cancel-deletion');
    expect(json(o)).toEqual({ KeyState: 'Disabled', DeletionDate: '(none)' });
    expect(o.calls.map((c) => c.operation)).toEqual(['CancelKeyDeletion', 'DescribeKey', 'EnableKey', 'Decrypt']);
    expect(results(o, 'check')[0]!.ok).toBe(true);
    const predict = lessonById(LIFECYCLE).steps.find((s) => s.id === 'cancel-deletion')!.predict!;
    expect(predict.choices[predict.answer]).toBe('Disabled');
  });

  test('clean-up removes the object, the bucket and the alias and schedules the key for deletion', () => {
    const o = outcome(LIFECYCLE, 'clean-up');
    expect(o.calls.map((c) => [c.operation, c.outcome.ok])).toEqual([
      ['DeleteObject', true],
      ['DeleteBucket', true],
      ['DeleteAlias', true],
      ['ScheduleKeyDeletion', true],
    ]);
    expect(json(o).KeyState).toBe('PendingDeletion');
    expect(existsSync(file(LIFECYCLE, 'bucket-name.txt'))).toBe(false);
  });
});

describe('lesson 6: your own key material', () => {
  test('every step passes', () => {
    expect(played.get(IMPORTED)!.size).toBe(lessonById(IMPORTED).steps.length);
    expect(failures(IMPORTED)).toEqual([]);
  });

  test('a key with origin EXTERNAL starts PendingImport and disabled', () => {
    expect(json(outcome(IMPORTED, 'create-external-key'))).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
  });

  test.runIf(spawnSync('openssl', ['version']).status === 0)('with openssl installed, openssl made and wrapped the material: 32 bytes in, one RSA-2048 block out', () => {
    const o = outcome(IMPORTED, 'generate-and-wrap');
    expect(results(o, 'text')[0]!.text).toMatch(/^Ran openssl rand and openssl rsautl -oaep/);
    expect(results(o, 'hexdump')[0]!.totalBytes).toBe(256);
  });

  test('the wrapped material imports: the key is Enabled, with ValidTo 12 hours before the token expires', () => {
    const o = outcome(IMPORTED, 'import-with-expiry');
    expect(calls(o, 'ImportKeyMaterial')[0]!.outcome).toEqual({ ok: true });
    const shown = json(o);
    expect(shown).toMatchObject({ KeyState: 'Enabled', Enabled: true, ExpirationModel: 'KEY_MATERIAL_EXPIRES' });
    const tokenValidTo = Date.parse(String(json(outcome(IMPORTED, 'get-parameters-for-import')).ParametersValidTo));
    expect(Date.parse(String(shown.ValidTo))).toBe(tokenValidTo - 12 * 3600_000);
  });

  test('past ValidTo the key is PendingImport and the secret does not decrypt', () => {
    const o = outcome(IMPORTED, 'past-valid-to');
    expect(results(o, 'text')[0]!.text).toMatch(/^The local engine's clock moved forward 0\.5 days/);
    const shown = json(o);
    expect(shown.KeyState).toBe('PendingImport');
    expect(Date.parse(String(shown.now))).toBeGreaterThan(Date.parse(String(shown.ValidTo)));
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'KMSInvalidStateException', operation: 'Decrypt' })]);
  });

  test('other material is refused, the same material imports again and the secret decrypts', () => {
    const o = outcome(IMPORTED, 'import-again');
    expect(calls(o, 'ImportKeyMaterial').map((c) => c.outcome.ok)).toEqual([false, true]);
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'IncorrectKeyMaterialException' })]);
    expect(readFileSync(file(IMPORTED, 'secret.encrypted')).length).toBeGreaterThan(30);
    expect(results(o, 'file')[0]).toMatchObject({ path: 'secret.decrypted.txt', bytes: 'Sample Secret Text to Encrypt\n'.length });
  });

  test('no automatic rotation; after update-alias, Encrypt uses the new key and the old secret decrypts with the old one', () => {
    const o = outcome(IMPORTED, 'rotate-by-alias');
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'UnsupportedOperationException', operation: 'EnableKeyRotation' })]);
    const rows = Object.fromEntries(results(o, 'table')[0]!.rows);
    const oldKey = rows['the old key']!;
    const newKey = rows['the new key']!;
    expect(oldKey).not.toBe(newKey);
    expect(rows['Encrypt by alias used']).toMatch(new RegExp(`:key/${newKey}$`));
    expect(rows["Decrypt of step 4's secret used"]).toMatch(new RegExp(`:key/${oldKey}$`));
    expect(calls(o, 'UpdateAlias')[0]).toMatchObject({ alias: 'alias/ImportedCMK', outcome: { ok: true } });
  });

  test('without its material the old key is PendingImport and refuses the secret', () => {
    const o = outcome(IMPORTED, 'delete-imported-material');
    expect(json(o)).toEqual({ KeyState: 'PendingImport', Enabled: false });
    expect(results(o, 'expectedError')).toEqual([expect.objectContaining({ code: 'KMSInvalidStateException', operation: 'Decrypt' })]);
  });

  test('clean-up schedules both keys for deletion and removes the copies of the material', () => {
    const o = outcome(IMPORTED, 'clean-up');
    const scheduled = results(o, 'json')[0]!.value as Array<{ KeyState: string }>;
    expect(scheduled.map((k) => k.KeyState)).toEqual(['PendingDeletion', 'PendingDeletion']);
    for (const name of ['genkey.bin', 'genkey-2.bin']) expect(existsSync(file(IMPORTED, name))).toBe(false);
  });
});

test('both lessons run again from their start on the same engine (aliases and bucket reused or made anew)', async () => {
  for (const id of [LIFECYCLE, IMPORTED]) {
    const again = await play(session, lessonById(id));
    expect([...again.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : ''}`), id).toEqual([]);
  }
}, 60_000);

test('without openssl, node:crypto wraps the material the same way and the whole lesson passes', async () => {
  const noOpenssl = mkdtempSync(join(tmpdir(), 'kms-workshop-no-openssl-'));
  const s = await openSession({ home: noOpenssl, freshEngine: true });
  const path = process.env.PATH;
  process.env.PATH = join(noOpenssl, 'empty'); // no openssl to be found
  try {
    const outcomes = await play(s, lessonById(IMPORTED));
    process.env.PATH = path;
    expect([...outcomes.values()].filter((o) => o.status !== 'passed').map((o) => o.stepId)).toEqual([]);
    const wrap = outcomes.get('generate-and-wrap')!;
    expect(results(wrap, 'text')[0]!.text).toBe('openssl is not installed: node:crypto did the same.');
    expect(results(wrap, 'hexdump')[0]!.totalBytes).toBe(256);
    expect(json(outcomes.get('import-with-expiry')!).KeyState).toBe('Enabled');
  } finally {
    process.env.PATH = path;
    await s.close();
    rmSync(noOpenssl, { recursive: true, force: true });
  }
}, 60_000);

test('on AWS, where time cannot be moved, the expiry step says when to come back and does not fail', async () => {
  const aws = mkdtempSync(join(tmpdir(), 'kms-workshop-expiry-aws-'));
  const s = await openSession({ home: aws, freshEngine: true });
  const lesson = lessonById(IMPORTED);
  try {
    // Up to the import, then the expiry step with a context whose target cannot move time.
    for (const step of lesson.steps.slice(0, 4)) expect((await s.runStep(lesson, step)).status).toBe('passed');
    const { createStepContext } = await import('../../src/runtime/context.js');
    const { pastValidTo } = await import('../../lessons/06-imported-key-material/steps.js');
    const shown: StepResult[] = [];
    const endpoint = /local engine at (http:\/\/\S+)/.exec(s.targetLabel)![1];
    const kms = new KMS({ region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      const ctx = createStepContext({
        kms, s3: undefined as never, cloudtrail: undefined as never, names: undefined as never, show: { text: (text: string) => (shown.push({ kind: 'text', text }), shown.at(-1)) } as never,
        kmsWithRetries: undefined as never, region: 'us-east-1', target: 'aws', workspace: s.workspace(lesson), calls: [],
        emit: (r) => shown.push(r), progress: () => {}, waitForCloudTrail: async () => ({ seconds: 0, fastForwarded: false }),
      });
      await pastValidTo(ctx);
      const validTo = (await kms.send(new DescribeKeyCommand({ KeyId: readFileSync(join(s.workspace(lesson), 'key-id.txt'), 'utf8') }))).KeyMetadata!;
      expect(validTo.KeyState).toBe('Enabled'); // nothing expired: time did not move
      expect(shown.map((r) => (r.kind === 'text' ? r.text : r.kind))).toEqual([
        expect.stringMatching(/^On AWS time cannot be moved forward: nothing was changed/),
        `On AWS the material expires at ${validTo.ValidTo!.toISOString()}: run this step again after that to see it.`,
      ]);
    } finally {
      kms.destroy();
    }
  } finally {
    await s.close();
    rmSync(aws, { recursive: true, force: true });
  }
}, 60_000);

test("lessons 5 and 6 page through ListKeys by hand: the SDK's paginators check the client's class, which a step compiled on the fly (its own copy of the SDK) does not share with the CLI's bundle", () => {
  for (const id of [LIFECYCLE, IMPORTED]) for (const step of lessonById(id).steps) expect(step.source, `${id}/${step.id}`).not.toMatch(/\bpaginate[A-Z]\w*\(/);
  expect(lessonById(LIFECYCLE).steps.find((s) => s.id === 'list-keys-and-aliases')!.source).toMatch(/Marker = page\.Truncated \? page\.NextMarker : undefined;/);
});
