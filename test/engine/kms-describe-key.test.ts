// DescribeKey's KeyMetadata, field by field, for each kind of key, against the API reference's
// KeyMetadata: which members are present ("present only when ...") and which are not. The
// engine has no custom key stores, so CustomKeyStoreId, CloudHsmClusterId and
// XksKeyConfiguration never appear; nor EncapsulationAlgorithms (ML-KEM keys).
import {
  CreateKeyCommand, DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSClient, ReplicateKeyCommand,
  ScheduleKeyDeletionCommand, type CreateKeyCommandInput, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

/** Every key has these (KeyId is required; the others AWS returns for every key). */
const ALWAYS = ['AWSAccountId', 'Arn', 'CreationDate', 'CustomerMasterKeySpec', 'Description', 'Enabled', 'KeyId', 'KeyManager', 'KeySpec', 'KeyState', 'KeyUsage', 'MultiRegion', 'Origin'];

const fieldsOf = (meta: KeyMetadata) => Object.keys(meta).filter((k) => meta[k as keyof KeyMetadata] !== undefined).sort();
const expected = (...extra: string[]) => [...ALWAYS, ...extra].sort();
async function described(KeyId: string, client: KMSClient = e.kms) {
  return (await client.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
}
async function created(input: CreateKeyCommandInput) {
  return (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
}

describe('DescribeKey shows the KeyMetadata members AWS returns for each kind of key, and no others', () => {
  test.each([
    ['a symmetric encryption key', {}, ['EncryptionAlgorithms', 'CurrentKeyMaterialId']],
    ['an RSA encryption key', { KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT' }, ['EncryptionAlgorithms']],
    ['an RSA signing key', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, ['SigningAlgorithms']],
    ['an ECC signing key', { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }, ['SigningAlgorithms']],
    ['an ECC key agreement key', { KeySpec: 'ECC_NIST_P521', KeyUsage: 'KEY_AGREEMENT' }, ['KeyAgreementAlgorithms']],
    ['an HMAC key', { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' }, ['MacAlgorithms']],
    ['an imported key waiting for its material', { Origin: 'EXTERNAL' }, ['EncryptionAlgorithms']],
    ['a multi-Region primary key', { MultiRegion: true }, ['EncryptionAlgorithms', 'CurrentKeyMaterialId', 'MultiRegionConfiguration']],
  ] as [string, CreateKeyCommandInput, string[]][])('%s', async (_, input, extra) => {
    const key = await created(input);
    expect(fieldsOf(key)).toEqual(expected(...extra)); // CreateKey's KeyMetadata
    expect(fieldsOf(await described(key.KeyId!))).toEqual(expected(...extra));
  });

  test('imported material that expires adds ExpirationModel and ValidTo', async () => {
    const key = await created({ Origin: 'EXTERNAL' });
    const p = await e.kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const wrapped = publicEncrypt({ key: createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
    const validTo = new Date(e.clock.now().getTime() + 30 * 24 * 3600 * 1000);
    await e.kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }));
    const meta = await described(key.KeyId!);
    expect(fieldsOf(meta)).toEqual(expected('EncryptionAlgorithms', 'CurrentKeyMaterialId', 'ExpirationModel', 'ValidTo'));
    expect(meta).toMatchObject({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', KeyState: 'Enabled' });
  });

  test('a key pending deletion adds DeletionDate; a primary pending its replicas\' deletion adds PendingDeletionWindowInDays instead', async () => {
    const single = await created({});
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: single.KeyId, PendingWindowInDays: 7 }));
    expect(fieldsOf(await described(single.KeyId!))).toEqual(expected('EncryptionAlgorithms', 'CurrentKeyMaterialId', 'DeletionDate'));

    const primary = await created({ MultiRegion: true });
    await e.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-north-1' }));
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: primary.KeyId, PendingWindowInDays: 7 }));
    expect(fieldsOf(await described(primary.KeyId!))).toEqual(expected('EncryptionAlgorithms', 'CurrentKeyMaterialId', 'MultiRegionConfiguration', 'PendingDeletionWindowInDays'));
    const north = new KMSClient({ ...e.clientConfig, region: 'eu-north-1' });
    try {
      expect(fieldsOf(await described(primary.KeyId!, north))).toEqual(expected('EncryptionAlgorithms', 'CurrentKeyMaterialId', 'MultiRegionConfiguration'));
    } finally {
      north.destroy();
    }
  });
});
