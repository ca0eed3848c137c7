// Key rotation in detail (mutation survivors of kms/rotation.ts): enabling rotation again keeps
// or restarts the schedule, GetKeyRotationStatus's members, the 20-minute conflict window to the
// second, refusals with their messages (a key pending import, an imported key with nothing to
// rotate to), and ListKeyRotations' entries for imported material.
import {
  CreateKeyCommand, DisableKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, GetParametersForImportCommand,
  ImportKeyMaterialCommand, ListKeyRotationsCommand, RotateKeyOnDemandCommand, type ImportKeyMaterialCommandInput,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fixedClock } from '../../src/engine/clock.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const DAY = 24 * 60 * 60;
const T = Date.parse('2026-02-01T00:00:00Z');

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine({ clock: fixedClock(new Date(T)) });
});
afterAll(async () => e.stop());

const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const status = (KeyId: string) => e.kms.send(new GetKeyRotationStatusCommand({ KeyId }));
const now = () => e.clock.now().getTime();

async function importMaterial(KeyId: string, material: Buffer, extra: Partial<ImportKeyMaterialCommandInput> = {}) {
  const p = await e.kms.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
  const key = createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
  const EncryptedKeyMaterial = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return e.kms.send(new ImportKeyMaterialCommand({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra }));
}

test('GetKeyRotationStatus: the key id, and the period and next date only while rotation is on', async () => {
  const key = await newKey();
  const off = await status(key.Arn!);
  expect(off.KeyRotationEnabled).toBe(false);
  expect(off.KeyId).toBe(key.KeyId);
  expect(off.RotationPeriodInDays).toBeUndefined();
  expect(off.NextRotationDate).toBeUndefined();
  await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 100 }));
  const on = await status(key.KeyId!);
  expect(on).toMatchObject({ KeyRotationEnabled: true, KeyId: key.KeyId, RotationPeriodInDays: 100 });
  expect(on.NextRotationDate!.getTime()).toBe(now() + 100 * DAY * 1000);
});

test('enabling rotation again with the same period keeps the schedule; another period starts a new one from now', async () => {
  const key = await newKey();
  const enabledAt = now();
  await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
  e.clock.advance(10 * DAY);
  await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
  expect((await status(key.KeyId!)).NextRotationDate!.getTime()).toBe(enabledAt + 90 * DAY * 1000);
  await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
  expect(await status(key.KeyId!)).toMatchObject({ RotationPeriodInDays: 365, NextRotationDate: new Date(now() + 365 * DAY * 1000) });
});

test('RotateKeyOnDemand is refused within 20 minutes of an automatic rotation, and allowed at exactly 20 minutes', async () => {
  const local = await startTestEngine({ clock: fixedClock(new Date(T)) });
  try {
    const make = async () => (await local.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const [a, b] = [await make(), await make()];
    for (const k of [a, b]) await local.kms.send(new EnableKeyRotationCommand({ KeyId: k.KeyId, RotationPeriodInDays: 90 }));
    local.clock.advance(90 * DAY - 20 * 60);
    await local.kms.send(new RotateKeyOnDemandCommand({ KeyId: a.KeyId }));
    local.clock.advance(1);
    const err = await expectAwsError(local.kms.send(new RotateKeyOnDemandCommand({ KeyId: b.KeyId })), 'ConflictException');
    expect(err.message).toBe(`An automatic rotation of ${b.Arn} is in progress or scheduled to begin within the next 20 minutes.`);
  } finally {
    await local.stop();
  }
});

test('a key pending import cannot be rotated on demand; an imported key with no new material waiting has nothing to rotate to', async () => {
  const pending = await newKey({ Origin: 'EXTERNAL' });
  const err = await expectAwsError(e.kms.send(new RotateKeyOnDemandCommand({ KeyId: pending.KeyId })), 'KMSInvalidStateException');
  expect(err.message).toBe(`${pending.Arn} is pending import.`);
  await importMaterial(pending.KeyId!, randomBytes(32));
  const nothing = await expectAwsError(e.kms.send(new RotateKeyOnDemandCommand({ KeyId: pending.KeyId })), 'UnsupportedOperationException');
  expect(nothing.message).toBe(`${pending.Arn} has no key material in the PENDING_ROTATION state. Import new key material (ImportType NEW_KEY_MATERIAL) before rotating it.`);
});

test('DisableKeyRotation on a disabled key is DisabledException', async () => {
  const key = await newKey();
  await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
  await e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  const err = await expectAwsError(e.kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })), 'DisabledException');
  expect(err.message).toBe(`${key.Arn} is disabled.`);
});

test('ListKeyRotations of an imported key: import state, expiration, description, the material waiting for rotation, and rotations only by default', async () => {
  const key = await newKey({ Origin: 'EXTERNAL' });
  const validTo = new Date(now() + 30 * DAY * 1000);
  const first = await importMaterial(key.KeyId!, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo, KeyMaterialDescription: 'first' });
  const next = await importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
  const all = async () => (await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
  expect(await all()).toEqual([
    { KeyId: key.KeyId, KeyMaterialId: first.KeyMaterialId, KeyMaterialDescription: 'first', ImportState: 'IMPORTED', KeyMaterialState: 'CURRENT', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo },
    { KeyId: key.KeyId, KeyMaterialId: next.KeyMaterialId, ImportState: 'IMPORTED', KeyMaterialState: 'PENDING_ROTATION', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  ]);
  expect((await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations).toEqual([]);
  const rotatedAt = new Date(now());
  await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
  const after = await all();
  expect(after.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'CURRENT']);
  expect(after[1]).toMatchObject({ RotationType: 'ON_DEMAND', RotationDate: rotatedAt });
  expect(after[0]!.RotationType).toBeUndefined();
  expect((await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!.map((r) => r.KeyMaterialId)).toEqual([next.KeyMaterialId]);
});

test('ListKeyRotations of a key whose material KMS made shows no ImportState', async () => {
  const key = await newKey();
  await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
  const all = (await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
  expect(all).toHaveLength(2);
  for (const r of all) expect(r).not.toHaveProperty('ImportState');
});
