// The policy language at its edges, where a slip would let a request through (or shut one
// out) silently: each condition operator at its boundary, IfExists / ForAnyValue /
// ForAllValues with a key absent or present, Null, IP ranges, malformed condition blocks,
// wildcards and policy variables (${*}, defaults, multivalued keys), ARN matching part by
// part, and the decision's less travelled paths (grants without a key policy, root from
// another account, which identity policy is named).
import { describe, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { callerContext, kmsContext } from '../../src/engine/auth/condition-context.js';
import { parseConditionBlock } from '../../src/engine/auth/conditions.js';
import { accessDeniedMessage, decide } from '../../src/engine/auth/decision.js';
import { evaluatePolicy } from '../../src/engine/auth/evaluate.js';
import { arnMatcher, globMatcher, globPattern, template } from '../../src/engine/auth/match.js';
import { MalformedPolicyError, parsePolicy, type PolicyKind } from '../../src/engine/auth/policy.js';
import type { AuthzRequest, ConditionContext, NamedPolicy } from '../../src/engine/auth/types.js';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const alice = makeCaller({ userName: 'alice' });
const role: Caller = {
  ...makeCaller({ accountId: ACCOUNT }),
  type: 'AssumedRole',
  userName: 'ExampleRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ExampleRole/my-session`,
  principalId: 'AROAEXAMPLE:my-session',
  sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:role/ExampleRole`, userName: 'ExampleRole', principalId: 'AROAEXAMPLE', accountId: ACCOUNT },
};

const policy = (statement: unknown, kind: PolicyKind = 'identity') => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statement }), kind);
const request = (opts: { caller?: Caller; action?: string; resource?: string; context?: ConditionContext } = {}): AuthzRequest => {
  const caller = opts.caller ?? alice;
  return { caller, action: opts.action ?? 'kms:Decrypt', resource: opts.resource ?? KEY, context: opts.context ?? callerContext(caller, NOW) };
};
const answer = (statement: unknown, req: AuthzRequest = request(), kind: PolicyKind = 'identity') => evaluatePolicy(policy(statement, kind), req).answer;
const allowIf = (Condition: unknown) => ({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition });
/** A request whose context has these extra keys (lower-cased names, as the engine builds them). */
const withKeys = (extra: Record<string, string | string[]>, caller: Caller = alice) =>
  request({ caller, context: new Map<string, string | readonly string[]>([...callerContext(caller, NOW), ...Object.entries(extra)]) });
const holds = (Condition: unknown, extra: Record<string, string | string[]> = {}) => answer(allowIf(Condition), withKeys(extra)) === 'Allow';
const malformed = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPolicyError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('numeric and date operators at their boundaries', () => {
  test('each comparison at, below and above the policy value', () => {
    const at = (op: string, value: string) => holds({ [op]: { 'kms:n': '10' } }, { 'kms:n': value });
    expect([at('NumericEquals', '10'), at('NumericEquals', '9'), at('NumericEquals', '11')]).toEqual([true, false, false]);
    expect([at('NumericNotEquals', '10'), at('NumericNotEquals', '9')]).toEqual([false, true]);
    expect([at('NumericLessThan', '9'), at('NumericLessThan', '10'), at('NumericLessThan', '11')]).toEqual([true, false, false]);
    expect([at('NumericLessThanEquals', '9'), at('NumericLessThanEquals', '10'), at('NumericLessThanEquals', '11')]).toEqual([true, true, false]);
    expect([at('NumericGreaterThan', '9'), at('NumericGreaterThan', '10'), at('NumericGreaterThan', '11')]).toEqual([false, false, true]);
    expect([at('NumericGreaterThanEquals', '9'), at('NumericGreaterThanEquals', '10'), at('NumericGreaterThanEquals', '11')]).toEqual([false, true, true]);
  });

  test('a blank number is no number (not zero), on either side', () => {
    expect(holds({ NumericEquals: { 'kms:n': '0' } }, { 'kms:n': ' ' })).toBe(false);
    expect(holds({ NumericEquals: { 'kms:n': '' } }, { 'kms:n': '0' })).toBe(false);
    expect(holds({ NumericLessThanEquals: { 'kms:n': ['x', '5'] } }, { 'kms:n': '5' })).toBe(true);
  });

  test('dates: ISO 8601 or epoch seconds (with a fraction), each comparison at the second', () => {
    const t = '2026-12-01T12:00:00Z';
    const at = (op: string, value: string) => holds({ [op]: { 'aws:CurrentTime': value } });
    expect([at('DateEquals', t), at('DateEquals', '2026-12-01T12:00:01Z')]).toEqual([true, false]);
    expect([at('DateLessThan', t), at('DateLessThanEquals', t), at('DateGreaterThan', t), at('DateGreaterThanEquals', t)]).toEqual([false, true, false, true]);
    expect(at('DateGreaterThan', '2026-12-01T11:59:59Z')).toBe(true);
    const epoch = String(NOW.getTime() / 1000);
    expect([at('DateEquals', epoch), at('DateEquals', `${epoch}.5`), at('DateLessThan', `${epoch}.5`)]).toEqual([true, false, true]);
    expect([at('DateEquals', `${epoch}.000`), at('DateLessThan', `${epoch}.25`), at('DateEquals', '2026-12-01T12:00:00+00:00'), at('DateEquals', '2026-12-01T13:00:00+01:00')]).toEqual([true, true, true, true]);
    // aws:EpochTime is seconds as text: a Date operator reads it as epoch seconds.
    expect(holds({ DateEquals: { 'aws:EpochTime': t } })).toBe(true);
  });
});

describe('string operators', () => {
  test('the negated forms of IgnoreCase, Like and ARN operators', () => {
    const ctx = { 'kms:encryptioncontext:app': 'ExampleApp' };
    expect(holds({ StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:App': 'EXAMPLEAPP' } }, ctx)).toBe(false);
    expect(holds({ StringNotEqualsIgnoreCase: { 'kms:EncryptionContext:App': 'OtherApp' } }, ctx)).toBe(true);
    expect(holds({ StringNotLike: { 'kms:EncryptionContext:App': 'Example*' } }, ctx)).toBe(false);
    expect(holds({ StringNotLike: { 'kms:EncryptionContext:App': 'Other*' } }, ctx)).toBe(true);
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': alice.arn } })).toBe(false);
    expect(holds({ ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/bob` } })).toBe(true);
  });

  test('Bool compares without regard to case; BinaryEquals compares the base64 text exactly', () => {
    expect(holds({ Bool: { 'aws:SecureTransport': 'FALSE' } })).toBe(true);
    expect(holds({ Bool: { 'aws:SecureTransport': 'true' } })).toBe(false);
    expect(holds({ BinaryEquals: { 'kms:b': 'QmluYXJ5' } }, { 'kms:b': 'QmluYXJ5' })).toBe(true);
    expect(holds({ BinaryEquals: { 'kms:b': 'QmluYXJ5' } }, { 'kms:b': 'qmluyxj5' })).toBe(false);
  });

  test('a policy variable naming a key the request lacks matches nothing: StringEquals false, StringNotEquals true', () => {
    const ctx = { 'kms:encryptioncontext:owner': 'ExampleRole' };
    expect(answer(allowIf({ StringEquals: { 'kms:EncryptionContext:Owner': '${aws:username}' } }), withKeys(ctx, role))).toBe('NotApplicable');
    expect(answer(allowIf({ StringNotEquals: { 'kms:EncryptionContext:Owner': '${aws:username}' } }), withKeys(ctx, role))).toBe('Allow');
    // A default stands in for the missing key.
    expect(answer(allowIf({ StringEquals: { 'kms:EncryptionContext:Owner': "${aws:username, 'ExampleRole'}" } }), withKeys(ctx, role))).toBe('Allow');
  });

  test('a missing variable in an IgnoreCase or Like operator matches nothing (and is no error); Like variables are filled; several Like values are alternatives', () => {
    const ctx = { 'kms:encryptioncontext:owner': 'examplerole' };
    expect(answer(allowIf({ StringEqualsIgnoreCase: { 'kms:EncryptionContext:Owner': '${aws:username}' } }), withKeys(ctx, role))).toBe('NotApplicable');
    expect(answer(allowIf({ StringLike: { 'kms:EncryptionContext:Owner': '${aws:username}*' } }), withKeys(ctx, role))).toBe('NotApplicable');
    expect(holds({ StringLike: { 'kms:EncryptionContext:Path': 'home/${aws:username}/*' } }, { 'kms:encryptioncontext:path': 'home/alice/x' })).toBe(true);
    expect(holds({ StringLike: { 'kms:EncryptionContext:Path': 'home/${aws:username}/*' } }, { 'kms:encryptioncontext:path': 'home/bob/x' })).toBe(false);
    expect(holds({ StringLike: { 'kms:EncryptionContext:Path': ['a*', 'b*'] } }, { 'kms:encryptioncontext:path': 'b1' })).toBe(true);
  });

  test('an empty string is a value, not an absent key', () => {
    expect(holds({ StringEquals: { 'kms:x': '' } }, { 'kms:x': '' })).toBe(true);
    expect(holds({ Null: { 'kms:x': 'false' } }, { 'kms:x': '' })).toBe(true);
  });

  test('in a 2008-10-17 policy a condition value\'s ${...} is text', () => {
    const old = parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: allowIf({ StringEquals: { 'kms:EncryptionContext:Owner': '${aws:username}' } }) }), 'identity');
    expect(evaluatePolicy(old, withKeys({ 'kms:encryptioncontext:owner': 'alice' })).answer).toBe('NotApplicable');
    expect(evaluatePolicy(old, withKeys({ 'kms:encryptioncontext:owner': '${aws:username}' })).answer).toBe('Allow');
  });

  test('a multivalued key is no policy variable; numbers and booleans in a block are their text', () => {
    const ctx = { 'kms:encryptioncontext:keys': 'a', 'kms:encryptioncontextkeys': ['a'] };
    expect(holds({ StringEquals: { 'kms:EncryptionContext:keys': '${kms:EncryptionContextKeys}' } }, ctx)).toBe(false);
    expect(holds({ StringEquals: { 'kms:n': 5 } }, { 'kms:n': '5' })).toBe(true);
    expect(holds({ StringEquals: { 'kms:b': false } }, { 'kms:b': 'false' })).toBe(true);
  });
});

describe('keys absent, present, multivalued', () => {
  const absent = {};
  const one = { 'kms:encryptioncontextkeys': ['AppName'] };
  const two = { 'kms:encryptioncontextkeys': ['AppName', 'Other'] };
  const empty = { 'kms:encryptioncontextkeys': [] as string[] };

  test('IfExists: true when absent, compared when present (negated forms too)', () => {
    expect(holds({ StringNotEqualsIfExists: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })).toBe(true);
    expect(holds({ StringNotEqualsIfExists: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }, { 'kms:viaservice': 's3.us-east-1.amazonaws.com' })).toBe(false);
    expect(holds({ NumericLessThanIfExists: { 'kms:n': '3' } })).toBe(true);
    expect(holds({ NumericLessThanIfExists: { 'kms:n': '3' } }, { 'kms:n': '4' })).toBe(false);
  });

  test('an empty list counts as absent', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContextKeys': 'AppName' } }, empty)).toBe(false);
    expect(holds({ StringNotEquals: { 'kms:EncryptionContextKeys': 'AppName' } }, empty)).toBe(true);
    expect(holds({ Null: { 'kms:EncryptionContextKeys': 'true' } }, empty)).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': 'AppName' } }, empty)).toBe(true);
    expect(holds({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'AppName' } }, empty)).toBe(false);
  });

  test('ForAnyValue with a negated operator is false when the key is absent, and needs one value outside the list', () => {
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'AppName' } }, absent)).toBe(false);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'AppName' } }, one)).toBe(false);
    expect(holds({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': 'AppName' } }, two)).toBe(true);
  });

  test('ForAllValues with a negated operator: every value outside the list', () => {
    expect(holds({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': 'Secret' } }, two)).toBe(true);
    expect(holds({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': 'Other' } }, two)).toBe(false);
    expect(holds({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': 'Other' } }, absent)).toBe(true);
  });

  test('a plain operator on a multivalued key needs one value to match; the set prefixes read in any case', () => {
    expect(holds({ StringEquals: { 'kms:EncryptionContextKeys': 'Other' } }, two)).toBe(true);
    expect(holds({ 'forallvalues:stringequals': { 'kms:EncryptionContextKeys': 'AppName' } }, two)).toBe(false);
    expect(holds({ 'forallvalues:stringequals': { 'kms:EncryptionContextKeys': 'AppName' } }, absent)).toBe(true);
    expect(holds({ 'FORANYVALUE:StringLike': { 'kms:EncryptionContextKeys': 'Oth*' } }, two)).toBe(true);
  });

  test('a single-valued key under ForAllValues is compared as one value', () => {
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:username': 'alice' } })).toBe(true);
    expect(holds({ 'ForAllValues:StringEquals': { 'aws:username': 'bob' } })).toBe(false);
  });

  test('Null: several values are alternatives; "false" needs the key', () => {
    expect(holds({ Null: { 'kms:ViaService': 'false' } })).toBe(false);
    expect(holds({ Null: { 'kms:ViaService': 'false' } }, { 'kms:viaservice': 's3.us-east-1.amazonaws.com' })).toBe(true);
    expect(holds({ Null: { 'kms:ViaService': ['true', 'false'] } })).toBe(true);
    expect(holds({ Null: { 'kms:ViaService': 'TRUE' } })).toBe(true);
  });
});

describe('IP addresses', () => {
  const from = (ip: string) => withKeys({ 'aws:sourceip': ip });
  const allowFrom = (cidr: string | string[]) => allowIf({ IpAddress: { 'aws:SourceIp': cidr } });

  test('an address without a prefix is that address alone; IPv6 ranges; a prefix past the family\'s bits is the whole address', () => {
    expect(answer(allowFrom('192.0.2.7'), from('192.0.2.7'))).toBe('Allow');
    expect(answer(allowFrom('192.0.2.7'), from('192.0.2.8'))).toBe('NotApplicable');
    expect(answer(allowFrom('2001:db8::/32'), from('2001:db8::1'))).toBe('Allow');
    expect(answer(allowFrom('2001:db8::/32'), from('2001:db9::1'))).toBe('NotApplicable');
    expect(answer(allowFrom('2001:db8::1'), from('2001:db8::1'))).toBe('Allow');
    expect(answer(allowFrom('2001:db8::1'), from('2001:db8::2'))).toBe('NotApplicable');
    expect(answer(allowFrom('192.0.2.7/40'), from('192.0.2.7'))).toBe('Allow');
    expect(answer(allowFrom('192.0.2.7/40'), from('192.0.2.6'))).toBe('NotApplicable');
    expect(answer(allowFrom('2001:db8::1/200'), from('2001:db8::2'))).toBe('NotApplicable');
    expect(answer(allowFrom(['203.0.113.0/24', '192.0.2.0/24']), from('192.0.2.200'))).toBe('Allow');
  });

  test('a request value that is no address matches no range, and NotIpAddress then holds', () => {
    expect(answer(allowFrom('0.0.0.0/0'), from('not-an-ip'))).toBe('NotApplicable');
    expect(answer(allowIf({ NotIpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }), from('not-an-ip'))).toBe('Allow');
    expect(answer(allowIf({ NotIpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }), from('10.1.2.3'))).toBe('NotApplicable');
  });

  test('a range that is no address or prefix is a malformed policy', () => {
    for (const cidr of ['10.0.0', '10.0.0.0/x', '10.0.0.0/', '10.0.0.0/8x', '10.0.0.0/x8', 'host/8', ''])
      expect(malformed(() => policy(allowFrom(cidr))), cidr).toBe(`Invalid IP address or CIDR in condition: ${cidr}`);
  });
});

describe('malformed condition blocks', () => {
  test('an operator AWS does not know, or Null with IfExists or a set prefix', () => {
    for (const op of ['', 'StringSortOf', 'NullIfExists', 'ForAllValues:Null', 'ForSomeValues:StringEquals', 'IfExists'])
      expect(malformed(() => parseConditionBlock({ [op]: { 'kms:a': 'x' } }, true)), op).toBe(`Invalid Condition type : ${op}`);
  });

  test('a block, or an operator\'s keys, that is no object; a value that is no string, number or boolean; a key with no vendor', () => {
    for (const block of ['StringEquals', ['StringEquals'], null, { StringEquals: 'kms:a' }, { StringEquals: ['kms:a'] }, { StringEquals: null }, { StringEquals: { 'kms:a': { x: 1 } } }, { StringEquals: { 'kms:a': [null] } }])
      expect(malformed(() => parseConditionBlock(block, true)), JSON.stringify(block)).toBe('Syntax errors in policy.');
    for (const key of ['a', ':a', 'kms:', 'k_ms:a'])
      expect(malformed(() => parseConditionBlock({ StringEquals: { [key]: 'x' } }, true)), key).toBe('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  });

  test('a compiled condition keeps its operator as written and its key lower-cased; an empty block always holds', () => {
    expect(parseConditionBlock({ StringEqualsIfExists: { 'kms:EncryptionContext:App': 'x' } }, true).map((c) => [c.operator, c.key])).toEqual([['StringEqualsIfExists', 'kms:encryptioncontext:app']]);
    expect(holds({})).toBe(true);
  });
});

describe('wildcards and policy variables', () => {
  test('${*}, ${?} and ${$} are the literal characters in a Resource', () => {
    const s = (Resource: string) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource });
    const get = (resource: string) => request({ action: 's3:GetObject', resource });
    expect(answer(s('arn:aws:s3:::bucket/${*}'), get('arn:aws:s3:::bucket/*'))).toBe('Allow');
    expect(answer(s('arn:aws:s3:::bucket/${*}'), get('arn:aws:s3:::bucket/x'))).toBe('NotApplicable');
    expect(answer(s('arn:aws:s3:::bucket/${?}*'), get('arn:aws:s3:::bucket/?x'))).toBe('Allow');
    expect(answer(s('arn:aws:s3:::bucket/${?}*'), get('arn:aws:s3:::bucket/ax'))).toBe('NotApplicable');
    expect(answer(s('arn:aws:s3:::bucket/${$}x'), get('arn:aws:s3:::bucket/$x'))).toBe('Allow');
    expect(answer(s('arn:aws:s3:::bucket/${ * }'), get('arn:aws:s3:::bucket/*'))).toBe('Allow');
  });

  test('variable names read without regard to case; a default may have spaces around its comma; text around a variable stays', () => {
    const s = (Resource: string) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource });
    const get = (resource: string, caller: Caller = alice) => request({ caller, action: 's3:GetObject', resource });
    expect(answer(s('arn:aws:s3:::home/${AWS:UserName}/notes'), get('arn:aws:s3:::home/alice/notes'))).toBe('Allow');
    expect(answer(s('arn:aws:s3:::home/${AWS:UserName}/notes'), get('arn:aws:s3:::home/alice/other'))).toBe('NotApplicable');
    expect(answer(s("arn:aws:s3:::home/${aws:username  ,  'shared'}/x"), get('arn:aws:s3:::home/shared/x', role))).toBe('Allow');
    expect(answer(s("arn:aws:s3:::home/${aws:username,'shared'}/x"), get('arn:aws:s3:::home/alice/x'))).toBe('Allow');
    expect(answer(s("arn:aws:s3:::home/${aws:username , 'shared'}/x"), get('arn:aws:s3:::home/alice/x'))).toBe('Allow');
    // Text after the quoted default makes it no default: a variable of that whole name, which no request has.
    expect(answer(s("arn:aws:s3:::home/${aws:username, 'shared' x}/x"), get('arn:aws:s3:::home/shared/x', role))).toBe('NotApplicable');
    expect(answer(s("arn:aws:s3:::home/${aws:username,'shared'}/x"), get('arn:aws:s3:::home/shared/x'))).toBe('NotApplicable');
    expect(answer(s('arn:aws:s3:::${aws:username}'), get('arn:aws:s3:::alice'))).toBe('Allow');
    expect(answer(s('arn:aws:s3:::${aws:username}'), get('arn:aws:s3:::alice2'))).toBe('NotApplicable');
  });

  test('a variable value with ? or * is literal, next to real wildcards', () => {
    const q = makeCaller({ userName: 'a?c' });
    const s = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*.txt' };
    expect(answer(s, request({ caller: q, action: 's3:GetObject', resource: 'arn:aws:s3:::home/a?c/x.txt' }))).toBe('Allow');
    expect(answer(s, request({ caller: q, action: 's3:GetObject', resource: 'arn:aws:s3:::home/abc/x.txt' }))).toBe('NotApplicable');
    expect(answer(s, request({ caller: q, action: 's3:GetObject', resource: 'arn:aws:s3:::home/a?c/x.txt.bak' }))).toBe('NotApplicable');
    expect(answer(s, request({ caller: q, action: 's3:GetObject', resource: 'prefix:arn:aws:s3:::home/a?c/x.txt' }))).toBe('NotApplicable');
  });

  test('globMatcher without regard to case (exact, prefix and wildcard patterns)', () => {
    expect(globMatcher('Kms:Encrypt', true)('kms:encrypt')).toBe(true);
    expect(globMatcher('Kms:Encrypt', true)('kms:encrypts')).toBe(false);
    expect(globMatcher('Kms:Encrypt', true)('kms:decrypt')).toBe(false);
    expect(globMatcher('KMS:Gen*', true)('kms:generatedatakey')).toBe(true);
    expect(globMatcher('KMS:Gen*', true)('kms:ge')).toBe(false);
    expect(globMatcher('KMS:Gen*', true)('kms:gen')).toBe(true);
    expect(globMatcher('KMS:Gen*', true)('kms:encrypt')).toBe(false);
    expect(globMatcher('KMS:?ncrypt', true)('kms:Encrypt')).toBe(true);
    expect(globMatcher('KMS:?ncrypt', true)('kms:Encrypts')).toBe(false);
    expect(globMatcher('Kms:Encrypt')('kms:encrypt')).toBe(false);
    expect(globMatcher('a*')('A')).toBe(false);
    expect(globMatcher('ab?')('abcd')).toBe(false);
    expect(globMatcher('ab?')('abc')).toBe(true);
    expect(globMatcher('')('anything')).toBe(false);
    expect(globMatcher('')('')).toBe(true);
    // Wildcards span new lines; regular expression characters are themselves.
    expect(globMatcher('a*b')('a\nb')).toBe(true);
    expect(globMatcher('a.b*c')('axbc')).toBe(false);
    expect(globMatcher('(a)+*')('(a)+x')).toBe(true);
  });

  test('a pattern with variables, matched without regard to case, and with a literal wildcard from its variable', () => {
    const ctx: ConditionContext = new Map([['aws:username', 'A*']]);
    const p = globPattern('Home/${aws:username}/*', { variables: true, ignoreCase: true });
    expect(p.resolve(ctx)?.('home/a*/x')).toBe(true);
    expect(p.resolve(ctx)?.('home/ab/x')).toBe(false);
    expect(globPattern('Home/${aws:username}', { variables: true, ignoreCase: true }).resolve(new Map([['aws:username', 'Bob']]))?.('home/bob')).toBe(true);
    expect(p.resolve(new Map())).toBeUndefined();
    expect(p.source).toBe('Home/${aws:username}/*');
  });

  test('a template fills its variables, or is undefined for a missing one; without variables it is its text', () => {
    const ctx: ConditionContext = new Map([['aws:username', 'alice']]);
    expect(template('user-${aws:username}-x', true).fill(ctx)).toBe('user-alice-x');
    expect(template('user-${aws:username}', true).fill(new Map())).toBeUndefined();
    expect(template('user-${aws:username}', false).fill(ctx)).toBe('user-${aws:username}');
    expect(template('a${*}', true).fill(ctx)).toBe('a*');
  });
});

describe('ARN matching (ArnLike, ArnEquals)', () => {
  test('six parts each matched on their own; the resource part may hold colons', () => {
    expect(arnMatcher('arn:aws:iam::*:user/alice')(alice.arn)).toBe(true);
    expect(arnMatcher('arn:aws:iam::*:user/*')(`arn:aws:iam::${ACCOUNT}:role/x`)).toBe(false);
    expect(arnMatcher('arn:aws:s3:::bucket/a:*')('arn:aws:s3:::bucket/a:b:c')).toBe(true);
    expect(arnMatcher('arn:aws:s3:::bucket/a:*')('arn:aws:s3:::bucket/b:a:c')).toBe(false);
    expect(arnMatcher('*:aws:iam::111122223333:user/alice')(alice.arn)).toBe(true);
    expect(arnMatcher('arn:*:iam::111122223333:user/alice')(alice.arn)).toBe(true);
    expect(arnMatcher('arn:aws:iam:*:111122223333:user/alice')(alice.arn)).toBe(true);
  });

  test('a pattern or value that is no ARN (too few parts, another first part) matches nothing', () => {
    expect(arnMatcher('not:an:arn')('not:an:arn')).toBe(false);
    expect(arnMatcher('arn:aws:iam::111122223333')('arn:aws:iam::111122223333')).toBe(false);
    expect(arnMatcher('xrn:aws:iam::111122223333:user/alice')('xrn:aws:iam::111122223333:user/alice')).toBe(false);
    expect(arnMatcher('arn:aws:iam::*:*')('arn:aws:iam::111122223333')).toBe(false);
    expect(arnMatcher('arn:aws:iam::*:*')('xrn:aws:iam::111122223333:user/a')).toBe(false);
    expect(arnMatcher('*')('anything')).toBe(false);
  });

  test('ArnLike with a policy variable still matches part by part; a wildcard in a variable pattern spans new lines', () => {
    const principal = (arn: string) => withKeys({ 'aws:principalarn': arn });
    const s = allowIf({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/${aws:username}' } });
    expect(answer(s, principal(`arn:aws:iam::${ACCOUNT}:user/alice`))).toBe('Allow');
    expect(answer(s, principal('arn:aws:iam::1:2:user/alice'))).toBe('NotApplicable');
    const star = makeCaller({ userName: 'a*' });
    const own = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' };
    expect(answer(own, request({ caller: star, action: 's3:GetObject', resource: 'arn:aws:s3:::home/a*/x\ny' }))).toBe('Allow');
  });

  test('ArnLike with a policy variable', () => {
    expect(holds({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/${aws:username}' } })).toBe(true);
    expect(answer(allowIf({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/${aws:username}' } }), request({ caller: makeCaller({ userName: 'bob', arn: alice.arn }) }))).toBe('NotApplicable');
  });
});

describe('statements and principals', () => {
  test('a trust policy has no Resource: its statements apply to any resource', () => {
    const trust = { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' };
    expect(answer(trust, request({ action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/Anything` }), 'trust')).toBe('Allow');
  });

  test('an Allow naming the principal is preferred to one naming the account, whichever comes first', () => {
    const both = [
      { Sid: 'Account', Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Alice', Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Anyone', Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' },
    ];
    expect(evaluatePolicy(policy(both, 'resource'), request())).toMatchObject({ answer: 'Allow', scope: 'principal', statement: { sid: 'Alice' } });
    expect(evaluatePolicy(policy([both[1], both[0]], 'resource'), request())).toMatchObject({ scope: 'principal', statement: { sid: 'Alice' } });
    expect(evaluatePolicy(policy([both[0]], 'resource'), request())).toMatchObject({ scope: 'account', statement: { sid: 'Account' } });
    // Of two naming only the account, the first is named.
    const twoAccount = [both[0], { ...both[0], Sid: 'Account2' }];
    expect(evaluatePolicy(policy(twoAccount, 'resource'), request())).toMatchObject({ scope: 'account', statement: { sid: 'Account' } });
    // An identity policy's Allow has no scope; the first Allow is the one named.
    const identity = evaluatePolicy(policy([{ Sid: 'One', Effect: 'Allow', Action: 'kms:*', Resource: '*' }, { Sid: 'Two', Effect: 'Allow', Action: '*', Resource: '*' }]), request());
    expect(identity.statement?.sid).toBe('One');
    expect(identity.scope).toBeUndefined();
  });

  test('NotPrincipal naming a role covers its sessions; a service principal names the service by invokedBy, else by its name', () => {
    const s = { Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ExampleRole` }, Action: 'kms:*', Resource: '*' };
    expect(answer(s, request({ caller: role }), 'resource')).toBe('NotApplicable');
    expect(answer(s, request(), 'resource')).toBe('Deny');
    const service = (c: Partial<Caller>): Caller => ({ ...makeCaller(c), type: 'AWSService' });
    const toS3 = { Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'kms:*', Resource: '*' };
    expect(answer(toS3, request({ caller: service({ userName: 's3.amazonaws.com' }) }), 'resource')).toBe('Allow');
    expect(answer(toS3, request({ caller: service({ userName: 'x', invokedBy: 's3.amazonaws.com' }) }), 'resource')).toBe('Allow');
    expect(answer(toS3, request({ caller: service({ userName: 's3.amazonaws.com', invokedBy: 'ec2.amazonaws.com' }) }), 'resource')).toBe('NotApplicable');
  });

  test('a caller known only by a root ARN is named by its account (not merely the account\'s delegate)', () => {
    const rootByArn = makeCaller({ userName: 'root', arn: `arn:aws:iam::${ACCOUNT}:root` });
    expect(evaluatePolicy(policy({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }, 'resource'), request({ caller: rootByArn })).scope).toBe('principal');
  });

  test('a resource policy statement naming another account, or no one the caller is, does not apply', () => {
    expect(answer({ Effect: 'Deny', Principal: { AWS: OTHER }, Action: 'kms:*', Resource: '*' }, request(), 'resource')).toBe('NotApplicable');
    expect(answer({ Effect: 'Deny', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'kms:*', Resource: '*' }, request(), 'resource')).toBe('NotApplicable');
  });

  test('a Resource that does not match, with the action matching, does not apply; NotResource with a match does not either', () => {
    expect(answer({ Effect: 'Deny', Action: 'kms:*', Resource: KEY.replace('1234abcd', 'ffffffff') })).toBe('NotApplicable');
    expect(answer({ Effect: 'Deny', Action: 'kms:*', Resource: '' })).toBe('NotApplicable');
    expect(answer({ Effect: 'Deny', Action: 'kms:*', Resource: ['arn:aws:kms:*:*:alias/*', KEY] })).toBe('Deny');
    expect(answer({ Effect: 'Deny', Action: 'kms:*', NotResource: ['arn:aws:kms:*:*:alias/*', KEY] })).toBe('NotApplicable');
    // A Resource whose variable the request lacks matches nothing, so NotResource with it matches everything.
    expect(answer({ Effect: 'Deny', Action: 'kms:*', NotResource: 'arn:aws:kms:*:*:key/${aws:username}' }, request({ caller: role }))).toBe('Deny');
    expect(answer({ Effect: 'Deny', Action: 'kms:*', Resource: 'arn:aws:kms:*:*:key/${aws:username}' }, request({ caller: role }))).toBe('NotApplicable');
  });
});

describe('the decision\'s other paths', () => {
  const named = (name: string, Statement: unknown): NamedPolicy => ({ name, document: JSON.stringify({ Version: '2012-10-17', Statement }) });
  const admin = named('Admin', { Effect: 'Allow', Action: '*', Resource: '*' });
  const kmsOnly = named('KmsOnly', { Effect: 'Allow', Action: 'kms:*', Resource: '*' });
  const ctx = (caller: Caller) => kmsContext(caller, NOW);
  const bob = makeCaller({ userName: 'bob', accountId: OTHER });
  const rootOf = (account: string): Caller => ({ ...makeCaller({ accountId: account, userName: 'root', arn: `arn:aws:iam::${account}:root` }), type: 'Root' });

  test('the first identity policy that allows is the one named', () => {
    const d = decide({ request: { caller: alice, action: 'kms:CreateKey', resource: '*', context: ctx(alice) }, identityPolicies: [named('Nothing', { Effect: 'Allow', Action: 's3:*', Resource: '*' }), kmsOnly, admin] });
    expect(d).toMatchObject({ allowed: true, reason: 'allowed-by-identity', policy: 'KmsOnly', statement: { effect: 'Allow' } });
  });

  test('a grant allows a key without a key policy in the caller\'s account only', () => {
    const onKey = (caller: Caller, answer: 'Allow' | 'NotApplicable') =>
      decide({ request: { caller, action: 'kms:Decrypt', resource: KEY, context: ctx(caller) }, resourceAccount: ACCOUNT, identityPolicies: [], grants: () => answer });
    const granted = onKey(alice, 'Allow');
    expect(granted).toEqual({ allowed: true, reason: 'allowed-by-grant', caller: alice, action: 'kms:Decrypt', resource: KEY });
    expect(onKey(alice, 'NotApplicable')).toMatchObject({ allowed: false, reason: 'no-identity-allow' });
    expect(onKey(bob, 'Allow')).toMatchObject({ allowed: false, reason: 'no-resource-allow' });
  });

  test('a caller known only by a root ARN is its account\'s root user', () => {
    const rootByArn = makeCaller({ userName: 'root', arn: `arn:aws:iam::${ACCOUNT}:root` });
    const d = decide({ request: { caller: rootByArn, action: 'kms:CreateKey', resource: '*', context: ctx(rootByArn) }, identityPolicies: [named('Deny', { Effect: 'Deny', Action: '*', Resource: '*' })] });
    expect(d).toMatchObject({ allowed: true, reason: 'root' });
    expect(d.policy).toBeUndefined();
  });

  test('another account\'s root user, named by the key policy, is allowed as root; not named, it is not', () => {
    const shared = named('default', [{ Sid: 'Other', Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'kms:*', Resource: '*' }]);
    const asRoot = (resourcePolicy: NamedPolicy) =>
      decide({ request: { caller: rootOf(OTHER), action: 'kms:Decrypt', resource: KEY, context: ctx(rootOf(OTHER)) }, resourceAccount: ACCOUNT, identityPolicies: [], resourcePolicy });
    expect(asRoot(shared)).toMatchObject({ allowed: true, reason: 'root', policy: 'default', statement: { sid: 'Other' } });
    expect(asRoot(named('default', [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }]))).toMatchObject({ allowed: false, reason: 'no-resource-allow' });
    // Another account's root, with no key policy: out of reach.
    expect(decide({ request: { caller: rootOf(OTHER), action: 'kms:Decrypt', resource: KEY, context: ctx(rootOf(OTHER)) }, resourceAccount: ACCOUNT, identityPolicies: [] })).toMatchObject({ allowed: false, reason: 'no-resource-allow' });
  });

  test('a resource policy is read as a resource policy unless told it is a trust policy', () => {
    const noResource = named('trust', [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }]);
    const input = { request: { caller: alice, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/R`, context: ctx(alice) }, resourceAccount: ACCOUNT, identityPolicies: [], resourcePolicy: noResource };
    expect(() => decide(input)).toThrow(MalformedPolicyError);
    expect(decide({ ...input, resourcePolicyKind: 'trust' })).toMatchObject({ allowed: true, reason: 'allowed-by-resource' });
  });

  test('a resource with no resourceAccount counts as the caller\'s own', () => {
    const kp = named('default', [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' }]);
    expect(decide({ request: { caller: alice, action: 'kms:Decrypt', resource: KEY, context: ctx(alice) }, identityPolicies: [], resourcePolicy: kp })).toMatchObject({ allowed: true, reason: 'allowed-by-resource' });
    expect(decide({ request: { caller: bob, action: 'kms:Decrypt', resource: KEY, context: ctx(bob) }, identityPolicies: [kmsOnly] })).toMatchObject({ allowed: true, reason: 'allowed-by-identity' });
  });

  test('a denied decision names no policy; the message for one the grants refused names the identity side', () => {
    const d = decide({ request: { caller: alice, action: 'kms:Decrypt', resource: KEY, context: ctx(alice) }, resourceAccount: ACCOUNT, identityPolicies: [], resourcePolicy: named('default', [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }]), grants: () => 'NotApplicable' });
    expect(d).toEqual({ allowed: false, reason: 'no-identity-allow', caller: alice, action: 'kms:Decrypt', resource: KEY });
    expect(accessDeniedMessage({ ...d, reason: 'allowed-by-grant' })).toBe(`User: ${alice.arn} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`);
  });
});
