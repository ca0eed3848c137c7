// IAM's users, access keys, roles, inline policies and tags at their edges, through
// @aws-sdk/client-iam over HTTP: each constraint at its bound (IAM API Reference: a tag key of
// 1-128 characters, a value up to 256, 50 tags; MaxSessionDuration 3600-43200; an access key
// id of 16-128 word characters; a user's inline policies 2,048 characters together, a role's
// 10,240, a trust policy 2,048), the words of each refusal, the order of lists, and changes
// that must survive a restart.
import {
  AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DeleteUserPolicyCommand,
  GetPolicyCommand, GetRoleCommand, GetRolePolicyCommand, GetUserCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListRolePoliciesCommand,
  ListRolesCommand, ListUserPoliciesCommand, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand, UpdateAssumeRolePolicyCommand,
  type Tag,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { policySize } from '../../src/engine/auth/policy.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
const running: TestEngine[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const te of running.splice(0)) await te.stop();
});

async function start(home?: string) {
  const te = await startTestEngine(home ? { home, keepHome: true } : {});
  running.push(te);
  const iam = new IAMClient(te.clientConfig);
  clients.push(iam);
  return { te, iam };
}

/** An identity policy of exactly `size` characters as IAM counts them (white space aside). */
function identityPolicy(size: number): string {
  const text = (pad: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: `S${pad}`, Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });
  const doc = text('x'.repeat(size - policySize(text(''))));
  expect(policySize(doc)).toBe(size);
  return doc;
}

/** A trust policy naming the account, of exactly `size` characters. */
function trustPolicy(size: number): string {
  const text = (pad: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: `S${pad}`, Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] });
  const doc = text('x'.repeat(size - policySize(text(''))));
  expect(policySize(doc)).toBe(size);
  return doc;
}

const trust = trustPolicy(150);

describe('refused values quoted in messages', () => {
  test('a value over 200 characters is quoted cut at 200 with "..."; one of 200 whole', async () => {
    const { iam } = await start();
    const long = await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'x'.repeat(201) })), 'ValidationError');
    expect(long.message).toBe(`1 validation error detected: Value '${'x'.repeat(200)}...' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`);
    const exact = await expectAwsError(iam.send(new CreateUserCommand({ UserName: 'y'.repeat(200) })), 'ValidationError');
    expect(exact.message).toBe(`1 validation error detected: Value '${'y'.repeat(200)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`);
  });
});

describe('access keys', () => {
  test('an AccessKeyId outside IAM\'s constraints (16 to 128 word characters) is ValidationError naming accessKeyId', async () => {
    const { iam } = await start();
    const update = (AccessKeyId: string) => iam.send(new UpdateAccessKeyCommand({ AccessKeyId, Status: 'Inactive' }));
    expect((await expectAwsError(update('AKIA12345678901'), 'ValidationError')).message).toBe(
      "1 validation error detected: Value 'AKIA12345678901' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16",
    );
    expect((await expectAwsError(update('A'.repeat(129)), 'ValidationError')).message).toContain('Member must have length less than or equal to 128');
    expect((await expectAwsError(update('AKIA-AAAAAAAAAAAAAAA'), 'ValidationError')).message).toBe(
      "1 validation error detected: Value 'AKIA-AAAAAAAAAAAAAAA' at 'accessKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+",
    );
    // 16 and 128 word characters are ids IAM could have: looked up, not refused.
    for (const id of ['A'.repeat(16), 'A'.repeat(128)]) await expectAwsError(update(id), 'NoSuchEntityException', 404);
  });

  test('UpdateAccessKey: a Status other than Active or Inactive is refused before the key is looked up; Active again signs again', async () => {
    const { te, iam } = await start();
    await iam.send(new CreateUserCommand({ UserName: 'erin' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'erin' }))).AccessKey!;
    const bad = await expectAwsError(iam.send(new UpdateAccessKeyCommand({ UserName: 'erin', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA', Status: 'Disabled' as 'Active' })), 'ValidationError');
    expect(bad.message).toBe("1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]");
    const long = await expectAwsError(iam.send(new UpdateAccessKeyCommand({ UserName: 'erin', AccessKeyId: key.AccessKeyId, Status: 's'.repeat(60) as 'Active' })), 'ValidationError');
    expect(long.message).toContain(`Value '${'s'.repeat(50)}' at 'status'`);
    const none = await expectAwsError(iam.send(new UpdateAccessKeyCommand({ UserName: 'erin', AccessKeyId: key.AccessKeyId } as never)), 'ValidationError');
    expect(none.message).toBe("1 validation error detected: Value null at 'status' failed to satisfy constraint: Member must not be null");
    const sts = new STSClient({ ...te.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
    clients.push(sts);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'erin', AccessKeyId: key.AccessKeyId, Status: 'Inactive' }));
    await expectAwsError(sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'erin', AccessKeyId: key.AccessKeyId, Status: 'Active' }));
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/erin`);
  });

  test('a key is found only among the named user\'s keys: another user\'s key is NoSuchEntity, and stays as it was', async () => {
    const { iam } = await start();
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const alices = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
    await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }));
    const err = await expectAwsError(iam.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: alices.AccessKeyId, Status: 'Inactive' })), 'NoSuchEntityException', 404);
    expect(err.message).toBe(`The Access Key with id ${alices.AccessKeyId} cannot be found.`);
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata![0]!.Status).toBe('Active');
  });

  test('with no UserName, the caller\'s own keys: CreateAccessKey answers the user, the key and when it was made', async () => {
    const { te, iam } = await start();
    const key = (await iam.send(new CreateAccessKeyCommand({}))).AccessKey!;
    expect(key).toMatchObject({ UserName: 'workshop-learner', Status: 'Active' });
    expect(key.CreateDate).toEqual(new Date(Math.floor(te.clock.now().getTime() / 1000) * 1000));
    const listed = (await iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    expect(listed).toEqual([{ UserName: 'workshop-learner', AccessKeyId: key.AccessKeyId, Status: 'Active', CreateDate: key.CreateDate }]);
  });

  test('ListAccessKeys lists a user\'s keys by id, a page at a time', async () => {
    const { iam } = await start();
    await iam.send(new CreateUserCommand({ UserName: 'dave' }));
    const made: string[] = [];
    // Keys until the order they were made in is not the order of their ids (ids are random).
    for (let i = 0; i < 20 && (made.length < 2 || made[0]! < made[1]!); i++) {
      if (made.length === 2) {
        const { DeleteAccessKeyCommand } = await import('@aws-sdk/client-iam');
        await iam.send(new DeleteAccessKeyCommand({ UserName: 'dave', AccessKeyId: made.shift() }));
      }
      made.push((await iam.send(new CreateAccessKeyCommand({ UserName: 'dave' }))).AccessKey!.AccessKeyId!);
    }
    expect(made[0]! > made[1]!).toBe(true);
    const first = await iam.send(new ListAccessKeysCommand({ UserName: 'dave', MaxItems: 1 }));
    expect(first.AccessKeyMetadata!.map((k) => k.AccessKeyId)).toEqual([made[1]]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListAccessKeysCommand({ UserName: 'dave', MaxItems: 1, Marker: first.Marker }));
    expect(second.AccessKeyMetadata!.map((k) => k.AccessKeyId)).toEqual([made[0]]);
    expect(second.IsTruncated).toBe(false);
  });

  test('a role session must name the user: GetUser, CreateAccessKey and ListAccessKeys without UserName are ValidationError', async () => {
    const { te, iam } = await start();
    await iam.send(new CreateRoleCommand({ RoleName: 'admin', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const sts = new STSClient(te.clientConfig);
    clients.push(sts);
    const creds = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/admin`, RoleSessionName: 'ops' }))).Credentials!;
    const asRole = new IAMClient({ ...te.clientConfig, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });
    clients.push(asRole);
    for (const call of [asRole.send(new GetUserCommand({})), asRole.send(new CreateAccessKeyCommand({})), asRole.send(new ListAccessKeysCommand({}))])
      expect((await expectAwsError(call, 'ValidationError')).message).toBe('Must specify userName when calling with non-User credentials');
    expect((await asRole.send(new GetUserCommand({ UserName: 'workshop-learner' }))).User!.UserName).toBe('workshop-learner');
  });
});

describe('roles', () => {
  test('MaxSessionDuration from 3600 to 43200 seconds, 3600 when not given; Description shown when given', async () => {
    const { iam } = await start();
    for (const MaxSessionDuration of [3599, 43201]) await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust, MaxSessionDuration })), 'ValidationError');
    expect((await iam.send(new CreateRoleCommand({ RoleName: 'long', AssumeRolePolicyDocument: trust, MaxSessionDuration: 43200, Description: 'twelve hours' }))).Role).toMatchObject({ MaxSessionDuration: 43200, Description: 'twelve hours' });
    const plain = (await iam.send(new CreateRoleCommand({ RoleName: 'plain', AssumeRolePolicyDocument: trust }))).Role!;
    expect(plain.MaxSessionDuration).toBe(3600);
    expect(plain.Description).toBeUndefined();
    expect(plain.Tags).toBeUndefined();
    const bad = await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'd', AssumeRolePolicyDocument: trust, Description: 'tab\u0007' })), 'ValidationError');
    expect(bad.message).toContain("at 'description'");
  });

  test('ListRoles: by name, within PathPrefix (paths under it too), a page at a time, with descriptions and durations but no tags', async () => {
    const { iam } = await start();
    await iam.send(new CreateRoleCommand({ RoleName: 'zeta', AssumeRolePolicyDocument: trust, Path: '/svc/', Description: 'last', MaxSessionDuration: 7200, Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new CreateRoleCommand({ RoleName: 'alpha', AssumeRolePolicyDocument: trust, Path: '/svc/inner/' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'mid', AssumeRolePolicyDocument: trust }));
    const all = (await iam.send(new ListRolesCommand({}))).Roles!;
    expect(all.map((r) => r.RoleName)).toEqual(['alpha', 'mid', 'zeta']);
    expect(all[2]).toMatchObject({ Path: '/svc/', Description: 'last', MaxSessionDuration: 7200, AssumeRolePolicyDocument: encodeURIComponent(trust) });
    expect(all[2]!.Tags).toBeUndefined();
    expect((await iam.send(new ListRolesCommand({ PathPrefix: '/svc/' }))).Roles!.map((r) => r.RoleName)).toEqual(['alpha', 'zeta']);
    const first = await iam.send(new ListRolesCommand({ MaxItems: 2 }));
    expect([first.Roles!.map((r) => r.RoleName), first.IsTruncated]).toEqual([['alpha', 'mid'], true]);
    const rest = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: first.Marker }));
    expect([rest.Roles!.map((r) => r.RoleName), rest.IsTruncated]).toEqual([['zeta'], false]);
  });

  test('DeleteRole is DeleteConflict (409) while the role has inline or attached policies, in IAM\'s words', async () => {
    const { iam } = await start();
    await iam.send(new CreateRoleCommand({ RoleName: 'busy', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'busy', PolicyName: 'p', PolicyDocument: identityPolicy(120) }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'busy', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    expect((await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'busy' })), 'DeleteConflictException', 409)).message).toBe('Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'busy', PolicyName: 'p' }));
    expect((await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'busy' })), 'DeleteConflictException', 409)).message).toBe('Cannot delete entity, must detach all policies first.');
    expect((await iam.send(new GetRoleCommand({ RoleName: 'busy' }))).Role!.RoleName).toBe('busy');
  });

  test('a trust policy of 2,048 characters is taken, one of 2,049 is LimitExceeded (409), by CreateRole and UpdateAssumeRolePolicy', async () => {
    const { iam } = await start();
    await iam.send(new CreateRoleCommand({ RoleName: 'edge', AssumeRolePolicyDocument: trustPolicy(2048) }));
    const over = await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'over', AssumeRolePolicyDocument: trustPolicy(2049) })), 'LimitExceededException', 409);
    expect(over.message).toBe('Cannot exceed quota for ACLSizePerRole: 2048');
    await expectAwsError(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'edge', PolicyDocument: trustPolicy(2049) })), 'LimitExceededException', 409);
    const ghost = await expectAwsError(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ghost', PolicyDocument: trust })), 'NoSuchEntityException', 404);
    expect(ghost.message).toBe('The role with name ghost cannot be found.');
    expect((await iam.send(new GetRoleCommand({ RoleName: 'edge' }))).Role!.AssumeRolePolicyDocument).toBe(encodeURIComponent(trustPolicy(2048)));
  });
});

describe('inline policies', () => {
  test('a user\'s inline policies together: 2,048 characters taken, one more LimitExceeded; a policy replaced counts once', async () => {
    const { iam } = await start();
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'a', PolicyDocument: identityPolicy(1500) }));
    // Replacing 'a' with a document as large: the old one no longer counts.
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'a', PolicyDocument: identityPolicy(1548) }));
    const over = await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'b', PolicyDocument: identityPolicy(501) })), 'LimitExceededException', 409);
    expect(over.message).toBe('Maximum policy size of 2048 bytes exceeded for user alice');
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'b', PolicyDocument: identityPolicy(500) }));
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames).toEqual(['a', 'b']);
  });

  test('a role\'s inline policies together: up to 10,240 characters, in the role\'s words past that', async () => {
    const { iam } = await start();
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'big', PolicyDocument: identityPolicy(10_000) }));
    const over = await expectAwsError(iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'more', PolicyDocument: identityPolicy(241) })), 'LimitExceededException', 409);
    expect(over.message).toBe('Maximum policy size of 10240 bytes exceeded for role worker');
    await iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'more', PolicyDocument: identityPolicy(240) }));
  });

  test('GetRolePolicy names the role, GetUserPolicy the user; a name only inherited (constructor) is no policy', async () => {
    const { iam } = await start();
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trust }));
    const text = identityPolicy(120);
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p', PolicyDocument: text }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p', PolicyDocument: text }));
    const forUser = await iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'p' }));
    expect([forUser.UserName, forUser.PolicyName, forUser.PolicyDocument]).toEqual(['alice', 'p', encodeURIComponent(text)]);
    const forRole = await iam.send(new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p' }));
    expect([forRole.RoleName, forRole.PolicyName, forRole.PolicyDocument]).toEqual(['worker', 'p', encodeURIComponent(text)]);
    const inherited = await expectAwsError(iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'constructor' })), 'NoSuchEntityException', 404);
    expect(inherited.message).toBe('The user policy with name constructor cannot be found.');
    const noRole = await expectAwsError(iam.send(new PutRolePolicyCommand({ RoleName: 'ghost', PolicyName: 'p', PolicyDocument: text })), 'NoSuchEntityException', 404);
    expect(noRole.message).toBe('The role with name ghost cannot be found.');
    const badName = await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'no spaces', PolicyDocument: text })), 'ValidationError');
    expect(badName.message).toContain("Value 'no spaces' at 'policyName'");
  });

  test('ListUserPolicies and ListRolePolicies: names in order, a page at a time', async () => {
    const { iam } = await start();
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trust }));
    for (const PolicyName of ['c', 'a', 'b']) {
      await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName, PolicyDocument: identityPolicy(120) }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName, PolicyDocument: identityPolicy(120) }));
    }
    const first = await iam.send(new ListUserPoliciesCommand({ UserName: 'alice', MaxItems: 2 }));
    expect([first.PolicyNames, first.IsTruncated]).toEqual([['a', 'b'], true]);
    const rest = await iam.send(new ListUserPoliciesCommand({ UserName: 'alice', MaxItems: 2, Marker: first.Marker }));
    expect([rest.PolicyNames, rest.IsTruncated]).toEqual([['c'], false]);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'worker' }))).PolicyNames).toEqual(['a', 'b', 'c']);
  });
});

describe('managed policy documents', () => {
  test('CreatePolicy takes a document of 6,144 characters; one of 6,145 is LimitExceeded (409), not MalformedPolicyDocument', async () => {
    const { iam } = await start();
    const { CreatePolicyCommand } = await import('@aws-sdk/client-iam');
    await iam.send(new CreatePolicyCommand({ PolicyName: 'edge', PolicyDocument: identityPolicy(6144) }));
    const over = await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'over', PolicyDocument: identityPolicy(6145) })), 'LimitExceededException', 409);
    expect(over.message).toBe('Cannot exceed quota for PolicySize: 6144');
  });
});

describe('tags', () => {
  test('a key of 1 to 128 and a value of up to 256 of IAM\'s characters are taken, at most 50 tags', async () => {
    const { iam } = await start();
    const edge: Tag[] = [
      { Key: 'k'.repeat(128), Value: 'v'.repeat(256) },
      { Key: 'a', Value: '' },
      { Key: 'Ünï cödé 42_.:/=+-@', Value: 'spaces and_.:/=+-@ ok' },
    ];
    expect((await iam.send(new CreateUserCommand({ UserName: 'edge', Tags: edge }))).User!.Tags).toEqual(edge);
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    expect((await iam.send(new CreateRoleCommand({ RoleName: 'fifty', AssumeRolePolicyDocument: trust, Tags: fifty }))).Role!.Tags).toEqual(fifty);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'fifty' }))).Role!.Tags).toEqual(fifty);
  });

  test('a key or value out of bounds is ValidationError naming the member by its place, in IAM\'s words', async () => {
    const { iam } = await start();
    const create = (Tags: Tag[]) => iam.send(new CreateUserCommand({ UserName: 'tagged', Tags }));
    const keyRule = 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+ and have length from 1 to 128';
    const valueRule = 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]* and have length up to 256';
    expect((await expectAwsError(create([{ Key: 'ok', Value: '1' }, { Key: 'k'.repeat(129), Value: '1' }]), 'ValidationError')).message).toBe(
      `1 validation error detected: Value '${'k'.repeat(129)}' at 'tags.2.member.key' failed to satisfy constraint: ${keyRule}`,
    );
    expect((await expectAwsError(create([{ Key: '', Value: '1' }]), 'ValidationError')).message).toBe(`1 validation error detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: ${keyRule}`);
    expect((await expectAwsError(create([{ Key: 'k', Value: 'v'.repeat(257) }]), 'ValidationError')).message).toBe(
      `1 validation error detected: Value '${'v'.repeat(200)}...' at 'tags.1.member.value' failed to satisfy constraint: ${valueRule}`,
    );
    expect((await expectAwsError(create([{ Key: 'k', Value: 'no#hash' }]), 'ValidationError')).message).toBe(`1 validation error detected: Value 'no#hash' at 'tags.1.member.value' failed to satisfy constraint: ${valueRule}`);
    expect((await expectAwsError(create([{ Key: 'k' } as Tag]), 'ValidationError')).message).toBe("1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null");
    expect((await expectAwsError(create([{ Key: 'a', Value: '1' }, { Value: 'v' } as Tag]), 'ValidationError')).message).toBe("1 validation error detected: Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null");
    const dup = await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'dup', AssumeRolePolicyDocument: trust, Tags: [{ Key: 'Team', Value: '1' }, { Key: 'tEAM', Value: '2' }] })), 'InvalidInputException');
    expect(dup.message).toBe('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['workshop-learner']);
    expect((await iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
  });
});

describe('how entities are shown', () => {
  test('an AWS managed policy as GetPolicy shows it: AWS\'s dates, description, attachable, no boundary use', async () => {
    const { iam } = await start();
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser' }))).Policy!;
    expect(policy).toEqual({
      PolicyName: 'AWSKeyManagementServicePowerUser',
      PolicyId: 'ANPAJNPP7PPPPMJRV2SA4',
      Arn: 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser',
      Path: '/',
      DefaultVersionId: 'v2',
      AttachmentCount: 0,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: 'Provides access to AWS Key Management Service (KMS).',
      CreateDate: new Date('2015-02-06T18:40:40Z'),
      UpdateDate: new Date('2017-03-07T00:55:11Z'),
    });
  });

  test('ListUsers shows each user\'s path, id, ARN and creation date; a user made with no tags shows none', async () => {
    const { te, iam } = await start();
    const made = (await iam.send(new CreateUserCommand({ UserName: 'plain', Path: '/p/q/', Tags: [] }))).User!;
    expect(made.Tags).toBeUndefined();
    const listed = (await iam.send(new ListUsersCommand({ PathPrefix: '/p/' }))).Users!;
    expect(listed).toEqual([{ Path: '/p/q/', UserName: 'plain', UserId: made.UserId, Arn: `arn:aws:iam::${ACCOUNT}:user/p/q/plain`, CreateDate: new Date(Math.floor(te.clock.now().getTime() / 1000) * 1000) }]);
  });

  test('unique ids and access key ids use all of base32\'s alphabet, and differ', async () => {
    const { iam } = await start();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await iam.send(new CreateUserCommand({ UserName: `u${i}` }))).User!.UserId!.slice(4));
    ids.push((await iam.send(new CreateAccessKeyCommand({ UserName: 'u0' }))).AccessKey!.AccessKeyId!.slice(4));
    expect(new Set(ids).size).toBe(ids.length);
    // 220 random characters of 32: every one appears, but for a chance of about 32 * (31/32)^220 < 0.001.
    expect(new Set(ids.join('')).size).toBeGreaterThanOrEqual(28);
  });
});

describe('changes kept across a restart', () => {
  test('an inline policy deleted, an access key made Inactive, a trust policy replaced: each kept by a restart right after it', async () => {
    const home = tempHome();
    try {
      let { te, iam } = await start(home);
      await iam.send(new CreateUserCommand({ UserName: 'kept' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'kept', PolicyName: 'gone', PolicyDocument: identityPolicy(120) }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'kept' }))).AccessKey!;
      await iam.send(new CreateRoleCommand({ RoleName: 'kept-role', AssumeRolePolicyDocument: trust }));
      // Each change is the last call before the engine stops: a later save would write it by the way.
      const restartAfter = async (change: () => Promise<unknown>) => {
        await change();
        await running.pop()!.stop();
        ({ te, iam } = await start(home));
      };
      await restartAfter(() => iam.send(new DeleteUserPolicyCommand({ UserName: 'kept', PolicyName: 'gone' })));
      expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'kept' }))).PolicyNames).toEqual([]);
      await restartAfter(() => iam.send(new UpdateAccessKeyCommand({ UserName: 'kept', AccessKeyId: key.AccessKeyId, Status: 'Inactive' })));
      expect(te.engine.directory.credentials(key.AccessKeyId!)?.status).toBe('Inactive');
      await restartAfter(() => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'kept-role', PolicyDocument: trustPolicy(160) })));
      expect((await iam.send(new GetRoleCommand({ RoleName: 'kept-role' }))).Role!.AssumeRolePolicyDocument).toBe(encodeURIComponent(trustPolicy(160)));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
