// Key rotation as AWS documents it (EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
// RotateKeyOnDemand, ListKeyRotations): new ciphertexts use the new material, every old one
// still decrypts under the same KeyId, automatic rotation happens on the engine clock (a test
// moves the clock on and sees it, dated when it fell due), and keys AWS cannot rotate are refused.
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand,
  EncryptCommand, GetKeyRotationStatusCommand, ListKeyRotationsCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, CancelKeyDeletionCommand,
  type KeyMetadata,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const DAY = 24 * 60 * 60;
const DAY_MS = DAY * 1000;

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const status = (KeyId: string) => e.kms.send(new GetKeyRotationStatusCommand({ KeyId }));
const rotations = async (KeyId: string) => (await e.kms.send(new ListKeyRotationsCommand({ KeyId }))).Rotations ?? [];
const currentMaterial = async (KeyId: string) => (await e.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
const encrypt = async (KeyId: string, text: string) =>
  (await e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from(text), EncryptionContext: { purpose: 'rotation' } }))).CiphertextBlob!;
const decrypt = async (CiphertextBlob: Uint8Array) => {
  const out = await e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { purpose: 'rotation' } }));
  return { keyId: out.KeyId, text: Buffer.from(out.Plaintext!).toString() };
};
const now = () => e.clock.now().getTime();

describe('automatic rotation: enabling, disabling, status', () => {
  test('a new key has rotation off; EnableKeyRotation turns it on for 365 days by default, DisableKeyRotation off again', async () => {
    const key = await newKey();
    expect(await status(key.KeyId!)).toMatchObject({ KeyRotationEnabled: false, KeyId: key.KeyId });
    expect((await status(key.KeyId!)).NextRotationDate).toBeUndefined();

    const enabledAt = now();
    await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    const on = await status(key.Arn!);
    expect(on).toMatchObject({ KeyRotationEnabled: true, KeyId: key.KeyId, RotationPeriodInDays: 365 });
    expect(on.NextRotationDate!.getTime()).toBe(enabledAt + 365 * DAY_MS);

    await e.kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    const off = await status(key.KeyId!);
    expect(off.KeyRotationEnabled).toBe(false);
    expect(off.RotationPeriodInDays).toBeUndefined();
  });

  test('RotationPeriodInDays takes 90 to 2560 days; outside that range it is a ValidationException naming the limit', async () => {
    const key = await newKey();
    for (const [days, bound] of [[89, 'greater than or equal to 90'], [2561, 'less than or equal to 2560']] as const) {
      const err = await expectAwsError(e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: days })), 'ValidationException');
      expect(err.message).toContain(bound);
    }
    expect((await status(key.KeyId!)).KeyRotationEnabled).toBe(false);
    for (const days of [90, 2560]) {
      await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: days }));
      const s = await status(key.KeyId!);
      expect(s.RotationPeriodInDays).toBe(days);
      expect(s.NextRotationDate!.getTime()).toBe(now() + days * DAY_MS);
    }
  });

  test('a disabled key: DisabledException; a key pending deletion: KMSInvalidStateException, and its status reads false until the deletion is cancelled', async () => {
    const key = await newKey();
    await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    await e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    for (const call of [new EnableKeyRotationCommand({ KeyId: key.KeyId }), new DisableKeyRotationCommand({ KeyId: key.KeyId }), new RotateKeyOnDemandCommand({ KeyId: key.KeyId })]) {
      const err = await expectAwsError(e.kms.send(call as EnableKeyRotationCommand), 'DisabledException');
      expect(err.message).toBe(`${key.Arn} is disabled.`);
    }
    expect((await status(key.KeyId!)).KeyRotationEnabled).toBe(true); // disabling the key does not change its rotation status

    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const err = await expectAwsError(e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException');
    expect(err.message).toBe(`${key.Arn} is pending deletion.`);
    expect((await status(key.KeyId!)).KeyRotationEnabled).toBe(false);
    await e.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await status(key.KeyId!)).KeyRotationEnabled).toBe(true);
  });

  test('a key that does not exist: NotFoundException naming it, for every rotation operation', async () => {
    const KeyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
    for (const call of [
      new RotateKeyOnDemandCommand({ KeyId }), new EnableKeyRotationCommand({ KeyId }), new DisableKeyRotationCommand({ KeyId }),
      new GetKeyRotationStatusCommand({ KeyId }), new ListKeyRotationsCommand({ KeyId }),
    ]) {
      const err = await expectAwsError(e.kms.send(call as RotateKeyOnDemandCommand), 'NotFoundException');
      expect(err.message).toContain(KeyId);
    }
  });
});

describe('rotation on demand', () => {
  test('new ciphertexts use the new material; old ones still decrypt, under the same KeyId', async () => {
    const key = await newKey();
    const before = await encrypt(key.KeyId!, 'sealed before');
    const firstMaterial = await currentMaterial(key.KeyId!);
    expect(firstMaterial).toMatch(/^[0-9a-f]{64}$/);

    const rotatedAt = now();
    expect(await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.Arn }))).toMatchObject({ KeyId: key.KeyId });
    const secondMaterial = await currentMaterial(key.KeyId!);
    expect(secondMaterial).not.toBe(firstMaterial);
    const after = await encrypt(key.KeyId!, 'sealed after');

    expect(await decrypt(before)).toEqual({ keyId: key.Arn, text: 'sealed before' });
    expect(await decrypt(after)).toEqual({ keyId: key.Arn, text: 'sealed after' });
    // The two ciphertexts name different materials: the header of the newer one differs from the older one's.
    expect(Buffer.from(after.subarray(1, 17)).equals(Buffer.from(before.subarray(1, 17)))).toBe(false);

    const listed = await rotations(key.KeyId!);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ KeyId: key.KeyId, RotationType: 'ON_DEMAND', KeyMaterialId: secondMaterial, KeyMaterialState: 'CURRENT' });
    expect(listed[0]!.RotationDate!.getTime()).toBe(rotatedAt);
    // Rotating on demand does not turn on automatic rotation.
    expect((await status(key.KeyId!)).KeyRotationEnabled).toBe(false);
  });

  test(`at most 25 on-demand rotations per key: the 26th is LimitExceededException`, async () => {
    const key = await newKey();
    for (let i = 0; i < 25; i++) await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const err = await expectAwsError(e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'LimitExceededException');
    expect(err.message).toContain(key.Arn);
    expect(await rotations(key.KeyId!)).toHaveLength(25);
  });

  test('does not move the automatic schedule', async () => {
    const key = await newKey();
    await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 730 }));
    const scheduled = (await status(key.KeyId!)).NextRotationDate;
    await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect((await status(key.KeyId!)).NextRotationDate).toEqual(scheduled);
  });

  test('refused with ConflictException within 20 minutes of an automatic rotation', async () => {
    const local = await startTestEngine();
    try {
      const { KeyMetadata } = await local.kms.send(new CreateKeyCommand({}));
      await local.kms.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata!.KeyId, RotationPeriodInDays: 90 }));
      local.clock.advance(90 * DAY - 19 * 60);
      await expectAwsError(local.kms.send(new RotateKeyOnDemandCommand({ KeyId: KeyMetadata!.KeyId })), 'ConflictException');
    } finally {
      await local.stop();
    }
  });
});

describe('automatic rotation on the engine clock', () => {
  test('moving the clock on by a year shows an AUTOMATIC rotation dated when it fell due, and the old ciphertext still decrypts', async () => {
    const local = await startTestEngine();
    try {
      const kms = local.kms;
      const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
      const enabledAt = local.clock.now().getTime();
      await kms.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId }));
      const old = (await kms.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: Buffer.from('a year old') }))).CiphertextBlob!;
      const first = (await kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;

      local.clock.advance(364 * DAY);
      expect((await kms.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId }))).Rotations).toEqual([]);
      local.clock.advance(2 * DAY);

      const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId }));
      expect(Rotations).toHaveLength(1);
      expect(Rotations![0]).toMatchObject({ RotationType: 'AUTOMATIC', KeyMaterialState: 'CURRENT' });
      expect(Rotations![0]!.RotationDate!.getTime()).toBe(enabledAt + 365 * DAY_MS);
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key!.KeyId }))).NextRotationDate!.getTime()).toBe(enabledAt + 730 * DAY_MS);
      expect((await kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).not.toBe(first);

      const opened = await kms.send(new DecryptCommand({ CiphertextBlob: old }));
      expect(Buffer.from(opened.Plaintext!).toString()).toBe('a year old');
      expect(opened.KeyId).toBe(key!.Arn);
    } finally {
      await local.stop();
    }
  });

  test('several periods passed at once are several rotations, each on its own date, listed oldest first with the first material under ALL_KEY_MATERIAL', async () => {
    const local = await startTestEngine();
    try {
      const { KeyMetadata: key } = await local.kms.send(new CreateKeyCommand({}));
      const enabledAt = local.clock.now().getTime();
      await local.kms.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId, RotationPeriodInDays: 100 }));
      local.clock.advance(350 * DAY);
      const { Rotations } = await local.kms.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
      expect(Rotations!.map((r) => r.RotationDate?.getTime())).toEqual([undefined, enabledAt + 100 * DAY_MS, enabledAt + 200 * DAY_MS, enabledAt + 300 * DAY_MS]);
      expect(Rotations!.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'NON_CURRENT', 'NON_CURRENT', 'CURRENT']);
      expect(Rotations![0]!.RotationType).toBeUndefined();
      expect(new Set(Rotations!.map((r) => r.KeyMaterialId)).size).toBe(4);
    } finally {
      await local.stop();
    }
  });

  test('a key disabled when its rotation falls due is not rotated then, but as soon as it is enabled again', async () => {
    const local = await startTestEngine();
    try {
      const kms = local.kms;
      const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
      await kms.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId, RotationPeriodInDays: 90 }));
      await kms.send(new DisableKeyCommand({ KeyId: key!.KeyId }));
      local.clock.advance(200 * DAY);
      expect((await kms.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId }))).Rotations).toEqual([]);
      await kms.send(new EnableKeyCommand({ KeyId: key!.KeyId }));
      const enabledAt = local.clock.now().getTime();
      const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId }));
      expect(Rotations).toHaveLength(1);
      expect(Rotations![0]!.RotationDate!.getTime()).toBe(enabledAt);
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key!.KeyId }))).NextRotationDate!.getTime()).toBe(enabledAt + 90 * DAY_MS);
    } finally {
      await local.stop();
    }
  });

  test('CloudTrail shows an automatic rotation as an AwsServiceEvent RotateKey, dated when it fell due, and EnableKeyRotation with its period', async () => {
    const local = await startTestEngine();
    const cloudtrail = new CloudTrailClient(local.clientConfig);
    try {
      const { KeyMetadata: key } = await local.kms.send(new CreateKeyCommand({}));
      const enabledAt = local.clock.now().getTime();
      await local.kms.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId, RotationPeriodInDays: 90 }));
      const lookup = async (name: string) =>
        (await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }))).Events!.map((ev) => JSON.parse(ev.CloudTrailEvent!));
      expect((await lookup('EnableKeyRotation'))[0].requestParameters).toEqual({ keyId: key!.KeyId, rotationPeriodInDays: 90 });

      local.clock.advance(100 * DAY);
      await local.kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId })); // anything the engine is asked brings the due rotations about
      const rotated = await lookup('RotateKey');
      expect(rotated.map((ev) => Date.parse(ev.eventTime))).toEqual([Math.floor((enabledAt + 90 * DAY_MS) / 1000) * 1000]);
      expect(rotated[0]).toMatchObject({
        eventType: 'AwsServiceEvent', eventSource: 'kms.amazonaws.com', userIdentity: { accountId: key!.AWSAccountId, invokedBy: 'AWS Internal' },
        sourceIPAddress: 'AWS Internal', requestParameters: null, responseElements: null, readOnly: false,
        resources: [{ accountId: key!.AWSAccountId, type: 'AWS::KMS::Key', ARN: key!.Arn }], serviceEventDetails: { keyId: key!.KeyId },
      });
    } finally {
      cloudtrail.destroy();
      await local.stop();
    }
  });

  test('rotations survive a restart: after it, the old ciphertexts still decrypt and the schedule goes on', async () => {
    const first = await startTestEngine({ keepHome: true });
    let home = first.home;
    let key: KeyMetadata;
    let blob: Uint8Array;
    try {
      key = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      blob = (await first.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
      await first.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
      await first.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
      home = first.home;
    } finally {
      await first.stop();
    }
    const second = await startTestEngine({ home });
    try {
      expect((await second.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!.map((r) => r.RotationType)).toEqual(['ON_DEMAND']);
      expect(Buffer.from((await second.kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('kept');
      expect((await second.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays).toBe(90);
    } finally {
      await second.stop();
    }
  });
});

describe('ListKeyRotations', () => {
  test('pages with Limit and NextMarker; a marker it did not give is InvalidMarkerException', async () => {
    const key = await newKey();
    for (let i = 0; i < 5; i++) await e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const pageOut = await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 2, Marker }));
      expect(pageOut.Rotations!.length).toBeLessThanOrEqual(2);
      seen.push(...pageOut.Rotations!.map((r) => r.KeyMaterialId!));
      Marker = pageOut.Truncated ? pageOut.NextMarker : undefined;
      if (pageOut.Truncated) expect(pageOut.NextMarker).toBeTruthy();
    } while (Marker);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    await expectAwsError(e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Marker: 'not-a-marker' })), 'InvalidMarkerException');
  });
});

describe('keys AWS does not rotate', () => {
  test('HMAC and asymmetric keys: UnsupportedOperationException for every rotation operation', async () => {
    const hmac = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const ecc = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    for (const key of [hmac, ecc]) {
      for (const call of [
        new EnableKeyRotationCommand({ KeyId: key.KeyId }), new DisableKeyRotationCommand({ KeyId: key.KeyId }), new RotateKeyOnDemandCommand({ KeyId: key.KeyId }),
        new GetKeyRotationStatusCommand({ KeyId: key.KeyId }), new ListKeyRotationsCommand({ KeyId: key.KeyId }),
      ]) {
        const err = await expectAwsError(e.kms.send(call as RotateKeyOnDemandCommand), 'UnsupportedOperationException');
        expect(err.message).toContain(key.Arn);
      }
      expect((await e.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBeUndefined();
    }
  });

  test('a key with imported material has no automatic rotation: UnsupportedOperationException naming its origin', async () => {
    const key = await newKey({ Origin: 'EXTERNAL' });
    for (const call of [new EnableKeyRotationCommand({ KeyId: key.KeyId }), new DisableKeyRotationCommand({ KeyId: key.KeyId }), new GetKeyRotationStatusCommand({ KeyId: key.KeyId })]) {
      const err = await expectAwsError(e.kms.send(call as EnableKeyRotationCommand), 'UnsupportedOperationException');
      expect(err.message).toBe(`${key.Arn} origin is EXTERNAL which is not valid for this operation.`);
    }
  });

  test('the AWS managed key aws/s3 rotates every year on its own: its status is always on, and its rotation cannot be changed (AccessDeniedException)', async () => {
    const s3 = new S3Client({ ...e.clientConfig, forcePathStyle: true });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'managed-key-rotation' }));
      await s3.send(new PutObjectCommand({ Bucket: 'managed-key-rotation', Key: 'k', Body: 'v', ServerSideEncryption: 'aws:kms' }));
      const managed = (await e.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
      const s = await status(managed.KeyId!);
      expect(s).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
      expect(s.NextRotationDate!.getTime()).toBe(managed.CreationDate!.getTime() + 365 * DAY_MS);
      for (const call of [new EnableKeyRotationCommand({ KeyId: managed.KeyId }), new DisableKeyRotationCommand({ KeyId: managed.KeyId }), new RotateKeyOnDemandCommand({ KeyId: managed.KeyId })])
        await expectAwsError(e.kms.send(call as EnableKeyRotationCommand), 'AccessDeniedException');
    } finally {
      s3.destroy();
    }
  });
});
