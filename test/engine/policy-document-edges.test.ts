// The policy parser (auth/policy.ts) at its edges, where a slip would accept a document AWS
// refuses (or refuse one it accepts), or read a statement as something else: unknown fields,
// fields of the wrong type, every principal form, action names, the characters and sizes
// allowed, the hard limit on what is read at all, and the bounded cache of parsed texts.
import { describe, expect, test } from 'vitest';
import { MalformedPolicyError, parsePolicy, policySize, principalsNamed, type PolicyKind } from '../../src/engine/auth/policy.js';

const ACCOUNT = '111122223333';
const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statement });
const allow = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', ...extra });
const keyPolicy = (Principal: unknown) => doc({ Effect: 'Allow', Principal, Action: 'kms:*', Resource: '*' });
const refused = (text: string, kind: PolicyKind = 'identity') => {
  try {
    parsePolicy(text, kind);
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPolicyError);
    expect((e as MalformedPolicyError).quota).toBe(false);
    return (e as Error).message;
  }
  throw new Error('accepted');
};
const quotaRefusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPolicyError);
    expect((e as MalformedPolicyError).quota).toBe(true);
    expect((e as Error).name).toBe('MalformedPolicyError');
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('fields', () => {
  test.each([
    ['an unknown top-level field', JSON.stringify({ Version: '2012-10-17', Statement: allow(), Comment: 'x' }), 'Syntax errors in policy. Unknown field Comment'],
    ['an unknown statement field', doc(allow({ Description: 'x' })), 'Syntax errors in policy. Unknown field Description'],
    ['an Id that is no string', doc(allow(), { Id: 7 }), 'Syntax errors in policy.'],
    ['a Sid that is no string', doc(allow({ Sid: ['a'] })), 'Syntax errors in policy.'],
    ['a statement that is no object', doc(['kms:Encrypt']), 'Syntax errors in policy.'],
    ['a statement that is null', doc([null]), 'Syntax errors in policy.'],
    ['a statement that is an array', doc([[allow()]]), 'Syntax errors in policy.'],
    ['a document that is null', 'null', 'Syntax errors in policy.'],
    ['an Effect that is no string', doc(allow({ Effect: 1 })), 'Invalid effect: 1'],
    ['an Effect of another case', doc(allow({ Effect: 'allow' })), 'Invalid effect: allow'],
    ['an Action that is no string', doc(allow({ Action: 5 })), 'Syntax errors in policy.'],
    ['an Action list with a number in it', doc(allow({ Action: ['kms:Encrypt', 5] })), 'Syntax errors in policy.'],
    ['an action with two colons', doc(allow({ Action: 'kms:Encrypt:Now' })), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['an action with a space before its vendor', doc(allow({ Action: ' kms:Encrypt' })), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['an action whose vendor has an underscore', doc(allow({ Action: 'my_svc:Get' })), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['one bad action among good ones', doc(allow({ Action: ['kms:Encrypt', 'Decrypt'] })), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['an empty Resource list', doc(allow({ Resource: [] })), 'Policy statement must contain resources.'],
    ['an empty NotResource list', doc({ Effect: 'Allow', Action: 'kms:Encrypt', NotResource: [] }), 'Policy statement must contain resources.'],
    ['a Resource that is no string', doc(allow({ Resource: { arn: 'x' } })), 'Syntax errors in policy.'],
    ['an empty NotAction list', doc({ Effect: 'Allow', NotAction: [], Resource: '*' }), 'Policy statement must contain actions.'],
    // null is no value: the statement then has none (a policy error, not a failure of the parser).
    ['a Resource that is null', doc(allow({ Resource: null })), 'Policy statement must contain resources.'],
    ['an Action that is null', doc(allow({ Action: null })), 'Policy statement must contain actions.'],
  ])('%s', (_what, text, message) => {
    expect(refused(text)).toBe(message);
  });

  test('a NotResource in a trust policy is named as the field it has', () => {
    expect(refused(doc({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole', NotResource: '*' }), 'trust')).toBe('Has prohibited field NotResource');
  });

  test('Principal and NotPrincipal both are refused; NotPrincipal alone is a principal (in a key policy yes, in an identity policy no)', () => {
    const both = doc({ Effect: 'Deny', Principal: '*', NotPrincipal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' });
    expect(refused(both, 'resource')).toBe('Syntax errors in policy. Principal and NotPrincipal cannot both be present');
    const notPrincipal = doc({ Effect: 'Deny', NotPrincipal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' });
    const s = parsePolicy(notPrincipal, 'resource').statements[0]!;
    expect([...s.notPrincipal!.accounts]).toEqual([ACCOUNT]);
    expect(s.principal).toBeUndefined();
    expect(refused(notPrincipal, 'identity')).toBe('Policy document should not specify a principal.');
    expect(refused(doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust')).toBe('Missing required field Principal');
  });

  test('actions any AWS service could name are accepted: digits and hyphens in the vendor, an empty or wildcard name, "*" alone', () => {
    for (const Action of ['s3:GetObject', 'route53-recovery-control-config:List*', 'ec2:', 'kms:*', '*', 'a1:b'])
      expect(parsePolicy(doc(allow({ Action })), 'identity').statements, Action).toHaveLength(1);
  });

  test('what a statement says is read as it says: its Sid, effect, actions without regard to case, NotAction, NotResource, conditions', () => {
    const p = parsePolicy(
      doc([
        { Sid: 'One', Effect: 'Deny', Action: ['KMS:Encrypt', 'kms:Decrypt'], Resource: 'arn:aws:kms:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Effect: 'Allow', NotAction: 'kms:Sign', NotResource: 'arn:aws:s3:::b' },
      ]),
      'identity',
    );
    const [one, two] = p.statements;
    expect(one).toMatchObject({ sid: 'One', effect: 'Deny', notAction: false, notResource: false });
    expect([one!.action('kms:encrypt'), one!.action('kms:decrypt'), one!.action('kms:sign')]).toEqual([true, true, false]);
    expect(one!.resources!.map((r) => r.source)).toEqual(['arn:aws:kms:*']);
    expect(one!.conditions).toHaveLength(1);
    expect('sid' in two!).toBe(false);
    expect(two).toMatchObject({ effect: 'Allow', notAction: true, notResource: true, conditions: [] });
    expect([two!.action('kms:sign'), two!.action('kms:encrypt')]).toEqual([true, false]);
    expect(two!.resources!.map((r) => r.source)).toEqual(['arn:aws:s3:::b']);
    expect('principal' in two! || 'notPrincipal' in two!).toBe(false);
  });

  test('a document without Id has no id; one with an empty Id keeps it', () => {
    expect('id' in parsePolicy(doc(allow()), 'identity')).toBe(false);
    expect(parsePolicy(doc(allow(), { Id: '' }), 'identity').id).toBe('');
  });

  test('Sids must differ, case and all; several empty or absent Sids are no duplicates', () => {
    expect(parsePolicy(doc([allow({ Sid: 'a' }), allow({ Sid: 'A' })]), 'identity').statements).toHaveLength(2);
    expect(parsePolicy(doc([allow({ Sid: '' }), allow({ Sid: '' }), allow(), allow()]), 'identity').statements).toHaveLength(4);
    expect(refused(doc([allow({ Sid: 'x' }), allow(), allow({ Sid: 'x' })]))).toBe('Statement IDs (SID) in a single policy must be unique.');
  });
});

describe('principals', () => {
  const principal = (p: unknown) => parsePolicy(keyPolicy(p), 'resource').statements[0]!.principal!;
  const sets = (p: unknown) => {
    const s = principal(p);
    return { anyone: s.anyone, accounts: [...s.accounts], arns: [...s.arns], services: [...s.services], federated: [...s.federated] };
  };
  const none = { anyone: false, accounts: [], arns: [], services: [], federated: [] };

  test('"*" and {"AWS": "*"} are anyone', () => {
    expect(sets('*')).toEqual({ ...none, anyone: true });
    expect(sets({ AWS: '*' })).toEqual({ ...none, anyone: true });
    expect(sets({ AWS: ['*', ACCOUNT] })).toEqual({ ...none, anyone: true, accounts: [ACCOUNT] });
  });

  test('an account by id or by root ARN is the account; users (with paths), roles, role sessions and federated users are ARNs', () => {
    const arns = [
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      `arn:aws:iam::${ACCOUNT}:user/division/team/bob+1=x,y.z@w-v`,
      `arn:aws:iam::${ACCOUNT}:role/service-role/Admin`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/session@1`,
      `arn:aws:sts::${ACCOUNT}:federated-user/carol`,
    ];
    expect(sets({ AWS: [ACCOUNT, 'arn:aws:iam::444455556666:root', ...arns] })).toEqual({ ...none, accounts: [ACCOUNT, '444455556666'], arns });
  });

  test.each([
    `arn:aws:iam::${ACCOUNT}:group/Admins`,
    `arn:aws:iam::11112222333:root`,
    `${ACCOUNT}0`,
    `arn:aws:iam::${ACCOUNT}:root/x`,
    `xarn:aws:iam::${ACCOUNT}:user/alice`,
    `arn:aws:iam::${ACCOUNT}:user/alice `,
    `arn:aws:sts::${ACCOUNT}:assumed-role/Admin`,
    `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/s/extra`,
    `arn:aws:iam::${ACCOUNT}:user/`,
    `arn:aws:iam::${ACCOUNT}:user/ali ce`,
    `arn:aws:sts::${ACCOUNT}:federated-user/`,
    `arn:aws:iam::${ACCOUNT}:*`,
    `xarn:aws:iam::${ACCOUNT}:root`,
    `arn:aws:iam::${ACCOUNT}:rootx`,
    `a${ACCOUNT}`,
  ])('an AWS principal %j is refused, naming it', (v) => {
    expect(refused(keyPolicy({ AWS: v }), 'resource')).toBe(`Invalid principal in policy: "AWS":"${v}"`);
  });

  test('service principals: a service name under amazonaws.com (or .com.cn); anything else is refused', () => {
    expect(sets({ Service: ['s3.amazonaws.com', 'logs.us-east-1.amazonaws.com', 'ec2.amazonaws.com.cn'] })).toEqual({
      ...none,
      services: ['s3.amazonaws.com', 'logs.us-east-1.amazonaws.com', 'ec2.amazonaws.com.cn'],
    });
    for (const v of ['S3.amazonaws.com', 'evil.example.com', 'amazonaws.com', 's3.amazonaws.com.evil', 'xs3.amazonaws.comx', 's3.amazonaws.com.cnx', 's3_x.amazonaws.com'])
      expect(refused(keyPolicy({ Service: v }), 'resource'), v).toBe(`Invalid principal in policy: "Service":"${v}"`);
  });

  test('Federated principals are kept as named; CanonicalUser ones are skipped (never an engine caller)', () => {
    expect(sets({ Federated: 'cognito-identity.amazonaws.com', CanonicalUser: 'abc123' })).toEqual({ ...none, federated: ['cognito-identity.amazonaws.com'] });
  });

  test('a principal that is no object, or a type with no value, is refused naming what was given', () => {
    expect(refused(keyPolicy(5), 'resource')).toBe('Invalid principal in policy: 5');
    expect(refused(keyPolicy(['*']), 'resource')).toBe('Invalid principal in policy: ["*"]');
    expect(refused(keyPolicy(null), 'resource')).toBe('Invalid principal in policy: null');
    expect(refused(keyPolicy({ AWS: [] }), 'resource')).toBe('Invalid principal in policy: "AWS"');
    expect(refused(keyPolicy({ AWS: 7 }), 'resource')).toBe('Syntax errors in policy.');
  });

  test('principalsNamed lists NotPrincipal accounts as root ARNs too, each once', () => {
    const p = parsePolicy(
      doc([
        { Effect: 'Deny', NotPrincipal: { AWS: [ACCOUNT, `arn:aws:iam::${ACCOUNT}:user/alice`] }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      ]),
      'resource',
    );
    expect(principalsNamed(p)).toEqual([`arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:user/alice`]);
  });
});

describe('characters and sizes', () => {
  test('characters up to U+00FF are allowed, U+0100 is not; tab, LF and CR are white space', () => {
    expect(parsePolicy(doc(allow({ Sid: 'caf\u00e9\u00ff' })), 'identity').statements[0]!.sid).toBe('caf\u00e9\u00ff');
    expect(refused(doc(allow({ Sid: '\u0100' })))).toBe('Syntax errors in policy.');
    expect(parsePolicy(`{\t"Version":\r\n"2012-10-17",\r\n"Statement": ${JSON.stringify(allow({ Sid: 'crlf' }))}}`, 'identity').statements[0]!.sid).toBe('crlf');
  });

  test('policySize counts neither spaces, tabs, LF nor CR, and counts everything else', () => {
    expect(policySize(' \t\r\n')).toBe(0);
    expect(policySize('a\u00a0\u000bb')).toBe(4);
  });

  test('a document exactly at its quota is accepted; one character more is refused', () => {
    const text = doc(allow());
    const size = policySize(text);
    expect(parsePolicy(text, 'identity', { maxSize: size }).statements).toHaveLength(1);
    const longer = doc(allow({ Sid: 'x' }));
    expect(quotaRefusal(() => parsePolicy(longer, 'identity', { maxSize: policySize(longer) - 1 }))).toBe(`Cannot exceed quota for PolicySize: ${policySize(longer) - 1}`);
  });

  test('nothing over 131072 characters is read, white space included, whatever the quota asked for; 131072 is read', () => {
    const padded = (length: number) => {
      const text = doc(allow({ Sid: 'big' }));
      return text.slice(0, -1) + ' '.repeat(length - text.length) + '}';
    };
    expect(padded(131072)).toHaveLength(131072);
    expect(parsePolicy(padded(131072), 'identity').statements[0]!.sid).toBe('big');
    expect(quotaRefusal(() => parsePolicy(padded(131073), 'identity'))).toBe('Cannot exceed quota for PolicySize: 131072');
    expect(quotaRefusal(() => parsePolicy(padded(131073), 'resource', { maxSize: 32768 }))).toBe('Cannot exceed quota for PolicySize: 32768');
  });
});

describe('the cache of parsed documents', () => {
  test('holds 2048 documents of a kind: the oldest is parsed again after 2048 others, not after 2047', () => {
    const text = (n: number) => doc(allow({ Sid: `cache${n}` }));
    // 2048 texts no other test uses first: the identity cache then holds only these, whatever ran before.
    for (let i = 0; i < 2048; i++) parsePolicy(text(i), 'identity');
    const first = parsePolicy(text(-1), 'identity');
    for (let i = 2048; i < 2048 + 2047; i++) parsePolicy(text(i), 'identity');
    expect(parsePolicy(text(-1), 'identity')).toBe(first);
    parsePolicy(text(9999), 'identity');
    const again = parsePolicy(text(-1), 'identity');
    expect(again).not.toBe(first);
    expect(again.statements[0]!.sid).toBe('cache-1');
  });

  test('the kind is part of what is cached: a text parsed as a resource policy is parsed again as a trust policy', () => {
    const text = doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' });
    expect(refused(text, 'resource')).toBe('Policy statement must contain resources.');
    expect(parsePolicy(text, 'trust').kind).toBe('trust');
    expect(refused(text, 'resource')).toBe('Policy statement must contain resources.');
  });
});
