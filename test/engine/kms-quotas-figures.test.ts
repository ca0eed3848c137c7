// KMS's request quotas as the module decides them, without HTTP: AWS's figure for each quota and
// Region (the developer guide's "Request quotas", China's key pair figures included), which quota
// each request counts against (by the kind of key it names), and the token buckets' arithmetic:
// refill in proportion to the time passed, at most one second's worth and at least one request,
// settings for one account over every account's, and a throttled request counting nothing.
import { describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import type { Kms } from '../../src/engine/kms/model.js';
import {
  awsQuota, ECC_QUOTA, isQuotaFigure, isQuotaScale, MAX_QUOTA_PER_SECOND, MAX_QUOTA_SCALE, MIN_QUOTA_PER_SECOND, MIN_QUOTA_SCALE, quotaOf, quotaOfOperation,
  RequestQuotas, RSA_QUOTA, SYMMETRIC_QUOTA,
} from '../../src/engine/kms/quotas.js';
import { THROTTLING_MESSAGE } from '../../src/engine/errors.js';

const caller = makeCaller({ region: 'us-east-1' });

/** A Kms that knows keys by id with a key spec, and finds nothing else (NotFoundException). */
function kmsWith(specs: Record<string, string>): Kms {
  return {
    resolve: (ref: string) => {
      if (!Object.hasOwn(specs, ref)) throw new Error(`no key ${ref}`);
      return { KeySpec: specs[ref] };
    },
  } as unknown as Kms;
}

describe("AWS's figures", () => {
  test('the symmetric quota: 100,000 in us-east-1, us-west-2 and eu-west-1; 20,000 in the six Regions AWS lists; 10,000 elsewhere', () => {
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1']) expect(awsQuota(SYMMETRIC_QUOTA, region), region).toBe(100_000);
    for (const region of ['us-east-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-2']) expect(awsQuota(SYMMETRIC_QUOTA, region), region).toBe(20_000);
    for (const region of ['ca-central-1', 'cn-north-1', '']) expect(awsQuota(SYMMETRIC_QUOTA, region), region).toBe(10_000);
  });

  test('RSA and ECC: 1,000 everywhere', () => {
    expect(awsQuota(RSA_QUOTA, 'us-east-1')).toBe(1000);
    expect(awsQuota(ECC_QUOTA, 'eu-west-3')).toBe(1000);
  });

  test('GenerateDataKeyPair per KeyPairSpec, with lower RSA figures in the China Regions', () => {
    const pair = (spec: string) => `GenerateDataKeyPair (${spec}) request rate`;
    expect(awsQuota(pair('RSA_2048'), 'us-east-1')).toBe(20);
    expect(awsQuota(pair('RSA_2048'), 'cn-north-1')).toBe(1);
    expect(awsQuota(pair('RSA_3072'), 'eu-west-1')).toBe(4);
    expect(awsQuota(pair('RSA_3072'), 'cn-northwest-1')).toBe(0.5);
    expect(awsQuota(pair('RSA_4096'), 'cn-northwest-1')).toBe(0.1);
    expect(awsQuota(pair('ECC_NIST_P256'), 'cn-north-1')).toBe(100);
    expect(awsQuota(pair('SM2'), 'us-east-1')).toBe(25);
    // A spec AWS does not have, or a name that is not exactly the quota's, is no quota.
    for (const name of [pair('toString'), pair('AES_256'), `x${pair('RSA_2048')}`, `${pair('RSA_2048')}s`, 'GenerateDataKeyPair request rate']) expect(awsQuota(name, 'us-east-1'), name).toBeUndefined();
  });

  test("an operation's own quota is named '<operation> request rate'; anything else is no quota", () => {
    expect(awsQuota('CreateKey request rate', 'us-east-1')).toBe(5);
    expect(awsQuota('DescribeKey request rate', 'cn-north-1')).toBe(2000);
    expect(awsQuota('GetParametersForImport request rate', 'us-east-1')).toBe(1);
    for (const name of ['CreateKey', 'request rate', ' request rate', 'toString request rate', 'constructor request rate', 'Encrypt request rate', 'CreateKey request rates', `CreateKey${'x'.repeat(' request rate'.length)}`, ''])
      expect(awsQuota(name, 'us-east-1'), name).toBeUndefined();
  });

  test('a quota as a lesson names it by operation: shared ones for the cryptographic operations, else its own', () => {
    for (const op of ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'ReEncrypt', 'VerifyMac']) expect(quotaOfOperation(op), op).toBe(SYMMETRIC_QUOTA);
    expect(quotaOfOperation('Sign')).toBe(RSA_QUOTA);
    expect(quotaOfOperation('Verify')).toBe(RSA_QUOTA);
    expect(quotaOfOperation('DeriveSharedSecret')).toBe(ECC_QUOTA);
    expect(quotaOfOperation('CreateKey')).toBe('CreateKey request rate');
    for (const op of ['GenerateDataKeyPair', 'toString', 'Nothing', '']) expect(quotaOfOperation(op), op).toBeUndefined();
  });

  test('the bounds of a scale and of a figure are accepted; anything past them, or not finite, is not', () => {
    for (const ok of [MIN_QUOTA_SCALE, 1, MAX_QUOTA_SCALE]) expect(isQuotaScale(ok), String(ok)).toBe(true);
    for (const bad of [MIN_QUOTA_SCALE * 0.99, MAX_QUOTA_SCALE * 1.001, 0, -1, NaN, Infinity]) expect(isQuotaScale(bad), String(bad)).toBe(false);
    for (const ok of [MIN_QUOTA_PER_SECOND, 3, MAX_QUOTA_PER_SECOND]) expect(isQuotaFigure(ok), String(ok)).toBe(true);
    for (const bad of [MIN_QUOTA_PER_SECOND * 0.99, MAX_QUOTA_PER_SECOND + 1, 0, NaN, Infinity]) expect(isQuotaFigure(bad), String(bad)).toBe(false);
  });
});

describe('which quota a request counts against', () => {
  const kms = kmsWith({ rsa: 'RSA_2048', ecc: 'ECC_NIST_P256', sm2: 'SM2', hmac: 'HMAC_256', sym: 'SYMMETRIC_DEFAULT' });

  test("Encrypt, Decrypt, ReEncrypt, Sign and Verify count against their key's kind: RSA, ECC (SM2 too) or symmetric (HMAC too)", () => {
    expect(quotaOf(kms, 'Encrypt', { KeyId: 'rsa' }, caller)).toBe(RSA_QUOTA);
    expect(quotaOf(kms, 'Decrypt', { KeyId: 'sym' }, caller)).toBe(SYMMETRIC_QUOTA);
    expect(quotaOf(kms, 'Sign', { KeyId: 'ecc' }, caller)).toBe(ECC_QUOTA);
    expect(quotaOf(kms, 'Verify', { KeyId: 'sm2' }, caller)).toBe(ECC_QUOTA);
    expect(quotaOf(kms, 'Sign', { KeyId: 'rsa' }, caller)).toBe(RSA_QUOTA);
    expect(quotaOf(kms, 'Encrypt', { KeyId: 'hmac' }, caller)).toBe(SYMMETRIC_QUOTA);
  });

  test("ReEncrypt counts against its destination key's kind, not its source's", () => {
    expect(quotaOf(kms, 'ReEncrypt', { KeyId: 'sym', DestinationKeyId: 'rsa' }, caller)).toBe(RSA_QUOTA);
    expect(quotaOf(kms, 'ReEncrypt', { KeyId: 'rsa', DestinationKeyId: 'sym' }, caller)).toBe(SYMMETRIC_QUOTA);
  });

  test('a key that cannot be found, or no key at all, counts against the first kind AWS lists: RSA for Sign and Verify, symmetric for the others', () => {
    expect(quotaOf(kms, 'Sign', { KeyId: 'missing' }, caller)).toBe(RSA_QUOTA);
    expect(quotaOf(kms, 'Verify', {}, caller)).toBe(RSA_QUOTA);
    expect(quotaOf(kms, 'Encrypt', { KeyId: 'missing' }, caller)).toBe(SYMMETRIC_QUOTA);
    expect(quotaOf(kms, 'Decrypt', { KeyId: 42 }, caller)).toBe(SYMMETRIC_QUOTA);
    expect(quotaOf(kms, 'Encrypt', null, caller)).toBe(SYMMETRIC_QUOTA);
    expect(quotaOf(kms, 'Sign', 'not an object', caller)).toBe(RSA_QUOTA);
  });

  test("GenerateDataKeyPair and its WithoutPlaintext share one quota per KeyPairSpec; an unknown spec counts against none (the call fails anyway)", () => {
    expect(quotaOf(kms, 'GenerateDataKeyPair', { KeyId: 'sym', KeyPairSpec: 'RSA_3072' }, caller)).toBe('GenerateDataKeyPair (RSA_3072) request rate');
    expect(quotaOf(kms, 'GenerateDataKeyPairWithoutPlaintext', { KeyPairSpec: 'ECC_NIST_P521' }, caller)).toBe('GenerateDataKeyPair (ECC_NIST_P521) request rate');
    for (const KeyPairSpec of ['toString', 'RSA_1024', 7, undefined]) expect(quotaOf(kms, 'GenerateDataKeyPair', { KeyPairSpec }, caller), String(KeyPairSpec)).toBeUndefined();
    expect(quotaOf(kms, 'GenerateDataKeyPair', null, caller)).toBeUndefined();
  });

  test('the other operations: the shared symmetric quota, ECC for DeriveSharedSecret, their own, or none', () => {
    expect(quotaOf(kms, 'GenerateDataKey', { KeyId: 'rsa' }, caller)).toBe(SYMMETRIC_QUOTA); // never by key kind
    expect(quotaOf(kms, 'GenerateRandom', {}, caller)).toBe(SYMMETRIC_QUOTA);
    expect(quotaOf(kms, 'VerifyMac', { KeyId: 'hmac' }, caller)).toBe(SYMMETRIC_QUOTA);
    expect(quotaOf(kms, 'DeriveSharedSecret', { KeyId: 'sym' }, caller)).toBe(ECC_QUOTA);
    expect(quotaOf(kms, 'ScheduleKeyDeletion', {}, caller)).toBe('ScheduleKeyDeletion request rate');
    for (const op of ['Nothing', 'toString', 'GetKeyLastUsageX']) expect(quotaOf(kms, op, {}, caller), op).toBeUndefined();
  });
});

describe('describe and the settings', () => {
  test('describe names the operations that share a quota and its figure with the settings applied', () => {
    const quotas = new RequestQuotas(0.5, () => 0);
    expect(quotas.describe(SYMMETRIC_QUOTA, 'eu-west-2')).toEqual({
      name: SYMMETRIC_QUOTA, awsPerSecond: 20_000, perSecond: 10_000,
      operations: ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom', 'ReEncrypt', 'VerifyMac'],
    });
    expect(quotas.describe(RSA_QUOTA, 'us-east-1').operations).toEqual(['Decrypt', 'Encrypt', 'ReEncrypt', 'Sign', 'Verify']);
    expect(quotas.describe(ECC_QUOTA, 'us-east-1').operations).toEqual(['DeriveSharedSecret', 'Sign', 'Verify']);
    expect(quotas.describe('GenerateDataKeyPair (RSA_4096) request rate', 'cn-north-1')).toMatchObject({ operations: ['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'], awsPerSecond: 0.1, perSecond: 0.05 });
    expect(quotas.describe('CreateKey request rate', 'us-east-1')).toMatchObject({ operations: ['CreateKey'], awsPerSecond: 5, perSecond: 2.5 });
    expect(() => quotas.describe('Coffee request rate', 'us-east-1')).toThrow(new RangeError("AWS KMS has no request quota named 'Coffee request rate'"));
  });

  test("settings show the scale and the quotas set for every account; one account's own setting wins for it alone, and undoing it gives back every account's", () => {
    const quotas = new RequestQuotas(2, () => 0);
    quotas.setQuota('CreateKey request rate', 7);
    quotas.setQuota('CreateKey request rate', 3, '444455556666');
    expect(quotas.settings).toEqual({ scale: 2, overrides: { 'CreateKey request rate': 7 } });
    expect(quotas.describe('CreateKey request rate', 'us-east-1').perSecond).toBe(7);
    expect(quotas.describe('CreateKey request rate', 'us-east-1', '111122223333').perSecond).toBe(7);
    expect(quotas.describe('CreateKey request rate', 'us-east-1', '444455556666').perSecond).toBe(3);
    quotas.setQuota('CreateKey request rate', undefined, '444455556666');
    expect(quotas.describe('CreateKey request rate', 'us-east-1', '444455556666').perSecond).toBe(7);
    quotas.setQuota('CreateKey request rate', undefined);
    expect(quotas.describe('CreateKey request rate', 'us-east-1', '444455556666').perSecond).toBe(10); // 5 x 2
    expect(quotas.settings.overrides).toEqual({});
  });

  test('a quota AWS does not have, or a figure out of bounds, is a RangeError that changes nothing', () => {
    const quotas = new RequestQuotas(1, () => 0);
    expect(() => quotas.setQuota('Coffee request rate', 3)).toThrow(new RangeError("AWS KMS has no request quota named 'Coffee request rate'"));
    expect(() => quotas.setQuota(SYMMETRIC_QUOTA, 0)).toThrow(new RangeError('a request quota must be from 0.01 to 1000000 per second, not 0'));
    expect(() => quotas.setScale(0)).toThrow(new RangeError('the quota scale must be a number from 0.000001 to 1000, not 0'));
    expect(() => new RequestQuotas(2000)).toThrow(RangeError);
    expect(quotas.settings).toEqual({ scale: 1, overrides: {} });
  });
});

describe('the token buckets', () => {
  function setUp(perSecond: number, quota = SYMMETRIC_QUOTA) {
    const time = { ms: 0 };
    const quotas = new RequestQuotas(1, () => time.ms);
    quotas.setQuota(quota, perSecond);
    const kms = kmsWith({});
    /** How many of n GenerateRandom calls are admitted now. */
    const admitted = (n: number, who = caller) => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        try {
          quotas.admit(kms, 'GenerateRandom', {}, who);
          ok++;
        } catch (e) {
          expect((e as Error).message).toBe(THROTTLING_MESSAGE);
          expect(e).toMatchObject({ code: 'ThrottlingException', status: 400 });
        }
      }
      return ok;
    };
    return { time, quotas, kms, admitted };
  }

  test('a bucket refills in proportion to the time passed, up to one second of requests', () => {
    const { time, admitted } = setUp(4);
    expect(admitted(6)).toBe(4);
    time.ms += 499; // 1.996 requests
    expect(admitted(3)).toBe(1);
    time.ms += 1; // 0.996 + 0.004
    expect(admitted(3)).toBe(1);
    time.ms += 60_000; // a minute idle refills one second's worth, no more
    expect(admitted(10)).toBe(4);
  });

  test('a quota under one a second holds one request, refilled over its period (0.1 a second: one every ten seconds)', () => {
    const { time, admitted } = setUp(0.1);
    expect(admitted(3)).toBe(1);
    time.ms += 9_999;
    expect(admitted(1)).toBe(0);
    time.ms += 1;
    expect(admitted(1)).toBe(1);
    time.ms += 100_000;
    expect(admitted(3)).toBe(1);
  });

  test('each account and each Region has its own bucket', () => {
    const { admitted } = setUp(2);
    expect(admitted(3)).toBe(2);
    expect(admitted(3, makeCaller({ region: 'us-east-1', accountId: '444455556666' }))).toBe(2);
    expect(admitted(3, makeCaller({ region: 'eu-west-1' }))).toBe(2);
    expect(admitted(1)).toBe(0);
  });

  test('a new setting applies to a bucket at once: raising it fills no bucket, lowering it cuts a full one down', () => {
    const { time, quotas, admitted } = setUp(10);
    expect(admitted(2)).toBe(2); // 8 left
    quotas.setQuota(SYMMETRIC_QUOTA, 3); // cut to 3
    expect(admitted(5)).toBe(3);
    quotas.setQuota(SYMMETRIC_QUOTA, 1000);
    expect(admitted(1)).toBe(0); // still empty: the new figure refills it, over time
    time.ms += 2;
    expect(admitted(3)).toBe(2);
    quotas.setScale(1); // a change of scale is a new setting too; the quota set outright stays
    expect(admitted(1)).toBe(0);
  });

  test('a scale change applies to buckets already made', () => {
    const time = { ms: 0 };
    const quotas = new RequestQuotas(0.00002, () => time.ms); // 100,000 -> 2 a second in us-east-1
    const random = () => quotas.admit(kmsWith({}), 'GenerateRandom', {}, caller);
    random();
    random();
    expect(random).toThrow(THROTTLING_MESSAGE);
    quotas.setScale(0.0001); // 10 a second
    time.ms += 500;
    for (let i = 0; i < 5; i++) random();
    expect(random).toThrow(THROTTLING_MESSAGE);
  });

  test("ReplicateKey to another Region takes one request here and two CreateKey there; a throttled one counts in neither bucket", () => {
    const time = { ms: 0 };
    const quotas = new RequestQuotas(1, () => time.ms);
    quotas.setQuota('CreateKey request rate', 3);
    const kms = kmsWith({});
    const replicate = (ReplicaRegion: unknown) => quotas.admit(kms, 'ReplicateKey', { KeyId: 'k', ReplicaRegion }, caller);
    const createIn = (region: string) => quotas.admit(kms, 'CreateKey', {}, makeCaller({ region }));
    replicate('eu-west-1'); // 1 CreateKey left there
    expect(() => replicate('eu-west-1')).toThrow(THROTTLING_MESSAGE); // needs 2
    createIn('eu-west-1');
    expect(() => createIn('eu-west-1')).toThrow(THROTTLING_MESSAGE);
    // The throttled ReplicateKey took nothing from us-east-1's ReplicateKey quota (5 a second): 4 more pass.
    for (const region of ['ap-south-1', 'sa-east-1', 'me-south-1', 'af-south-1']) replicate(region);
    expect(() => replicate('eu-north-1')).toThrow(THROTTLING_MESSAGE);
  });

  test("a replica in the caller's own Region, or a Region that is no string, costs nothing elsewhere", () => {
    const quotas = new RequestQuotas(1, () => 0);
    quotas.setQuota('CreateKey request rate', 1);
    const kms = kmsWith({});
    quotas.admit(kms, 'ReplicateKey', { KeyId: 'k', ReplicaRegion: 'us-east-1' }, caller);
    quotas.admit(kms, 'ReplicateKey', { KeyId: 'k', ReplicaRegion: 7 }, caller);
    quotas.admit(kms, 'ReplicateKey', null, caller);
    quotas.admit(kms, 'CreateKey', {}, caller); // us-east-1's CreateKey bucket untouched
    expect(() => quotas.admit(kms, 'CreateKey', {}, caller)).toThrow(THROTTLING_MESSAGE);
  });

  test('a bucket smaller than what another Region is asked lets the request through when full, and owes the rest', () => {
    const time = { ms: 0 };
    const quotas = new RequestQuotas(1, () => time.ms);
    quotas.setQuota('CreateKey request rate', 1); // capacity 1, ReplicateKey asks 2
    const kms = kmsWith({});
    const replicate = () => quotas.admit(kms, 'ReplicateKey', { KeyId: 'k', ReplicaRegion: 'eu-west-1' }, caller);
    replicate(); // full: through, one owed (-1)
    time.ms += 1000; // back to 0
    expect(replicate).toThrow(THROTTLING_MESSAGE);
    time.ms += 1000; // 1: full again
    replicate();
  });

  test('UpdatePrimaryRegion to another Region takes one of its own there', () => {
    const quotas = new RequestQuotas(1, () => 0);
    quotas.setQuota('UpdatePrimaryRegion request rate', 2);
    const kms = kmsWith({});
    const update = (PrimaryRegion: string, region = 'us-east-1') => quotas.admit(kms, 'UpdatePrimaryRegion', { KeyId: 'k', PrimaryRegion }, makeCaller({ region }));
    update('eu-west-1'); // us-east-1: 1 left; eu-west-1: 1 left
    update('us-east-1', 'eu-west-1'); // eu-west-1: 0; us-east-1: 0
    expect(() => update('ap-south-1', 'ap-south-1')).not.toThrow(); // its own Region: nothing elsewhere
    expect(() => update('eu-west-1')).toThrow(THROTTLING_MESSAGE);
  });

  test('operations AWS lists no quota for are never throttled', () => {
    const quotas = new RequestQuotas(MIN_QUOTA_SCALE, () => 0);
    for (let i = 0; i < 5; i++) quotas.admit(kmsWith({}), 'Nothing', {}, caller);
    for (let i = 0; i < 5; i++) quotas.admit(kmsWith({}), 'GenerateDataKeyPair', { KeyPairSpec: 'RSA_1024' }, caller);
  });
});
