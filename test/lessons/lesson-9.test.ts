// Lesson 9 (who may use a key), played headless through the runtime against a
// fresh local engine, its outcomes asserted: each AccessDenied and what fixed
// it, with who made each call; the default key policy; administrators vs
// users; the encryption context condition; the grant used by token, refused
// outside its constraint, retired; the Deny; another account by ARN; the
// clean-up; then lesson 12 finding lesson 9's denied calls in CloudTrail.
import { ListPoliciesCommand, ListUsersCommand, IAMClient } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { checkLessonStandards } from '../../src/lessons/standards.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepOutcome, StepResult } from '../../src/runtime/types.js';

const ID = 'who-may-use-a-key';
const NOVICE = 'arn:aws:iam::111122223333:user/kms-workshop-novice';
let home: string;
let session: RuntimeSession;
let lesson: Lesson;
let keysAtEnd: { KeyId?: string; KeyState?: string }[] = [];
/** The mode of the file the novice's secret is kept in, as the first step left it. */
let noviceKeyMode = 0;
const played = new Map<string, StepOutcome>();
const audit = new Map<string, StepOutcome>();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-lesson-9-'));
  const lessons = loadLessons().lessons;
  lesson = lessons.find((l) => l.id === ID)!;
  session = await openSession({ home, freshEngine: true });
  for (const step of lesson.steps) {
    if (step.id === 'clean-up') keysAtEnd = await keyStates();
    played.set(step.id, await session.runStep(lesson, step));
    if (step.id === 'make-a-learner') noviceKeyMode = statSync(join(session.workspace(lesson), 'novice-key.json')).mode & 0o777;
  }
  keysAtEnd = await keyStates(keysAtEnd);
  // Lesson 12 after lesson 9, on the same engine
  const auditing = lessons.find((l) => l.id === 'auditing-with-cloudtrail')!;
  for (const step of auditing.steps) audit.set(step.id, await session.runStep(auditing, step));
}, 90_000);
afterAll(async () => {
  await session?.close();
  rmSync(home, { recursive: true, force: true });
});

/** The lesson's two keys by alias (before the clean-up), or their states again by id (after it). */
async function keyStates(before: { KeyId?: string }[] = []) {
  const kms = new KMSClient({ endpoint: session.endpoint!, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  try {
    const ids = before.length ? before.map((k) => k.KeyId!) : ['alias/kms-workshop-novice', 'alias/kms-workshop-shared'];
    return await Promise.all(ids.map(async (KeyId) => (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!));
  } finally {
    kms.destroy();
  }
}

function outcome(stepId: string, of = played): StepOutcome {
  const o = of.get(stepId);
  if (!o) throw new Error(`no step ${stepId}`);
  return o;
}
function results<K extends StepResult['kind']>(stepId: string, kind: K, of = played): Extract<StepResult, { kind: K }>[] {
  return outcome(stepId, of).results.filter((r): r is Extract<StepResult, { kind: K }> => r.kind === kind);
}
/** Each call of the step as 'caller operation outcome'. */
const calls = (stepId: string) => outcome(stepId).calls.filter((c) => c.service === 'kms').map(callLine);
const callLine = (c: ApiCall) => `${c.caller} ${c.operation} ${c.outcome.ok ? 'ok' : c.outcome.code}`;
const denied = (stepId: string) => results(stepId, 'expectedError').map((r) => [r.operation, r.message]);

test('lesson 9 loads between lessons 8 and 11, meets the standards, ends with clean-up, and every step passes', () => {
  const ids = loadLessons().lessons.map((l) => l.id);
  expect(ids.indexOf(ID)).toBe(ids.indexOf('asymmetric-and-hmac') + 1);
  expect(checkLessonStandards(lesson)).toEqual([]);
  expect(lesson.steps.at(-1)!.id).toBe('clean-up');
  const failed = [...played.values()].filter((o) => o.status !== 'passed').map((o) => `${o.stepId}: ${o.status === 'failed' ? o.error.message : o.status}`);
  expect(failed).toEqual([]);
  expect(played.size).toBe(lesson.steps.length);
});

test('a new IAM user signs as itself: STS names two identities of one account; its secret is masked and kept readable by the owner only', () => {
  const [table] = results('make-a-learner', 'table');
  expect(table!.rows).toEqual([
    ['you', 'arn:aws:iam::111122223333:user/workshop-learner', '111122223333'],
    ['the novice', NOVICE, '111122223333'],
  ]);
  const sts = outcome('make-a-learner').calls.filter((c) => c.service === 'sts').map((c) => c.caller);
  expect(sts).toEqual(['kms-workshop-novice', 'you']);
  const createKey = outcome('make-a-learner').calls.find((c) => c.operation === 'CreateAccessKey')!;
  expect(JSON.stringify(createKey.response)).not.toMatch(/"SecretAccessKey":"[A-Za-z0-9/+]{40}"/);
  expect(noviceKeyMode).toBe(0o600);
});

test('no policy: CreateKey refused with the principal, the action, the resource and why; made by the novice', () => {
  expect(denied('create-key-denied')).toEqual([
    ['CreateKey', `User: ${NOVICE} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`],
  ]);
  expect(calls('create-key-denied')).toEqual(['kms-workshop-novice CreateKey AccessDeniedException']);
});

test('AWSKeyManagementServicePowerUser: its statements shown (CreateKey, no GenerateDataKey), then the novice creates a key and an alias', () => {
  const [policy] = results('attach-power-user', 'json');
  expect(policy!.title).toBe('AWSKeyManagementServicePowerUser (v2)');
  const actions = (policy!.value as { Statement: { Action: string[] }[] }).Statement.flatMap((s) => s.Action);
  expect(actions).toContain('kms:CreateKey');
  expect(actions).not.toContain('kms:GenerateDataKey');
  expect(calls('attach-power-user')).toEqual(['kms-workshop-novice CreateKey ok', 'kms-workshop-novice CreateAlias ok']);
});

test('GenerateDataKey refused to the power user, on its own key; allowed once KMSWorkshop-AdditionalPermissions is attached', () => {
  const [[operation, message]] = denied('generate-data-key-denied') as [string, string][];
  expect(operation).toBe('GenerateDataKey');
  expect(message).toMatch(new RegExp(`^User: ${NOVICE} is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36} because no identity-based policy allows`));
  expect(calls('additional-permissions')).toEqual(['kms-workshop-novice GenerateDataKey ok']);
  const [dataKey] = results('additional-permissions', 'json');
  expect((dataKey!.value as { Plaintext: string }).Plaintext).toMatch(/^.{2}\*\*\.\.\.\*\*.{3}$/);
});

test('the default key policy: one statement, "Enable IAM User Permissions", kms:* for the account root', () => {
  const [policy] = results('default-key-policy', 'json');
  expect((policy!.value as { Statement: unknown[] }).Statement).toEqual([
    expect.objectContaining({ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*' }),
  ]);
});

test('administrators and users: the novice uses the key, you (AdministratorAccess) are refused by its key policy', () => {
  expect(calls('admins-and-users')).toEqual(['you CreateKey ok', 'you CreateAlias ok', 'kms-workshop-novice GenerateDataKey ok', 'you GenerateDataKey AccessDeniedException']);
  expect(denied('admins-and-users')[0]![1]).toMatch(/^User: arn:aws:iam::111122223333:user\/workshop-learner is not authorized to perform: kms:GenerateDataKey/);
});

test('a condition on kms:EncryptionContext:project: project=workshop allowed, project=payroll refused', () => {
  expect(calls('context-condition').slice(-2)).toEqual(['kms-workshop-novice GenerateDataKey ok', 'kms-workshop-novice GenerateDataKey AccessDeniedException']);
  const call = outcome('context-condition').calls.at(-1)!;
  expect(call.encryptionContext).toEqual({ project: 'payroll' });
  const [statement] = results('context-condition', 'json');
  expect(statement!.value).toMatchObject({ Sid: 'Key users', Condition: { StringEquals: { 'kms:EncryptionContext:project': 'workshop' } } });
});

test('a grant with EncryptionContextSubset: the app (no policy) uses it at once by its token, is refused without project=workshop, and after retiring it', () => {
  const grant = outcome('grant-for-an-app').calls.find((c) => c.operation === 'CreateGrant')!;
  expect(grant.caller).toBe('you');
  expect(grant.request).toMatchObject({ Operations: ['GenerateDataKey', 'Decrypt'], Constraints: { EncryptionContextSubset: { project: 'workshop' } } });
  expect(calls('grant-for-an-app').slice(-2)).toEqual(['kms-workshop-app GenerateDataKey ok', 'kms-workshop-app GenerateDataKey AccessDeniedException']);
  expect(outcome('grant-for-an-app').calls.at(-1)!.request).toMatchObject({ GrantTokens: [expect.any(String)], EncryptionContext: { team: 'blue' } });
  expect(calls('retire-the-grant')).toEqual(['you DescribeKey ok', 'kms-workshop-app RetireGrant ok', 'kms-workshop-app GenerateDataKey AccessDeniedException']);
});

test('a Deny beats every Allow: the novice refused "with an explicit deny in an identity-based policy"', () => {
  const [[, message]] = denied('deny-beats-allow') as [string, string][];
  expect(message).toMatch(new RegExp(`^User: ${NOVICE} is not authorized to perform: kms:GenerateDataKey on resource: .* with an explicit deny in an identity-based policy$`));
});

test('another account: refused by ARN until the key policy names it, then allowed; its calls made as that account', () => {
  expect(calls('cross-account')).toEqual(['you DescribeKey ok', 'account 444455556666 GenerateDataKey AccessDeniedException', 'you GetKeyPolicy ok', 'you PutKeyPolicy ok', 'account 444455556666 GenerateDataKey ok']);
  expect(denied('cross-account')[0]![1]).toMatch(/^User: arn:aws:iam::444455556666:user\/workshop-learner is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111122223333:key\//);
  const [made] = results('cross-account', 'text');
  expect(made!.text).toMatch(/second account, 444455556666/);
});

test('the clean-up removes both users and the policy, both aliases, and schedules both keys for deletion', async () => {
  const iam = new IAMClient({ endpoint: session.endpoint!, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  const kms = new KMSClient({ endpoint: session.endpoint!, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
  try {
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['workshop-learner']);
    expect((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies).toEqual([]);
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName);
    expect(aliases.filter((a) => /novice|shared/.test(a!))).toEqual([]);
  } finally {
    iam.destroy();
    kms.destroy();
  }
  expect(keysAtEnd.map((k) => k.KeyState)).toEqual(['PendingDeletion', 'PendingDeletion']);
});

test('lesson 12, played after it, finds lesson 9\'s refused calls in CloudTrail by user name, with their errorCode', () => {
  expect([...audit.values()].filter((o) => o.status !== 'passed').map((o) => o.stepId)).toEqual([]);
  const table = results('find-failed-calls', 'table', audit).find((t) => /Lesson 9/.test(t.title ?? ''));
  expect(table).toBeDefined();
  const rows = table!.rows.map((r) => `${r[2]} ${r[1]} ${r[3]}`);
  expect(rows).toEqual(expect.arrayContaining([
    'kms-workshop-novice CreateKey AccessDeniedException',
    'kms-workshop-novice GenerateDataKey AccessDeniedException',
    'kms-workshop-app GenerateDataKey AccessDeniedException',
  ]));
  // The novice was refused 4 times (CreateKey, GenerateDataKey, payroll, the Deny), the app twice
  expect(rows).toHaveLength(6);
});

test('the clean-up after a lesson stopped at step 3 removes what there is (the novice, its key and alias) and passes', async () => {
  const partHome = mkdtempSync(join(tmpdir(), 'kms-workshop-lesson-9-part-'));
  const part = await openSession({ home: partHome, freshEngine: true });
  try {
    const [first, second, third] = lesson.steps;
    for (const step of [first!, second!, third!]) expect((await part.runStep(lesson, step)).status).toBe('passed');
    const cleaned = await part.runStep(lesson, lesson.steps.at(-1)!);
    expect(cleaned.status, cleaned.status === 'failed' ? cleaned.error.message : '').toBe('passed');
    const [removed] = cleaned.results.filter((r): r is Extract<StepResult, { kind: 'table' }> => r.kind === 'table');
    expect(removed!.rows.map((r) => r[0])).toEqual(['IAM user kms-workshop-novice', 'alias/kms-workshop-novice (key scheduled for deletion in 7 days)']);
  } finally {
    await part.close();
    rmSync(partHome, { recursive: true, force: true });
  }
});
