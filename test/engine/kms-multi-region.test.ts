// Multi-Region keys through @aws-sdk/client-kms, one client per Region on the same engine (the
// engine's Region is the one a request is signed for): CreateKey MultiRegion, ReplicateKey,
// UpdatePrimaryRegion, DescribeKey's MultiRegionConfiguration, a ciphertext made in one Region
// opened in another, shared material and rotation, independent properties, deletion of a
// primary that waits for its replicas, imported material, persistence and AWS's errors.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DeleteImportedKeyMaterialCommand, DeriveSharedSecretCommand, DescribeKeyCommand,
  DisableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand, GenerateMacCommand, GetKeyRotationStatusCommand,
  GetParametersForImportCommand, GetPublicKeyCommand, ImportKeyMaterialCommand, KMSClient, ListKeyRotationsCommand, ListKeysCommand,
  ListResourceTagsCommand, ReplicateKeyCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, SignCommand,
  UpdateKeyDescriptionCommand, UpdatePrimaryRegionCommand, VerifyCommand, VerifyMacCommand, type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const DAY = 24 * 60 * 60;
const ACCOUNT = '111122223333';
let e: TestEngine;
/** The same engine, called from other Regions. */
let east: KMSClient;
let west: KMSClient;
let sydney: KMSClient;
const clients: KMSClient[] = [];
const inRegion = (engine: TestEngine, region: string) => {
  const client = new KMSClient({ ...engine.clientConfig, region });
  clients.push(client);
  return client;
};

beforeAll(async () => {
  e = await startTestEngine();
  east = e.kms;
  west = inRegion(e, 'eu-west-1');
  sydney = inRegion(e, 'ap-southeast-2');
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await e.stop();
});

async function primaryKey(input: CreateKeyCommandInput = {}) {
  return (await east.send(new CreateKeyCommand({ MultiRegion: true, ...input }))).KeyMetadata!;
}
async function replicated(input: CreateKeyCommandInput = {}) {
  const primary = await primaryKey(input);
  await east.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }));
  return primary;
}
const arnIn = (region: string, keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
const describe_ = async (client: KMSClient, KeyId: string) => (await client.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;

describe('CreateKey with MultiRegion', () => {
  test('gives a primary key whose id is mrk- and 32 hex digits, with its MultiRegionConfiguration', async () => {
    const key = await primaryKey({ Description: 'primary' });
    expect(key.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(key).toMatchObject({
      Arn: arnIn('us-east-1', key.KeyId!),
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: arnIn('us-east-1', key.KeyId!), Region: 'us-east-1' }, ReplicaKeys: [] },
    });
    expect(await describe_(east, key.KeyId!)).toMatchObject({ MultiRegion: true, MultiRegionConfiguration: key.MultiRegionConfiguration });
  });

  test('a single-Region key says MultiRegion false and has no MultiRegionConfiguration', async () => {
    const key = (await east.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect(key.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(key.MultiRegion).toBe(false);
    expect(key.MultiRegionConfiguration).toBeUndefined();
  });

  test('every kind of key can be multi-Region: symmetric, RSA, ECC, HMAC, key agreement, imported', async () => {
    for (const input of [{}, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }, { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }, { Origin: 'EXTERNAL' }] as CreateKeyCommandInput[]) {
      const key = await primaryKey(input);
      expect(key.KeyId, JSON.stringify(input)).toMatch(/^mrk-/);
      expect(key.MultiRegionConfiguration?.MultiRegionKeyType).toBe('PRIMARY');
    }
  });

  test('a malformed mrk- id is NotFoundException "Invalid keyId", a well-formed one that does not exist names its ARN', async () => {
    expect((await expectAwsError(east.send(new DescribeKeyCommand({ KeyId: 'mrk-fake-key-id' })), 'NotFoundException')).message).toBe("Invalid keyId 'mrk-fake-key-id'");
    expect((await expectAwsError(east.send(new DescribeKeyCommand({ KeyId: 'fake-key-id' })), 'NotFoundException')).message).toBe("Invalid keyId 'fake-key-id'");
    const missing = 'mrk-d3b95762d3b95762d3b95762d3b95762';
    expect((await expectAwsError(east.send(new DescribeKeyCommand({ KeyId: missing })), 'NotFoundException')).message).toBe(`Key '${arnIn('us-east-1', missing)}' does not exist`);
  });
});

describe('ReplicateKey', () => {
  test('makes a replica in another Region with the same id, Creating at first, then Enabled; both keys list each other', async () => {
    const primary = await primaryKey({ Description: 'primary' });
    await expectAwsError(west.send(new DescribeKeyCommand({ KeyId: primary.KeyId })), 'NotFoundException'); // not there before
    const out = await east.send(new ReplicateKeyCommand({ KeyId: primary.Arn, ReplicaRegion: 'eu-west-1', Description: 'replica', Tags: [{ TagKey: 'team', TagValue: 'west' }] }));
    const replicaArn = arnIn('eu-west-1', primary.KeyId!);
    const configuration = {
      PrimaryKey: { Arn: primary.Arn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: replicaArn, Region: 'eu-west-1' }],
    };
    expect(out.ReplicaKeyMetadata).toMatchObject({
      KeyId: primary.KeyId, Arn: replicaArn, Description: 'replica', KeyState: 'Creating', Enabled: false, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT',
      Origin: 'AWS_KMS', MultiRegion: true, MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', ...configuration },
    });
    expect(out.ReplicaTags).toEqual([{ TagKey: 'team', TagValue: 'west' }]);
    expect(JSON.parse(out.ReplicaPolicy!)).toMatchObject({ Id: 'key-default-1', Statement: [{ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*' }] });

    expect(await describe_(west, primary.KeyId!)).toMatchObject({ Arn: replicaArn, KeyState: 'Enabled', Enabled: true, Description: 'replica', MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA', ...configuration } });
    expect(await describe_(east, primary.KeyId!)).toMatchObject({ Arn: primary.Arn, Description: 'primary', MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', ...configuration } });
    expect(await describe_(west, replicaArn)).toMatchObject({ Arn: replicaArn });
    // A Region's ListKeys shows its own key of the set, once.
    const listed = async (client: KMSClient) => (await client.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.filter((k) => k.KeyId === primary.KeyId);
    expect(await listed(west)).toEqual([{ KeyId: primary.KeyId, KeyArn: replicaArn }]);
    expect(await listed(east)).toEqual([{ KeyId: primary.KeyId, KeyArn: primary.Arn }]);
  });

  test('a ciphertext made in one Region decrypts in the other, both ways; in a Region with no replica it is InvalidCiphertextException', async () => {
    const key = await replicated();
    const blob = (await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('made in us-east-1'), EncryptionContext: { purpose: 'mrk' } }))).CiphertextBlob!;
    const opened = await west.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'mrk' } }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('made in us-east-1');
    expect(opened.KeyId).toBe(arnIn('eu-west-1', key.KeyId!));
    expect((await west.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: arnIn('eu-west-1', key.KeyId!), EncryptionContext: { purpose: 'mrk' } }))).Plaintext).toBeDefined();
    await expectAwsError(west.send(new DecryptCommand({ CiphertextBlob: blob })), 'InvalidCiphertextException'); // the context is still bound

    const dataKey = await west.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    expect(Buffer.from((await east.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).Plaintext!)).toEqual(Buffer.from(dataKey.Plaintext!));
    await expectAwsError(sydney.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob })), 'InvalidCiphertextException');
  });

  test('a single-Region key\'s ciphertext does not decrypt in another Region (InvalidCiphertextException)', async () => {
    const single = (await east.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await east.send(new EncryptCommand({ KeyId: single.KeyId, Plaintext: Buffer.from('stays home') }))).CiphertextBlob!;
    await expectAwsError(west.send(new DecryptCommand({ CiphertextBlob: blob })), 'InvalidCiphertextException');
  });

  test('asymmetric and HMAC replicas share the key material: a signature, a MAC and a shared secret made in one Region hold in the other', async () => {
    const signing = await replicated({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const message = Buffer.from('signed in the east');
    const { Signature } = await east.send(new SignCommand({ KeyId: signing.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect((await west.send(new VerifyCommand({ KeyId: signing.KeyId, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' }))).SignatureValid).toBe(true);
    const pub = async (client: KMSClient, KeyId: string) => Buffer.from((await client.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!);
    expect(await pub(west, signing.KeyId!)).toEqual(await pub(east, signing.KeyId!));

    const hmac = await replicated({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac } = await west.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    expect((await east.send(new VerifyMacCommand({ KeyId: hmac.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_256' }))).MacValid).toBe(true);

    const agreement = await replicated({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    const secret = async (client: KMSClient) => Buffer.from((await client.send(new DeriveSharedSecretCommand({ KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer }))).SharedSecret!);
    expect(await secret(west)).toEqual(await secret(east));

    const rsa = await replicated({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const rsaBlob = publicEncrypt({ key: createPublicKey({ key: await pub(east, rsa.KeyId!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('rsa'));
    expect(Buffer.from((await west.send(new DecryptCommand({ KeyId: rsa.KeyId, CiphertextBlob: rsaBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).Plaintext!).toString()).toBe('rsa');
  });

  test('a replica\'s description, tags, aliases and key state are its own', async () => {
    const key = await replicated();
    await west.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'west only' }));
    await west.send(new CreateAliasCommand({ AliasName: 'alias/west-only', TargetKeyId: key.KeyId }));
    await west.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect(await describe_(east, key.KeyId!)).toMatchObject({ Description: '', KeyState: 'Enabled' });
    expect(await describe_(west, 'alias/west-only')).toMatchObject({ Description: 'west only', KeyState: 'Disabled' });
    await expectAwsError(east.send(new DescribeKeyCommand({ KeyId: 'alias/west-only' })), 'NotFoundException');
    expect((await east.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([]);
    const blob = (await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    await expectAwsError(west.send(new DecryptCommand({ CiphertextBlob: blob })), 'DisabledException');
  });

  test('AWS\'s errors: a Region that already has a key of the set, a replica or single-Region key as source, a malformed Region', async () => {
    const key = await replicated();
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' })), 'AlreadyExistsException');
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'us-east-1' })), 'AlreadyExistsException');
    await expectAwsError(west.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'ap-southeast-2' })), 'UnsupportedOperationException');
    const single = (await east.send(new CreateKeyCommand({}))).KeyMetadata!;
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: 'eu-west-1' })), 'UnsupportedOperationException');
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'Mars' })), 'ValidationException');
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: undefined })), 'ValidationException');
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: 'mrk-0123456789abcdef0123456789abcdef', ReplicaRegion: 'eu-west-2' })), 'NotFoundException');
    const disabled = await primaryKey();
    await east.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: disabled.KeyId, ReplicaRegion: 'eu-west-1' })), 'DisabledException');
  });
});

describe('shared rotation', () => {
  test('rotation is set on the primary and shown by the replica; rotating on demand keeps every ciphertext of either Region readable in both', async () => {
    const key = await replicated();
    const before = (await west.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before') }))).CiphertextBlob!;
    await east.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
    expect(await west.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    await expectAwsError(west.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException');
    await expectAwsError(west.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException');

    await east.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const after = (await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('after') }))).CiphertextBlob!;
    expect(Buffer.from((await west.send(new DecryptCommand({ CiphertextBlob: after }))).Plaintext!).toString()).toBe('after');
    expect(Buffer.from((await east.send(new DecryptCommand({ CiphertextBlob: before }))).Plaintext!).toString()).toBe('before');
    expect((await describe_(west, key.KeyId!)).CurrentKeyMaterialId).toBe((await describe_(east, key.KeyId!)).CurrentKeyMaterialId);
    const rotations = async (client: KMSClient) => (await client.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations;
    expect(await rotations(west)).toEqual(await rotations(east));
  });

  test('an automatic rotation of the primary on the engine clock is the replica\'s too, once', async () => {
    const local = await startTestEngine();
    try {
      const localWest = inRegion(local, 'eu-west-1');
      const key = (await local.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
      await local.kms.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' }));
      await local.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
      local.clock.advance(91 * DAY);
      const west1 = (await localWest.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
      expect(west1).toHaveLength(1);
      expect(west1[0]).toMatchObject({ RotationType: 'AUTOMATIC' });
      expect((await local.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations).toEqual(west1);
      const blob = (await localWest.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('rotated') }))).CiphertextBlob!;
      expect(Buffer.from((await local.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('rotated');
      // KMS rotated one key, the primary, and shared the result: one RotateKey event, in the primary's Region.
      const cloudtrail = new CloudTrailClient(local.clientConfig);
      const events = (await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RotateKey' }] }))).Events!;
      cloudtrail.destroy();
      expect(events.map((ev) => JSON.parse(ev.CloudTrailEvent!).awsRegion)).toEqual(['us-east-1']);
    } finally {
      await local.stop();
    }
  });
});

describe('UpdatePrimaryRegion', () => {
  test('makes the replica the primary and the primary a replica; only the new primary replicates', async () => {
    const key = await replicated();
    await east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'eu-west-1' }));
    const westArn = arnIn('eu-west-1', key.KeyId!);
    const configuration = { PrimaryKey: { Arn: westArn, Region: 'eu-west-1' }, ReplicaKeys: [{ Arn: key.Arn, Region: 'us-east-1' }] };
    expect((await describe_(west, key.KeyId!)).MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'PRIMARY', ...configuration });
    expect((await describe_(east, key.KeyId!)).MultiRegionConfiguration).toEqual({ MultiRegionKeyType: 'REPLICA', ...configuration });
    await expectAwsError(east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'ap-southeast-2' })), 'UnsupportedOperationException');
    await west.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'ap-southeast-2' }));
    expect((await describe_(sydney, key.KeyId!)).MultiRegionConfiguration!.ReplicaKeys).toHaveLength(2);
    const blob = (await sydney.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('s') }))).CiphertextBlob!;
    expect((await east.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext).toBeDefined();
  });

  test('AWS\'s errors: no replica in that Region, the primary\'s own Region, a replica named, a disabled key', async () => {
    const key = await replicated();
    await expectAwsError(east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'ap-northeast-1' })), 'NotFoundException');
    await expectAwsError(east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'us-east-1' })), 'ValidationException');
    await expectAwsError(west.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'us-east-1' })), 'UnsupportedOperationException');
    await expectAwsError(east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'not a region' })), 'ValidationException');
    await west.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await expectAwsError(east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'eu-west-1' })), 'DisabledException');
    expect((await describe_(east, key.KeyId!)).MultiRegionConfiguration!.MultiRegionKeyType).toBe('PRIMARY'); // nothing changed
  });
});

describe('deleting multi-Region keys', () => {
  test('a primary with replicas waits in PendingReplicaDeletion; its waiting period starts when its last replica is deleted', async () => {
    const local = await startTestEngine();
    try {
      const localWest = inRegion(local, 'eu-west-1');
      const key = (await local.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
      await local.kms.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' }));
      const scheduled = await local.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingReplicaDeletion', PendingWindowInDays: 7 });
      expect(scheduled.DeletionDate).toBeUndefined();
      const waiting = await describe_(local.kms, key.KeyId!);
      expect(waiting).toMatchObject({ KeyState: 'PendingReplicaDeletion', Enabled: false, PendingDeletionWindowInDays: 7 });
      expect(waiting.DeletionDate).toBeUndefined();
      const encrypting = await expectAwsError(local.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException');
      expect(encrypting.message).toBe(`${key.Arn} is pending replica deletion.`);
      await expectAwsError(local.kms.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'ap-southeast-2' })), 'KMSInvalidStateException');

      // Years pass: the primary waits as long as its replica exists.
      local.clock.advance(400 * DAY);
      expect((await describe_(local.kms, key.KeyId!)).KeyState).toBe('PendingReplicaDeletion');
      await localWest.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 }));
      const replicaGoes = local.clock.now().getTime() + 10 * DAY * 1000;
      local.clock.advance(10 * DAY + 1);
      await expectAwsError(localWest.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
      const pending = await describe_(local.kms, key.KeyId!);
      expect(pending).toMatchObject({ KeyState: 'PendingDeletion', MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', ReplicaKeys: [] } });
      expect(pending.DeletionDate!.getTime()).toBe(replicaGoes + 7 * DAY * 1000);
      expect(pending.PendingDeletionWindowInDays).toBeUndefined();
      local.clock.advance(7 * DAY);
      await expectAwsError(local.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
    } finally {
      await local.stop();
    }
  });

  test('CancelKeyDeletion brings a primary pending replica deletion back, disabled', async () => {
    const key = await replicated();
    await east.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(await east.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyId: key.Arn });
    const back = await describe_(east, key.KeyId!);
    expect(back).toMatchObject({ KeyState: 'Disabled' });
    expect(back.PendingDeletionWindowInDays).toBeUndefined();
  });

  test('a primary without replicas is scheduled like any key, with its deletion date', async () => {
    const key = await primaryKey();
    const out = await east.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(out).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(out.DeletionDate).toBeInstanceOf(Date);
  });
});

describe('imported key material', () => {
  /** GetParametersForImport in the key's Region, the material wrapped with RSAES_OAEP_SHA_256, then ImportKeyMaterial there. */
  async function importInto(client: KMSClient, KeyId: string, material: Buffer) {
    const p = await client.send(new GetParametersForImportCommand({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const wrapped = publicEncrypt({ key: createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    return client.send(new ImportKeyMaterialCommand({ KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
  }

  test('a replica of an imported key has no material until the same material is imported into it; then either Region opens the other\'s ciphertexts', async () => {
    const key = await primaryKey({ Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    await importInto(east, key.KeyId!, material);
    await east.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' }));
    expect(await describe_(west, key.KeyId!)).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL' });
    const blob = (await east.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('imported') }))).CiphertextBlob!;
    await expectAwsError(west.send(new DecryptCommand({ CiphertextBlob: blob })), 'KMSInvalidStateException');

    await expectAwsError(importInto(west, key.KeyId!, randomBytes(32)), 'IncorrectKeyMaterialException');
    await importInto(west, key.KeyId!, material);
    expect(await describe_(west, key.KeyId!)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(Buffer.from((await west.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('imported');
    const back = (await west.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('and back') }))).CiphertextBlob!;
    expect(Buffer.from((await east.send(new DecryptCommand({ CiphertextBlob: back }))).Plaintext!).toString()).toBe('and back');
  });

  test('each Region\'s imported material is its own: deleting the primary\'s leaves the replica working, across a restart', async () => {
    const home = tempHome();
    const first = await startTestEngine({ home, keepHome: true });
    const firstWest = inRegion(first, 'eu-west-1');
    const key = (await first.kms.send(new CreateKeyCommand({ MultiRegion: true, Origin: 'EXTERNAL' }))).KeyMetadata!;
    const material = randomBytes(32);
    await importInto(first.kms, key.KeyId!, material);
    await first.kms.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1' }));
    await importInto(firstWest, key.KeyId!, material);
    const blob = (await first.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('east') }))).CiphertextBlob!;
    await first.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect(await describe_(first.kms, key.KeyId!)).toMatchObject({ KeyState: 'PendingImport' });
    await first.stop();

    const second = await startTestEngine({ home });
    try {
      const secondWest = inRegion(second, 'eu-west-1');
      expect(await describe_(secondWest, key.KeyId!)).toMatchObject({ KeyState: 'Enabled' });
      expect(Buffer.from((await secondWest.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('east');
      await expectAwsError(second.kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'KMSInvalidStateException');
    } finally {
      await second.stop();
    }
  });
});

test('primary and replicas (one key id in several Regions) survive a restart of the engine', async () => {
  const home = tempHome();
  const first = await startTestEngine({ home, keepHome: true });
  const firstWest = inRegion(first, 'eu-west-1');
  const key = (await first.kms.send(new CreateKeyCommand({ MultiRegion: true, Description: 'east' }))).KeyMetadata!;
  await first.kms.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'eu-west-1', Description: 'west' }));
  const blob = (await first.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
  await firstWest.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'west, changed' }));
  await first.stop();

  const second = await startTestEngine({ home });
  try {
    const secondWest = inRegion(second, 'eu-west-1');
    expect(await describe_(second.kms, key.KeyId!)).toMatchObject({ Description: 'east', MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY' } });
    expect(await describe_(secondWest, key.KeyId!)).toMatchObject({ Description: 'west, changed', MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' } });
    expect(Buffer.from((await secondWest.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('kept');
  } finally {
    await second.stop();
  }
});

test('CloudTrail records ReplicateKey and UpdatePrimaryRegion with their Regions', async () => {
  const key = await replicated();
  await east.send(new UpdatePrimaryRegionCommand({ KeyId: key.KeyId, PrimaryRegion: 'eu-west-1' }));
  const cloudtrail = new CloudTrailClient(e.clientConfig);
  try {
    const last = async (eventName: string) => {
      const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }], MaxResults: 1 }));
      return JSON.parse(out.Events![0]!.CloudTrailEvent!);
    };
    expect(await last('ReplicateKey')).toMatchObject({ awsRegion: 'us-east-1', readOnly: false, requestParameters: { keyId: key.KeyId, replicaRegion: 'eu-west-1' } });
    expect(await last('UpdatePrimaryRegion')).toMatchObject({ awsRegion: 'us-east-1', readOnly: false, requestParameters: { keyId: key.KeyId, primaryRegion: 'eu-west-1' } });
  } finally {
    cloudtrail.destroy();
  }
});
