// Imported key material as AWS documents it: a key created with Origin EXTERNAL waits in
// PendingImport; GetParametersForImport gives a wrapping public key and an import token, valid
// 24 hours on the engine clock, for every wrapping algorithm and key spec AWS accepts;
// ImportKeyMaterial takes the material wrapped the way the AWS docs' openssl commands wrap it;
// expiry and DeleteImportedKeyMaterial send the key back to PendingImport until the same
// material comes again; new material waits for RotateKeyOnDemand; every failure has AWS's error.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateKeyCommand, DecryptCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, EnableKeyCommand, EncryptCommand, GenerateMacCommand,
  GetParametersForImportCommand, GetPublicKeyCommand, ImportKeyMaterialCommand, ListKeyRotationsCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand, SignCommand, type AlgorithmSpec, type KeyMetadata, type WrappingKeySpec,
} from '@aws-sdk/client-kms';
import { constants, createCipheriv, createHmac, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, verify } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const DAY = 24 * 60 * 60;

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

/** Wraps key material as the AWS docs' openssl commands do for each wrapping algorithm. */
function wrap(publicKeyDer: Uint8Array, algorithm: string, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaep = (data: Buffer) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256' }, data);
  if (algorithm.startsWith('RSAES_OAEP')) return oaep(material);
  const aesKey = randomBytes(32); // RSA_AES_KEY_WRAP: the material under an AES key (RFC 5649), the AES key under the RSA key
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
}

const externalKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}, te = e) =>
  (await te.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', ...input }))).KeyMetadata!;
const params = (KeyId: string, WrappingAlgorithm: AlgorithmSpec = 'RSAES_OAEP_SHA_256', WrappingKeySpec: WrappingKeySpec = 'RSA_2048', te = e) =>
  te.kms.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm, WrappingKeySpec }));
/** GetParametersForImport, the material wrapped with its public key, then ImportKeyMaterial. */
async function importMaterial(KeyId: string, material: Buffer, extra: Partial<ConstructorParameters<typeof ImportKeyMaterialCommand>[0]> = {}, te = e) {
  const p = await params(KeyId, 'RSAES_OAEP_SHA_256', 'RSA_2048', te);
  return te.kms.send(new ImportKeyMaterialCommand({
    KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrap(p.PublicKey!, 'RSAES_OAEP_SHA_256', material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra,
  }));
}
const describeKey = async (KeyId: string, te = e) => (await te.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
const encrypt = async (KeyId: string, text: string, te = e) => (await te.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from(text) }))).CiphertextBlob!;
const decrypt = async (CiphertextBlob: Uint8Array, te = e) => Buffer.from((await te.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString();

describe('a key created with Origin EXTERNAL', () => {
  test('is PendingImport, not enabled, with no material: Encrypt, EnableKey and DisableKey are KMSInvalidStateException "is pending import."', async () => {
    const key = await externalKey({ Description: 'ImportedCMK' });
    expect(key).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false, KeySpec: 'SYMMETRIC_DEFAULT' });
    expect(key.CurrentKeyMaterialId).toBeUndefined();
    expect(key.ExpirationModel).toBeUndefined();
    for (const call of [new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }), new EnableKeyCommand({ KeyId: key.KeyId })]) {
      const err = await expectAwsError(e.kms.send(call as EncryptCommand), 'KMSInvalidStateException');
      expect(err.message).toBe(`${key.Arn} is pending import.`);
    }
  });

  test('GetParametersForImport on a key whose material KMS made: UnsupportedOperationException "origin is AWS_KMS"', async () => {
    const key = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const err = await expectAwsError(params(key.KeyId!), 'UnsupportedOperationException');
    expect(err.message).toBe(`${key.Arn} origin is AWS_KMS which is not valid for this operation.`);
    const deleted = await expectAwsError(e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException');
    expect(deleted.message).toBe(`${key.Arn} origin is AWS_KMS which is not valid for this operation.`);
  });
});

describe('GetParametersForImport and ImportKeyMaterial, for every wrapping algorithm and key spec', () => {
  const algorithms = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const;
  const specs = [['RSA_2048', 2048], ['RSA_3072', 3072], ['RSA_4096', 4096]] as const;
  for (const [spec, bits] of specs) {
    test(`${spec}: a ${bits}-bit RSA public key (SPKI DER) and a token valid 24 hours; each algorithm's wrapping imports, and the key then encrypts and decrypts`, async () => {
      for (const algorithm of algorithms) {
        const key = await externalKey();
        const issuedAt = e.clock.now().getTime();
        const p = await params(key.KeyId!, algorithm, spec);
        expect(p.KeyId).toBe(key.Arn);
        expect(p.ParametersValidTo!.getTime()).toBe(issuedAt + DAY * 1000);
        const publicKey = createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' });
        expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(bits);
        const material = randomBytes(32);
        const out = await e.kms.send(new ImportKeyMaterialCommand({
          KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrap(p.PublicKey!, algorithm, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }));
        expect(out.KeyId).toBe(key.Arn);
        expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
        expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', Enabled: true, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: out.KeyMaterialId });
        expect(await decrypt(await encrypt(key.KeyId!, `under ${algorithm}`))).toBe(`under ${algorithm}`);
      }
    }, 60_000);
  }

  test('RSAES_PKCS1_V1_5 (retired in 2023) and the China-only SM2 are UnsupportedOperationException; an unknown algorithm is a ValidationException', async () => {
    const key = await externalKey();
    await expectAwsError(params(key.KeyId!, 'RSAES_PKCS1_V1_5'), 'UnsupportedOperationException');
    await expectAwsError(params(key.KeyId!, 'SM2PKE', 'SM2'), 'UnsupportedOperationException');
    await expectAwsError(params(key.KeyId!, 'RSAES_OAEP_SHA_256', 'SM2'), 'UnsupportedOperationException');
    const err = await expectAwsError(params(key.KeyId!, 'RSA_OAEP_SHA_512' as AlgorithmSpec), 'ValidationException');
    expect(err.message).toContain('wrappingAlgorithm');
  });
});

describe('what ImportKeyMaterial refuses', () => {
  test("a token from another key's parameters, or bytes the engine never issued: InvalidImportTokenException", async () => {
    const [a, b] = [await externalKey(), await externalKey()];
    const p = await params(a.KeyId!);
    const EncryptedKeyMaterial = wrap(p.PublicKey!, 'RSAES_OAEP_SHA_256', randomBytes(32));
    await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: b.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidImportTokenException');
    const forged = Buffer.from(p.ImportToken!);
    forged[forged.length - 1]! ^= 1;
    await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: a.KeyId, ImportToken: forged, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidImportTokenException');
    await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: a.KeyId, ImportToken: randomBytes(300), EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidImportTokenException');
    expect((await describeKey(a.KeyId!)).KeyState).toBe('PendingImport');
  });

  test('a token and public key older than 24 hours on the engine clock: ExpiredImportTokenException', async () => {
    const local = await startTestEngine();
    try {
      const key = await externalKey({}, local);
      const p = await params(key.KeyId!, 'RSAES_OAEP_SHA_256', 'RSA_2048', local);
      const EncryptedKeyMaterial = wrap(p.PublicKey!, 'RSAES_OAEP_SHA_256', randomBytes(32));
      local.clock.advance(DAY + 1);
      await expectAwsError(local.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'ExpiredImportTokenException');
    } finally {
      await local.stop();
    }
  });

  test('material that does not unwrap with the private key (another algorithm, cut short, not wrapped): InvalidCiphertextException', async () => {
    const key = await externalKey();
    const p = await params(key.KeyId!, 'RSAES_OAEP_SHA_256');
    const material = randomBytes(32);
    for (const EncryptedKeyMaterial of [wrap(p.PublicKey!, 'RSAES_OAEP_SHA_1', material), wrap(p.PublicKey!, 'RSAES_OAEP_SHA_256', material).subarray(1), material]) {
      await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidCiphertextException');
    }
    const aesWrap = await params(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256');
    const tampered = wrap(aesWrap.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256', material);
    tampered[tampered.length - 1]! ^= 1; // the AES key wrap's integrity check fails
    await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: aesWrap.ImportToken, EncryptedKeyMaterial: tampered, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidCiphertextException');
  });

  test('symmetric key material that is not 256 bits: IncorrectKeyMaterialException', async () => {
    const key = await externalKey();
    for (const length of [16, 31, 33]) {
      const err = await expectAwsError(importMaterial(key.KeyId!, randomBytes(length)), 'IncorrectKeyMaterialException');
      expect(err.message).toContain('256 bits');
    }
  });

  test('ExpirationModel and ValidTo: KEY_MATERIAL_EXPIRES (the default) needs a future ValidTo at most 365 days on; KEY_MATERIAL_DOES_NOT_EXPIRE takes none', async () => {
    const key = await externalKey();
    const now = e.clock.now().getTime();
    const without = await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES' }), 'ValidationException');
    expect(without.message).toBe('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ExpirationModel: undefined }), 'ValidationException');
    await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ValidTo: new Date(now + 1000) }), 'ValidationException');
    await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(now - 1000) }), 'ValidationException');
    await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(now + 366 * DAY * 1000) }), 'ValidationException');
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
    const validTo = new Date(now + 365 * DAY * 1000);
    await importMaterial(key.KeyId!, randomBytes(32), { ExpirationModel: undefined, ValidTo: validTo });
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
  });
});

describe('expiry, deletion and re-import', () => {
  test('at ValidTo on the engine clock the key goes back to PendingImport; the same material imported again brings back the old ciphertexts', async () => {
    const local = await startTestEngine();
    try {
      const key = await externalKey({}, local);
      const material = randomBytes(32);
      const validTo = new Date(local.clock.now().getTime() + DAY * 1000);
      const { KeyMaterialId } = await importMaterial(key.KeyId!, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }, local);
      const blob = await encrypt(key.KeyId!, 'before expiry', local);
      local.clock.advance(DAY - 1);
      expect(await decrypt(blob, local)).toBe('before expiry');
      local.clock.advance(1);

      const expired = await describeKey(key.KeyId!, local);
      expect(expired).toMatchObject({ KeyState: 'PendingImport', Enabled: false });
      expect(expired.ExpirationModel).toBeUndefined();
      for (const call of [local.kms.send(new DecryptCommand({ CiphertextBlob: blob })), local.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))]) {
        const err = await expectAwsError(call, 'KMSInvalidStateException');
        expect(err.message).toBe(`${key.Arn} is pending import.`);
      }
      const [listed] = (await local.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
      expect(listed).toMatchObject({ KeyMaterialId, ImportState: 'PENDING_IMPORT', KeyMaterialState: 'CURRENT', ExpirationModel: 'KEY_MATERIAL_EXPIRES' });

      const cloudtrail = new CloudTrailClient(local.clientConfig);
      const deleted = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeleteExpiredKeyMaterial' }] }));
      cloudtrail.destroy();
      expect(deleted.Events!.map((ev) => JSON.parse(ev.CloudTrailEvent!))).toMatchObject([
        { eventType: 'AwsServiceEvent', eventTime: validTo.toISOString().replace(/\.\d{3}Z$/, 'Z'), serviceEventDetails: { keyId: key.KeyId }, resources: [{ ARN: key.Arn }] },
      ]);

      await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), {}, local), 'IncorrectKeyMaterialException');
      expect(await importMaterial(key.KeyId!, material, {}, local)).toMatchObject({ KeyMaterialId });
      expect(await describeKey(key.KeyId!, local)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
      expect(await decrypt(blob, local)).toBe('before expiry');
    } finally {
      await local.stop();
    }
  });

  test('DeleteImportedKeyMaterial makes the key PendingImport; other material is IncorrectKeyMaterialException, the same brings it back', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    const { KeyMaterialId } = await importMaterial(key.KeyId!, material);
    const blob = await encrypt(key.KeyId!, 'kept');
    expect(await e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyId: key.Arn, KeyMaterialId });
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'KMSInvalidStateException');
    const err = await expectAwsError(importMaterial(key.KeyId!, randomBytes(32)), 'IncorrectKeyMaterialException');
    expect(err.message).toContain(key.Arn!);
    await importMaterial(key.KeyId!, material, { KeyMaterialId });
    expect(await decrypt(blob)).toBe('kept');
  });

  test('a key pending deletion keeps its state when its material is deleted, and refuses new parameters (KMSInvalidStateException)', async () => {
    const key = await externalKey();
    await importMaterial(key.KeyId!, randomBytes(32));
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingDeletion');
    const err = await expectAwsError(params(key.KeyId!), 'KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
  });
});

describe('new key material and on-demand rotation of an imported key', () => {
  test('NEW_KEY_MATERIAL waits PENDING_ROTATION; RotateKeyOnDemand makes it current; old ciphertexts still decrypt', async () => {
    const key = await externalKey();
    const first = await importMaterial(key.KeyId!, randomBytes(32));
    await expectAwsError(e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException'); // nothing imported to rotate to
    const old = await encrypt(key.KeyId!, 'first material');

    const second = await importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialDescription: 'second material' });
    expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
    expect((await describeKey(key.KeyId!)).CurrentKeyMaterialId).toBe(first.KeyMaterialId);
    const listed = (await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(listed.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState])).toEqual([
      [first.KeyMaterialId, 'CURRENT', 'IMPORTED'],
      [second.KeyMaterialId, 'PENDING_ROTATION', 'IMPORTED'],
    ]);
    expect(listed[1]).toMatchObject({ KeyMaterialDescription: 'second material' });
    expect(listed[1]!.RotationDate).toBeUndefined();

    await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect((await describeKey(key.KeyId!)).CurrentKeyMaterialId).toBe(second.KeyMaterialId);
    expect((await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!.map((r) => [r.KeyMaterialId, r.RotationType])).toEqual([[second.KeyMaterialId, 'ON_DEMAND']]);
    expect(await decrypt(old)).toBe('first material');
    expect(await decrypt(await encrypt(key.KeyId!, 'second material'))).toBe('second material');
  });

  test('material pending rotation can be deleted by its KeyMaterialId: the key stays enabled, and other new material can take its place', async () => {
    const key = await externalKey();
    const first = await importMaterial(key.KeyId!, randomBytes(32));
    const pending = await importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
    await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' }), 'KMSInvalidStateException'); // one at a time
    await expectAwsError(e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId: 'f'.repeat(64) })), 'NotFoundException');
    expect(await e.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId: pending.KeyMaterialId }))).toMatchObject({ KeyMaterialId: pending.KeyMaterialId });
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: first.KeyMaterialId });
    const listed = (await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(listed.map((r) => r.KeyMaterialId)).toEqual([first.KeyMaterialId]);
    await importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
  });

  test('NEW_KEY_MATERIAL with material the key already has: IncorrectKeyMaterialException', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    await importMaterial(key.KeyId!, material);
    await expectAwsError(importMaterial(key.KeyId!, material, { ImportType: 'NEW_KEY_MATERIAL' }), 'IncorrectKeyMaterialException');
  });
});

describe('HMAC and asymmetric keys with imported material', () => {
  test('an HMAC_256 key MACs with exactly the imported secret', async () => {
    const key = await externalKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const secret = randomBytes(64);
    const p = await params(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_3072');
    await e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrap(p.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256', secret), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const { Mac } = await e.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from('hello') }));
    expect(Buffer.from(Mac!).equals(createHmac('sha256', secret).update('hello').digest())).toBe(true);
    await expectAwsError(importMaterial(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' }), 'UnsupportedOperationException');
  });

  test('an ECC_NIST_P256 signing key takes a PKCS#8 private key: GetPublicKey is its public key and its signatures verify with it', async () => {
    const key = await externalKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const p = await params(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048');
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    await e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrap(p.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256', pkcs8), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const { PublicKey } = await e.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    expect(Buffer.from(PublicKey!).equals(pair.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
    const { Signature } = await e.kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from('signed'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(verify('sha256', Buffer.from('signed'), pair.publicKey, Buffer.from(Signature!))).toBe(true);
  });

  test('a private key of another curve, another kind or not PKCS#8 does not fit an ECC_NIST_P256 key: IncorrectKeyMaterialException', async () => {
    const key = await externalKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'der', type: 'pkcs8' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'der', type: 'pkcs8' });
    for (const material of [p384, rsa, randomBytes(32)]) {
      const q = await params(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048');
      const EncryptedKeyMaterial = wrap(q.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256', material);
      await expectAwsError(e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: q.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'IncorrectKeyMaterialException');
    }
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
  });
});

describe('what is kept and what is recorded', () => {
  test('an import token outlives a restart; the imported material is nowhere in the home in clear', async () => {
    const first = await startTestEngine({ keepHome: true });
    const home = first.home;
    const material = randomBytes(32);
    let key: KeyMetadata;
    let token: Uint8Array;
    let publicKey: Uint8Array;
    try {
      key = await externalKey({}, first);
      const p = await params(key.KeyId!, 'RSAES_OAEP_SHA_256', 'RSA_2048', first);
      token = p.ImportToken!;
      publicKey = p.PublicKey!;
    } finally {
      await first.stop();
    }
    const second = await startTestEngine({ home });
    try {
      await second.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: token, EncryptedKeyMaterial: wrap(publicKey, 'RSAES_OAEP_SHA_256', material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
      expect(await decrypt(await encrypt(key.KeyId!, 'after restart', second), second)).toBe('after restart');
      const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
      for (const file of files(home)) {
        const content = readFileSync(file);
        for (const form of [material, Buffer.from(material.toString('hex')), Buffer.from(material.toString('base64'))]) expect(content.includes(form), file).toBe(false);
      }
    } finally {
      await second.stop();
    }
  });

  test('CloudTrail records GetParametersForImport and ImportKeyMaterial with their parameters, never the token, the public key or the material', async () => {
    const cloudtrail = new CloudTrailClient(e.clientConfig);
    try {
      const key = await externalKey();
      const p = await params(key.KeyId!, 'RSAES_OAEP_SHA_1', 'RSA_2048');
      const EncryptedKeyMaterial = wrap(p.PublicKey!, 'RSAES_OAEP_SHA_1', randomBytes(32));
      await e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
      const event = async (name: string) => {
        const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }], MaxResults: 1 }));
        return out.Events![0]!.CloudTrailEvent!;
      };
      const getParams = await event('GetParametersForImport');
      expect(JSON.parse(getParams).requestParameters).toEqual({ keyId: key.KeyId, wrappingAlgorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_2048' });
      const imported = await event('ImportKeyMaterial');
      expect(JSON.parse(imported).requestParameters).toEqual({ keyId: key.KeyId, expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
      for (const text of [getParams, imported]) {
        for (const secret of [p.ImportToken!, p.PublicKey!, EncryptedKeyMaterial]) expect(text).not.toContain(Buffer.from(secret).toString('base64').slice(0, 40));
      }
    } finally {
      cloudtrail.destroy();
    }
  });
});
