// Roles and STS through @aws-sdk/client-iam and client-sts: CreateRole's trust policy checked,
// GetCallerIdentity for each kind of caller, AssumeRole as the trust policy allows (evaluated
// by the authorization decision) with credentials that expire on the engine clock.
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand, PutRolePolicyCommand, DeleteRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
let iam: IAMClient;
let sts: STSClient;
const clients: { destroy(): void }[] = [];
beforeEach(async () => {
  e = await startTestEngine();
  iam = new IAMClient(e.clientConfig);
  sts = new STSClient(e.clientConfig);
  clients.push(iam, sts);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await e.stop();
});

const ACCOUNT = '111122223333';
const trusting = (principal: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });

/** A new user with an access key, and an STS client signing with it. */
async function userWithKey(name: string) {
  await iam.send(new CreateUserCommand({ UserName: name }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  const client = new STSClient({ ...e.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
  clients.push(client);
  return client;
}

describe('roles', () => {
  test('CreateRole with a trust policy, GetRole (the policy URL-encoded), ListRoles, DeleteRole', async () => {
    const policy = trusting(`arn:aws:iam::${ACCOUNT}:root`);
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'Reader', AssumeRolePolicyDocument: policy, Description: 'reads', MaxSessionDuration: 7200, Tags: [{ Key: 'use', Value: 'lesson' }] }))).Role!;
    expect(role).toMatchObject({ RoleName: 'Reader', Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/Reader`, AssumeRolePolicyDocument: encodeURIComponent(policy), Description: 'reads', MaxSessionDuration: 7200, Tags: [{ Key: 'use', Value: 'lesson' }] });
    expect(role.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'Reader' }))).Role).toEqual(role);
    expect((await iam.send(new ListRolesCommand({}))).Roles!.map((r) => [r.RoleName, r.Tags])).toEqual([['Reader', undefined]]);
    const taken = await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: policy })), 'EntityAlreadyExistsException', 409);
    expect(taken.message).toBe('Role with name reader already exists.');
    await iam.send(new PutRolePolicyCommand({ RoleName: 'Reader', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }) }));
    await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'Reader' })), 'DeleteConflictException', 409);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'Reader', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'Reader' }));
    expect((await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'Reader' })), 'NoSuchEntityException', 404)).message).toBe('The role with name Reader cannot be found.');
  });

  test('a trust policy that is not one, or names a principal that does not exist, is MalformedPolicyDocument', async () => {
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: noPrincipal })), 'MalformedPolicyDocumentException');
    const ghost = `arn:aws:iam::${ACCOUNT}:user/ghost`;
    const err = await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: trusting(ghost) })), 'MalformedPolicyDocumentException');
    expect(err.message).toBe(`Invalid principal in policy: "AWS":"${ghost}"`);
    await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'r3', AssumeRolePolicyDocument: trusting(ghost), MaxSessionDuration: 60 })), 'ValidationError');
    const accounts = Array.from({ length: 200 }, (_, i) => String(100000000000 + i));
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: accounts }, Action: 'sts:AssumeRole' }] });
    const tooBig = await expectAwsError(iam.send(new CreateRoleCommand({ RoleName: 'r4', AssumeRolePolicyDocument: big })), 'LimitExceededException', 409);
    expect(tooBig.message).toBe('Cannot exceed quota for ACLSizePerRole: 2048');
    expect((await iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
  });
});

describe('STS', () => {
  test('GetCallerIdentity: the default learner for unknown credentials, the user for an IAM key', async () => {
    const learner = await sts.send(new GetCallerIdentityCommand({}));
    expect(learner).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/workshop-learner` });
    expect(learner.UserId).toMatch(/^AIDA/);
    const alice = await userWithKey('alice');
    expect((await alice.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/alice`);
  });

  test('AssumeRole when the trust policy names the caller: temporary credentials that act as the role session', async () => {
    const alice = await userWithKey('alice');
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'KeyAdmin', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/alice`) }))).Role!;
    const out = await alice.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'alice-session', DurationSeconds: 900 }));
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.Credentials!.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(out.Credentials!.SessionToken!.length).toBeGreaterThan(100);
    expect(out.Credentials!.Expiration!.getTime()).toBe(Math.floor(e.clock.now().getTime() / 1000) * 1000 + 900_000);
    expect(out.AssumedRoleUser).toEqual({ AssumedRoleId: `${role.RoleId}:alice-session`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/KeyAdmin/alice-session` });
    const asRole = new STSClient({ ...e.clientConfig, credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! } });
    clients.push(asRole);
    expect(await asRole.send(new GetCallerIdentityCommand({}))).toMatchObject({ UserId: `${role.RoleId}:alice-session`, Account: ACCOUNT, Arn: out.AssumedRoleUser!.Arn });
    // Role chaining: a role whose trust policy names the first role; at most an hour.
    const next = (await iam.send(new CreateRoleCommand({ RoleName: 'Next', AssumeRolePolicyDocument: trusting(role.Arn!), MaxSessionDuration: 7200 }))).Role!;
    const chained = await expectAwsError(asRole.send(new AssumeRoleCommand({ RoleArn: next.Arn, RoleSessionName: 'again', DurationSeconds: 3601 })), 'ValidationError');
    expect(chained.message).toBe('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    expect((await asRole.send(new AssumeRoleCommand({ RoleArn: next.Arn, RoleSessionName: 'again' }))).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Next/again`);
  });

  test('temporary credentials expire on the engine clock: ExpiredToken after DurationSeconds', async () => {
    const alice = await userWithKey('alice');
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'Short', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/alice`) }))).Role!;
    const creds = (await alice.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'short', DurationSeconds: 900 }))).Credentials!;
    const asRole = new STSClient({ ...e.clientConfig, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });
    clients.push(asRole);
    await asRole.send(new GetCallerIdentityCommand({}));
    e.clock.advance(901);
    await expectAwsError(asRole.send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
  });

  test('AssumeRole refused: AccessDenied (403) for a caller the trust policy does not name or a role that does not exist', async () => {
    const alice = await userWithKey('alice');
    const bob = await userWithKey('bob');
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'AliceOnly', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/alice`) }))).Role!;
    const denied = await expectAwsError(bob.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'bob' })), 'AccessDenied', 403);
    expect(denied.message).toContain(`User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: sts:AssumeRole on resource: ${role.Arn}`);
    const missing = `arn:aws:iam::${ACCOUNT}:role/Nope`;
    const noRole = await expectAwsError(alice.send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: 'xx' })), 'AccessDenied', 403);
    expect(noRole.message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: ${missing}`);
  });

  test('UpdateAssumeRolePolicy changes who may assume the role (checked as CreateRole checks it)', async () => {
    const alice = await userWithKey('alice');
    const bob = await userWithKey('bob');
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'Handover', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/alice`) }))).Role!;
    await alice.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'before' }));
    await expectAwsError(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Handover', PolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/ghost`) })), 'MalformedPolicyDocumentException');
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Handover', PolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/bob`) }));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'Handover' }))).Role!.AssumeRolePolicyDocument).toBe(encodeURIComponent(trusting(`arn:aws:iam::${ACCOUNT}:user/bob`)));
    await expectAwsError(alice.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'after' })), 'AccessDenied', 403);
    await bob.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'after' }));
  });

  test('an account\'s root user: GetCallerIdentity names the account as its UserId; AssumeRole is refused to it', async () => {
    const { handleQuery } = await import('../../src/engine/iam/query.js');
    const root = { type: 'Root' as const, principalId: ACCOUNT, accountId: ACCOUNT, region: 'us-east-1', accessKeyId: 'AKIAROOTEXAMPLE00000', userName: '', arn: `arn:aws:iam::${ACCOUNT}:root` };
    const ask = (body: string) =>
      handleQuery(e.engine, { method: 'POST', path: '/', query: new URLSearchParams(), headers: { authorization: 'Credential=AKIAROOTEXAMPLE00000/20260101/us-east-1/sts/aws4_request' }, body: Buffer.from(body) }, root, 'request-1');
    const who = String((await ask('Action=GetCallerIdentity&Version=2011-06-15')).body);
    expect(who).toContain(`<UserId>${ACCOUNT}</UserId><Account>${ACCOUNT}</Account><Arn>arn:aws:iam::${ACCOUNT}:root</Arn>`);
    await iam.send(new CreateRoleCommand({ RoleName: 'ForRoot', AssumeRolePolicyDocument: trusting(ACCOUNT) }));
    const refused = await ask(`Action=AssumeRole&Version=2011-06-15&RoleSessionName=root&RoleArn=arn:aws:iam::${ACCOUNT}:role/ForRoot`);
    expect(refused.status).toBe(403);
    expect(String(refused.body)).toContain('<Code>AccessDenied</Code><Message>Roles may not be assumed by root accounts.</Message>');
  });

  test('a trust policy\'s conditions read sts:ExternalId and sts:RoleSessionName from the request', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'vendor-123' }, StringLike: { 'sts:RoleSessionName': 'audit-*' } } }],
    });
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'Vendor', AssumeRolePolicyDocument: policy }))).Role!;
    await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'audit-1' })), 'AccessDenied', 403);
    await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'audit-1', ExternalId: 'vendor-999' })), 'AccessDenied', 403);
    await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'other', ExternalId: 'vendor-123' })), 'AccessDenied', 403);
    const ok = await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'audit-1', ExternalId: 'vendor-123' }));
    expect(ok.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Vendor/audit-1`);
  });

  test('a trust policy naming the account lets in users whose own policies allow sts:AssumeRole (the default learner, an administrator), not others', async () => {
    const bob = await userWithKey('bob');
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'Account', AssumeRolePolicyDocument: trusting(ACCOUNT) }))).Role!;
    expect((await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'learner' }))).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Account/learner`);
    const denied = await expectAwsError(bob.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'bob' })), 'AccessDenied', 403);
    expect(denied.message).toContain('because no identity-based policy allows the sts:AssumeRole action');
  });

  test('DurationSeconds from 900 to the role\'s MaxSessionDuration, and session names as STS constrains them', async () => {
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'Hour', AssumeRolePolicyDocument: trusting(ACCOUNT) }))).Role!;
    const short = await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'ok', DurationSeconds: 899 })), 'ValidationError');
    expect(short.message).toContain('greater than or equal to 900');
    const long = await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'ok', DurationSeconds: 3601 })), 'ValidationError');
    expect(long.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'has space' })), 'ValidationError');
    await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'x' })), 'ValidationError');
    const def = (await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'ok' }))).Credentials!;
    expect(def.Expiration!.getTime() - Math.floor(e.clock.now().getTime() / 1000) * 1000).toBe(3600_000);
  });
});
