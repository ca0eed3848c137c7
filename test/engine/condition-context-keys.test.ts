// The request context a policy's conditions read (auth/condition-context.ts), key by key:
// the global keys for each kind of caller, the time keys at a second's edges, what a KMS
// request adds, and the lazily built context (built once, on the first read of any kind).
// A key set wrongly, missing, or present with no value, is a condition that silently holds or
// fails (so maps are compared strictly: a key set to undefined is a difference).
import { describe, expect, test } from 'vitest';
import { callerContext, kmsContext, lazyContext } from '../../src/engine/auth/condition-context.js';
import { globalContext } from '../../src/engine/auth/authorize.js';
import { makeCaller, onBehalfOf, type Caller } from '../../src/engine/caller.js';

const ACCOUNT = '111122223333';
const NOW = new Date('2026-12-01T12:00:00.000Z');
const alice = makeCaller({ userName: 'alice', principalId: 'AIDAALICEEXAMPLE' });
const root: Caller = { ...makeCaller(), type: 'Root', userName: 'root', arn: `arn:aws:iam::${ACCOUNT}:root`, principalId: ACCOUNT };
const role: Caller = {
  ...makeCaller(),
  type: 'AssumedRole',
  userName: 'ExampleRole',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ExampleRole/my-session`,
  principalId: 'AROAEXAMPLE:my-session',
  sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:role/ExampleRole`, userName: 'ExampleRole', principalId: 'AROAEXAMPLE', accountId: ACCOUNT },
};
const service: Caller = { ...makeCaller(), type: 'AWSService', userName: 's3.amazonaws.com', arn: 's3.amazonaws.com', invokedBy: 's3.amazonaws.com', sourceIp: 's3.amazonaws.com' };

const asObject = (ctx: ReadonlyMap<string, unknown>) => Object.fromEntries(ctx);
const timeKeys = { 'aws:currenttime': '2026-12-01T12:00:00Z', 'aws:epochtime': '1796126400' };

describe('the global keys, for each kind of caller', () => {
  test('an IAM user: its ARN, account, type User, user name and unique id; no service in between; plain HTTP', () => {
    expect(asObject(callerContext(alice, NOW))).toStrictEqual({
      'aws:principalarn': `arn:aws:iam::${ACCOUNT}:user/alice`,
      'aws:principalaccount': ACCOUNT,
      'aws:principaltype': 'User',
      'aws:username': 'alice',
      'aws:userid': 'AIDAALICEEXAMPLE',
      ...timeKeys,
      'aws:sourceip': '127.0.0.1',
      'aws:viaawsservice': 'false',
      'aws:securetransport': 'false',
    });
  });

  test('a user named as IAMUser explicitly is the same as one with no type (the default learner has none)', () => {
    expect(asObject(callerContext({ ...alice, type: 'IAMUser' }, NOW))).toStrictEqual(asObject(callerContext(alice, NOW)));
  });

  test('the root user: type Account, its user id is the account id, no aws:username', () => {
    expect(asObject(callerContext({ ...root, principalId: 'ignored' }, NOW))).toStrictEqual({
      'aws:principalarn': `arn:aws:iam::${ACCOUNT}:root`,
      'aws:principalaccount': ACCOUNT,
      'aws:principaltype': 'Account',
      'aws:userid': ACCOUNT,
      ...timeKeys,
      'aws:sourceip': '127.0.0.1',
      'aws:viaawsservice': 'false',
      'aws:securetransport': 'false',
    });
  });

  test("a role session: aws:PrincipalArn is the role's ARN, not the session's; its user id is role-id:session; no aws:username", () => {
    expect(asObject(callerContext(role, NOW))).toStrictEqual({
      'aws:principalarn': `arn:aws:iam::${ACCOUNT}:role/ExampleRole`,
      'aws:principalaccount': ACCOUNT,
      'aws:principaltype': 'AssumedRole',
      'aws:userid': 'AROAEXAMPLE:my-session',
      ...timeKeys,
      'aws:sourceip': '127.0.0.1',
      'aws:viaawsservice': 'false',
      'aws:securetransport': 'false',
    });
  });

  test('a service principal: type AWSService, via a service; a source that is no IP address gives no aws:SourceIp', () => {
    expect(asObject(callerContext(service, NOW))).toStrictEqual({
      'aws:principalarn': 's3.amazonaws.com',
      'aws:principalaccount': ACCOUNT,
      'aws:principaltype': 'AWSService',
      ...timeKeys,
      'aws:viaawsservice': 'true',
      'aws:securetransport': 'false',
    });
  });

  test('a user calling through a service (S3 on their behalf): still the user, aws:ViaAWSService true, no source IP', () => {
    const ctx = callerContext(onBehalfOf(alice, 's3.amazonaws.com'), NOW);
    expect(ctx.get('aws:principaltype')).toBe('User');
    expect(ctx.get('aws:username')).toBe('alice');
    expect(ctx.get('aws:viaawsservice')).toBe('true');
    expect(ctx.has('aws:sourceip')).toBe(false);
  });

  test('no unique id known (a caller made without one) gives no aws:userid; no source gives no aws:SourceIp', () => {
    const ctx = callerContext({ ...makeCaller({ userName: 'bob' }), sourceIp: undefined }, NOW);
    expect(ctx.has('aws:userid')).toBe(false);
    expect(ctx.has('aws:sourceip')).toBe(false);
    expect(ctx.get('aws:username')).toBe('bob');
  });

  test('an IPv6 source is an aws:SourceIp too', () => {
    expect(callerContext({ ...alice, sourceIp: '::1' }, NOW).get('aws:sourceip')).toBe('::1');
  });
});

describe('the time keys', () => {
  test('aws:CurrentTime has whole seconds (the milliseconds dropped, not rounded), aws:EpochTime the same second', () => {
    const ctx = callerContext(alice, new Date('2026-12-01T12:00:05.999Z'));
    expect(ctx.get('aws:currenttime')).toBe('2026-12-01T12:00:05Z');
    expect(ctx.get('aws:epochtime')).toBe('1796126405');
  });

  test('each second has its own time: one second after another, then back to the first', () => {
    const at = (iso: string) => callerContext(alice, new Date(iso)).get('aws:currenttime');
    expect(at('2026-12-01T12:00:00.100Z')).toBe('2026-12-01T12:00:00Z');
    expect(at('2026-12-01T12:00:00.900Z')).toBe('2026-12-01T12:00:00Z');
    expect(at('2026-12-01T12:00:01.000Z')).toBe('2026-12-01T12:00:01Z');
    expect(at('2030-01-01T00:00:00.000Z')).toBe('2030-01-01T00:00:00Z');
    expect(at('2026-12-01T12:00:00.500Z')).toBe('2026-12-01T12:00:00Z');
  });
});

describe('what a KMS request adds', () => {
  test('kms:CallerAccount, each encryption context pair under its lower-cased key with its value as sent, and the list of keys as sent', () => {
    const ctx = kmsContext(alice, NOW, { encryptionContext: { Project: 'Alpha', dept: 'IT' } });
    expect(asObject(ctx)).toStrictEqual({
      ...asObject(callerContext(alice, NOW)),
      'kms:calleraccount': ACCOUNT,
      'kms:encryptioncontextkeys': ['Project', 'dept'],
      'kms:encryptioncontext:project': 'Alpha',
      'kms:encryptioncontext:dept': 'IT',
    });
  });

  test('an empty encryption context gives no kms:EncryptionContextKeys; no request keys give only kms:CallerAccount', () => {
    expect(asObject(kmsContext(alice, NOW, { encryptionContext: {} }))).toStrictEqual({ ...asObject(callerContext(alice, NOW)), 'kms:calleraccount': ACCOUNT });
    expect(asObject(kmsContext(alice, NOW))).toStrictEqual({ ...asObject(callerContext(alice, NOW)), 'kms:calleraccount': ACCOUNT });
  });

  test('every request key under its own condition key; booleans as "true"/"false", false included', () => {
    const ctx = kmsContext(alice, NOW, {
      viaService: 's3.us-east-1.amazonaws.com',
      keySpec: 'RSA_2048',
      keyUsage: 'SIGN_VERIFY',
      keyOrigin: 'AWS_KMS',
      grantOperations: ['Decrypt', 'Encrypt'],
      granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/Grantee`,
      retiringPrincipal: `arn:aws:iam::${ACCOUNT}:role/Retirer`,
      encryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      signingAlgorithm: 'RSASSA_PSS_SHA_256',
      macAlgorithm: 'HMAC_SHA_256',
      dataKeyPairSpec: 'ECC_NIST_P256',
      keyAgreementAlgorithm: 'ECDH',
      multiRegion: false,
      requestAlias: 'alias/project',
      grantIsForAwsResource: false,
    });
    const { 'kms:calleraccount': account, ...kms } = Object.fromEntries([...ctx].filter(([k]) => k.startsWith('kms:')));
    expect(account).toBe(ACCOUNT);
    expect(kms).toStrictEqual({
      'kms:viaservice': 's3.us-east-1.amazonaws.com',
      'kms:keyspec': 'RSA_2048',
      'kms:keyusage': 'SIGN_VERIFY',
      'kms:keyorigin': 'AWS_KMS',
      'kms:grantoperations': ['Decrypt', 'Encrypt'],
      'kms:granteeprincipal': `arn:aws:iam::${ACCOUNT}:role/Grantee`,
      'kms:retiringprincipal': `arn:aws:iam::${ACCOUNT}:role/Retirer`,
      'kms:encryptionalgorithm': 'RSAES_OAEP_SHA_256',
      'kms:signingalgorithm': 'RSASSA_PSS_SHA_256',
      'kms:macalgorithm': 'HMAC_SHA_256',
      'kms:datakeypairspec': 'ECC_NIST_P256',
      'kms:keyagreementalgorithm': 'ECDH',
      'kms:multiregion': 'false',
      'kms:requestalias': 'alias/project',
      'kms:grantisforawsresource': 'false',
    });
    const on = kmsContext(alice, NOW, { multiRegion: true, grantIsForAwsResource: true });
    expect([on.get('kms:multiregion'), on.get('kms:grantisforawsresource')]).toStrictEqual(['true', 'true']);
  });
});

describe('a context built on first read', () => {
  const counting = () => {
    let builds = 0;
    const ctx = lazyContext((m) => {
      builds++;
      m.set('aws:username', 'alice');
      m.set('aws:principaltype', 'User');
    });
    return { ctx, builds: () => builds };
  };

  test('is not built until read, then built once however often it is read', () => {
    const { ctx, builds } = counting();
    expect(builds()).toBe(0);
    expect(ctx.get('aws:username')).toBe('alice');
    expect(ctx.get('aws:principaltype')).toBe('User');
    expect(ctx.has('aws:username')).toBe(true);
    expect(ctx.size).toBe(2);
    expect(builds()).toBe(1);
  });

  test.each([
    ['get', (c: ReadonlyMap<string, unknown>) => c.get('aws:username'), 'alice'],
    ['has', (c: ReadonlyMap<string, unknown>) => c.has('aws:username'), true],
    ['size', (c: ReadonlyMap<string, unknown>) => c.size, 2],
    ['forEach', (c: ReadonlyMap<string, unknown>) => {
      const seen: string[] = [];
      c.forEach((v, k) => seen.push(`${k}=${String(v)}`));
      return seen;
    }, ['aws:username=alice', 'aws:principaltype=User']],
    ['entries', (c: ReadonlyMap<string, unknown>) => [...c.entries()], [['aws:username', 'alice'], ['aws:principaltype', 'User']]],
    ['keys', (c: ReadonlyMap<string, unknown>) => [...c.keys()], ['aws:username', 'aws:principaltype']],
    ['values', (c: ReadonlyMap<string, unknown>) => [...c.values()], ['alice', 'User']],
    ['iteration', (c: ReadonlyMap<string, unknown>) => [...c], [['aws:username', 'alice'], ['aws:principaltype', 'User']]],
  ] as const)('its first read by %s sees every key', (_how, read, expected) => {
    const { ctx, builds } = counting();
    expect(read(ctx)).toStrictEqual(expected);
    expect(builds()).toBe(1);
  });

  test('forEach passes its thisArg on', () => {
    const self = { seen: 0 };
    counting().ctx.forEach(function (this: typeof self) {
      this.seen++;
    }, self);
    expect(self.seen).toBe(2);
  });

  test("globalContext (every service's authorization) is the caller's global keys", () => {
    expect(asObject(globalContext(role, NOW))).toStrictEqual(asObject(callerContext(role, NOW)));
  });
});
