// IAM users and access keys through @aws-sdk/client-iam over HTTP, in the AWS Query protocol:
// each call's answer, each refusal with IAM's error code, HTTP status and words, and the
// keys made here working as credentials (STS GetCallerIdentity names their user).
import {
  CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand,
  AttachUserPolicyCommand, GetUserCommand, IAMClient, ListAccessKeysCommand, ListUsersCommand, PutUserPolicyCommand, UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
let iam: IAMClient;
beforeEach(async () => {
  e = await startTestEngine();
  iam = new IAMClient(e.clientConfig);
});
afterEach(async () => {
  iam.destroy();
  await e.stop();
});

const ACCOUNT = '111122223333';
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

describe('users', () => {
  test('the default account has its default learner, an administrator; GetUser without a name is the caller', async () => {
    const me = (await iam.send(new GetUserCommand({}))).User!;
    expect(me.UserName).toBe('workshop-learner');
    expect(me.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/workshop-learner`);
    expect(me.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(e.engine.directory.identityPolicies(e.engine.directory.defaultLearner(ACCOUNT, 'us-east-1')).map((p) => p.name)).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
  });

  test('CreateUser, GetUser, ListUsers (by name, paged) and DeleteUser', async () => {
    const created = (await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/team/' }))).User!;
    expect(created).toMatchObject({ UserName: 'alice', Path: '/team/', Arn: `arn:aws:iam::${ACCOUNT}:user/team/alice` });
    expect(created.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(created.CreateDate).toEqual(new Date(Math.floor(e.clock.now().getTime() / 1000) * 1000));
    expect((await iam.send(new GetUserCommand({ UserName: 'alice' }))).User).toEqual(created);
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const first = await iam.send(new ListUsersCommand({ MaxItems: 2 }));
    expect(first.Users!.map((u) => u.UserName)).toEqual(['alice', 'bob']);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListUsersCommand({ MaxItems: 2, Marker: first.Marker }));
    expect(second.Users!.map((u) => u.UserName)).toEqual(['workshop-learner']);
    expect(second.IsTruncated).toBe(false);
    expect((await iam.send(new ListUsersCommand({ PathPrefix: '/team/' }))).Users!.map((u) => u.UserName)).toEqual(['alice']);
    for (const Marker of ['forged', 'p999', 'p-1']) await expectAwsError(iam.send(new ListUsersCommand({ Marker })), 'ValidationError');
    await iam.send(new DeleteUserCommand({ UserName: 'alice' }));
    const gone = await expectAwsError(iam.send(new GetUserCommand({ UserName: 'alice' })), 'NoSuchEntityException', 404);
    expect(gone.message).toBe('The user with name alice cannot be found.');
  });

  test('tags given to CreateUser are shown by CreateUser and GetUser, not by ListUsers; duplicate or bad ones refused', async () => {
    const tags = [{ Key: 'team', Value: 'crypto' }, { Key: 'cost-center', Value: '42' }];
    expect((await iam.send(new CreateUserCommand({ UserName: 'tagged', Tags: tags }))).User!.Tags).toEqual(tags);
    expect((await iam.send(new GetUserCommand({ UserName: 'tagged' }))).User!.Tags).toEqual(tags);
    expect((await iam.send(new ListUsersCommand({}))).Users!.find((u) => u.UserName === 'tagged')!.Tags).toBeUndefined();
    expect((await iam.send(new GetUserCommand({}))).User!.Tags).toBeUndefined();
    const dup = await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'dup', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })), 'InvalidInputException');
    expect(dup.message).toBe('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'many', Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) })), 'ValidationError');
    await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'bad', Tags: [{ Key: 'no#hash', Value: 'v' }] })), 'ValidationError');
    expect(e.engine.directory.user(ACCOUNT, 'dup')).toBeUndefined();
  });

  test('a name taken in any case is EntityAlreadyExists (409); a name IAM refuses is ValidationError', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'Alice' }));
    const taken = await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'alice' })), 'EntityAlreadyExistsException', 409);
    expect(taken.message).toBe('User with name alice already exists.');
    const bad = await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'no spaces' })), 'ValidationError');
    expect(bad.message).toBe("1 validation error detected: Value 'no spaces' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'x'.repeat(65) })), 'ValidationError');
    // A value XML cannot carry, quoted back in the message: replaced, so the answer still parses.
    const control = await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'bell\u0007' })), 'ValidationError');
    expect(control.message).toContain("Value 'bell\ufffd' at 'userName'");
    await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'ok', Path: 'no-slashes' })), 'ValidationError');
  });

  test('DeleteUser is DeleteConflict (409) while the user has access keys, inline policies or attached policies', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'carol' }))).AccessKey!;
    await iam.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'all', PolicyDocument: allowAll }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'carol', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const keys = await expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'carol' })), 'DeleteConflictException', 409);
    expect(keys.message).toBe('Cannot delete entity, must delete access keys first.');
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: key.AccessKeyId }));
    const inline = await expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'carol' })), 'DeleteConflictException', 409);
    expect(inline.message).toBe('Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'carol', PolicyName: 'all' }));
    const attached = await expectAwsError(iam.send(new DeleteUserCommand({ UserName: 'carol' })), 'DeleteConflictException', 409);
    expect(attached.message).toBe('Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'carol', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await iam.send(new DeleteUserCommand({ UserName: 'carol' }));
  });

  test('operations on a user that does not exist are NoSuchEntity (404)', async () => {
    for (const call of [
      iam.send(new DeleteUserCommand({ UserName: 'nobody' })),
      iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' })),
      iam.send(new PutUserPolicyCommand({ UserName: 'nobody', PolicyName: 'p', PolicyDocument: allowAll })),
    ]) expect((await expectAwsError(call, 'NoSuchEntityException', 404)).message).toBe('The user with name nobody cannot be found.');
  });
});

describe('access keys', () => {
  test('CreateAccessKey gives the secret once; ListAccessKeys never; two keys a user, then LimitExceeded (409)', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'dave' }));
    const one = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dave' }))).AccessKey!;
    expect(one.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(one.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(one).toMatchObject({ UserName: 'dave', Status: 'Active' });
    const two = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dave' }))).AccessKey!;
    const listed = (await iam.send(new ListAccessKeysCommand({ UserName: 'dave' }))).AccessKeyMetadata!;
    expect(listed.map((k) => k.AccessKeyId).sort()).toEqual([one.AccessKeyId, two.AccessKeyId].sort());
    expect(JSON.stringify(listed)).not.toContain(one.SecretAccessKey);
    const limit = await expectAwsError(iam.send(new CreateAccessKeyCommand({ UserName: 'dave' })), 'LimitExceededException', 409);
    expect(limit.message).toBe('Cannot exceed quota for AccessKeysPerUser: 2');
  });

  test('a key made by CreateAccessKey signs requests as its user; made Inactive it no longer does', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'erin' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'erin' }))).AccessKey!;
    const sts = new STSClient({ ...e.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/erin` });
    expect(who.UserId).toBe((await iam.send(new GetUserCommand({ UserName: 'erin' }))).User!.UserId);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'erin', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'erin' }))).AccessKeyMetadata![0]!.Status).toBe('Inactive');
    expect(e.engine.directory.credentials(key.AccessKeyId!)?.status).toBe('Inactive');
    await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    sts.destroy();
  });

  test('DeleteAccessKey of a key the user does not have is NoSuchEntity (404); after deletion the engine no longer knows it', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'frank' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'frank' }))).AccessKey!;
    const missing = await expectAwsError(iam.send(new DeleteAccessKeyCommand({ UserName: 'frank', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA' })), 'NoSuchEntityException', 404);
    expect(missing.message).toBe('The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.');
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'frank', AccessKeyId: key.AccessKeyId }));
    expect(e.engine.directory.credentials(key.AccessKeyId!)).toBeUndefined();
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'frank' }))).AccessKeyMetadata).toEqual([]);
  });
});
