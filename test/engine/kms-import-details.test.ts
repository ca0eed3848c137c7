// Imported key material in detail (mutation survivors of kms/import.ts and wrapping.ts): each
// refusal's message, the 24-hour token and 365-day ValidTo bounds to the millisecond, HMAC and RSA
// material sizes, DeleteImportedKeyMaterial's answers, re-import with a KeyMaterialId and a
// description, and import tokens the engine did not issue (opened directly: forging one needs the
// engine's root key, which no client has).
import {
  CreateKeyCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, ListKeyRotationsCommand,
  type CreateKeyCommandInput, type ImportKeyMaterialCommandInput,
} from '@aws-sdk/client-kms';
import { constants, createCipheriv, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fixedClock } from '../../src/engine/clock.js';
import { openImportToken, sealImportToken } from '../../src/engine/kms/wrapping.js';
import { openStore } from '../../src/engine/store.js';
import { awsManagedS3Key, startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const T = Date.parse('2026-04-01T00:00:00Z');

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine({ clock: fixedClock(new Date(T)) });
});
afterAll(async () => e.stop());

/** RSAES_OAEP_SHA_256, or RSA_AES_KEY_WRAP_SHA_256 with the AES key given, as the AWS docs' openssl commands wrap. */
function wrap(publicKeyDer: Uint8Array, material: Buffer, aesKey?: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaep = (data: Buffer) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, data);
  if (!aesKey) return oaep(material);
  const cipher = createCipheriv(`id-aes${aesKey.length * 8}-wrap-pad`, aesKey, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
}

const externalKey = async (input: CreateKeyCommandInput = {}) => (await e.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', ...input }))).KeyMetadata!;
const params = (KeyId: string, WrappingAlgorithm: 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256' = 'RSAES_OAEP_SHA_256') =>
  e.kms.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm, WrappingKeySpec: 'RSA_2048' }));
async function importMaterial(KeyId: string, material: Buffer, extra: Partial<ImportKeyMaterialCommandInput> = {}) {
  const p = await params(KeyId);
  return e.kms.send(new ImportKeyMaterialCommand({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrap(p.PublicKey!, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra }));
}
const now = () => e.clock.now().getTime();

describe('ImportKeyMaterial refusals say what is wrong', () => {
  test('a token for another key, or not issued by the engine', async () => {
    const [a, b] = [await externalKey(), await externalKey()];
    const p = await params(a.KeyId!);
    const EncryptedKeyMaterial = wrap(p.PublicKey!, randomBytes(32));
    const other = await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: b.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidImportTokenException');
    expect(other.message).toBe(`The import token was issued for another KMS key, not for ${b.Arn}.`);
    const forged = await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: a.KeyId, ImportToken: randomBytes(64), EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidImportTokenException');
    expect(forged.message).toBe('The import token is not valid: use the ImportToken from the same GetParametersForImport response as the public key.');
  });

  test('ExpirationModel and ValidTo: in the past or now, past 365 days, or given with DOES_NOT_EXPIRE', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    const refusal = async (extra: Partial<ImportKeyMaterialCommandInput>) => (await expectAwsError(importMaterial(key.KeyId!, material, extra), 'ValidationException')).message;
    expect(await refusal({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(now()) })).toBe('ValidTo must be a date and time in the future.');
    expect(await refusal({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(now() + 365 * DAY_MS + 1000) })).toBe('ValidTo must be at most 365 days from now.');
    expect(await refusal({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ValidTo: new Date(now() + DAY_MS) })).toBe(
      'The parameter ValidTo cannot be specified for a key with an expiration model of KEY_MATERIAL_DOES_NOT_EXPIRE',
    );
    const soon = new Date(now() + 1000);
    await importMaterial(key.KeyId!, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: soon });
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({ KeyState: 'Enabled', ValidTo: soon });
  });

  test('ImportType, KeyMaterialId and KeyMaterialDescription: only for symmetric keys, and no KeyMaterialId with NEW_KEY_MATERIAL', async () => {
    const hmac = await externalKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    for (const extra of [{ ImportType: 'NEW_KEY_MATERIAL' }, { KeyMaterialDescription: 'x' }, { KeyMaterialId: 'a'.repeat(64) }] as const) {
      const err = await expectAwsError(importMaterial(hmac.KeyId!, randomBytes(32), extra), 'UnsupportedOperationException');
      expect(err.message).toBe(`ImportType, KeyMaterialDescription and KeyMaterialId can be used only with symmetric encryption KMS keys, not with ${hmac.Arn} (HMAC_256).`);
    }
    const key = await externalKey();
    const err = await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: 'a'.repeat(64) }), 'ValidationException');
    expect(err.message).toBe('You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.');
    // The first import of a key is NEW_KEY_MATERIAL whatever it is called without ImportType: a KeyMaterialId there is refused too.
    await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { KeyMaterialId: 'a'.repeat(64) }), 'ValidationException');
  });

  test('new material while other new material waits for rotation; existing material that is not the key\'s', async () => {
    const key = await externalKey();
    const first = randomBytes(32);
    await importMaterial(key.KeyId!, first);
    await importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
    const waiting = await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' }), 'KMSInvalidStateException');
    expect(waiting.message).toBe(`${key.Arn} already has key material in the PENDING_ROTATION state: rotate to it (RotateKeyOnDemand) or delete it (DeleteImportedKeyMaterial) first.`);
    const again = await expectAwsError(importMaterial(key.KeyId!, first, { ImportType: 'NEW_KEY_MATERIAL' }), 'IncorrectKeyMaterialException');
    expect(again.message).toBe(`The key material is already associated with ${key.Arn}: ImportType NEW_KEY_MATERIAL needs key material the key has never had.`);
    const wrong = await expectAwsError(importMaterial(key.KeyId!, randomBytes(32)), 'IncorrectKeyMaterialException');
    expect(wrong.message).toBe(`The key material is not the key material previously imported into ${key.Arn}. To use other key material, import it with ImportType NEW_KEY_MATERIAL or create a new KMS key.`);
    const hmac = await externalKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await importMaterial(hmac.KeyId!, randomBytes(32));
    const hmacWrong = await expectAwsError(importMaterial(hmac.KeyId!, randomBytes(32)), 'IncorrectKeyMaterialException');
    expect(hmacWrong.message).toContain('import it with ImportType NEW_KEY_MATERIAL (symmetric encryption keys only) or create');
  });
});

test('an import token is good for exactly 24 hours on the engine clock', async () => {
  const local = await startTestEngine({ clock: fixedClock(new Date(T)) });
  try {
    const make = async () => (await local.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    const [a, b] = [await make(), await make()];
    const pa = await local.kms.send(new GetParametersForImportCommand({ KeyId: a.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const pb = await local.kms.send(new GetParametersForImportCommand({ KeyId: b.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    expect(pa.ParametersValidTo!.getTime()).toBe(T + DAY_MS);
    local.clock.advance(24 * 3600);
    const go = (KeyId: string, p: typeof pa) =>
      local.kms.send(new ImportKeyMaterialCommand({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrap(p.PublicKey!, randomBytes(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    await go(a.KeyId!, pa); // at ParametersValidTo: still valid
    local.clock.advance(0.001);
    const err = await expectAwsError(go(b.KeyId!, pb), 'ExpiredImportTokenException');
    expect(err.message).toBe(`The import token expired on ${new Date(T + DAY_MS).toISOString()}. Call GetParametersForImport for a new import token and public key.`);
  } finally {
    await local.stop();
  }
});

describe('material that fits the key spec', () => {
  test('HMAC_256 takes 32 to 64 bytes', async () => {
    for (const [length, fits] of [[31, false], [32, true], [64, true], [65, false]] as const) {
      const key = await externalKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
      const call = importMaterial(key.KeyId!, randomBytes(length));
      if (fits) await call;
      else expect((await expectAwsError(call, 'IncorrectKeyMaterialException')).message).toBe(`The key material does not fit ${key.Arn} (HMAC_256): it must be 32 to 64 bytes, not ${length}.`);
    }
  });

  test('an RSA_2048 key takes a 2048-bit RSA private key only', async () => {
    const key = await externalKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const pkcs8 = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) => k.export({ format: 'der', type: 'pkcs8' }) as Buffer;
    const p = await params(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256'); // a private key is longer than one RSA block
    const go = async (material: Buffer) => {
      const fresh = await params(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256');
      return e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: fresh.ImportToken, EncryptedKeyMaterial: wrap(fresh.PublicKey!, material, randomBytes(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    };
    expect(p.PublicKey).toBeDefined();
    const rsa3072 = await expectAwsError(go(pkcs8(generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey)), 'IncorrectKeyMaterialException');
    expect(rsa3072.message).toBe(`The key material does not fit ${key.Arn} (RSA_2048): it must be an RSA private key of 2048 bits.`);
    await expectAwsError(go(pkcs8(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey)), 'IncorrectKeyMaterialException');
    await go(pkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey));
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
  });

  test('RSA_AES_KEY_WRAP: an AES key with no wrapped material after it does not unwrap', async () => {
    const key = await externalKey();
    const p = await params(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256');
    const onlyTheAesKey = wrap(p.PublicKey!, randomBytes(32));
    await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: onlyTheAesKey, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidCiphertextException');
  });
});

describe('re-import and deletion', () => {
  test('EXISTING_KEY_MATERIAL with its KeyMaterialId is taken, with another refused; a description stays until a new one is given', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    const first = await importMaterial(key.KeyId!, material, { KeyMaterialDescription: 'from the HSM' });
    const id = first.KeyMaterialId!;
    const wrongId = await expectAwsError(importMaterial(key.KeyId!, material, { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: 'f'.repeat(64) }), 'IncorrectKeyMaterialException');
    expect(wrongId.message).toContain(key.Arn!);
    expect((await importMaterial(key.KeyId!, material, { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: id })).KeyMaterialId).toBe(id);
    const description = async () => (await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations![0]!.KeyMaterialDescription;
    expect(await description()).toBe('from the HSM');
    await importMaterial(key.KeyId!, material, { KeyMaterialDescription: 'renamed' });
    expect(await description()).toBe('renamed');
  });

  test('DeleteImportedKeyMaterial names the material it deleted, answers a key that never had any with its id only, and an unknown KeyMaterialId with NotFoundException', async () => {
    const never = await externalKey();
    const none = await e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: never.KeyId }));
    expect(none.KeyId).toBe(never.Arn);
    expect(none.KeyMaterialId).toBeUndefined();
    const key = await externalKey();
    const { KeyMaterialId } = await importMaterial(key.KeyId!, randomBytes(32));
    const unknown = await expectAwsError(e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId: 'b'.repeat(64) })), 'NotFoundException');
    expect(unknown.message).toBe(`Key material ${'b'.repeat(64)} is not associated with ${key.Arn}.`);
    const deleted = await e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId }));
    expect(deleted).toMatchObject({ KeyId: key.Arn, KeyMaterialId });
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('PendingImport');
  });
});

test('an import token the engine did not seal, or sealed with a field of the wrong kind, does not open', () => {
  const store = openStore(null);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const good = { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', validTo: T, algorithm: 'RSAES_OAEP_SHA_256', spec: 'RSA_2048', privateKey } as const;
  expect(openImportToken(store, sealImportToken(store, good))).toMatchObject({ keyArn: good.keyArn, validTo: T, algorithm: 'RSAES_OAEP_SHA_256', spec: 'RSA_2048' });
  const body = JSON.parse(store.unwrap(sealImportToken(store, good)).toString()) as Record<string, unknown>;
  const sealed = (over: Record<string, unknown>) => store.wrap(Buffer.from(JSON.stringify({ ...body, ...over })));
  expect(openImportToken(store, sealed({})).keyArn).toBe(good.keyArn);
  for (const over of [{ v: 2 }, { k: 7 }, { t: String(T) }, { p: 1 }, { a: 'RSAES_PKCS1_V1_5' }, { s: 'SM2' }, { s: 3 }]) {
    expect(() => openImportToken(store, sealed(over)), JSON.stringify(over)).toThrow(expect.objectContaining({ code: 'InvalidImportTokenException' }));
  }
  expect(() => openImportToken(store, store.wrap(Buffer.from('not json')))).toThrow(expect.objectContaining({ code: 'InvalidImportTokenException' }));
  expect(() => openImportToken(openStore(null), sealImportToken(store, good))).toThrow(expect.objectContaining({ code: 'InvalidImportTokenException' }));
});

describe('an AWS managed key', () => {
  test('refuses the import operations: GetParametersForImport (its key policy allows kms:Get*) by naming it, the others by its key policy', async () => {
    const managed = await awsManagedS3Key(e, 'import-managed');
    const get = await expectAwsError(params(managed.KeyId!), 'AccessDeniedException');
    expect(get.message).toBe(`You cannot perform GetParametersForImport on an AWS managed key (${managed.Arn}).`);
    const others = {
      ImportKeyMaterial: () =>
        e.kms.send(new ImportKeyMaterialCommand({ KeyId: managed.KeyId, ImportToken: randomBytes(64), EncryptedKeyMaterial: randomBytes(256), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })),
      DeleteImportedKeyMaterial: () => e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: managed.KeyId })),
    };
    for (const [operation, call] of Object.entries(others)) {
      const err = await expectAwsError(call(), 'AccessDeniedException');
      expect(err.message).toBe(`User: arn:aws:iam::111122223333:user/workshop-learner is not authorized to perform: kms:${operation} on resource: ${managed.Arn} because no resource-based policy allows the kms:${operation} action`);
    }
  });
});
