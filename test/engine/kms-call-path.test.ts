// callKms (kms/index.ts) driven directly, without HTTP, on a Kms model with a trail that keeps
// what it is given: which operations exist, the order of quota, authorization, operation and
// DryRun, the internal error a non-AWS failure becomes, and each call's CloudTrail record as
// AWS's log entry examples show it (responseElements, resources, readOnly, error).
// trail-kms-response-elements.test.ts shows the dates and aliases through the SDK.
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { Directory } from '../../src/engine/auth/types.js';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import type { RecordInput, Trail } from '../../src/engine/cloudtrail/trail.js';
import { AwsError } from '../../src/engine/errors.js';
import { callKms, type KmsCallPath } from '../../src/engine/kms/index.js';
import { Kms } from '../../src/engine/kms/model.js';
import type { RequestQuotas } from '../../src/engine/kms/quotas.js';
import { openStore } from '../../src/engine/store.js';

const me = makeCaller();
const DAY_MS = 24 * 60 * 60 * 1000;

function path(at = '2026-04-01T00:05:09Z', extra: Partial<KmsCallPath> = {}) {
  const records: RecordInput[] = [];
  const kms = new Kms(openStore(null), fixedClock(new Date(at)));
  const trail = { record: (r: RecordInput) => records.push(r) } as unknown as Trail;
  const quotas = { admit: () => {} } as unknown as RequestQuotas;
  const p: KmsCallPath = { kms, trail, quotas, ...extra };
  let n = 0;
  const call = (operation: string, input: unknown = {}) => callKms(p, operation, input, me, `req-${++n}`);
  const last = () => records.at(-1)!;
  const newKey = (input: Record<string, unknown> = {}) => (call('CreateKey', input).KeyMetadata as { KeyId: string; Arn: string });
  return { p, kms, records, call, last, newKey };
}

/** The AwsError `fn` throws. */
function errorOf(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    return e as AwsError;
  }
  throw new Error('expected an AwsError');
}

const keyResource = (ARN: string) => ({ type: 'AWS::KMS::Key', ARN });

afterEach(() => vi.restoreAllMocks());

describe('which operations a call may name', () => {
  test('a name that is no operation, an Object.prototype member among them, is UnknownOperationException, and nothing is recorded', () => {
    const { call, records } = path();
    for (const name of ['NoSuchThing', 'toString', 'constructor', 'hasOwnProperty']) {
      const e = errorOf(() => call(name));
      expect([e.code, e.status, e.message]).toEqual(['UnknownOperationException', 400, `Unknown operation ${name}`]);
    }
    expect(records).toEqual([]);
  });

  test('an operation of the API the engine lacks answers as such, and is recorded with its error', () => {
    const { call, last } = path();
    const e = errorOf(() => call('CreateCustomKeyStore', { CustomKeyStoreName: 'store' }));
    expect(e.code).not.toBe('UnknownOperationException');
    expect(last()).toMatchObject({ eventName: 'CreateCustomKeyStore', error: { code: e.code, message: e.message }, responseElements: null, resources: [] });
  });
});

describe('what a call goes through, in order', () => {
  test('a throttled call runs nothing and is recorded with its ThrottlingException', () => {
    const throttled = new AwsError('ThrottlingException', 'Rate exceeded');
    const { call, kms, last } = path('2026-04-01T00:00:00Z', { quotas: { admit: () => { throw throttled; } } as unknown as RequestQuotas });
    expect(errorOf(() => call('CreateKey', {}))).toBe(throttled);
    expect(kms.keys.size).toBe(0);
    expect(last()).toMatchObject({ eventName: 'CreateKey', readOnly: false, error: { code: 'ThrottlingException', message: 'Rate exceeded' }, responseElements: null, resources: [] });
  });

  test('with a directory and a clock the caller must be allowed (no policy: AccessDeniedException, recorded); with either missing nothing is asked', () => {
    const directory = { identityPolicies: () => [], principalExists: () => true } as unknown as Directory;
    const clock = fixedClock(new Date('2026-04-01T00:00:00Z'));
    const guarded = path('2026-04-01T00:00:00Z', { directory, clock });
    expect(errorOf(() => guarded.call('CreateKey', {})).code).toBe('AccessDeniedException');
    expect(guarded.kms.keys.size).toBe(0);
    expect(guarded.last()).toMatchObject({ eventName: 'CreateKey', error: { code: 'AccessDeniedException' } });
    for (const extra of [{ directory }, { clock }, {}]) {
      const open = path('2026-04-01T00:00:00Z', extra);
      open.newKey();
      expect(open.kms.keys.size, Object.keys(extra).join()).toBe(1);
    }
  });

  test('DryRun: the operation runs, then DryRunOperationException, recorded with the key it named', () => {
    const { call, last, newKey } = path();
    const key = newKey();
    const e = errorOf(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true }));
    expect(e.code).toBe('DryRunOperationException');
    expect(last()).toMatchObject({ eventName: 'Encrypt', readOnly: true, error: { code: 'DryRunOperationException' }, resources: [keyResource(key.Arn)], responseElements: null });
    // the real error where it would have failed
    expect(errorOf(() => call('Encrypt', { KeyId: 'alias/none', Plaintext: Buffer.from('x'), DryRun: true })).code).toBe('NotFoundException');
  });

  test('a failure that is no AwsError becomes KMSInternalException (500), logged once and recorded; an AwsError is not logged', () => {
    const { call, kms, last, newKey } = path();
    const key = newKey();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(errorOf(() => call('DescribeKey', { KeyId: 'alias/none' })).code).toBe('NotFoundException');
    expect(logged).not.toHaveBeenCalled();
    const bug = new TypeError('a bug');
    vi.spyOn(kms, 'resolve').mockImplementation(() => { throw bug; });
    const e = errorOf(() => call('DescribeKey', { KeyId: key.KeyId }));
    expect([e.code, e.status, e.message]).toEqual(['KMSInternalException', 500, 'An internal error occurred in the local KMS engine.']);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith(bug);
    expect(last()).toMatchObject({ eventName: 'DescribeKey', error: { code: 'KMSInternalException', message: 'An internal error occurred in the local KMS engine.' }, resources: [] });
  });
});

describe('the record of each call', () => {
  test('CreateKey: the key metadata as responseElements, the key as resource, not read-only, the request id and source', () => {
    const { call, last } = path();
    const out = call('CreateKey', { Description: 'd' });
    const meta = out.KeyMetadata as { Arn: string };
    expect(last()).toEqual({
      caller: me,
      eventSource: 'kms.amazonaws.com',
      eventName: 'CreateKey',
      requestParameters: expect.objectContaining({ description: 'd' }),
      responseElements: { keyMetadata: meta },
      resources: [keyResource(meta.Arn)],
      readOnly: false,
      requestId: 'req-1',
    });
  });

  test('a read-only call that succeeds: no responseElements, the key it answered for, read-only', () => {
    const { call, last, newKey } = path();
    const key = newKey();
    call('Encrypt', { KeyId: key.KeyId, Plaintext: Buffer.from('secret') });
    expect(last()).toMatchObject({ eventName: 'Encrypt', responseElements: null, resources: [keyResource(key.Arn)], readOnly: true, requestId: 'req-2' });
    expect(last()).not.toHaveProperty('error');
    call('GenerateRandom', { NumberOfBytes: 8 });
    expect(last()).toMatchObject({ eventName: 'GenerateRandom', responseElements: null, resources: [], readOnly: true });
  });

  test('a refused call names the existing key its KeyId names, else none', () => {
    const { call, last, newKey } = path();
    const key = newKey();
    call('DisableKey', { KeyId: key.KeyId });
    expect(errorOf(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: Buffer.from('x') })).code).toBe('DisabledException');
    expect(last()).toMatchObject({ resources: [keyResource(key.Arn)], error: { code: 'DisabledException' }, responseElements: null });
    for (const KeyId of ['alias/none', '1234abcd-12ab-34cd-56ef-1234567890ab', 'x'.repeat(2049), 42, undefined]) {
      errorOf(() => call('Encrypt', { KeyId, Plaintext: Buffer.from('x') }));
      expect(last().resources, String(KeyId).slice(0, 40)).toEqual([]);
    }
    for (const input of [null, 'text', [key.KeyId]]) {
      errorOf(() => call('EnableKey', input));
      expect(last().resources).toEqual([]);
    }
  });

  test('an answer that names its key by id, not ARN: the key the request named', () => {
    const { call, last, newKey } = path();
    const key = newKey();
    const out = call('RotateKeyOnDemand', { KeyId: key.Arn });
    expect(out.KeyId).not.toMatch(/^arn:/);
    expect(last()).toMatchObject({ eventName: 'RotateKeyOnDemand', resources: [keyResource(key.Arn)], responseElements: null, readOnly: false });
  });

  test('ReEncrypt names its source and destination keys, once each, and a key re-encrypted to itself once', () => {
    const { call, last, newKey } = path();
    const [a, b] = [newKey(), newKey()];
    const blob = call('Encrypt', { KeyId: a.KeyId, Plaintext: Buffer.from('x') }).CiphertextBlob as Buffer;
    call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: b.KeyId });
    expect(last().resources).toEqual([keyResource(a.Arn), keyResource(b.Arn)]);
    call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: a.KeyId });
    expect(last().resources).toEqual([keyResource(a.Arn)]);
  });

  test('members an operation does not define name nothing: a stray AliasName and TargetKeyId, a stray KeyId', () => {
    const { call, last, newKey } = path();
    const [a, b, c] = [newKey(), newKey(), newKey()];
    call('Encrypt', { KeyId: a.KeyId, Plaintext: Buffer.from('x'), AliasName: 'alias/stray', TargetKeyId: b.KeyId });
    expect(last().resources).toEqual([keyResource(a.Arn)]);
    const blob = call('Encrypt', { KeyId: a.KeyId, Plaintext: Buffer.from('x') }).CiphertextBlob as Buffer;
    call('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: b.KeyId, KeyId: c.KeyId });
    expect(last().resources).toEqual([keyResource(a.Arn), keyResource(b.Arn)]);
  });

  test('CreateAlias and UpdateAlias name the key and the alias; CreateAlias answers the key, UpdateAlias nothing', () => {
    const { call, kms, last, newKey } = path();
    const [a, b] = [newKey(), newKey()];
    const aliasArn = kms.aliasArn(me, 'alias/mine');
    call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: a.KeyId });
    expect(last()).toMatchObject({ eventName: 'CreateAlias', responseElements: { keyId: a.Arn }, resources: [keyResource(a.Arn), keyResource(aliasArn)] });
    call('UpdateAlias', { AliasName: 'alias/mine', TargetKeyId: b.Arn });
    expect(last()).toMatchObject({ eventName: 'UpdateAlias', responseElements: null, resources: [keyResource(b.Arn), keyResource(aliasArn)] });
    // a refused CreateAlias names no alias
    errorOf(() => call('CreateAlias', { AliasName: 'alias/mine', TargetKeyId: a.KeyId }));
    expect(last()).toMatchObject({ eventName: 'CreateAlias', responseElements: null, resources: [] });
    // DeleteAlias is no alias-naming operation: the key it names, none here
    call('DeleteAlias', { AliasName: 'alias/mine' });
    expect(last()).toMatchObject({ eventName: 'DeleteAlias', responseElements: null, resources: [] });
  });

  test('CreateGrant answers its grant id, never the token; CancelKeyDeletion its key', () => {
    const { call, last, newKey } = path();
    const key = newKey();
    const grant = call('CreateGrant', { KeyId: key.KeyId, GranteePrincipal: me.arn, Operations: ['Encrypt'] });
    expect(last()).toMatchObject({ eventName: 'CreateGrant', responseElements: { grantId: grant.GrantId }, resources: [keyResource(key.Arn)] });
    expect(JSON.stringify(last().responseElements)).not.toContain(grant.GrantToken as string);
    call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    call('CancelKeyDeletion', { KeyId: key.KeyId });
    expect(last()).toMatchObject({ eventName: 'CancelKeyDeletion', responseElements: { keyId: key.Arn }, resources: [keyResource(key.Arn)] });
  });

  test.each([
    ['2026-04-01T00:05:09Z', 'Apr 8, 2026 12:05:09 AM'],
    ['2026-04-01T11:59:59Z', 'Apr 8, 2026 11:59:59 AM'],
    ['2026-04-01T12:00:00Z', 'Apr 8, 2026 12:00:00 PM'],
    ['2026-12-24T13:07:03Z', 'Dec 31, 2026 1:07:03 PM'],
    ['2026-01-24T23:10:30Z', 'Jan 31, 2026 11:10:30 PM'],
  ])('ScheduleKeyDeletion at %s writes the deletion date a week on as %s', (at, written) => {
    const { call, last, newKey } = path(at);
    const key = newKey();
    const out = call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    expect(out.DeletionDate).toEqual(new Date(Date.parse(at) + 7 * DAY_MS));
    expect(last().responseElements).toEqual({ keyId: key.Arn, keyState: 'PendingDeletion', deletionDate: written });
  });

  test('a multi-Region primary waiting for its replicas has no deletion date to write', () => {
    const { call, last, newKey } = path();
    const key = newKey({ MultiRegion: true });
    call('ReplicateKey', { KeyId: key.KeyId, ReplicaRegion: 'us-west-2' });
    call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    expect(last().responseElements).toEqual({ keyId: key.Arn, keyState: 'PendingReplicaDeletion' });
  });
});
