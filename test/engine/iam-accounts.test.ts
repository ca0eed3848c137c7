// Accounts: the default one (111122223333) made on first use with its default learner, and
// more made for a class (Iam.createLearnerAccount), each with an administrator and an access
// key that signs as them; IAM shows each account only its own users, roles and policies.
import { AttachUserPolicyCommand, CreatePolicyCommand, GetPolicyCommand, CreateRoleCommand, CreateUserCommand, GetUserCommand, IAMClient, ListPoliciesCommand, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
const clients: { destroy(): void }[] = [];
beforeEach(async () => {
  e = await startTestEngine();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await e.stop();
});

function clientsFor(credentials: { accessKeyId: string; secretAccessKey: string }) {
  const iam = new IAMClient({ ...e.clientConfig, credentials });
  const sts = new STSClient({ ...e.clientConfig, credentials });
  clients.push(iam, sts);
  return { iam, sts };
}

const trust = (account: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole' }] });

test('a learner account: a new 12-digit account whose workshop-learner is an administrator with a working access key', async () => {
  const learner = e.engine.directory.createLearnerAccount();
  expect(learner.accountId).toMatch(/^[1-9]\d{11}$/);
  expect(learner.accountId).not.toBe('111122223333');
  expect(learner.accessKeyId).toMatch(/^AKIA/);
  const { iam, sts } = clientsFor(learner);
  expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: learner.accountId, Arn: `arn:aws:iam::${learner.accountId}:user/workshop-learner` });
  expect((await iam.send(new GetUserCommand({}))).User!.Arn).toBe(`arn:aws:iam::${learner.accountId}:user/workshop-learner`);
  const policies = e.engine.directory.identityPolicies(e.engine.directory.credentials(learner.accessKeyId)!.caller('us-east-1'));
  expect(policies.map((p) => p.name)).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
});

test('each account sees only its own users, roles and policies; the same names may exist in both', async () => {
  const a = clientsFor(e.engine.directory.createLearnerAccount());
  const bLearner = e.engine.directory.createLearnerAccount();
  const b = clientsFor(bLearner);
  await a.iam.send(new CreateUserCommand({ UserName: 'shared-name' }));
  await b.iam.send(new CreateUserCommand({ UserName: 'shared-name' }));
  await a.iam.send(new CreateUserCommand({ UserName: 'only-in-a' }));
  await a.iam.send(new CreatePolicyCommand({ PolicyName: 'APolicy', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }) }));
  await a.iam.send(new CreateRoleCommand({ RoleName: 'ARole', AssumeRolePolicyDocument: trust(bLearner.accountId) })); // another account may be trusted
  expect((await b.iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['shared-name', 'workshop-learner']);
  expect((await b.iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
  expect((await b.iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies).toEqual([]);
  await expectAwsError(b.iam.send(new GetUserCommand({ UserName: 'only-in-a' })), 'NoSuchEntityException', 404);
  // Another account's managed policy is not one this account can see or attach.
  const aPolicy = (await a.iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies![0]!.Arn!;
  await expectAwsError(b.iam.send(new GetPolicyCommand({ PolicyArn: aPolicy })), 'NoSuchEntityException', 404);
  await expectAwsError(b.iam.send(new AttachUserPolicyCommand({ UserName: 'shared-name', PolicyArn: aPolicy })), 'NoSuchEntityException', 404);
  const defaultAccount = new IAMClient(e.clientConfig);
  clients.push(defaultAccount);
  expect((await defaultAccount.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['workshop-learner']);
});
