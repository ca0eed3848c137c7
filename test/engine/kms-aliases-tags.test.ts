// Aliases, tags and paging in detail, through the SDK: each refusal with its error and a
// message that names the thing refused, the limits (50 tags a key, pages of 50 by default),
// and markers that page exactly once over a list and refuse anything else.
import {
  CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateDataKeyCommand, ListAliasesCommand,
  ListResourceTagsCommand, TagResourceCommand, UntagResourceCommand, UpdateAliasCommand, DescribeKeyCommand,
} from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { awsManagedS3Key, startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeEach(async () => {
  e = await startTestEngine();
});
afterEach(async () => e.stop());

const newKey = async () => (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
const alias = (AliasName: string, TargetKeyId: string) => e.kms.send(new CreateAliasCommand({ AliasName, TargetKeyId }));
const aliasArn = (name: string) => `arn:aws:kms:us-east-1:111122223333:${name}`;

describe('aliases', () => {
  test('names refused, each with its error and what is wrong', async () => {
    const key = await newKey();
    const noPrefix = await expectAwsError(alias('my-key', key.KeyId!), 'ValidationException');
    expect(noPrefix.message).toContain('must start with the prefix "alias/"');
    const reserved = await expectAwsError(alias('alias/aws/mine', key.KeyId!), 'NotAuthorizedException');
    expect(reserved.message).toContain('alias/aws/ prefix is reserved');
    const empty = await expectAwsError(alias('alias/', key.KeyId!), 'ValidationException');
    expect(empty.message).toContain('at least one character after "alias/"');
    await alias('alias/taken', key.KeyId!);
    const taken = await expectAwsError(alias('alias/taken', key.KeyId!), 'AlreadyExistsException');
    expect(taken.message).toContain(aliasArn('alias/taken'));
  });

  test('an alias points at a key by id or ARN, never at another alias', async () => {
    const key = await newKey();
    const other = await newKey();
    await alias('alias/first', key.KeyId!);
    for (const call of [alias('alias/second', 'alias/first'), alias('alias/third', aliasArn('alias/first')), e.kms.send(new UpdateAliasCommand({ AliasName: 'alias/first', TargetKeyId: 'alias/first' }))]) {
      const err = await expectAwsError(call, 'NotFoundException');
      expect(err.message).toContain('Invalid keyId');
    }
    await alias('alias/by-arn', other.Arn!);
    expect((await e.kms.send(new DescribeKeyCommand({ KeyId: 'alias/by-arn' }))).KeyMetadata!.KeyId).toBe(other.KeyId);
    const listed = (await e.kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => [a.AliasName, a.TargetKeyId]);
    expect(listed).toEqual([
      ['alias/by-arn', other.KeyId],
      ['alias/first', key.KeyId],
    ]);
  });

  test('updating or deleting an alias that does not exist is NotFoundException naming it, and creates nothing', async () => {
    const key = await newKey();
    const update = await expectAwsError(e.kms.send(new UpdateAliasCommand({ AliasName: 'alias/ghost', TargetKeyId: key.KeyId })), 'NotFoundException');
    expect(update.message).toBe(`Alias ${aliasArn('alias/ghost')} is not found.`);
    const remove = await expectAwsError(e.kms.send(new DeleteAliasCommand({ AliasName: 'alias/ghost' })), 'NotFoundException');
    expect(remove.message).toBe(`Alias ${aliasArn('alias/ghost')} is not found.`);
    expect((await e.kms.send(new ListAliasesCommand({}))).Aliases).toEqual([]);
  });

  test('ListAliases: in name order, 50 to a page by default, Limit and Marker page each alias once; a key filter takes a key id, not an alias', async () => {
    const key = await newKey();
    const names = Array.from({ length: 53 }, (_, i) => `alias/a${String((i * 37) % 53).padStart(2, '0')}`);
    for (const name of names) await alias(name, key.KeyId!);
    const sorted = [...names].sort();
    const first = await e.kms.send(new ListAliasesCommand({}));
    expect(first.Aliases!.map((a) => a.AliasName)).toEqual(sorted.slice(0, 50));
    expect(first.Truncated).toBe(true);
    const rest = await e.kms.send(new ListAliasesCommand({ Marker: first.NextMarker }));
    expect(rest.Aliases!.map((a) => a.AliasName)).toEqual(sorted.slice(50));
    expect(rest.Truncated).toBe(false);
    expect(rest.NextMarker).toBeUndefined();
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await e.kms.send(new ListAliasesCommand({ KeyId: key.Arn, Limit: 10, Marker: marker }));
      expect(page.Aliases!.length).toBeLessThanOrEqual(10);
      seen.push(...page.Aliases!.map((a) => a.AliasName!));
      marker = page.NextMarker;
      expect(page.Truncated).toBe(marker !== undefined);
      pages++;
    } while (marker);
    expect(pages).toBe(6);
    expect(seen).toEqual(sorted);
    await expectAwsError(e.kms.send(new ListAliasesCommand({ KeyId: 'alias/a00' })), 'NotFoundException');
  });

  test('a page that ends exactly at the last alias is not truncated', async () => {
    const key = await newKey();
    for (const name of ['alias/w', 'alias/x', 'alias/y', 'alias/z']) await alias(name, key.KeyId!);
    const first = await e.kms.send(new ListAliasesCommand({ Limit: 2 }));
    expect(first).toMatchObject({ Truncated: true });
    const second = await e.kms.send(new ListAliasesCommand({ Limit: 2, Marker: first.NextMarker }));
    expect(second.Aliases!.map((a) => a.AliasName)).toEqual(['alias/y', 'alias/z']);
    expect(second.Truncated).toBe(false);
    expect(second.NextMarker).toBeUndefined();
  });

  test('a marker that was not given out is InvalidMarkerException naming it', async () => {
    const key = await newKey();
    await alias('alias/one', key.KeyId!);
    const forged = [Buffer.from('xp1').toString('base64url'), Buffer.from('p1x').toString('base64url'), 'garbage'];
    for (const Marker of forged) {
      const err = await expectAwsError(e.kms.send(new ListAliasesCommand({ Marker })), 'InvalidMarkerException');
      expect(err.message).toBe(`Invalid marker: ${Marker}`);
    }
  });
});

describe('tags', () => {
  test('a key holds at most 50 tags: 50 are fine, one more is LimitExceededException and changes nothing', async () => {
    const key = await newKey();
    const tags = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ TagKey: `k${from + i}`, TagValue: 'v' }));
    await e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags(0, 30) }));
    await e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags(30, 20) }));
    await e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags(0, 5) })); // overwriting adds none
    const err = await expectAwsError(e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags(50, 1) })), 'LimitExceededException');
    expect(err.message).toContain('at most 50 tags');
    const listed = await e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
    expect(listed.Tags).toHaveLength(50);
    expect(listed.Truncated).toBe(false);
  });

  test('ListResourceTags pages by Limit and Marker, refuses a forged marker and an alias', async () => {
    const key = await newKey();
    await e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: ['a', 'b', 'c', 'd', 'e'].map((k) => ({ TagKey: k, TagValue: k })) }));
    const first = await e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
    expect(first.Tags!.map((t) => t.TagKey)).toEqual(['a', 'b']);
    expect(first.Truncated).toBe(true);
    const second = await e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }));
    const third = await e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: second.NextMarker }));
    expect([...second.Tags!, ...third.Tags!].map((t) => t.TagKey)).toEqual(['c', 'd', 'e']);
    expect(third.Truncated).toBe(false);
    expect(third.NextMarker).toBeUndefined();
    const err = await expectAwsError(e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Marker: 'forged' })), 'InvalidMarkerException');
    expect(err.message).toBe('Invalid marker: forged');
    await alias('alias/tagged', key.KeyId!);
    await expectAwsError(e.kms.send(new ListResourceTagsCommand({ KeyId: 'alias/tagged' })), 'NotFoundException');
  });

  test("the AWS managed key's tags are AWS's: TagResource and UntagResource are AccessDeniedException naming the operation", async () => {
    const managed = await awsManagedS3Key(e, 'managed-tags');
    const tag = await expectAwsError(e.kms.send(new TagResourceCommand({ KeyId: managed.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'AccessDeniedException');
    expect(tag.message).toContain('TagResource');
    const untag = await expectAwsError(e.kms.send(new UntagResourceCommand({ KeyId: managed.KeyId, TagKeys: ['a'] })), 'AccessDeniedException');
    expect(untag.message).toContain('UntagResource');
  });
});

describe('data keys', () => {
  test('neither or both of KeySpec and NumberOfBytes: ValidationException in AWS words', async () => {
    const key = await newKey();
    for (const call of [
      e.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId })),
      e.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })),
    ]) {
      const err = await expectAwsError(call, 'ValidationException');
      expect(err.message).toBe('Please specify either number of bytes or key spec.');
    }
  });

  test('WithoutPlaintext under a key that does not encrypt is InvalidKeyUsageException naming GenerateDataKeyWithoutPlaintext', async () => {
    const signing = (await e.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const err = await expectAwsError(e.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: signing.KeyId, KeySpec: 'AES_256' })), 'InvalidKeyUsageException');
    expect(err.message).toContain('GenerateDataKeyWithoutPlaintext');
  });
});
