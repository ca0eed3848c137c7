// STS at its edges: AssumeRole's RoleArn (a role's ARN, with its path), DurationSeconds at
// the role's MaxSessionDuration and at role chaining's hour, through @aws-sdk/client-sts over
// HTTP; GetCallerIdentity for callers the engine builds without a principal id; and the
// session store's bound at the very moment a session expires.
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { Params, type QueryCall } from '../../src/engine/iam/query.js';
import { getCallerIdentity } from '../../src/engine/sts/caller-identity.js';
import { MAX_SESSIONS, Sessions, type Session } from '../../src/engine/sts/sessions.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
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

const trusting = (principal: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });
const second = () => Math.floor(e.clock.now().getTime() / 1000) * 1000;
const stsAs = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }) => {
  const client = new STSClient({ ...e.clientConfig, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
  clients.push(client);
  return client;
};

describe('AssumeRole', () => {
  test('a RoleArn that is no role\'s ARN is ValidationError "Request ARN is invalid", as STS says it, not AccessDenied', async () => {
    const user = `arn:aws:iam::${ACCOUNT}:user/workshop-learner`;
    const err = await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: user, RoleSessionName: 'ok' })), 'ValidationError');
    expect(err.message).toBe('Request ARN is invalid');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    const long = `arn:aws:iam::${ACCOUNT}:policy/${'p'.repeat(300)}`;
    expect((await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: long, RoleSessionName: 'ok' })), 'ValidationError')).message).toBe('Request ARN is invalid');
  });

  test('a role with a path is assumed by its ARN with the path; the session\'s ARN names the role without it', async () => {
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'deep', Path: '/a/b/', AssumeRolePolicyDocument: trusting(ACCOUNT) }))).Role!;
    expect(role.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/a/b/deep`);
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'in' }));
    expect(out.AssumedRoleUser).toEqual({ AssumedRoleId: `${role.RoleId}:in`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deep/in` });
    // The same name without its path is not this role's ARN: AWS does not say whether a role exists.
    const bare = `arn:aws:iam::${ACCOUNT}:role/deep`;
    const denied = await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: bare, RoleSessionName: 'in' })), 'AccessDenied', 403);
    expect(denied.message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/workshop-learner is not authorized to perform: sts:AssumeRole on resource: ${bare}`);
  });

  test('DurationSeconds up to the role\'s MaxSessionDuration exactly; the credentials expire then', async () => {
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'two-hours', MaxSessionDuration: 7200, AssumeRolePolicyDocument: trusting(ACCOUNT) }))).Role!;
    const creds = (await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'max', DurationSeconds: 7200 }))).Credentials!;
    expect(creds.Expiration!.getTime()).toBe(second() + 7200_000);
    const over = await expectAwsError(sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'over', DurationSeconds: 7201 })), 'ValidationError');
    expect(over.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const asRole = stsAs(creds);
    e.clock.advance(7199);
    expect((await asRole.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/two-hours/max`);
  });

  test('role chaining: a session may ask for an hour exactly, not a second more, even of a role allowing two', async () => {
    const first = (await iam.send(new CreateRoleCommand({ RoleName: 'first', MaxSessionDuration: 7200, AssumeRolePolicyDocument: trusting(ACCOUNT) }))).Role!;
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'first', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const next = (await iam.send(new CreateRoleCommand({ RoleName: 'next', MaxSessionDuration: 7200, AssumeRolePolicyDocument: trusting(first.Arn!) }))).Role!;
    const asFirst = stsAs((await sts.send(new AssumeRoleCommand({ RoleArn: first.Arn, RoleSessionName: 'one', DurationSeconds: 7200 }))).Credentials!);
    const hour = (await asFirst.send(new AssumeRoleCommand({ RoleArn: next.Arn, RoleSessionName: 'two', DurationSeconds: 3600 }))).Credentials!;
    expect(hour.Expiration!.getTime()).toBe(second() + 3600_000);
    await expectAwsError(asFirst.send(new AssumeRoleCommand({ RoleArn: next.Arn, RoleSessionName: 'two', DurationSeconds: 3601 })), 'ValidationError');
  });

  test('the credentials look like AWS\'s: ASIA key id, 40-character secret, a session token of AWS\'s opening and length', async () => {
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trusting(ACCOUNT) }))).Role!;
    const creds = (await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'look' }))).Credentials!;
    expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(creds.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(creds.SessionToken).toMatch(/^IQoJb3JpZ2luX2VjE[A-Za-z0-9+/]{256}$/);
  });

  test('the caller\'s ARN is what the session remembers as who assumed it', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:user/alice`) }))).Role!;
    const creds = (await stsAs(key).send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 'by-alice' }))).Credentials!;
    const session = e.engine.directory.sessions.get(creds.AccessKeyId!)!;
    expect(session).toMatchObject({ assumedBy: `arn:aws:iam::${ACCOUNT}:user/alice`, roleArn: role.Arn, sessionName: 'by-alice', expiresAt: e.clock.now().getTime() + 3600_000 });
  });
});

describe('GetCallerIdentity for a caller with no principal id', () => {
  const ask = (caller: ReturnType<typeof makeCaller>) =>
    getCallerIdentity.run({ engine: e.engine, caller, params: new Params(new URLSearchParams()), requestId: 'r' } satisfies QueryCall);

  test('a user the directory has: its unique id', async () => {
    const alice = (await iam.send(new CreateUserCommand({ UserName: 'alice' }))).User!;
    const caller = makeCaller({ userName: 'alice', arn: alice.Arn, accessKeyId: 'AKIAEXAMPLEEXAMPLE00' });
    expect(await ask(caller)).toEqual({ UserId: alice.UserId, Account: ACCOUNT, Arn: alice.Arn });
  });

  test('a principal the directory does not have: the access key id it signed with', async () => {
    const caller = makeCaller({ userName: 'ghost', arn: `arn:aws:iam::${ACCOUNT}:user/ghost`, accessKeyId: 'AKIAGHOSTGHOSTGHOST0' });
    expect(await ask(caller)).toEqual({ UserId: 'AKIAGHOSTGHOSTGHOST0', Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ghost` });
  });

  test('a caller with a principal id is that id, whatever the directory says', async () => {
    const caller = makeCaller({ principalId: 'AROAEXAMPLE:job', userName: 'ghost', arn: `arn:aws:iam::${ACCOUNT}:user/workshop-learner` });
    expect((await ask(caller))!.UserId).toBe('AROAEXAMPLE:job');
  });
});

describe('the session store at its bound', () => {
  const session = (id: number, expiresAt: number): Session => ({
    accessKeyId: `ASIA${String(id).padStart(16, '0')}`, secretAccessKey: 's', sessionToken: 't', expiresAt, createdAt: expiresAt - 900_000,
    accountId: ACCOUNT, roleName: 'r', roleId: 'AROAEXAMPLE', roleArn: `arn:aws:iam::${ACCOUNT}:role/r`, sessionName: 'n', assumedBy: 'x',
  });

  test('a session expiring at this very millisecond counts as expired: it goes before the oldest live one, and is reported dropped', () => {
    const sessions = new Sessions();
    const now = 5_000_000;
    sessions.add(session(1, now + 1), now); // oldest, live for one more millisecond
    sessions.add(session(0, now), now); // expires now
    for (let i = 2; i < MAX_SESSIONS; i++) sessions.add(session(i, now + 60_000), now);
    expect(sessions.add(session(MAX_SESSIONS, now + 60_000), now)).toEqual([session(0, 0).accessKeyId]);
    expect(sessions.get(session(1, 0).accessKeyId)).toBeDefined();
    expect(sessions.size).toBe(MAX_SESSIONS);
    expect([...sessions.values()].at(-1)!.accessKeyId).toBe(session(MAX_SESSIONS, 0).accessKeyId);
  });

  test('below the bound nothing is dropped, expired or not', () => {
    const sessions = new Sessions();
    expect(sessions.add(session(0, 0), 10)).toEqual([]);
    expect(sessions.add(session(1, 20), 10)).toEqual([]);
    expect(sessions.size).toBe(2);
  });
});
