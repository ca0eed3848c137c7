// One policy against one request (evaluatePolicy): actions and resources with wildcards,
// NotAction/NotResource, principals, and the condition operators as the IAM reference
// defines them, with the request context the engine builds (condition-context.ts).
import { describe, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { callerContext, kmsContext } from '../../src/engine/auth/condition-context.js';
import { evaluatePolicy } from '../../src/engine/auth/evaluate.js';
import { parsePolicy, type PolicyKind } from '../../src/engine/auth/policy.js';
import type { AuthzRequest, ConditionContext } from '../../src/engine/auth/types.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const alice = makeCaller({ userName: 'alice' });
const role: Caller = {
  ...makeCaller({ accountId: '111122223333' }),
  type: 'AssumedRole',
  userName: 'ExampleRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/ExampleRole/my-session',
  principalId: 'AROAEXAMPLE:my-session',
  sessionIssuer: { arn: 'arn:aws:iam::111122223333:role/ExampleRole', userName: 'ExampleRole', principalId: 'AROAEXAMPLE', accountId: '111122223333' },
};

const policy = (statement: unknown, kind: PolicyKind = 'identity') => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statement }), kind);
const request = (action: string, opts: { caller?: Caller; resource?: string; context?: ConditionContext } = {}): AuthzRequest => {
  const caller = opts.caller ?? alice;
  return { caller, action, resource: opts.resource ?? KEY, context: opts.context ?? callerContext(caller, NOW) };
};
const answer = (statement: unknown, req: AuthzRequest, kind: PolicyKind = 'identity') => evaluatePolicy(policy(statement, kind), req).answer;
const withCondition = (Condition: unknown) => ({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition });
const kmsRequest = (encryptionContext?: Record<string, string>, extra: Parameters<typeof kmsContext>[2] = {}) =>
  request('kms:Decrypt', { context: kmsContext(alice, NOW, { ...(encryptionContext ? { encryptionContext } : {}), ...extra }) });

describe('actions and resources', () => {
  // AWSKeyManagementServicePowerUser's actions (AWS managed policy, current version).
  const powerUser = { Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:CreateKey', 'kms:DeleteAlias', 'kms:Describe*', 'kms:GenerateRandom', 'kms:Get*', 'kms:List*', 'kms:TagResource', 'kms:UntagResource', 'iam:ListGroups', 'iam:ListRoles', 'iam:ListUsers'], Resource: '*' };

  test('the power user may CreateKey and GetKeyPolicy but not GenerateDataKey, Encrypt, Decrypt or ScheduleKeyDeletion', () => {
    expect(answer(powerUser, request('kms:CreateKey', { resource: '*' }))).toBe('Allow');
    expect(answer(powerUser, request('kms:GetKeyPolicy'))).toBe('Allow');
    for (const a of ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:ScheduleKeyDeletion']) expect(answer(powerUser, request(a))).toBe('NotApplicable');
  });

  test('actions match without regard to case; ? is one character', () => {
    expect(answer({ Effect: 'Allow', Action: 'KMS:encrypt', Resource: '*' }, request('kms:Encrypt'))).toBe('Allow');
    expect(answer({ Effect: 'Allow', Action: 'kms:?ncrypt', Resource: '*' }, request('kms:Encrypt'))).toBe('Allow');
    expect(answer({ Effect: 'Allow', Action: 'kms:?ncrypt', Resource: '*' }, request('kms:Decrypt'))).toBe('NotApplicable');
    expect(answer({ Effect: 'Allow', Action: 'kms:GenerateDataKey*', Resource: '*' }, request('kms:GenerateDataKeyWithoutPlaintext'))).toBe('Allow');
    expect(answer({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, request('kms:Encrypt'))).toBe('NotApplicable');
  });

  test('resources match with wildcards and case; a resource elsewhere does not', () => {
    const s = (Resource: string) => ({ Effect: 'Allow', Action: 'kms:Encrypt', Resource });
    expect(answer(s('arn:aws:kms:*:111122223333:key/*'), request('kms:Encrypt'))).toBe('Allow');
    expect(answer(s(KEY), request('kms:Encrypt'))).toBe('Allow');
    expect(answer(s(KEY.toUpperCase()), request('kms:Encrypt'))).toBe('NotApplicable');
    expect(answer(s('arn:aws:kms:*:444455556666:key/*'), request('kms:Encrypt'))).toBe('NotApplicable');
  });

  test('NotAction applies to every other action; NotResource to every other resource', () => {
    const notDecrypt = { Effect: 'Deny', NotAction: ['kms:Decrypt', 'kms:Describe*'], Resource: '*' };
    expect(answer(notDecrypt, request('kms:Encrypt'))).toBe('Deny');
    expect(answer(notDecrypt, request('kms:Decrypt'))).toBe('NotApplicable');
    expect(answer(notDecrypt, request('kms:DescribeKey'))).toBe('NotApplicable');
    const notThisKey = { Effect: 'Deny', Action: 'kms:*', NotResource: KEY };
    expect(answer(notThisKey, request('kms:Encrypt'))).toBe('NotApplicable');
    expect(answer(notThisKey, request('kms:Encrypt', { resource: KEY.replace('1234abcd', '0000abcd') }))).toBe('Deny');
  });

  test('a Deny that applies beats an Allow before it in the same policy, and names its statement', () => {
    const v = evaluatePolicy(
      policy([{ Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }]),
      request('kms:Decrypt'),
    );
    expect(v.answer).toBe('Deny');
    expect(v.statement?.sid).toBe('NoDecrypt');
  });

  test('policy variables: ${aws:username} in a Resource is the caller\'s name, taken literally', () => {
    const own = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' };
    expect(answer(own, request('s3:GetObject', { resource: 'arn:aws:s3:::home/alice/notes.txt' }))).toBe('Allow');
    expect(answer(own, request('s3:GetObject', { resource: 'arn:aws:s3:::home/bob/notes.txt' }))).toBe('NotApplicable');
    // A role session has no aws:username: the statement matches nothing...
    expect(answer(own, request('s3:GetObject', { caller: role, resource: 'arn:aws:s3:::home/ExampleRole/x' }))).toBe('NotApplicable');
    // ...unless the variable has a default.
    const withDefault = { ...own, Resource: "arn:aws:s3:::home/${aws:username, 'shared'}/*" };
    expect(answer(withDefault, request('s3:GetObject', { caller: role, resource: 'arn:aws:s3:::home/shared/x' }))).toBe('Allow');
    // A user named "a*" would not match everything: the value is literal.
    const star = makeCaller({ userName: 'a*' });
    expect(answer(own, request('s3:GetObject', { caller: star, resource: 'arn:aws:s3:::home/abc/x' }))).toBe('NotApplicable');
    expect(answer(own, request('s3:GetObject', { caller: star, resource: 'arn:aws:s3:::home/a*/x' }))).toBe('Allow');
  });

  test('variables are text in a 2008-10-17 policy', () => {
    const old = parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}' } }), 'identity');
    expect(evaluatePolicy(old, request('s3:GetObject', { resource: 'arn:aws:s3:::home/alice' })).answer).toBe('NotApplicable');
    expect(evaluatePolicy(old, request('s3:GetObject', { resource: 'arn:aws:s3:::home/${aws:username}' })).answer).toBe('Allow');
  });
});

describe('principals in a key policy', () => {
  const to = (Principal: unknown) => ({ Effect: 'Allow', Principal, Action: 'kms:*', Resource: '*' });

  test('the account root ARN or a bare account id names the account: an Allow of scope "account"', () => {
    for (const p of [{ AWS: 'arn:aws:iam::111122223333:root' }, { AWS: '111122223333' }]) {
      const v = evaluatePolicy(policy(to(p), 'resource'), request('kms:Encrypt'));
      expect(v).toMatchObject({ answer: 'Allow', scope: 'account' });
    }
    expect(answer(to({ AWS: '444455556666' }), request('kms:Encrypt'), 'resource')).toBe('NotApplicable');
  });

  test('the root user itself is named by its account', () => {
    const root = makeCaller({ userName: 'root', arn: 'arn:aws:iam::111122223333:root' });
    expect(evaluatePolicy(policy(to({ AWS: '111122223333' }), 'resource'), request('kms:Encrypt', { caller: { ...root, type: 'Root' } })).scope).toBe('principal');
  });

  test('a user ARN names that user only; "*" names everyone', () => {
    expect(evaluatePolicy(policy(to({ AWS: 'arn:aws:iam::111122223333:user/alice' }), 'resource'), request('kms:Encrypt')).scope).toBe('principal');
    expect(answer(to({ AWS: 'arn:aws:iam::111122223333:user/bob' }), request('kms:Encrypt'), 'resource')).toBe('NotApplicable');
    expect(evaluatePolicy(policy(to('*'), 'resource'), request('kms:Encrypt')).scope).toBe('principal');
    expect(evaluatePolicy(policy(to({ AWS: '*' }), 'resource'), request('kms:Encrypt', { caller: makeCaller({ accountId: '444455556666' }) })).scope).toBe('principal');
  });

  test('a role ARN names its sessions; a session ARN names that session', () => {
    expect(evaluatePolicy(policy(to({ AWS: 'arn:aws:iam::111122223333:role/ExampleRole' }), 'resource'), request('kms:Encrypt', { caller: role })).scope).toBe('principal');
    expect(evaluatePolicy(policy(to({ AWS: role.arn }), 'resource'), request('kms:Encrypt', { caller: role })).scope).toBe('principal');
    expect(answer(to({ AWS: 'arn:aws:iam::111122223333:role/OtherRole' }), request('kms:Encrypt', { caller: role }), 'resource')).toBe('NotApplicable');
  });

  test('a Deny with NotPrincipal applies to everyone but the principals it lists', () => {
    const s = { Effect: 'Deny', NotPrincipal: { AWS: ['arn:aws:iam::111122223333:user/alice', '111122223333'] }, Action: 'kms:*', Resource: '*' };
    expect(answer(s, request('kms:Encrypt'), 'resource')).toBe('NotApplicable');
    expect(answer(s, request('kms:Encrypt', { caller: makeCaller({ userName: 'bob' }) }), 'resource')).toBe('Deny');
  });

  test('a service principal names the service calling, not a user calling through it', () => {
    const s = to({ Service: 's3.amazonaws.com' });
    const service: Caller = { ...makeCaller({ userName: 's3.amazonaws.com', invokedBy: 's3.amazonaws.com' }), type: 'AWSService' };
    expect(answer(s, request('kms:Decrypt', { caller: service }), 'resource')).toBe('Allow');
    expect(answer(s, request('kms:Decrypt', { caller: { ...alice, invokedBy: 's3.amazonaws.com' } }), 'resource')).toBe('NotApplicable');
  });
});

describe('condition operators', () => {
  test('kms:EncryptionContext:<key> with StringEquals: the pair must be in the request, the value in its case', () => {
    // KMS developer guide, kms:EncryptionContext:context-key.
    const s = withCondition({ StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp' } });
    expect(answer(s, kmsRequest({ AppName: 'ExampleApp' }))).toBe('Allow');
    expect(answer(s, kmsRequest({ AppName: 'ExampleApp', Other: 'x' }))).toBe('Allow');
    expect(answer(s, kmsRequest({ AppName: 'exampleapp' }))).toBe('NotApplicable');
    expect(answer(s, kmsRequest({ Project: 'ExampleApp' }))).toBe('NotApplicable');
    expect(answer(s, kmsRequest())).toBe('NotApplicable');
    // Condition keys are case-insensitive, the <key> part included.
    expect(answer(s, kmsRequest({ appname: 'ExampleApp' }))).toBe('Allow');
  });

  test('ForAllValues with an empty encryption context holds (the docs warn of it); Null "false" requires one', () => {
    const onlyThese = withCondition({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['AppName', 'FilePath'] } });
    expect(answer(onlyThese, kmsRequest({ AppName: 'a' }))).toBe('Allow');
    expect(answer(onlyThese, kmsRequest({ AppName: 'a', FilePath: '/x' }))).toBe('Allow');
    expect(answer(onlyThese, kmsRequest({ AppName: 'a', Other: 'b' }))).toBe('NotApplicable');
    expect(answer(onlyThese, kmsRequest())).toBe('Allow');
    expect(answer(onlyThese, kmsRequest({}))).toBe('Allow');
    const required = withCondition({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['AppName', 'FilePath'] }, Null: { 'kms:EncryptionContextKeys': 'false' } });
    expect(answer(required, kmsRequest())).toBe('NotApplicable');
    expect(answer(required, kmsRequest({ FilePath: '/x' }))).toBe('Allow');
  });

  test('ForAnyValue needs one value to match and fails on an empty context; its keys keep their case', () => {
    const any = withCondition({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'AppName' } });
    expect(answer(any, kmsRequest({ AppName: 'a', Other: 'b' }))).toBe('Allow');
    expect(answer(any, kmsRequest({ appname: 'a' }))).toBe('NotApplicable');
    expect(answer(any, kmsRequest())).toBe('NotApplicable');
  });

  test('negated operators hold for a missing key; positive ones do not; IfExists holds for a missing key either way', () => {
    expect(answer(withCondition({ StringNotEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }), kmsRequest())).toBe('Allow');
    expect(answer(withCondition({ StringNotEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }), kmsRequest(undefined, { viaService: 's3.us-east-1.amazonaws.com' }))).toBe('NotApplicable');
    expect(answer(withCondition({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }), kmsRequest())).toBe('NotApplicable');
    const ifExists = withCondition({ StringEqualsIfExists: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } });
    expect(answer(ifExists, kmsRequest())).toBe('Allow');
    expect(answer(ifExists, kmsRequest(undefined, { viaService: 's3.us-east-1.amazonaws.com' }))).toBe('Allow');
    expect(answer(ifExists, kmsRequest(undefined, { viaService: 'ec2.us-east-1.amazonaws.com' }))).toBe('NotApplicable');
  });

  test('several values of one key are alternatives; several keys and operators must all hold', () => {
    // The AWS managed key for S3 (aws/s3): anyone in the account, through S3 only.
    const managed = withCondition({ StringEquals: { 'kms:CallerAccount': '111122223333', 'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'ec2.us-east-1.amazonaws.com'] } });
    expect(answer(managed, kmsRequest(undefined, { viaService: 's3.us-east-1.amazonaws.com' }))).toBe('Allow');
    expect(answer(managed, kmsRequest(undefined, { viaService: 'ec2.us-east-1.amazonaws.com' }))).toBe('Allow');
    expect(answer(managed, kmsRequest())).toBe('NotApplicable');
    const other = makeCaller({ accountId: '444455556666' });
    expect(answer(managed, request('kms:Decrypt', { caller: other, context: kmsContext(other, NOW, { viaService: 's3.us-east-1.amazonaws.com' }) }))).toBe('NotApplicable');
    // StringNotEquals with several values: the value must be none of them.
    const notEither = withCondition({ StringNotEquals: { 'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'ec2.us-east-1.amazonaws.com'] } });
    expect(answer(notEither, kmsRequest(undefined, { viaService: 'ec2.us-east-1.amazonaws.com' }))).toBe('NotApplicable');
    expect(answer(notEither, kmsRequest(undefined, { viaService: 'rds.us-east-1.amazonaws.com' }))).toBe('Allow');
  });

  test('StringLike wildcards and StringEqualsIgnoreCase', () => {
    expect(answer(withCondition({ StringLike: { 'kms:EncryptionContext:FilePath': '/home/*/doc?.txt' } }), kmsRequest({ FilePath: '/home/alice/doc1.txt' }))).toBe('Allow');
    expect(answer(withCondition({ StringLike: { 'kms:EncryptionContext:FilePath': '/home/*/doc?.txt' } }), kmsRequest({ FilePath: '/home/alice/doc12.txt' }))).toBe('NotApplicable');
    expect(answer(withCondition({ StringNotLike: { 'kms:EncryptionContext:FilePath': '/secret/*' } }), kmsRequest({ FilePath: '/secret/x' }))).toBe('NotApplicable');
    expect(answer(withCondition({ StringEqualsIgnoreCase: { 'kms:EncryptionContext:AppName': 'EXAMPLEAPP' } }), kmsRequest({ AppName: 'ExampleApp' }))).toBe('Allow');
    expect(answer(withCondition({ StringEquals: { 'kms:EncryptionContext:AppName': 'Example*' } }), kmsRequest({ AppName: 'ExampleApp' }))).toBe('NotApplicable');
  });

  test('policy variables in condition values: ${aws:username}', () => {
    const s = withCondition({ StringEquals: { 'kms:EncryptionContext:Owner': '${aws:username}' } });
    expect(answer(s, kmsRequest({ Owner: 'alice' }))).toBe('Allow');
    expect(answer(s, kmsRequest({ Owner: 'bob' }))).toBe('NotApplicable');
  });

  test('global keys: aws:PrincipalArn (a session\'s is its role), aws:PrincipalAccount, aws:PrincipalType', () => {
    const arn = withCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/Example*' } });
    expect(answer(arn, request('kms:Decrypt', { caller: role }))).toBe('Allow');
    expect(answer(arn, request('kms:Decrypt'))).toBe('NotApplicable');
    expect(answer(withCondition({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/alice' } }), request('kms:Decrypt'))).toBe('Allow');
    expect(answer(withCondition({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/alice' } }), request('kms:Decrypt'))).toBe('NotApplicable');
    // ARN parts are matched one by one: a wildcard does not run across a colon.
    expect(answer(withCondition({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } }), request('kms:Decrypt'))).toBe('NotApplicable');
    expect(answer(withCondition({ StringEquals: { 'aws:PrincipalAccount': '111122223333', 'aws:PrincipalType': 'User' } }), request('kms:Decrypt'))).toBe('Allow');
    expect(answer(withCondition({ StringEquals: { 'aws:PrincipalType': 'AssumedRole', 'aws:userid': 'AROAEXAMPLE:my-session' } }), request('kms:Decrypt', { caller: role }))).toBe('Allow');
  });

  test('Date operators compare aws:CurrentTime with ISO 8601 dates or epoch seconds', () => {
    expect(answer(withCondition({ DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }), request('kms:Decrypt'))).toBe('Allow');
    expect(answer(withCondition({ DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }), request('kms:Decrypt'))).toBe('NotApplicable');
    expect(answer(withCondition({ DateGreaterThanEquals: { 'aws:CurrentTime': String(NOW.getTime() / 1000) } }), request('kms:Decrypt'))).toBe('Allow');
    expect(answer(withCondition({ DateNotEquals: { 'aws:CurrentTime': '2026-12-01T12:00:00Z' } }), request('kms:Decrypt'))).toBe('NotApplicable');
    expect(answer(withCondition({ DateLessThan: { 'aws:CurrentTime': 'not a date' } }), request('kms:Decrypt'))).toBe('NotApplicable');
  });

  test('Numeric operators, Bool and IpAddress', () => {
    const ctx = (extra: [string, string][]) => new Map([...callerContext(alice, NOW), ...extra]);
    const req = (extra: [string, string][]) => request('kms:Decrypt', { context: ctx(extra) });
    expect(answer(withCondition({ NumericLessThanEquals: { 'kms:test': '10' } }), req([['kms:test', '10']]))).toBe('Allow');
    expect(answer(withCondition({ NumericLessThan: { 'kms:test': 10 } }), req([['kms:test', '10']]))).toBe('NotApplicable');
    expect(answer(withCondition({ NumericNotEquals: { 'kms:test': 10 } }), req([['kms:test', '10.0']]))).toBe('NotApplicable');
    expect(answer(withCondition({ NumericGreaterThan: { 'kms:test': 'x' } }), req([['kms:test', '10']]))).toBe('NotApplicable');
    expect(answer(withCondition({ Bool: { 'aws:ViaAWSService': 'false' } }), req([]))).toBe('Allow');
    expect(answer(withCondition({ Bool: { 'aws:ViaAWSService': true } }), req([]))).toBe('NotApplicable');
    expect(answer(withCondition({ IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }), req([]))).toBe('Allow');
    expect(answer(withCondition({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), req([]))).toBe('NotApplicable');
    expect(answer(withCondition({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), req([]))).toBe('Allow');
  });

  test('Null "true" holds only when the key is absent', () => {
    expect(answer(withCondition({ Null: { 'aws:username': 'true' } }), request('kms:Decrypt', { caller: role }))).toBe('Allow');
    expect(answer(withCondition({ Null: { 'aws:username': 'true' } }), request('kms:Decrypt'))).toBe('NotApplicable');
  });

  test('operator names and condition keys are read without regard to case', () => {
    expect(answer(withCondition({ stringequals: { 'AWS:UserName': 'alice' } }), request('kms:Decrypt'))).toBe('Allow');
  });

  test('kms:GrantOperations is multivalued: ForAllValues limits a CreateGrant to the operations listed', () => {
    const s = withCondition({ 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'Decrypt'] } });
    const grant = (ops: string[]) => request('kms:CreateGrant', { context: kmsContext(alice, NOW, { grantOperations: ops }) });
    expect(answer(s, grant(['Decrypt']))).toBe('Allow');
    expect(answer(s, grant(['Decrypt', 'RetireGrant']))).toBe('NotApplicable');
  });
});
