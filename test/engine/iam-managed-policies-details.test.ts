// Customer and AWS managed policies and their attachments, in detail (iam/managed-policies.ts,
// issue 16), on one engine for the file, each test in a learner account of its own: what
// CreatePolicy stores and answers, its quota, GetPolicyVersion's versions, who may delete
// what, ListPolicies' scope, filters and pages, attachments to roles as to users with their
// quota, path filter and pages, and the resource each call is authorized on.
import {
  AttachRolePolicyCommand, AttachUserPolicyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, DeletePolicyCommand, DetachRolePolicyCommand,
  GetPolicyCommand, GetPolicyVersionCommand, IAMClient, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, ListPoliciesCommand,
  type ListPoliciesCommandInput,
} from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { LIMITS } from '../../src/engine/iam/directory.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
const clients: IAMClient[] = [];
beforeAll(async () => {
  e = await startTestEngine();
});
const savedLimits = { ...LIMITS };
afterEach(() => {
  Object.assign(LIMITS, savedLimits);
  for (const c of clients.splice(0)) c.destroy();
});
afterAll(async () => {
  await e.stop();
});

const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const POWER_USER = 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser';
const READ_ONLY = 'arn:aws:iam::aws:policy/IAMReadOnlyAccess';
const S3_READ = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const AWS_NAMES = ['AWSKeyManagementServicePowerUser', 'AdministratorAccess', 'AmazonS3ReadOnlyAccess', 'IAMReadOnlyAccess'];
const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const trust = (account: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: account }, Action: 'sts:AssumeRole' }] });

/** A learner account of its own, and an IAM client signing as its administrator. */
function account() {
  const learner = e.engine.directory.createLearnerAccount();
  const iam = new IAMClient({ ...e.clientConfig, credentials: learner });
  clients.push(iam);
  return { id: learner.accountId, iam };
}
/** The last batch of changes IAM wrote to its journal (each line: a 16-character hash, a space, the batch). */
function lastSaved(): { kind: string; slot: string; record?: Record<string, unknown> }[] {
  const lines = readFileSync(join(e.home, 'engine', 'iam.journal'), 'utf8').trimEnd().split('\n');
  return JSON.parse(lines.at(-1)!.slice(17));
}

/** An IAM client for a new user of the account with just this inline policy. */
function limitedUser(accountId: string, name: string, statement: object) {
  const d = e.engine.directory;
  const user = d.createUser(accountId, name);
  user.InlinePolicies['only'] = JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  d.state.save();
  const { key, secretAccessKey } = d.createAccessKey(user);
  const iam = new IAMClient({ ...e.clientConfig, credentials: { accessKeyId: key.AccessKeyId, secretAccessKey } });
  clients.push(iam);
  return iam;
}

test('CreatePolicy stores and answers its name, path, id, dates and description; none when none is given', async () => {
  const { id, iam } = account();
  const now = new Date(Math.floor(e.clock.now().getTime() / 1000) * 1000);
  const made = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Pathed', Path: '/team/a/', PolicyDocument: doc('kms:Encrypt'), Description: 'for the team' }))).Policy!;
  expect(made).toEqual({
    PolicyName: 'Pathed', PolicyId: expect.stringMatching(/^ANPA[A-Z2-7]{17}$/), Arn: `arn:aws:iam::${id}:policy/team/a/Pathed`, Path: '/team/a/', DefaultVersionId: 'v1',
    AttachmentCount: 0, PermissionsBoundaryUsageCount: 0, IsAttachable: true, Description: 'for the team', CreateDate: now, UpdateDate: now,
  });
  expect(lastSaved()).toEqual([{ kind: 'policy', slot: `${id}/pathed`, record: expect.objectContaining({ PolicyName: 'Pathed', Arn: made.Arn, Document: doc('kms:Encrypt') }) }]);
  expect((await iam.send(new GetPolicyCommand({ PolicyArn: made.Arn }))).Policy).toEqual(made);
  const taken = await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'PATHED', PolicyDocument: doc('kms:Encrypt') })), 'EntityAlreadyExistsException', 409);
  expect(taken.message).toBe('A policy called PATHED already exists. Duplicate names are not allowed.');
  const plain = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Plain', PolicyDocument: doc('kms:Decrypt') }))).Policy!;
  expect(plain).toMatchObject({ Path: '/', Arn: `arn:aws:iam::${id}:policy/Plain` });
  expect(plain.Description).toBeUndefined();
  const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: plain.Arn, VersionId: 'v1' }))).PolicyVersion!;
  expect(version).toEqual({ Document: encodeURIComponent(doc('kms:Decrypt')), VersionId: 'v1', IsDefaultVersion: true, CreateDate: now });
  // The account's own only: the same name in another account is another policy.
  const other = account();
  expect((await other.iam.send(new CreatePolicyCommand({ PolicyName: 'Plain', PolicyDocument: doc('kms:Decrypt') }))).Policy!.Arn).toBe(`arn:aws:iam::${other.id}:policy/Plain`);
});

test('CreatePolicy refuses a bad name, path, description or document; past the quota LimitExceeded', async () => {
  const { iam } = account();
  await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'bad name', PolicyDocument: doc('kms:Encrypt') })), 'ValidationError', 400);
  await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'p'.repeat(129), PolicyDocument: doc('kms:Encrypt') })), 'ValidationError', 400);
  await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'BadPath', Path: 'team', PolicyDocument: doc('kms:Encrypt') })), 'ValidationError', 400);
  await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'BadDescription', Description: 'd'.repeat(1001), PolicyDocument: doc('kms:Encrypt') })), 'ValidationError', 400);
  const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: Array.from({ length: 400 }, (_, i) => `kms:Action${i}`), Resource: '*' }] });
  await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'Big', PolicyDocument: big })), 'LimitExceededException', 409);
  expect((await iam.send(new CreatePolicyCommand({ PolicyName: 'p'.repeat(128), PolicyDocument: doc('kms:Encrypt') }))).Policy!.PolicyName).toBe('p'.repeat(128));
  LIMITS.policiesPerAccount = 2;
  await iam.send(new CreatePolicyCommand({ PolicyName: 'Second', PolicyDocument: doc('kms:Encrypt') }));
  const limit = await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'Third', PolicyDocument: doc('kms:Encrypt') })), 'LimitExceededException', 409);
  expect(limit.message).toBe('Cannot exceed quota for PoliciesPerAccount: 2');
  // Another account's policies are not counted.
  expect((await account().iam.send(new CreatePolicyCommand({ PolicyName: 'Third', PolicyDocument: doc('kms:Encrypt') }))).Policy!.PolicyName).toBe('Third');
  expect((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies!.map((p) => p.PolicyName)).toEqual(['Second', 'p'.repeat(128)]);
});

test('CreatePolicy is authorized on the ARN the policy will have', async () => {
  const { id } = account();
  const iam = limitedUser(id, 'team-admin', { Effect: 'Allow', Action: 'iam:CreatePolicy', Resource: `arn:aws:iam::${id}:policy/team/*` });
  expect((await iam.send(new CreatePolicyCommand({ PolicyName: 'Ok', Path: '/team/', PolicyDocument: doc('kms:Encrypt') }))).Policy!.Path).toBe('/team/');
  const denied = await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'Ok2', PolicyDocument: doc('kms:Encrypt') })), 'AccessDenied', 403);
  expect(denied.message).toContain(`iam:CreatePolicy on resource: arn:aws:iam::${id}:policy/Ok2`);
});

test('GetPolicy and GetPolicyVersion: another version, a malformed version id, another account\'s policy', async () => {
  const { id, iam } = account();
  const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Mine', PolicyDocument: doc('kms:Encrypt') }))).Policy!.Arn!;
  const v2 = await expectAwsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })), 'NoSuchEntityException', 404);
  expect(v2.message).toBe(`Policy ${arn} version v2 does not exist or is not attachable.`);
  for (const VersionId of ['1', 'v0', 'v1 ', 'x1']) await expectAwsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId })), 'ValidationError', 400);
  expect((await iam.send(new GetPolicyVersionCommand({ PolicyArn: POWER_USER, VersionId: 'v2' }))).PolicyVersion).toMatchObject({ VersionId: 'v2', IsDefaultVersion: true });
  const other = account();
  const hidden = await expectAwsError(other.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })), 'NoSuchEntityException', 404);
  expect(hidden.message).toBe(`Policy ${arn} does not exist or is not attachable.`);
  await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam' })), 'ValidationError', 400); // shorter than an ARN can be
  expect(id).toMatch(/^\d{12}$/);
});

test('GetPolicy\'s attachment count: users and roles of the caller\'s account', async () => {
  const { id, iam } = account();
  await iam.send(new CreateUserCommand({ UserName: 'u' }));
  await iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust(id) }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'u', PolicyArn: S3_READ }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'r', PolicyArn: S3_READ }));
  expect((await iam.send(new GetPolicyCommand({ PolicyArn: S3_READ }))).Policy!.AttachmentCount).toBe(2);
  expect((await iam.send(new GetPolicyCommand({ PolicyArn: ADMIN }))).Policy!.AttachmentCount).toBe(1); // the default learner
  expect((await account().iam.send(new GetPolicyCommand({ PolicyArn: S3_READ }))).Policy!.AttachmentCount).toBe(0);
});

test('DeletePolicy: an AWS managed policy is AccessDenied naming the caller; another account\'s is not found; one attached to a role conflicts', async () => {
  const { id, iam } = account();
  const denied = await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: READ_ONLY })), 'AccessDenied', 403);
  expect(denied.message).toBe(`User: arn:aws:iam::${id}:user/workshop-learner is not authorized to perform: iam:DeletePolicy on resource: policy ${READ_ONLY}`);
  const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Shared', PolicyDocument: doc('kms:Encrypt') }))).Policy!.Arn!;
  const other = account();
  await expectAwsError(other.iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'NoSuchEntityException', 404);
  await iam.send(new CreateRoleCommand({ RoleName: 'holder', AssumeRolePolicyDocument: trust(id) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: arn }));
  await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflictException', 409);
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'holder', PolicyArn: arn }));
  expect(lastSaved()).toEqual([{ kind: 'role', slot: `${id}/holder`, record: expect.objectContaining({ AttachedPolicies: [] }) }]);
  await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
  expect(lastSaved()).toEqual([{ kind: 'policy', slot: `${id}/shared` }]);
  expect((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies).toEqual([]);
  expect(e.engine.directory.managedPolicy(arn)).toBeUndefined();
  // Deleting is authorized on the policy's ARN.
  const kept = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Kept', PolicyDocument: doc('kms:Encrypt') }))).Policy!.Arn!;
  const gone = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Gone', PolicyDocument: doc('kms:Encrypt') }))).Policy!.Arn!;
  const limited = limitedUser(id, 'deleter', { Effect: 'Allow', Action: 'iam:DeletePolicy', Resource: gone });
  await limited.send(new DeletePolicyCommand({ PolicyArn: gone }));
  await expectAwsError(limited.send(new DeletePolicyCommand({ PolicyArn: kept })), 'AccessDenied', 403);
});

test('ListPolicies: All by default, AWS\'s and the account\'s by name; a scope it does not know refused; OnlyAttached, PathPrefix and pages', async () => {
  const { id, iam } = account();
  await iam.send(new CreatePolicyCommand({ PolicyName: 'Zeta', Path: '/team/', PolicyDocument: doc('kms:Encrypt') }));
  const beta = (await iam.send(new CreatePolicyCommand({ PolicyName: 'Beta', PolicyDocument: doc('kms:Encrypt') }))).Policy!.Arn!;
  const names = async (input: ListPoliciesCommandInput) => (await iam.send(new ListPoliciesCommand(input))).Policies!.map((p) => p.PolicyName);
  expect(await names({})).toEqual(['AWSKeyManagementServicePowerUser', 'AdministratorAccess', 'AmazonS3ReadOnlyAccess', 'Beta', 'IAMReadOnlyAccess', 'Zeta']);
  expect(await names({ Scope: 'All' })).toEqual(await names({}));
  expect(await names({ Scope: 'AWS' })).toEqual(AWS_NAMES);
  expect(await names({ Scope: 'Local' })).toEqual(['Beta', 'Zeta']);
  const bad = await expectAwsError(iam.send(new ListPoliciesCommand({ Scope: 'Mine' as 'All' })), 'ValidationError', 400);
  expect(bad.message).toBe("1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]");
  expect(await names({ PathPrefix: '/team/' })).toEqual(['Zeta']);
  expect(await names({ PathPrefix: '/te' })).toEqual(['Zeta']);
  await expectAwsError(iam.send(new ListPoliciesCommand({ PathPrefix: 'team' })), 'ValidationError', 400);
  await iam.send(new CreateUserCommand({ UserName: 'u' }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'u', PolicyArn: beta }));
  expect(await names({ OnlyAttached: true })).toEqual(['AdministratorAccess', 'Beta']);
  expect(await names({ OnlyAttached: false, Scope: 'Local' })).toEqual(['Beta', 'Zeta']);
  const listed = (await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies!;
  expect(listed.find((p) => p.PolicyName === 'Beta')!.AttachmentCount).toBe(1);
  expect(listed.find((p) => p.PolicyName === 'Zeta')!.AttachmentCount).toBe(0);
  const first = await iam.send(new ListPoliciesCommand({ MaxItems: 4 }));
  expect(first.Policies!.map((p) => p.PolicyName)).toEqual(['AWSKeyManagementServicePowerUser', 'AdministratorAccess', 'AmazonS3ReadOnlyAccess', 'Beta']);
  expect(first.IsTruncated).toBe(true);
  const second = await iam.send(new ListPoliciesCommand({ MaxItems: 4, Marker: first.Marker }));
  expect(second.Policies!.map((p) => p.PolicyName)).toEqual(['IAMReadOnlyAccess', 'Zeta']);
  expect(second.IsTruncated).toBe(false);
  expect(id).toMatch(/^\d{12}$/);
});

test('a role\'s attachments: attached once, ten at most, listed by path and in pages, detached; a missing role or policy refused', async () => {
  const { id, iam } = account();
  await iam.send(new CreateRoleCommand({ RoleName: 'holder', AssumeRolePolicyDocument: trust(id) }));
  const missingRole = await expectAwsError(iam.send(new AttachRolePolicyCommand({ RoleName: 'nobody', PolicyArn: READ_ONLY })), 'NoSuchEntityException', 404);
  expect(missingRole.message).toBe('The role with name nobody cannot be found.');
  const missingPolicy = `arn:aws:iam::${id}:policy/Nope`;
  expect((await expectAwsError(iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: missingPolicy })), 'NoSuchEntityException', 404)).message).toBe(
    `Policy ${missingPolicy} does not exist or is not attachable.`,
  );
  const arns: string[] = [];
  for (let i = 0; i < 9; i++) arns.push((await iam.send(new CreatePolicyCommand({ PolicyName: `P${i}`, Path: i < 3 ? '/low/' : '/', PolicyDocument: doc('kms:Encrypt') }))).Policy!.Arn!);
  for (const arn of arns) await iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: arn }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: READ_ONLY }));
  // At ten: attaching one already attached still changes nothing; another is LimitExceeded.
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: READ_ONLY }));
  const limit = await expectAwsError(iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: POWER_USER })), 'LimitExceededException', 409);
  expect(limit.message).toBe('Cannot exceed quota for PoliciesPerRole: 10');
  const listed = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'holder' }))).AttachedPolicies!;
  expect(listed.map((p) => p.PolicyName)).toEqual([...arns.map((_, i) => `P${i}`), 'IAMReadOnlyAccess']);
  expect(listed[0]).toEqual({ PolicyName: 'P0', PolicyArn: arns[0] });
  expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'holder', PathPrefix: '/low/' }))).AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['P0', 'P1', 'P2']);
  expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'holder', PathPrefix: '/lo' }))).AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['P0', 'P1', 'P2']);
  const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'holder', MaxItems: 3, Marker: 'p8' }));
  expect(page.AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['P8', 'IAMReadOnlyAccess']);
  expect(page.IsTruncated).toBe(false);
  const firstPage = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'holder', MaxItems: 3 }));
  expect(firstPage).toMatchObject({ IsTruncated: true, Marker: 'p3' });
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'holder', PolicyArn: arns[1] }));
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'holder', PolicyArn: arns[0] })); // the first attached
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: arns[0] }));
  expect(lastSaved()).toEqual([{ kind: 'role', slot: `${id}/holder`, record: expect.objectContaining({ AttachedPolicies: [...arns.slice(2), READ_ONLY, arns[0]] }) }]);
  expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'holder', PathPrefix: '/low/' }))).AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['P2', 'P0']);
  const notAttached = await expectAwsError(iam.send(new DetachRolePolicyCommand({ RoleName: 'holder', PolicyArn: arns[1] })), 'NoSuchEntityException', 404);
  expect(notAttached.message).toBe(`Policy ${arns[1]} was not found.`);
  expect(e.engine.directory.role(id, 'holder')!.AttachedPolicies).toEqual([...arns.slice(2), READ_ONLY, arns[0]]);
});

test('attaching and listing are authorized on the user\'s ARN, by the action of the principal\'s kind', async () => {
  const { id, iam } = account();
  await iam.send(new CreateUserCommand({ UserName: 'mine' }));
  await iam.send(new CreateUserCommand({ UserName: 'theirs' }));
  const limited = limitedUser(id, 'attacher', { Effect: 'Allow', Action: ['iam:AttachUserPolicy', 'iam:ListAttachedUserPolicies'], Resource: `arn:aws:iam::${id}:user/mine` });
  await limited.send(new AttachUserPolicyCommand({ UserName: 'mine', PolicyArn: READ_ONLY }));
  const denied = await expectAwsError(limited.send(new AttachUserPolicyCommand({ UserName: 'theirs', PolicyArn: READ_ONLY })), 'AccessDenied', 403);
  expect(denied.message).toContain(`iam:AttachUserPolicy on resource: arn:aws:iam::${id}:user/theirs`);
  expect((await limited.send(new ListAttachedUserPoliciesCommand({ UserName: 'mine' }))).AttachedPolicies).toEqual([{ PolicyName: 'IAMReadOnlyAccess', PolicyArn: READ_ONLY }]);
  await expectAwsError(limited.send(new ListAttachedUserPoliciesCommand({ UserName: 'theirs' })), 'AccessDenied', 403);
  await expectAwsError(limited.send(new AttachRolePolicyCommand({ RoleName: 'mine', PolicyArn: READ_ONLY })), 'AccessDenied', 403);
  // A role's attachments are authorized on the role's ARN.
  await iam.send(new CreateRoleCommand({ RoleName: 'mine', AssumeRolePolicyDocument: trust(id) }));
  const roleAttacher = limitedUser(id, 'role-attacher', { Effect: 'Allow', Action: 'iam:AttachRolePolicy', Resource: `arn:aws:iam::${id}:role/mine` });
  await roleAttacher.send(new AttachRolePolicyCommand({ RoleName: 'mine', PolicyArn: READ_ONLY }));
  expect(lastSaved()).toEqual([{ kind: 'role', slot: `${id}/mine`, record: expect.objectContaining({ AttachedPolicies: [READ_ONLY] }) }]);
  // A user's quota is named as the user's.
  LIMITS.attachedPerPrincipal = 1;
  const limit = await expectAwsError(iam.send(new AttachUserPolicyCommand({ UserName: 'mine', PolicyArn: POWER_USER })), 'LimitExceededException', 409);
  expect(limit.message).toBe('Cannot exceed quota for PoliciesPerUser: 1');
  const missing = await expectAwsError(iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 404);
  expect(missing.message).toBe('The user with name nobody cannot be found.');
  await expectAwsError(iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'bad name' })), 'ValidationError', 400);
});
