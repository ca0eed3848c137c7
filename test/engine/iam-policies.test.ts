// IAM policies through @aws-sdk/client-iam: inline policies of users and roles, customer
// managed policies, AWS managed policies with AWS's own documents, attachments; documents
// going out URL-encoded as IAM returns them; each refusal with IAM's code and status; and
// the policies in force for a principal as the directory gives them to the authorization.
import {
  AttachRolePolicyCommand, AttachUserPolicyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, DeletePolicyCommand, DeleteRoleCommand,
  DeleteRolePolicyCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRolePolicyCommand,
  GetUserPolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand, ListPoliciesCommand, ListRolePoliciesCommand,
  ListUserPoliciesCommand, PutRolePolicyCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
let iam: IAMClient;
beforeEach(async () => {
  e = await startTestEngine();
  iam = new IAMClient(e.clientConfig);
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
});
afterEach(async () => {
  iam.destroy();
  await e.stop();
});

const ACCOUNT = '111122223333';
const doc = (actions: string | string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
const alice = () => makeCaller({ userName: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
const POWER_USER = 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser';

describe('inline policies', () => {
  test('PutUserPolicy, GetUserPolicy (the document URL-encoded), ListUserPolicies, DeleteUserPolicy', async () => {
    const text = doc(['kms:Encrypt', 'kms:Decrypt']);
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'crypto', PolicyDocument: text }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'another', PolicyDocument: doc('kms:List*') }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'crypto' }));
    expect(got).toMatchObject({ UserName: 'alice', PolicyName: 'crypto', PolicyDocument: encodeURIComponent(text) });
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames).toEqual(['another', 'crypto']);
    expect(e.engine.directory.identityPolicies(alice())).toEqual([{ name: 'crypto', document: text }, { name: 'another', document: doc('kms:List*') }]);
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'crypto' }));
    const gone = await expectAwsError(iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'crypto' })), 'NoSuchEntityException', 404);
    expect(gone.message).toBe('The user policy with name crypto cannot be found.');
    expect(e.engine.directory.identityPolicies(alice()).map((p) => p.name)).toEqual(['another']);
  });

  test('a role has inline policies too, and an assumed role session has its role\'s', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'encrypt', PolicyDocument: doc('kms:Encrypt') }));
    expect((await iam.send(new GetRolePolicyCommand({ RoleName: 'worker', PolicyName: 'encrypt' }))).PolicyDocument).toBe(encodeURIComponent(doc('kms:Encrypt')));
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'worker' }))).PolicyNames).toEqual(['encrypt']);
    const role = e.engine.directory.role(ACCOUNT, 'worker')!;
    const session = e.engine.directory.issueSession(role, 'job', 900, `arn:aws:iam::${ACCOUNT}:user/alice`);
    const asRole = e.engine.directory.credentials(session.accessKeyId)!.caller('us-east-1');
    expect(e.engine.directory.identityPolicies(asRole)).toEqual([{ name: 'encrypt', document: doc('kms:Encrypt') }]);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'encrypt' }));
    expect(e.engine.directory.identityPolicies(asRole)).toEqual([]);
    // Deleted and made again under the same name, it is another role: the old session gets none of its policies.
    await iam.send(new DeleteRoleCommand({ RoleName: 'worker' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'worker', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'worker', PolicyName: 'encrypt', PolicyDocument: doc('kms:Encrypt') }));
    expect(e.engine.directory.identityPolicies(asRole)).toEqual([]);
    const fresh = e.engine.directory.credentials(e.engine.directory.issueSession(e.engine.directory.role(ACCOUNT, 'worker')!, 'job2', 900, 'x').accessKeyId)!.caller('us-east-1');
    expect(e.engine.directory.identityPolicies(fresh)).toEqual([{ name: 'encrypt', document: doc('kms:Encrypt') }]);
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'encrypt' }));
    const gone = await expectAwsError(iam.send(new DeleteRolePolicyCommand({ RoleName: 'worker', PolicyName: 'encrypt' })), 'NoSuchEntityException', 404);
    expect(gone.message).toBe('The role policy with name encrypt cannot be found.');
  });

  test('a document that is not a policy is MalformedPolicyDocument; one past the user quota LimitExceeded', async () => {
    for (const bad of ['{not json', JSON.stringify({ Version: '2012-10-17' }), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] })])
      await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'bad', PolicyDocument: bad })), 'MalformedPolicyDocumentException');
    // An identity policy names no principal.
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });
    await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'bad', PolicyDocument: withPrincipal })), 'MalformedPolicyDocumentException');
    const big = doc(Array.from({ length: 200 }, (_, i) => `kms:Action${i}`));
    const limit = await expectAwsError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'big', PolicyDocument: big })), 'LimitExceededException', 409);
    expect(limit.message).toBe('Maximum policy size of 2048 bytes exceeded for user alice');
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }))).PolicyNames).toEqual([]);
  });
});

describe('managed policies', () => {
  test('the AWS managed policies the workshop uses exist with AWS\'s documents; ListPolicies Scope=AWS lists them', async () => {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: POWER_USER }))).Policy!;
    expect(policy).toMatchObject({ PolicyName: 'AWSKeyManagementServicePowerUser', Arn: POWER_USER, DefaultVersionId: 'v2', IsAttachable: true, AttachmentCount: 0 });
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: POWER_USER, VersionId: 'v2' }))).PolicyVersion!;
    const document = JSON.parse(decodeURIComponent(version.Document!));
    expect(document.Statement[0].Action).toEqual([
      'kms:CreateAlias', 'kms:CreateKey', 'kms:DeleteAlias', 'kms:Describe*', 'kms:GenerateRandom', 'kms:Get*', 'kms:List*',
      'kms:TagResource', 'kms:UntagResource', 'iam:ListGroups', 'iam:ListRoles', 'iam:ListUsers',
    ]);
    const admin = JSON.parse(decodeURIComponent((await iam.send(new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess', VersionId: 'v1' }))).PolicyVersion!.Document!));
    expect(admin.Statement).toEqual([{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    const listed = (await iam.send(new ListPoliciesCommand({ Scope: 'AWS' }))).Policies!.map((p) => p.PolicyName);
    expect(listed).toEqual(['AWSKeyManagementServicePowerUser', 'AdministratorAccess', 'AmazonS3ReadOnlyAccess', 'IAMReadOnlyAccess']);
    await expectAwsError(iam.send(new GetPolicyVersionCommand({ PolicyArn: POWER_USER, VersionId: 'v1' })), 'NoSuchEntityException', 404);
  });

  test('CreatePolicy, GetPolicy with its attachment count, ListPolicies Scope=Local, DeletePolicy', async () => {
    const created = (await iam.send(new CreatePolicyCommand({ PolicyName: 'KeyUser', PolicyDocument: doc('kms:GenerateDataKey'), Description: 'data keys' }))).Policy!;
    expect(created).toMatchObject({ PolicyName: 'KeyUser', Arn: `arn:aws:iam::${ACCOUNT}:policy/KeyUser`, DefaultVersionId: 'v1', AttachmentCount: 0, Description: 'data keys' });
    expect(created.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    const again = await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'keyuser', PolicyDocument: doc('kms:Encrypt') })), 'EntityAlreadyExistsException', 409);
    expect(again.message).toBe('A policy called keyuser already exists. Duplicate names are not allowed.');
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: created.Arn }));
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: created.Arn }))).Policy!.AttachmentCount).toBe(1);
    expect((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies!.map((p) => p.PolicyName)).toEqual(['KeyUser']);
    expect((await iam.send(new ListPoliciesCommand({ Scope: 'AWS', OnlyAttached: true }))).Policies!.map((p) => p.PolicyName)).toEqual(['AdministratorAccess']);
    const attached = await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: created.Arn })), 'DeleteConflictException', 409);
    expect(attached.message).toBe('Cannot delete a policy attached to entities.');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: created.Arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: created.Arn }));
    const gone = await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: created.Arn })), 'NoSuchEntityException', 404);
    expect(gone.message).toBe(`Policy ${created.Arn} does not exist or is not attachable.`);
    await expectAwsError(iam.send(new CreatePolicyCommand({ PolicyName: 'Bad', PolicyDocument: '[]' })), 'MalformedPolicyDocumentException');
  });

  test('attached policies are in force for the user and the role, listed, and detached', async () => {
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: POWER_USER }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: POWER_USER })); // again: no change
    expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies).toEqual([{ PolicyName: 'AWSKeyManagementServicePowerUser', PolicyArn: POWER_USER }]);
    const inForce = e.engine.directory.identityPolicies(alice());
    expect(inForce.map((p) => p.name)).toEqual([POWER_USER]);
    expect(JSON.parse(inForce[0]!.document).Statement[0].Action).toContain('kms:CreateKey');
    await iam.send(new CreateRoleCommand({ RoleName: 'auditor', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'auditor', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    expect((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'auditor' }))).AttachedPolicies!.map((p) => p.PolicyName)).toEqual(['IAMReadOnlyAccess']);
    await iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: POWER_USER }));
    expect(e.engine.directory.identityPolicies(alice())).toEqual([]);
    const notAttached = await expectAwsError(iam.send(new DetachUserPolicyCommand({ UserName: 'alice', PolicyArn: POWER_USER })), 'NoSuchEntityException', 404);
    expect(notAttached.message).toBe(`Policy ${POWER_USER} was not found.`);
  });

  test('a policy that does not exist cannot be attached; ten a user at most', async () => {
    const missing = `arn:aws:iam::${ACCOUNT}:policy/Nope`;
    const err = await expectAwsError(iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: missing })), 'NoSuchEntityException', 404);
    expect(err.message).toBe(`Policy ${missing} does not exist or is not attachable.`);
    for (let i = 0; i < 10; i++) {
      const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: `P${i}`, PolicyDocument: doc('kms:Encrypt') }))).Policy!.Arn!;
      await iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
    }
    const limit = await expectAwsError(iam.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: POWER_USER })), 'LimitExceededException', 409);
    expect(limit.message).toBe('Cannot exceed quota for PoliciesPerUser: 10');
  });

  test('an AWS managed policy cannot be deleted', async () => {
    await expectAwsError(iam.send(new DeletePolicyCommand({ PolicyArn: POWER_USER })), 'AccessDenied', 403);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: POWER_USER }))).Policy!.PolicyName).toBe('AWSKeyManagementServicePowerUser');
  });
});
