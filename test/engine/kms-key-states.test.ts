// What a key's state forbids, as AWS's key-state table says: ReEncrypt into a key that
// cannot be used; management calls on a key pending deletion (none may bring it back
// or change it, except CancelKeyDeletion); and the AWS managed key aws/s3, which its
// key policy keeps from being disabled or deleted by anyone.
import {
  CancelKeyDeletionCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand,
  ListResourceTagsCommand, ReEncryptCommand, ScheduleKeyDeletionCommand, TagResourceCommand, UntagResourceCommand, UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const newKey = async (Description = '') => (await e.kms.send(new CreateKeyCommand({ Description, Tags: [{ TagKey: 'team', TagValue: 'blue' }] }))).KeyMetadata!;
const describeKey = async (KeyId: string) => (await e.kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!;
const tagsOf = async (KeyId: string) => (await e.kms.send(new ListResourceTagsCommand({ KeyId }))).Tags;

describe('ReEncrypt needs a destination key that can be used', () => {
  test('into a disabled key: DisabledException, and the ciphertext still decrypts under its own key', async () => {
    const source = await newKey('source');
    const destination = await newKey('destination');
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('move me'), EncryptionContext: { a: '1' } }));
    await e.kms.send(new DisableKeyCommand({ KeyId: destination.KeyId }));
    await expectAwsError(
      e.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { a: '1' }, DestinationKeyId: destination.KeyId })),
      'DisabledException',
    );
    const opened = await e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: '1' } }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('move me');
    await e.kms.send(new EnableKeyCommand({ KeyId: destination.KeyId }));
    const moved = await e.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { a: '1' }, DestinationKeyId: destination.KeyId }));
    expect(moved.KeyId).toBe(destination.Arn);
  });

  test('into a key pending deletion: KMSInvalidStateException', async () => {
    const source = await newKey('source');
    const destination = await newKey('destination');
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('move me') }));
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: destination.KeyId, PendingWindowInDays: 7 }));
    const err = await expectAwsError(e.kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: destination.Arn })), 'KMSInvalidStateException');
    expect(err.message).toContain(destination.Arn);
  });

  test('from a disabled source key: DisabledException', async () => {
    const source = await newKey('source');
    const destination = await newKey('destination');
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: Buffer.from('move me') }));
    await e.kms.send(new DisableKeyCommand({ KeyId: source.KeyId }));
    await expectAwsError(e.kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: destination.KeyId })), 'DisabledException');
  });
});

describe('a key pending deletion can only be cancelled', () => {
  test('DisableKey, EnableKey, UpdateKeyDescription, TagResource and UntagResource are KMSInvalidStateException and change nothing', async () => {
    const key = await newKey('doomed');
    const scheduled = await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const calls = [
      new DisableKeyCommand({ KeyId: key.KeyId }),
      new EnableKeyCommand({ KeyId: key.KeyId }),
      new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'rescued' }),
      new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'team', TagValue: 'red' }] }),
      new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['team'] }),
    ];
    for (const call of calls) {
      const err = await expectAwsError(e.kms.send(call as DisableKeyCommand), 'KMSInvalidStateException');
      expect(err.message, call.constructor.name).toContain('pending deletion');
    }
    const after = await describeKey(key.KeyId!);
    expect(after).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, Description: 'doomed', DeletionDate: scheduled.DeletionDate });
    expect(await tagsOf(key.KeyId!)).toEqual([{ TagKey: 'team', TagValue: 'blue' }]);
    // Scheduling again does not move the date either.
    await expectAwsError(e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 30 })), 'KMSInvalidStateException');
    expect((await describeKey(key.KeyId!)).DeletionDate).toEqual(scheduled.DeletionDate);
    // The one way back: cancelling, which leaves the key disabled; then it can be managed again.
    await e.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    await e.kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'rescued' }));
    await e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'team', TagValue: 'red' }] }));
    await e.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', Description: 'rescued' });
    expect(await tagsOf(key.KeyId!)).toEqual([{ TagKey: 'team', TagValue: 'red' }]);
  });
});

describe('the AWS managed key aws/s3', () => {
  test('refuses DisableKey and ScheduleKeyDeletion with AccessDeniedException, and stays enabled for S3', async () => {
    const s3 = new S3Client({ ...e.clientConfig, forcePathStyle: true });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'managed-key-states' }));
      await s3.send(new PutObjectCommand({ Bucket: 'managed-key-states', Key: 'before', Body: 'before', ServerSideEncryption: 'aws:kms' }));
      const managed = await describeKey('alias/aws/s3');
      expect(managed.KeyManager).toBe('AWS');
      for (const KeyId of [managed.KeyId!, managed.Arn!]) {
        const disabled = await expectAwsError(e.kms.send(new DisableKeyCommand({ KeyId })), 'AccessDeniedException');
        expect(disabled.message).toContain('DisableKey');
        const deleted = await expectAwsError(e.kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 })), 'AccessDeniedException');
        expect(deleted.message).toContain('ScheduleKeyDeletion');
      }
      expect(await describeKey('alias/aws/s3')).toMatchObject({ KeyState: 'Enabled', Enabled: true });
      expect((await describeKey('alias/aws/s3')).DeletionDate).toBeUndefined();
      await s3.send(new PutObjectCommand({ Bucket: 'managed-key-states', Key: 'after', Body: 'after', ServerSideEncryption: 'aws:kms' }));
      for (const Key of ['before', 'after'])
        expect(await (await s3.send(new GetObjectCommand({ Bucket: 'managed-key-states', Key }))).Body!.transformToString()).toBe(Key);
    } finally {
      s3.destroy();
    }
  });
});
