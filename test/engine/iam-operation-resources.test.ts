// The resource each IAM operation is authorized on, as AWS's AccessDenied names it: a user with
// no policy calls every operation, and each refusal must name the action and the ARN the
// operation acts on (a user or role by its path, the caller for an unnamed user, the list's
// prefix). A wrong resource would let a policy scoped to one user or role reach another.
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DeleteUserCommand,
  DeleteUserPolicyCommand, GetRoleCommand, GetRolePolicyCommand, GetUserCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListRolePoliciesCommand,
  ListRolesCommand, ListUserPoliciesCommand, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAccessKeyCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] });
const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });

let e: TestEngine;
let admin: IAMClient;
let bob: IAMClient;
beforeAll(async () => {
  e = await startTestEngine();
  admin = new IAMClient(e.clientConfig);
  await admin.send(new CreateUserCommand({ UserName: 'alice', Path: '/team/' }));
  await admin.send(new CreateRoleCommand({ RoleName: 'worker', Path: '/svc/', AssumeRolePolicyDocument: trust }));
  await admin.send(new CreateUserCommand({ UserName: 'bob' }));
  const key = (await admin.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey!;
  bob = new IAMClient({ ...e.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
});
afterAll(async () => {
  admin?.destroy();
  bob?.destroy();
  await e?.stop();
});

/** The resource bob's refused call names, after checking the action and AWS's wording around it. */
async function deniedResource(call: Promise<unknown>, action: string): Promise<string> {
  const err = await expectAwsError(call, 'AccessDenied', 403);
  const m = /^User: (\S+) is not authorized to perform: (\S+) on resource: (\S*) because no identity-based policy allows the \S+ action$/.exec(err.message);
  expect(m, err.message).not.toBeNull();
  expect([m![1], m![2]]).toEqual([BOB, action]);
  return m![3]!;
}

// Members left out on purpose: a refusal comes before the parameters are checked, as in AWS.
const missing = <T>(input: object) => input as unknown as T;

describe('users', () => {
  test('CreateUser: the new user\'s ARN with its path, "/" when none', async () => {
    expect(await deniedResource(bob.send(new CreateUserCommand({ UserName: 'carol', Path: '/ops/' })), 'iam:CreateUser')).toBe(`arn:aws:iam::${ACCOUNT}:user/ops/carol`);
    expect(await deniedResource(bob.send(new CreateUserCommand({ UserName: 'carol' })), 'iam:CreateUser')).toBe(`arn:aws:iam::${ACCOUNT}:user/carol`);
    expect(await deniedResource(bob.send(new CreateUserCommand(missing({}))), 'iam:CreateUser')).toBe(`arn:aws:iam::${ACCOUNT}:user/`);
  });

  test('GetUser and DeleteUser: the named user\'s ARN (with the path it has), the caller\'s own with no UserName', async () => {
    expect(await deniedResource(bob.send(new GetUserCommand({ UserName: 'alice' })), 'iam:GetUser')).toBe(`arn:aws:iam::${ACCOUNT}:user/team/alice`);
    expect(await deniedResource(bob.send(new GetUserCommand({ UserName: 'ghost' })), 'iam:GetUser')).toBe(`arn:aws:iam::${ACCOUNT}:user/ghost`);
    expect(await deniedResource(bob.send(new GetUserCommand({})), 'iam:GetUser')).toBe(BOB);
    expect(await deniedResource(bob.send(new DeleteUserCommand({ UserName: 'alice' })), 'iam:DeleteUser')).toBe(`arn:aws:iam::${ACCOUNT}:user/team/alice`);
    expect(await deniedResource(bob.send(new DeleteUserCommand(missing({}))), 'iam:DeleteUser')).toBe(`arn:aws:iam::${ACCOUNT}:user/`);
  });

  test('ListUsers: the account\'s users, arn:aws:iam::<account>:user/', async () => {
    expect(await deniedResource(bob.send(new ListUsersCommand({})), 'iam:ListUsers')).toBe(`arn:aws:iam::${ACCOUNT}:user/`);
  });
});

describe('access keys', () => {
  test('each access key operation: the named user\'s ARN, or the caller\'s own with no UserName', async () => {
    const id = 'AKIAAAAAAAAAAAAAAAAA';
    const calls: [string, (u: { UserName?: string }) => Promise<unknown>][] = [
      ['iam:CreateAccessKey', (u) => bob.send(new CreateAccessKeyCommand(u))],
      ['iam:ListAccessKeys', (u) => bob.send(new ListAccessKeysCommand(u))],
      ['iam:UpdateAccessKey', (u) => bob.send(new UpdateAccessKeyCommand({ ...u, AccessKeyId: id, Status: 'Inactive' }))],
      ['iam:DeleteAccessKey', (u) => bob.send(new DeleteAccessKeyCommand({ ...u, AccessKeyId: id }))],
    ];
    for (const [action, call] of calls) {
      expect(await deniedResource(call({ UserName: 'alice' }), action)).toBe(`arn:aws:iam::${ACCOUNT}:user/team/alice`);
      expect(await deniedResource(call({}), action)).toBe(BOB);
    }
  });
});

describe('roles', () => {
  test('CreateRole: the new role\'s ARN with its path, "/" when none', async () => {
    expect(await deniedResource(bob.send(new CreateRoleCommand({ RoleName: 'r', Path: '/ops/', AssumeRolePolicyDocument: trust })), 'iam:CreateRole')).toBe(`arn:aws:iam::${ACCOUNT}:role/ops/r`);
    expect(await deniedResource(bob.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust })), 'iam:CreateRole')).toBe(`arn:aws:iam::${ACCOUNT}:role/r`);
    expect(await deniedResource(bob.send(new CreateRoleCommand(missing({ AssumeRolePolicyDocument: trust }))), 'iam:CreateRole')).toBe(`arn:aws:iam::${ACCOUNT}:role/`);
  });

  test('GetRole, UpdateAssumeRolePolicy, DeleteRole: the named role\'s ARN with the path it has', async () => {
    const worker = `arn:aws:iam::${ACCOUNT}:role/svc/worker`;
    expect(await deniedResource(bob.send(new GetRoleCommand({ RoleName: 'worker' })), 'iam:GetRole')).toBe(worker);
    expect(await deniedResource(bob.send(new GetRoleCommand({ RoleName: 'ghost' })), 'iam:GetRole')).toBe(`arn:aws:iam::${ACCOUNT}:role/ghost`);
    expect(await deniedResource(bob.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'worker', PolicyDocument: trust })), 'iam:UpdateAssumeRolePolicy')).toBe(worker);
    expect(await deniedResource(bob.send(new DeleteRoleCommand({ RoleName: 'worker' })), 'iam:DeleteRole')).toBe(worker);
    expect(await deniedResource(bob.send(new DeleteRoleCommand(missing({}))), 'iam:DeleteRole')).toBe(`arn:aws:iam::${ACCOUNT}:role/`);
  });

  test('ListRoles: the account\'s roles, arn:aws:iam::<account>:role/', async () => {
    expect(await deniedResource(bob.send(new ListRolesCommand({})), 'iam:ListRoles')).toBe(`arn:aws:iam::${ACCOUNT}:role/`);
  });
});

describe('inline policies', () => {
  test('the user policy operations: the named user\'s ARN; the role policy operations: the named role\'s', async () => {
    const alice = `arn:aws:iam::${ACCOUNT}:user/team/alice`;
    const worker = `arn:aws:iam::${ACCOUNT}:role/svc/worker`;
    expect(await deniedResource(bob.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p', PolicyDocument: doc })), 'iam:PutUserPolicy')).toBe(alice);
    expect(await deniedResource(bob.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'p' })), 'iam:GetUserPolicy')).toBe(alice);
    expect(await deniedResource(bob.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'p' })), 'iam:DeleteUserPolicy')).toBe(alice);
    expect(await deniedResource(bob.send(new ListUserPoliciesCommand({ UserName: 'alice' })), 'iam:ListUserPolicies')).toBe(alice);
    expect(await deniedResource(bob.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p', PolicyDocument: doc })), 'iam:PutRolePolicy')).toBe(worker);
    expect(await deniedResource(bob.send(new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p' })), 'iam:GetRolePolicy')).toBe(worker);
    expect(await deniedResource(bob.send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'p' })), 'iam:DeleteRolePolicy')).toBe(worker);
    expect(await deniedResource(bob.send(new ListRolePoliciesCommand({ RoleName: 'worker' })), 'iam:ListRolePolicies')).toBe(worker);
    expect(await deniedResource(bob.send(new ListUserPoliciesCommand(missing({}))), 'iam:ListUserPolicies')).toBe(`arn:aws:iam::${ACCOUNT}:user/`);
    expect(await deniedResource(bob.send(new ListRolePoliciesCommand(missing({}))), 'iam:ListRolePolicies')).toBe(`arn:aws:iam::${ACCOUNT}:role/`);
  });
});
