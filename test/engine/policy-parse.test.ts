// The policy language's parser: what AWS refuses as MalformedPolicyDocument, with its
// messages, the three kinds of document, the cache, and the principals a policy names.
import { describe, expect, test } from 'vitest';
import { MalformedPolicyError, parsePolicy, policySize, POLICY_QUOTAS, principalsNamed, type PolicyKind } from '../../src/engine/auth/policy.js';

const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statement });
const refused = (text: string, kind: PolicyKind) => {
  try {
    parsePolicy(text, kind);
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPolicyError);
    return (e as MalformedPolicyError).message;
  }
  throw new Error('accepted');
};

// AWS's default key policy for a key created through the API (KMS developer guide, "Default key policy").
const defaultKeyPolicy = doc(
  [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
  { Id: 'key-default-1' },
);

describe('documents AWS accepts', () => {
  test('the default key policy parses as a resource policy with its one statement', () => {
    const p = parsePolicy(defaultKeyPolicy, 'resource');
    expect(p.version).toBe('2012-10-17');
    expect(p.id).toBe('key-default-1');
    expect(p.statements).toHaveLength(1);
    expect(p.statements[0]).toMatchObject({ sid: 'Enable IAM User Permissions', effect: 'Allow', notAction: false, notResource: false });
    expect([...p.statements[0]!.principal!.accounts]).toEqual(['111122223333']);
  });

  test('a single statement object is accepted as well as an array, and Version may be absent (2008-10-17)', () => {
    const p = parsePolicy(JSON.stringify({ Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } }), 'identity');
    expect(p.version).toBe('2008-10-17');
    expect(p.statements).toHaveLength(1);
  });

  test('the same text gives the same parsed object (the engine evaluates key policies on every call)', () => {
    expect(parsePolicy(defaultKeyPolicy, 'resource')).toBe(parsePolicy(defaultKeyPolicy, 'resource'));
    // ...but the kind is part of the cache: a resource policy text is not an identity policy.
    expect(() => parsePolicy(defaultKeyPolicy, 'identity')).toThrow(MalformedPolicyError);
  });

  test('a trust policy has a Principal and no Resource', () => {
    const trust = doc([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(parsePolicy(trust, 'trust').statements[0]!.resources).toBeUndefined();
    expect(refused(trust, 'resource')).toBe('Policy statement must contain resources.');
  });
});

describe('documents AWS refuses, in its words', () => {
  test.each([
    ['not JSON', '{"Version": "2012-10-17", "Statement": [', 'identity', 'Syntax errors in policy.'],
    ['not an object', '[]', 'identity', 'Syntax errors in policy.'],
    ['an unknown Version', doc([], { Version: '2013-01-01' }), 'identity', 'The policy failed legacy parsing'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'identity', 'Missing required field Statement'],
    ['a bad Effect', doc({ Effect: 'Permit', Action: '*', Resource: '*' }), 'identity', 'Invalid effect: Permit'],
    ['no Effect', doc({ Action: '*', Resource: '*' }), 'identity', 'Missing required field Effect'],
    ['no Action', doc({ Effect: 'Allow', Resource: '*' }), 'identity', 'Policy statement must contain actions.'],
    ['an empty Action list', doc({ Effect: 'Allow', Action: [], Resource: '*' }), 'identity', 'Policy statement must contain actions.'],
    ['an action without a vendor', doc({ Effect: 'Allow', Action: 'Encrypt', Resource: '*' }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['no Resource in an identity policy', doc({ Effect: 'Allow', Action: '*' }), 'identity', 'Policy statement must contain resources.'],
    ['a Principal in an identity policy', doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'identity', 'Policy document should not specify a principal.'],
    ['no Principal in a key policy', doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'resource', 'Missing required field Principal'],
    ['a Resource in a trust policy', doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', Resource: '*' }), 'trust', 'Has prohibited field Resource'],
    ['an unknown condition operator', doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:username': 'a' } } }), 'identity', 'Invalid Condition type : StringEqualz'],
    ['Null with IfExists', doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { NullIfExists: { 'aws:username': 'true' } } }), 'identity', 'Invalid Condition type : NullIfExists'],
    ['a condition key without a vendor', doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { username: 'a' } } }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['an object as a condition value', doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:username': { a: 1 } } } }), 'identity', 'Syntax errors in policy.'],
    ['duplicate Sids', doc([{ Sid: 'a', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'a', Effect: 'Deny', Action: '*', Resource: '*' }]), 'identity', 'Statement IDs (SID) in a single policy must be unique.'],
    ['a partial wildcard principal', doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/*' }, Action: 'kms:*', Resource: '*' }), 'resource', 'Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"'],
    ['a principal that is not an ARN', doc({ Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 'kms:*', Resource: '*' }), 'resource', 'Invalid principal in policy: "AWS":"alice"'],
    ['an unknown principal type', doc({ Effect: 'Allow', Principal: { Robot: 'r2d2' }, Action: 'kms:*', Resource: '*' }), 'resource', 'Invalid principal in policy: "Robot":"r2d2"'],
    ['a character outside U+0000-U+00FF', doc({ Sid: 'caf\u00e9\u2603', Effect: 'Allow', Action: '*', Resource: '*' }), 'identity', 'Syntax errors in policy.'],
  ] as const)('%s', (_what, text, kind, message) => {
    expect(refused(text, kind)).toBe(message);
  });

  test('both Action and NotAction, or both Resource and NotResource, are refused', () => {
    expect(refused(doc({ Effect: 'Allow', Action: '*', NotAction: 'kms:Decrypt', Resource: '*' }), 'identity')).toMatch(/Action and NotAction/);
    expect(refused(doc({ Effect: 'Allow', Action: '*', Resource: '*', NotResource: 'x' }), 'identity')).toMatch(/Resource and NotResource/);
  });
});

describe('size quotas', () => {
  test('white space does not count, as IAM counts a policy', () => {
    expect(policySize('{ "a" :\n\t"b c" }')).toBe('{"a":"bc"}'.length);
  });

  test('a document over the quota asked for is refused as a quota error, one under it is accepted', () => {
    const statement = (n: number) => ({ Sid: `s${n}`, Effect: 'Allow', Action: 'kms:Encrypt', Resource: `arn:aws:kms:us-east-1:111122223333:key/${'a'.repeat(36)}` });
    const big = doc(Array.from({ length: 60 }, (_, i) => statement(i)));
    expect(policySize(big)).toBeGreaterThan(POLICY_QUOTAS.managedPolicy);
    let err: unknown;
    try {
      parsePolicy(big, 'identity', { maxSize: POLICY_QUOTAS.managedPolicy });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MalformedPolicyError);
    expect((err as MalformedPolicyError).quota).toBe(true);
    expect((err as Error).message).toBe('Cannot exceed quota for PolicySize: 6144');
    expect(parsePolicy(big, 'identity', { maxSize: POLICY_QUOTAS.keyPolicy }).statements).toHaveLength(60);
    // The quota is checked for a cached text too.
    expect(() => parsePolicy(big, 'identity', { maxSize: POLICY_QUOTAS.managedPolicy })).toThrow('Cannot exceed quota');
  });
});

describe('principals a policy names', () => {
  test('account ids become root ARNs; users, roles and sessions are listed once; "*" and services are not principals to look up', () => {
    const p = parsePolicy(
      doc([
        { Effect: 'Allow', Principal: { AWS: ['444455556666', 'arn:aws:iam::111122223333:role/ExampleRole'] }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/ExampleRole', Service: 's3.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' },
        { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:sts::111122223333:assumed-role/ExampleRole/session' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' },
      ]),
      'resource',
    );
    expect(principalsNamed(p).sort()).toEqual([
      'arn:aws:iam::111122223333:role/ExampleRole',
      'arn:aws:iam::444455556666:root',
      'arn:aws:sts::111122223333:assumed-role/ExampleRole/session',
    ]);
  });
});
