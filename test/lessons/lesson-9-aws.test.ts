// Lesson 9 on --target aws, without an account: the plan lists the IAM users
// and policy it makes (IAM free), the ledger follows IAM resources from the
// learner's calls and from identities a lesson signs as, and the clean-up
// removes a user's access keys and policies, then the user, a role's policies
// then the role, then the policies, against the engine over real HTTP.
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetPolicyCommand,
  IAMClient,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { KMS } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { manualCleanupCommands, removeResources, ResourceLedger, RESOURCES_FILE, takeOverLeftovers } from '../../src/runtime/aws-resources.js';
import { formatPlan, planLessons } from '../../src/runtime/cost.js';
import { lessonNames } from '../../src/runtime/names.js';
import type { ApiCall } from '../../src/runtime/types.js';
import { startTestEngine, tempHome } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const homes: string[] = [];
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));
const home = () => {
  const h = tempHome('kms-workshop-lesson-9-aws-');
  homes.push(h);
  return h;
};

const lesson = loadLessons().lessons.find((l) => l.id === 'who-may-use-a-key')!;

test('the plan lists lesson 9\'s two IAM users and its IAM policy, says IAM has no charge, and fits 80 columns', () => {
  const [plan] = planLessons([lesson]);
  // two keys: its first CreateKey is the one the novice is refused (expectError), which makes none
  expect(plan).toMatchObject({ lessonId: 'who-may-use-a-key', keys: 2, iamUsers: 2, iamRoles: 0, iamPolicies: 1, aliases: 2 });
  const lines = formatPlan([plan!], { region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', prefix: 'kms-workshop-abc123', leftovers: { keys: [], aliases: [], buckets: [] } });
  const text = lines.join('\n');
  expect(text).toMatch(/who-may-use-a-key\s+2 KMS keys, 2 aliases, 2 IAM users, 1 IAM policy/);
  expect(text).toContain('IAM         2 IAM users, 1 IAM policy: IAM has no charge');
  expect(text).toMatch(/IAM users and roles go with their access keys and policies/);
  expect(lines.filter((l) => l.length > 80)).toEqual([]);
  // A lesson that makes no IAM resource says nothing of IAM
  const other = formatPlan(planLessons(loadLessons().lessons.slice(0, 1)), { region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', prefix: 'p', leftovers: { keys: [], aliases: [], buckets: [] } }).join('\n');
  expect(other).not.toMatch(/IAM/);
});

test('IAM names carry the learner\'s prefix on AWS and stay as written locally, within IAM\'s 64 characters', () => {
  expect(lessonNames().iam('kms-workshop-novice')).toBe('kms-workshop-novice');
  expect(lessonNames('kms-workshop-abc123').iam('kms-workshop-novice')).toBe('kms-workshop-abc123-kms-workshop-novice');
  expect(lessonNames('kms-workshop-abc123').iam('x'.repeat(80))).toHaveLength(64);
});

function call(operation: string, fields: Partial<ApiCall>, ok = true, code = 'AccessDeniedException'): ApiCall {
  return {
    seq: 1,
    time: new Date().toISOString(),
    service: operation.startsWith('kms:') ? 'kms' : 'iam',
    operation: operation.replace(/^\w+:/, ''),
    caller: 'you',
    outcome: ok ? { ok: true } : { ok: false, code, message: '' },
    durationMs: 1,
    ...fields,
  };
}

test('the ledger follows IAM users, roles and policies, and the keys an identity the lesson signs as creates; not a service\'s calls', () => {
  const h = home();
  const ledger = new ResourceLedger(h, 'eu-west-1|aws');
  ledger.observe(call('iam:CreateUser', { request: { UserName: 'p-novice' } }));
  ledger.observe(call('iam:CreateRole', { request: { RoleName: 'p-role' } }));
  ledger.observe(call('iam:CreatePolicy', { request: { PolicyName: 'p-extra' }, response: { Policy: { Arn: 'arn:aws:iam::111122223333:policy/p-extra' } } }));
  ledger.observe(call('iam:CreateUser', { request: { UserName: 'p-failed' } }, false)); // refused: nothing made
  // The novice, signing with its own key, makes a key: it is the lesson's to remove
  ledger.observe(call('kms:CreateKey', { keyId: 'arn:aws:kms:eu-west-1:111122223333:key/k-1', caller: 'p-novice' }));
  ledger.observe(call('kms:CreateKey', { keyId: 'arn:aws:kms:eu-west-1:111122223333:key/k-2', caller: 's3.amazonaws.com' }));
  expect(ledger.resources).toEqual({
    keys: ['arn:aws:kms:eu-west-1:111122223333:key/k-1'],
    aliases: [],
    buckets: [],
    users: ['p-novice'],
    roles: ['p-role'],
    policies: ['arn:aws:iam::111122223333:policy/p-extra'],
  });
  // Kept in the home: a run that stops is cleaned up by the next one
  expect(JSON.parse(readFileSync(join(h, RESOURCES_FILE), 'utf8')).entries[0]).toMatchObject({ users: ['p-novice'], roles: ['p-role'] });

  ledger.observe(call('iam:DeleteUser', { request: { UserName: 'p-novice' } }));
  ledger.observe(call('iam:DeleteRole', { request: { RoleName: 'p-role' } }, false, 'NoSuchEntityException')); // already gone
  ledger.observe(call('iam:DeletePolicy', { request: { PolicyArn: 'arn:aws:iam::111122223333:policy/p-extra' } }, false, 'DeleteConflictException')); // still attached: still there
  expect(ledger.resources).toMatchObject({ users: [], roles: [], policies: ['arn:aws:iam::111122223333:policy/p-extra'] });
});

test('a ledger written before IAM was followed (no users, roles, policies) is still taken over', () => {
  const h = home();
  const ledger = new ResourceLedger(h, 'eu-west-1|aws');
  ledger.observe(call('kms:CreateKey', { keyId: 'k-old' }));
  // As if by a process that has ended
  const file = JSON.parse(readFileSync(join(h, RESOURCES_FILE), 'utf8'));
  file.entries[0].pid = 2 ** 22 + 12345;
  delete file.entries[0].users;
  writeFileSync(join(h, RESOURCES_FILE), JSON.stringify(file));
  expect(takeOverLeftovers(h, 'eu-west-1|aws')).toEqual({ keys: ['k-old'], aliases: [], buckets: [] });
});

test('the clean-up removes a user with its access key, managed and inline policies, a role with its policies, then the policy; gone already counts as removed', async () => {
  const e = await startTestEngine();
  const iam = new IAMClient(e.clientConfig);
  const kms = new KMS(e.clientConfig);
  const s3 = new S3Client({ ...e.clientConfig, forcePathStyle: true });
  try {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });
    await iam.send(new CreateUserCommand({ UserName: 'p-novice' }));
    await iam.send(new CreateAccessKeyCommand({ UserName: 'p-novice' }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'p-extra', PolicyDocument: document }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'p-novice', PolicyArn: Policy!.Arn }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'p-novice', PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'p-novice', PolicyName: 'Deny', PolicyDocument: document.replace('Allow', 'Deny') }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'p-role', AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'p-role', PolicyArn: Policy!.Arn }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'p-role', PolicyName: 'inline', PolicyDocument: document }));

    const set = { keys: [], aliases: [], buckets: [], users: ['p-novice'], roles: ['p-role'], policies: [Policy!.Arn!] };
    const done: string[] = [];
    const report = await removeResources(set, { kms, s3, iam }, (label, error) => done.push(error ? `${label}: ${error}` : label));
    expect(report.failed).toEqual([]);
    expect(done).toEqual(['IAM user p-novice', 'IAM role p-role', `IAM policy ${Policy!.Arn}`]);
    expect(report.removed).toMatchObject({ users: ['p-novice'], roles: ['p-role'], policies: [Policy!.Arn] });
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['workshop-learner']);
    expect((await iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
    await expectAwsError(iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn })), 'NoSuchEntityException', 404);

    // Run again (a clean-up after the lesson's own): nothing left, nothing failed
    const again = await removeResources(set, { kms, s3, iam });
    expect(again.failed).toEqual([]);
    expect(again.removed).toMatchObject({ users: ['p-novice'], roles: ['p-role'] });
  } finally {
    iam.destroy();
    kms.destroy();
    s3.destroy();
    await e.stop();
  }
});

test('what could not be removed is given as AWS CLI commands, in the order IAM accepts, without a Region for IAM', () => {
  const commands = manualCleanupCommands({ keys: [], aliases: [], buckets: [], users: ['p-novice'], roles: ['p-role'], policies: ['arn:aws:iam::1:policy/p'] }, 'eu-west-1');
  const deleteUser = commands.findIndex((c) => c === 'aws iam delete-user --user-name p-novice');
  expect(deleteUser).toBeGreaterThan(commands.findIndex((c) => c.startsWith('aws iam list-access-keys --user-name p-novice')));
  expect(deleteUser).toBeGreaterThan(commands.findIndex((c) => c.includes('detach-user-policy --user-name p-novice')));
  expect(commands).toContain('aws iam delete-role --role-name p-role');
  expect(commands.at(-1)).toBe('aws iam delete-policy --policy-arn arn:aws:iam::1:policy/p');
  expect(commands.filter((c) => c.startsWith('aws iam') && c.includes('--region'))).toEqual([]);
});
