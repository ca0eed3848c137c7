// THE authorization decision (decide) and AWS's AccessDenied messages: identity policies,
// the key policy (primary for KMS), grants, explicit denies, other accounts, root.
import { describe, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { kmsContext } from '../../src/engine/auth/condition-context.js';
import { accessDeniedMessage, decide, type DecisionInput } from '../../src/engine/auth/decision.js';
import type { NamedPolicy, PolicyAnswer } from '../../src/engine/auth/types.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const alice = makeCaller({ userName: 'alice' });
const bob = makeCaller({ userName: 'bob', accountId: OTHER });
const root: Caller = { ...makeCaller({ userName: 'root', arn: `arn:aws:iam::${ACCOUNT}:root` }), type: 'Root' };

const policy = (name: string, Statement: unknown): NamedPolicy => ({ name, document: JSON.stringify({ Version: '2012-10-17', Statement }) });
const administratorAccess = policy('AdministratorAccess', { Effect: 'Allow', Action: '*', Resource: '*' });
const powerUser = policy('AWSKeyManagementServicePowerUser', {
  Effect: 'Allow',
  Action: ['kms:CreateAlias', 'kms:CreateKey', 'kms:DeleteAlias', 'kms:Describe*', 'kms:GenerateRandom', 'kms:Get*', 'kms:List*', 'kms:TagResource', 'kms:UntagResource', 'iam:ListGroups', 'iam:ListRoles', 'iam:ListUsers'],
  Resource: '*',
});
const keyPolicy = (...statements: unknown[]) => policy('default', statements);
const enableIam = (account = ACCOUNT) => ({ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' });
const defaultKeyPolicy = keyPolicy(enableIam());

function onKey(caller: Caller, action: string, opts: Partial<DecisionInput> & { encryptionContext?: Record<string, string> } = {}) {
  const { encryptionContext, ...rest } = opts;
  return decide({
    request: { caller, action, resource: KEY, context: kmsContext(caller, NOW, encryptionContext ? { encryptionContext } : {}) },
    resourceAccount: ACCOUNT,
    identityPolicies: [],
    resourcePolicy: defaultKeyPolicy,
    ...rest,
  });
}
const noKey = (caller: Caller, action: string, identityPolicies: NamedPolicy[]) =>
  decide({ request: { caller, action, resource: '*', context: kmsContext(caller, NOW) }, identityPolicies });

describe('actions on no key: IAM alone', () => {
  test('a user with no policy may not CreateKey, with AWS\'s message', () => {
    const d = noKey(alice, 'kms:CreateKey', []);
    expect(d).toMatchObject({ allowed: false, reason: 'no-identity-allow' });
    expect(accessDeniedMessage(d)).toBe(
      'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action',
    );
  });

  test('after AWSKeyManagementServicePowerUser is attached, CreateKey and ListKeys are allowed', () => {
    expect(noKey(alice, 'kms:CreateKey', [powerUser])).toMatchObject({ allowed: true, reason: 'allowed-by-identity', policy: 'AWSKeyManagementServicePowerUser' });
    expect(noKey(alice, 'kms:ListKeys', [powerUser]).allowed).toBe(true);
    expect(noKey(alice, 'kms:GenerateRandom', [powerUser]).allowed).toBe(true);
    expect(noKey(alice, 'kms:CreateCustomKeyStore', [powerUser]).allowed).toBe(false);
  });

  test('the account root user needs no policy', () => {
    expect(noKey(root, 'kms:CreateKey', [])).toMatchObject({ allowed: true, reason: 'root' });
  });

  test('a Deny in any identity policy beats an Allow in another', () => {
    const d = noKey(alice, 'kms:CreateKey', [administratorAccess, policy('NoCreate', { Effect: 'Deny', Action: 'kms:CreateKey', Resource: '*' })]);
    expect(d).toMatchObject({ allowed: false, reason: 'explicit-deny-identity', policy: 'NoCreate' });
    expect(accessDeniedMessage(d)).toBe(
      'User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:CreateKey on resource: * with an explicit deny in an identity-based policy',
    );
  });
});

describe('a key in the caller\'s account', () => {
  test('the default key policy lets IAM decide: the administrator may GenerateDataKey', () => {
    expect(onKey(alice, 'kms:GenerateDataKey', { identityPolicies: [administratorAccess] })).toMatchObject({ allowed: true, reason: 'allowed-by-identity', policy: 'AdministratorAccess' });
  });

  test('the power user may not GenerateDataKey: no identity-based policy allows it', () => {
    const d = onKey(alice, 'kms:GenerateDataKey', { identityPolicies: [powerUser] });
    expect(d).toMatchObject({ allowed: false, reason: 'no-identity-allow' });
    expect(accessDeniedMessage(d)).toBe(
      `User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:GenerateDataKey on resource: ${KEY} because no identity-based policy allows the kms:GenerateDataKey action`,
    );
  });

  test('without the "Enable IAM User Permissions" statement, IAM policies count for nothing', () => {
    const keyUsersOnly = keyPolicy({ Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' });
    const d = onKey(alice, 'kms:Encrypt', { identityPolicies: [administratorAccess], resourcePolicy: keyUsersOnly });
    expect(d).toMatchObject({ allowed: false, reason: 'no-resource-allow' });
    expect(accessDeniedMessage(d)).toBe(
      `User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Encrypt on resource: ${KEY} because no resource-based policy allows the kms:Encrypt action`,
    );
    // ...and not even the root user may use it.
    expect(onKey(root, 'kms:Encrypt', { resourcePolicy: keyUsersOnly }).allowed).toBe(false);
  });

  test('a key policy naming the user allows them with no IAM policy at all (the "key users" statement)', () => {
    const keyUsers = keyPolicy(enableIam(), { Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' });
    expect(onKey(alice, 'kms:GenerateDataKey', { resourcePolicy: keyUsers })).toMatchObject({ allowed: true, reason: 'allowed-by-resource', statement: { sid: 'Allow use of the key' } });
    expect(onKey(alice, 'kms:ScheduleKeyDeletion', { resourcePolicy: keyUsers })).toMatchObject({ allowed: false, reason: 'no-identity-allow' });
  });

  test('the root user may use a key whose policy names its account', () => {
    expect(onKey(root, 'kms:Decrypt')).toMatchObject({ allowed: true, reason: 'allowed-by-resource', statement: { sid: 'Enable IAM User Permissions' } });
  });

  test('an EncryptionContext condition in the key policy: allowed with the pair, not without', () => {
    const kp = keyPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:GenerateDataKey', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:project': 'workshop' } } });
    expect(onKey(alice, 'kms:GenerateDataKey', { resourcePolicy: kp, encryptionContext: { project: 'workshop' } }).allowed).toBe(true);
    expect(onKey(alice, 'kms:GenerateDataKey', { resourcePolicy: kp, encryptionContext: { project: 'other' } }).allowed).toBe(false);
    expect(onKey(alice, 'kms:GenerateDataKey', { resourcePolicy: kp }).allowed).toBe(false);
  });

  test('a Deny in the key policy beats the administrator\'s Allow, with AWS\'s message', () => {
    const kp = keyPolicy(enableIam(), { Sid: 'NoDecrypt', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' });
    const d = onKey(alice, 'kms:Decrypt', { identityPolicies: [administratorAccess], resourcePolicy: kp });
    expect(d).toMatchObject({ allowed: false, reason: 'explicit-deny-resource', statement: { sid: 'NoDecrypt' } });
    expect(accessDeniedMessage(d)).toBe(
      `User: arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:Decrypt on resource: ${KEY} with an explicit deny in a resource-based policy`,
    );
    expect(onKey(alice, 'kms:Encrypt', { identityPolicies: [administratorAccess], resourcePolicy: kp }).allowed).toBe(true);
  });

  test('a Deny in the key policy naming the account applies to its users', () => {
    const kp = keyPolicy(enableIam(), { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 'kms:Decrypt', Resource: '*' });
    expect(onKey(alice, 'kms:Decrypt', { identityPolicies: [administratorAccess], resourcePolicy: kp }).reason).toBe('explicit-deny-resource');
  });

  test('an IAM Deny beats a key policy that names the user', () => {
    const kp = keyPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:*', Resource: '*' });
    const deny = policy('NoKms', { Effect: 'Deny', Action: 'kms:*', Resource: '*' });
    expect(onKey(alice, 'kms:Decrypt', { identityPolicies: [deny], resourcePolicy: kp }).reason).toBe('explicit-deny-identity');
  });
});

describe('grants', () => {
  const grants = (answer: PolicyAnswer) => {
    const asked = { times: 0 };
    return { asked, grants: () => (asked.times++, answer) };
  };

  test('a grant allows its operation where no policy does', () => {
    const g = grants('Allow');
    expect(onKey(alice, 'kms:Decrypt', { grants: g.grants })).toMatchObject({ allowed: true, reason: 'allowed-by-grant' });
    expect(onKey(alice, 'kms:Decrypt', { grants: grants('NotApplicable').grants }).allowed).toBe(false);
  });

  test('grants are told whether the caller\'s IAM policies allow (a grant to an account delegates as a key policy does)', () => {
    const told: boolean[] = [];
    const keyUsersOnly = keyPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carol` }, Action: 'kms:*', Resource: '*' });
    onKey(alice, 'kms:Decrypt', { identityPolicies: [administratorAccess], resourcePolicy: keyUsersOnly, grants: (allows) => (told.push(allows), 'NotApplicable') });
    onKey(alice, 'kms:Decrypt', { identityPolicies: [powerUser], resourcePolicy: keyUsersOnly, grants: (allows) => (told.push(allows), 'NotApplicable') });
    expect(told).toEqual([true, false]);
  });

  test('grants are not consulted when the policies allow, and do not beat an explicit deny', () => {
    const g = grants('Allow');
    expect(onKey(alice, 'kms:Decrypt', { identityPolicies: [administratorAccess], grants: g.grants }).allowed).toBe(true);
    expect(g.asked.times).toBe(0);
    const deny = policy('NoKms', { Effect: 'Deny', Action: 'kms:*', Resource: '*' });
    expect(onKey(alice, 'kms:Decrypt', { identityPolicies: [deny], grants: g.grants }).allowed).toBe(false);
  });
});

describe('another account', () => {
  const sharedWithOther = keyPolicy(enableIam(), { Sid: 'Allow an external account to use this KMS key', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' });

  test('both the key policy and the caller\'s own IAM policy must allow', () => {
    expect(onKey(bob, 'kms:Encrypt', { identityPolicies: [administratorAccess], resourcePolicy: sharedWithOther }).allowed).toBe(true);
    const noIam = onKey(bob, 'kms:Encrypt', { resourcePolicy: sharedWithOther });
    expect(noIam).toMatchObject({ allowed: false, reason: 'no-identity-allow' });
    expect(accessDeniedMessage(noIam)).toMatch(/^User: arn:aws:iam::444455556666:user\/bob is not authorized to perform: kms:Encrypt on resource: .* because no identity-based policy allows the kms:Encrypt action$/);
    expect(onKey(bob, 'kms:Encrypt', { identityPolicies: [administratorAccess] })).toMatchObject({ allowed: false, reason: 'no-resource-allow' });
    // The key policy lists only some actions for the other account.
    expect(onKey(bob, 'kms:ScheduleKeyDeletion', { identityPolicies: [administratorAccess], resourcePolicy: sharedWithOther }).allowed).toBe(false);
  });

  test('naming the principal itself is not enough from another account: its IAM policy must allow too', () => {
    const kp = keyPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:user/bob` }, Action: 'kms:*', Resource: '*' });
    expect(onKey(bob, 'kms:Decrypt', { resourcePolicy: kp }).allowed).toBe(false);
    expect(onKey(bob, 'kms:Decrypt', { resourcePolicy: kp, identityPolicies: [administratorAccess] }).allowed).toBe(true);
  });

  test('with no resource policy another account\'s resource is out of reach, whatever IAM says', () => {
    const d = decide({ request: { caller: bob, action: 'kms:Decrypt', resource: KEY, context: kmsContext(bob, NOW) }, resourceAccount: ACCOUNT, identityPolicies: [administratorAccess] });
    expect(d).toMatchObject({ allowed: false, reason: 'no-resource-allow' });
  });
});

describe('trust policies (AssumeRole) decide the same way', () => {
  const trust = (Principal: unknown): NamedPolicy => policy('trust', { Effect: 'Allow', Principal, Action: 'sts:AssumeRole' });
  const assume = (caller: Caller, t: NamedPolicy, identityPolicies: NamedPolicy[] = []) =>
    decide({ request: { caller, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/Admin`, context: kmsContext(caller, NOW) }, resourceAccount: ACCOUNT, identityPolicies, resourcePolicy: t, resourcePolicyKind: 'trust' });

  test('a trust policy naming the user lets them assume the role; naming the account needs their IAM policy too', () => {
    expect(assume(alice, trust({ AWS: alice.arn })).allowed).toBe(true);
    expect(assume(alice, trust({ AWS: ACCOUNT })).allowed).toBe(false);
    expect(assume(alice, trust({ AWS: ACCOUNT }), [policy('assume', { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' })]).allowed).toBe(true);
  });
});
