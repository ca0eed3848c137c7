import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DescribeKeyCommand,
  DisableKeyCommand, EnableKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand,
  ListResourceTagsCommand, ScheduleKeyDeletionCommand, TagResourceCommand, UntagResourceCommand, UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const encryptWith = (KeyId: string) => e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
const DAY = 24 * 3600 * 1000;

describe('CreateKey and DescribeKey', () => {
  test('a new key is an enabled symmetric customer managed key with the engine account and request region', async () => {
    const meta = await newKey({ Description: 'first', Tags: [{ TagKey: 'project', TagValue: 'workshop' }] });
    expect(meta).toMatchObject({
      AWSAccountId: '111122223333', Enabled: true, KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT',
      Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', Description: 'first', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    });
    expect(meta.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(meta.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${meta.KeyId}`);
    expect(meta.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs(meta.CreationDate!.getTime() - e.clock.now().getTime())).toBeLessThan(2000);
    const described = (await e.kms.send(new DescribeKeyCommand({ KeyId: meta.Arn }))).KeyMetadata!;
    expect(described.KeyId).toBe(meta.KeyId);
  });

  test('a key spec the engine does not support yet is refused plainly', async () => {
    const err = await expectAwsError(e.kms.send(new CreateKeyCommand({ KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' })), 'UnsupportedOperationException');
    expect(err.message).toMatch(/ML_DSA_65/);
    await expectAwsError(e.kms.send(new CreateKeyCommand({ KeySpec: 'NOPE' as never })), 'ValidationException');
  });

  test('tags starting with aws: are refused with TagException', async () => {
    await expectAwsError(e.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] })), 'TagException');
  });

  test('an unknown key id, a malformed ARN and a key ARN of another region are NotFoundException', async () => {
    await expectAwsError(e.kms.send(new DescribeKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' })), 'NotFoundException');
    const meta = await newKey();
    await expectAwsError(e.kms.send(new DescribeKeyCommand({ KeyId: meta.Arn!.replace('us-east-1', 'eu-west-1') })), 'NotFoundException');
    await expectAwsError(encryptWith('alias/does-not-exist'), 'NotFoundException');
  });

  test('keys live in the region the request was signed for', async () => {
    const west = new KMSClient({ ...e.clientConfig, region: 'eu-west-1' });
    try {
      const meta = (await west.send(new CreateKeyCommand({}))).KeyMetadata!;
      expect(meta.Arn).toContain(':eu-west-1:');
      await expectAwsError(e.kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId })), 'NotFoundException');
      expect((await west.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!.KeyId).toBe(meta.KeyId);
    } finally {
      west.destroy();
    }
  });
});

describe('naming a key', () => {
  test('by key id, key ARN, alias name and alias ARN', async () => {
    const meta = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/naming-test', TargetKeyId: meta.KeyId }));
    for (const ref of [meta.KeyId!, meta.Arn!, 'alias/naming-test', 'arn:aws:kms:us-east-1:111122223333:alias/naming-test']) {
      const { KeyId } = await encryptWith(ref);
      expect(KeyId).toBe(meta.Arn);
    }
  });

  test('operations that take only a key id or ARN refuse an alias with NotFoundException', async () => {
    const meta = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/no-alias-here', TargetKeyId: meta.Arn }));
    await expectAwsError(e.kms.send(new DisableKeyCommand({ KeyId: 'alias/no-alias-here' })), 'NotFoundException');
    await expectAwsError(e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: 'alias/no-alias-here' })), 'NotFoundException');
  });
});

describe('aliases', () => {
  test('create, list with the KeyId filter, update to another key, delete', async () => {
    const a = await newKey();
    const b = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: a.KeyId }));
    let listed = (await e.kms.send(new ListAliasesCommand({ KeyId: a.KeyId }))).Aliases!;
    expect(listed.map((x) => x.AliasName)).toEqual(['alias/moving']);
    expect(listed[0]).toMatchObject({ AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/moving', TargetKeyId: a.KeyId });
    await e.kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: b.Arn }));
    expect((await encryptWith('alias/moving')).KeyId).toBe(b.Arn);
    expect((await e.kms.send(new ListAliasesCommand({ KeyId: a.KeyId }))).Aliases).toEqual([]);
    await e.kms.send(new DeleteAliasCommand({ AliasName: 'alias/moving' }));
    await expectAwsError(encryptWith('alias/moving'), 'NotFoundException');
    listed = (await e.kms.send(new ListAliasesCommand({}))).Aliases!;
    expect(listed.find((x) => x.AliasName === 'alias/moving')).toBeUndefined();
  });

  test('a duplicate alias is AlreadyExistsException', async () => {
    const a = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/dup', TargetKeyId: a.KeyId }));
    await expectAwsError(e.kms.send(new CreateAliasCommand({ AliasName: 'alias/dup', TargetKeyId: a.KeyId })), 'AlreadyExistsException');
  });

  test('alias names: alias/ prefix, allowed characters, alias/aws/ reserved, unknown target', async () => {
    const a = await newKey();
    await expectAwsError(e.kms.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: a.KeyId })), 'ValidationException');
    await expectAwsError(e.kms.send(new CreateAliasCommand({ AliasName: 'alias/bad name!', TargetKeyId: a.KeyId })), 'ValidationException');
    await expectAwsError(e.kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: a.KeyId })), 'NotAuthorizedException');
    await expectAwsError(e.kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: '11111111-2222-3333-4444-555555555555' })), 'NotFoundException');
    await expectAwsError(e.kms.send(new DeleteAliasCommand({ AliasName: 'alias/never-made' })), 'NotFoundException');
  });
});

describe('key states', () => {
  test('a disabled key refuses Encrypt, Decrypt and GenerateDataKey with DisabledException; enabling restores it', async () => {
    const meta = await newKey();
    const { CiphertextBlob } = await encryptWith(meta.KeyId!);
    await e.kms.send(new DisableKeyCommand({ KeyId: meta.KeyId }));
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    await expectAwsError(encryptWith(meta.KeyId!), 'DisabledException');
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob })), 'DisabledException');
    await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: meta.KeyId, KeySpec: 'AES_256' })), 'DisabledException');
    await e.kms.send(new EnableKeyCommand({ KeyId: meta.KeyId }));
    expect(Buffer.from((await e.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('x');
  });

  test('ScheduleKeyDeletion defaults to 30 days, takes 7..30, and the key is then KMSInvalidStateException', async () => {
    const meta = await newKey();
    const { CiphertextBlob } = await encryptWith(meta.KeyId!);
    await expectAwsError(e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 6 })), 'ValidationException');
    await expectAwsError(e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 31 })), 'ValidationException');
    const out = await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId }));
    expect(out).toMatchObject({ KeyId: meta.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
    expect(out.DeletionDate!.getTime() - e.clock.now().getTime()).toBeGreaterThan(30 * DAY - 2000);
    expect(out.DeletionDate!.getTime() - e.clock.now().getTime()).toBeLessThanOrEqual(30 * DAY);
    await expectAwsError(encryptWith(meta.KeyId!), 'KMSInvalidStateException');
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException');
    await expectAwsError(e.kms.send(new EnableKeyCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException');
    await expectAwsError(e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException');
    await expectAwsError(e.kms.send(new CreateAliasCommand({ AliasName: 'alias/to-pending', TargetKeyId: meta.KeyId })), 'KMSInvalidStateException');
  });

  test('CancelKeyDeletion brings the key back Disabled', async () => {
    const meta = await newKey();
    await expectAwsError(e.kms.send(new CancelKeyDeletionCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException');
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    expect((await e.kms.send(new CancelKeyDeletionCommand({ KeyId: meta.KeyId }))).KeyId).toBe(meta.Arn);
    const after = (await e.kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
    expect(after.KeyState).toBe('Disabled');
    expect(after.DeletionDate).toBeUndefined();
  });

  test('once the clock passes the deletion date the key and its aliases are gone', async () => {
    const meta = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: meta.KeyId }));
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    e.engine.advanceClock(6 * 24 * 3600);
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
    e.engine.advanceClock(24 * 3600 + 1);
    await expectAwsError(e.kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId })), 'NotFoundException');
    const aliases = (await e.kms.send(new ListAliasesCommand({}))).Aliases!;
    expect(aliases.find((a) => a.AliasName === 'alias/doomed')).toBeUndefined();
  });
});

describe('listing, description and tags', () => {
  test('ListKeys pages with Limit and Marker and lists every key once', async () => {
    for (let i = 0; i < 5; i++) await newKey();
    const all = (await e.kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.map((k) => k.KeyId);
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await e.kms.send(new ListKeysCommand({ Limit: 2, Marker }));
      expect(page.Keys!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Keys!.map((k) => k.KeyId!));
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      Marker = page.NextMarker;
    } while (Marker);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
    await expectAwsError(e.kms.send(new ListKeysCommand({ Marker: 'garbage' })), 'InvalidMarkerException');
    await expectAwsError(e.kms.send(new ListKeysCommand({ Limit: 0 })), 'ValidationException');
  });

  test('UpdateKeyDescription changes what DescribeKey shows', async () => {
    const meta = await newKey({ Description: 'before' });
    await e.kms.send(new UpdateKeyDescriptionCommand({ KeyId: meta.KeyId, Description: 'after' }));
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!.Description).toBe('after');
  });

  test('TagResource adds and overwrites, UntagResource removes, ListResourceTags lists', async () => {
    const meta = await newKey({ Tags: [{ TagKey: 'a', TagValue: '1' }] });
    await e.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 'a', TagValue: '2' }, { TagKey: 'b', TagValue: '3' }] }));
    let tags = (await e.kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }))).Tags!;
    expect(tags).toEqual([{ TagKey: 'a', TagValue: '2' }, { TagKey: 'b', TagValue: '3' }]);
    await e.kms.send(new UntagResourceCommand({ KeyId: meta.KeyId, TagKeys: ['a'] }));
    tags = (await e.kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }))).Tags!;
    expect(tags).toEqual([{ TagKey: 'b', TagValue: '3' }]);
    await expectAwsError(e.kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 'aws:nope', TagValue: '' }] })), 'TagException');
  });
});
