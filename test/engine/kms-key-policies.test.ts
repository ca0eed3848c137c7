// Key policies through the SDK: GetKeyPolicy, PutKeyPolicy and ListKeyPolicies, CreateKey's
// Policy, and what a new policy must pass (the PutKeyPolicy API reference): the 32 KB quota,
// a policy document with principals in every statement, principals that exist, and the
// lockout safety check unless BypassPolicyLockoutSafetyCheck.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateKeyCommand, GetKeyPolicyCommand, KMSClient, ListKeyPoliciesCommand, PutKeyPolicyCommand, ReplicateKeyCommand, ScheduleKeyDeletionCommand,
  DisableKeyCommand,
} from '@aws-sdk/client-kms';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { awsManagedS3Key, startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeEach(async () => {
  e = await startTestEngine();
  // A role the policies below name: a key policy may name only principals that exist.
  const iam = new IAMClient(e.clientConfig);
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: 'KeyAdmins', AssumeRolePolicyDocument: trust }));
  iam.destroy();
});
afterEach(async () => e.stop());

const ME = 'arn:aws:iam::111122223333:user/workshop-learner'; // the default learner the test credentials act as
const ROOT = 'arn:aws:iam::111122223333:root';

const statement = (principal: unknown, action: unknown = 'kms:*', extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: principal, Action: action, Resource: '*', ...extra });
const policy = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const newKey = async (Policy?: string, BypassPolicyLockoutSafetyCheck?: boolean) => (await e.kms.send(new CreateKeyCommand({ Policy, BypassPolicyLockoutSafetyCheck }))).KeyMetadata!;
const put = (KeyId: string, Policy: string, BypassPolicyLockoutSafetyCheck?: boolean) => e.kms.send(new PutKeyPolicyCommand({ KeyId, Policy, BypassPolicyLockoutSafetyCheck }));
const get = async (KeyId: string) => e.kms.send(new GetKeyPolicyCommand({ KeyId }));

describe('reading and replacing a key policy', () => {
  test("a new key has AWS's default key policy, named default, the only one ListKeyPolicies names", async () => {
    const key = await newKey();
    const got = await get(key.KeyId!);
    expect(got.PolicyName).toBe('default');
    expect(JSON.parse(got.Policy!)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }],
    });
    const listed = await e.kms.send(new ListKeyPoliciesCommand({ KeyId: key.Arn }));
    expect(listed.PolicyNames).toEqual(['default']);
    expect(listed.Truncated).toBe(false);
    expect(listed.NextMarker).toBeUndefined();
  });

  test('PutKeyPolicy replaces the policy text exactly; CreateKey keeps a Policy it is given', async () => {
    const text = policy(statement({ AWS: ROOT }), statement({ AWS: ME }, ['kms:Encrypt', 'kms:Decrypt'], { Sid: 'me' }));
    const key = await newKey(text);
    expect((await get(key.KeyId!)).Policy).toBe(text);
    const replaced = `${policy(statement({ AWS: ME }, 'kms:*'))}\n`;
    await put(key.Arn!, replaced);
    expect((await get(key.KeyId!)).Policy).toBe(replaced);
  });

  test('a policy name other than default is NotFoundException; one of the wrong form is ValidationException', async () => {
    const key = await newKey();
    for (const call of [e.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other' })), e.kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other', Policy: policy(statement({ AWS: ROOT })) }))]) {
      expect((await expectAwsError(call, 'NotFoundException')).message).toContain('the only key policy is "default"');
    }
    await expectAwsError(e.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'not-a-word' })), 'ValidationException');
    await e.kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: policy(statement({ AWS: ROOT })) }));
  });

  test('keys that do not exist, or named by alias, are NotFoundException; keys pending deletion or disabled still have policies', async () => {
    const missing = '1234abcd-12ab-34cd-56ef-1234567890ab';
    expect((await expectAwsError(get(missing), 'NotFoundException')).message).toBe(`Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`);
    await expectAwsError(put(missing, policy(statement({ AWS: ROOT }))), 'NotFoundException');
    await expectAwsError(get('alias/aws/s3'), 'NotFoundException');
    const key = await newKey();
    await e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await put(key.KeyId!, policy(statement({ AWS: ROOT }, 'kms:*', { Sid: 'disabled' })));
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await put(key.KeyId!, policy(statement({ AWS: ROOT }, 'kms:*', { Sid: 'pending' })));
    expect(JSON.parse((await get(key.KeyId!)).Policy!).Statement[0].Sid).toBe('pending');
  });

  test("the AWS managed key's policy can be read but not replaced (AccessDeniedException)", async () => {
    const managed = await awsManagedS3Key(e, 'managed-policy');
    const before = (await get(managed.KeyId!)).Policy;
    expect(before).toContain('kms:ViaService');
    const err = await expectAwsError(put(managed.KeyId!, policy(statement({ AWS: ROOT }))), 'AccessDeniedException');
    expect(err.message).toContain('PutKeyPolicy');
    expect((await get(managed.KeyId!)).Policy).toBe(before);
  });
});

describe('what a new key policy must pass', () => {
  test('the lockout safety check: a policy that would not let the caller call PutKeyPolicy again is refused unless bypassed', async () => {
    // Each still lets the caller read the policy back (GetKeyPolicy), but not change it.
    const other = [statement({ AWS: 'arn:aws:iam::111122223333:role/KeyAdmins' }), statement({ AWS: ME }, 'kms:GetKeyPolicy')];
    const readOnly = [statement({ AWS: ME }, ['kms:Describe*', 'kms:Get*'])];
    for (const text of [policy(...other), policy(...readOnly)]) {
      const create = await expectAwsError(newKey(text), 'MalformedPolicyDocumentException');
      expect(create.message).toBe('The new key policy will not allow you to update the key policy in the future.');
      const key = await newKey();
      const putErr = await expectAwsError(put(key.KeyId!, text), 'MalformedPolicyDocumentException');
      expect(putErr.message).toBe('The new key policy will not allow you to update the key policy in the future.');
      expect((await get(key.KeyId!)).Policy).not.toBe(text); // nothing changed
      await put(key.KeyId!, text, true); // bypassed: the caller locks themselves out on purpose
      expect((await get(key.KeyId!)).Policy).toBe(text);
      expect((await get((await newKey(text, true)).KeyId!)).Policy).toBe(text);
    }
  });

  test('the lockout safety check passes for the caller by ARN, by account (root or id), by wildcards; an explicit Deny fails it', async () => {
    const key = await newKey();
    for (const ok of [
      policy(statement({ AWS: ME }, 'kms:PutKeyPolicy')),
      policy(statement({ AWS: '111122223333' }, 'kms:Put*')),
      policy(statement({ AWS: [ROOT] }, ['kms:Encrypt', 'KMS:PUTKEYPOLICY'])),
      policy(statement('*', 'kms:*')),
      policy({ Effect: 'Allow', Principal: { AWS: ME }, NotAction: 'kms:Decrypt', Resource: 'arn:aws:kms:us-east-1:111122223333:key/*' }),
    ]) await put(key.KeyId!, ok);
    const denied = policy(statement({ AWS: ROOT }), { Effect: 'Deny', Principal: { AWS: ME }, Action: 'kms:PutKeyPolicy', Resource: '*' });
    await expectAwsError(put(key.KeyId!, denied), 'MalformedPolicyDocumentException');
    const conditional = policy(statement({ AWS: ME }, 'kms:*', { Condition: { StringEquals: { 'kms:CallerAccount': '444455556666' } } }));
    await expectAwsError(put(key.KeyId!, conditional), 'MalformedPolicyDocumentException'); // the condition does not hold for this caller
    await put(key.KeyId!, policy(statement({ AWS: ME }, 'kms:*', { Condition: { StringEquals: { 'kms:CallerAccount': '111122223333' } } })));
    const otherKey = policy(statement({ AWS: ME }, 'kms:*', { Resource: 'arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000' }));
    await expectAwsError(put(key.KeyId!, otherKey), 'MalformedPolicyDocumentException');
  });

  test('a statement without a principal, principals that are no principal, and documents that are no policy: MalformedPolicyDocumentException', async () => {
    const key = await newKey();
    const cases: [string, unknown][] = [
      [policy(statement({ AWS: ROOT }), { Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'Policy contains a statement with no principal.'],
      [policy(statement({ AWS: ROOT }), statement({ AWS: 'not-a-principal' })), 'Policy contains a statement with one or more invalid principals.'],
      [policy(statement({ AWS: ROOT }), statement({ AWS: 'arn:aws:iam::1234:user/short-account' })), 'Policy contains a statement with one or more invalid principals.'],
      [policy(statement({ AWS: ROOT }), statement({ AWS: 'arn:aws:iam::111122223333:user/*' })), 'Policy contains a statement with one or more invalid principals.'],
      // The policy language's own refusals, in IAM's words (auth/policy.ts).
      [policy(statement({ AWS: ROOT }), statement({ AWS: 42 })), 'Syntax errors in policy.'],
      ['{"Statement": ', 'Syntax errors in policy.'],
      ['[]', 'Syntax errors in policy.'],
      ['{"Version":"2012-10-17"}', 'Missing required field Statement'],
      [policy({ ...statement({ AWS: ROOT }), Effect: 'Maybe' }), 'Invalid effect: Maybe'],
      [policy(statement({ AWS: ROOT }, 'kms:*', { Condition: { NoSuchOperator: { 'kms:CallerAccount': '111122223333' } } })), expect.stringContaining('NoSuchOperator')],
    ];
    for (const [text, message] of cases) {
      expect((await expectAwsError(put(key.KeyId!, text, true), 'MalformedPolicyDocumentException')).message).toEqual(message);
      expect((await expectAwsError(newKey(text, true), 'MalformedPolicyDocumentException')).message).toEqual(message);
    }
  });

  test('principals must exist in IAM: a user or role that does not is an invalid principal', async () => {
    const key = await newKey();
    await put(key.KeyId!, policy(statement({ AWS: ROOT }), statement({ AWS: 'arn:aws:iam::111122223333:role/KeyAdmins' }), statement({ AWS: 'arn:aws:iam::444455556666:root' })));
    const err = await expectAwsError(put(key.KeyId!, policy(statement({ AWS: ROOT }), statement({ AWS: 'arn:aws:iam::111122223333:role/Nobody' }))), 'MalformedPolicyDocumentException');
    expect(err.message).toBe('Policy contains a statement with one or more invalid principals.');
    await expectAwsError(newKey(policy(statement({ AWS: ROOT }), statement({ AWS: 'arn:aws:iam::111122223333:user/ghost' }))), 'MalformedPolicyDocumentException');
  });

  test("ReplicateKey's Policy passes the same checks; the replica keeps it", async () => {
    const primary = (await e.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    const replicate = (Policy: string, BypassPolicyLockoutSafetyCheck?: boolean) => e.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1', Policy, BypassPolicyLockoutSafetyCheck }));
    const lockout = await expectAwsError(replicate(policy(statement({ AWS: 'arn:aws:iam::111122223333:role/KeyAdmins' }))), 'MalformedPolicyDocumentException');
    expect(lockout.message).toBe('The new key policy will not allow you to update the key policy in the future.');
    await expectAwsError(replicate(policy(statement({ AWS: 'arn:aws:iam::111122223333:role/Nobody' })), true), 'MalformedPolicyDocumentException');
    const text = policy(statement({ AWS: ROOT }, 'kms:*', { Sid: 'replica' }));
    expect((await replicate(text)).ReplicaPolicy).toBe(text);
    const west = new KMSClient({ ...e.clientConfig, region: 'eu-west-1' });
    expect((await west.send(new GetKeyPolicyCommand({ KeyId: primary.KeyId }))).Policy).toBe(text);
    west.destroy();
  });

  test('over 32 KB is LimitExceededException; exactly 32 KB is kept; characters beyond U+00FF are ValidationException', async () => {
    const key = await newKey();
    const base = policy(statement({ AWS: ROOT }, 'kms:*', { Sid: '' }));
    const sized = (bytes: number) => base.replace('"Sid":""', `"Sid":"${'s'.repeat(bytes - base.length)}"`);
    await put(key.KeyId!, sized(32 * 1024));
    expect((await get(key.KeyId!)).Policy!.length).toBe(32 * 1024);
    const big = await expectAwsError(put(key.KeyId!, sized(32 * 1024 + 1)), 'LimitExceededException');
    expect(big.message).toContain('32768 bytes');
    await expectAwsError(newKey(sized(32 * 1024 + 1)), 'LimitExceededException');
    const err = await expectAwsError(put(key.KeyId!, policy(statement({ AWS: ROOT }, 'kms:*', { Sid: 'snow☃' }))), 'ValidationException');
    expect(err.message).toContain("at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern");
    await put(key.KeyId!, policy(statement({ AWS: ROOT }, 'kms:*', { Sid: 'café' }))); // Latin-1 is allowed
  });
});

describe('what is kept and what is recorded', () => {
  test('a key policy outlives a restart', async () => {
    const first = await startTestEngine({ keepHome: true });
    const text = policy(statement({ AWS: ROOT }, 'kms:*', { Sid: 'kept' }));
    let keyId: string;
    try {
      keyId = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await first.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: text }));
    } finally {
      await first.stop();
    }
    const second = await startTestEngine({ home: first.home });
    try {
      expect((await second.kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy).toBe(text);
    } finally {
      await second.stop();
    }
  });

  test("CloudTrail records PutKeyPolicy with the policy name, the policy and the bypass flag, as AWS's log example shows", async () => {
    const key = await newKey();
    const text = policy(statement({ AWS: ROOT }));
    await put(key.KeyId!, text);
    await e.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
    const cloudtrail = new CloudTrailClient(e.clientConfig);
    const event = async (name: string) => {
      const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }], MaxResults: 1 }));
      return JSON.parse(out.Events![0]!.CloudTrailEvent!);
    };
    const putEvent = await event('PutKeyPolicy');
    expect(putEvent.requestParameters).toEqual({ keyId: key.KeyId, policyName: 'default', policy: text, bypassPolicyLockoutSafetyCheck: false });
    expect(putEvent.responseElements).toBeNull();
    expect(putEvent.readOnly).toBe(false);
    expect(putEvent.resources).toEqual([{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: key.Arn }]);
    const getEvent = await event('GetKeyPolicy');
    expect(getEvent.requestParameters).toEqual({ keyId: key.KeyId, policyName: 'default' });
    expect(getEvent.readOnly).toBe(true);
    cloudtrail.destroy();
  });
});
