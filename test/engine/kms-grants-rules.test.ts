// Grants' rules called directly on a KMS model over an in-memory store, without HTTP (issue 16:
// fast enough for mutation testing, where every mutant of grants.ts runs these): which
// operations each kind of key may grant, the principals a grant may name when the model has no
// IAM directory (by their form alone), the constraint limits at their edges, the 50,000-grant
// limit, what is saved, ListRetirableGrants' principal and deleted keys, grant tokens'
// form, and what a grant allows and lets retire.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import {
  createGrant, grantIdOfToken, grantsAnswer, GRANT_OPERATIONS, listGrants, listRetirableGrants, MAX_GRANTS_PER_KEY, mayRetire, retireGrant, revokeGrant,
} from '../../src/engine/kms/grants.js';
import { Kms, type GrantRecord, type KeyRecord } from '../../src/engine/kms/model.js';
import { openStore, type Store } from '../../src/engine/store.js';
import { errorOf } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const me = makeCaller();
const alice = makeCaller({ userName: 'alice' });
const root = (accountId = ACCOUNT): Caller => ({ ...makeCaller({ accountId, arn: `arn:aws:iam::${accountId}:root` }), type: 'Root' });

/** A model with no IAM directory: a principal is checked by its form alone. */
function fresh(store: Store = openStore(null)) {
  return { store, kms: new Kms(store, fixedClock(new Date('2026-03-04T05:06:07Z'))) };
}

/** A key of any kind, without making its material (Origin EXTERNAL, then Enabled): grants read only its spec, usage and state. */
function keyOf(kms: Kms, KeySpec = 'SYMMETRIC_DEFAULT', KeyUsage = 'ENCRYPT_DECRYPT'): KeyRecord {
  return kms.newKey(me, { Description: '', Policy: '', KeySpec, KeyUsage, Origin: 'EXTERNAL', KeyState: 'Enabled' });
}

const grant = (kms: Kms, key: KeyRecord, more: Record<string, unknown> = {}, caller: Caller = me) =>
  createGrant(kms, { KeyId: key.KeyId, GranteePrincipal: ALICE, Operations: ['Decrypt'], ...more }, caller);

describe('CreateGrant', () => {
  test('each kind of key may grant exactly the operations it supports, and CreateGrant, RetireGrant, DescribeKey', () => {
    const { kms } = fresh();
    const always = ['CreateGrant', 'RetireGrant', 'DescribeKey'];
    const kinds: [string, string, string[]][] = [
      ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext']],
      ['RSA_2048', 'ENCRYPT_DECRYPT', ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey']],
      ['ECC_NIST_P256', 'SIGN_VERIFY', ['Sign', 'Verify', 'GetPublicKey']],
      ['HMAC_256', 'GENERATE_VERIFY_MAC', ['GenerateMac', 'VerifyMac']],
      ['ECC_NIST_P256', 'KEY_AGREEMENT', ['DeriveSharedSecret', 'GetPublicKey']],
      ['ML_KEM_768', 'KEY_ENCAPSULATION', ['Encapsulate', 'Decapsulate', 'GetPublicKey']],
    ];
    for (const [spec, usage, supported] of kinds) {
      const key = keyOf(kms, spec, usage);
      for (const op of GRANT_OPERATIONS) {
        const label = `${spec} ${usage} ${op}`;
        if (supported.includes(op) || always.includes(op)) expect(grant(kms, key, { Operations: [op] }).GrantId, label).toMatch(/^[0-9a-f]{64}$/);
        else
          expect(errorOf(() => grant(kms, key, { Operations: [op] })), label).toEqual({
            type: 'ValidationException',
            message: `Grant operations ${op} are not valid for ${key.Arn}: its KeySpec is ${spec} and its KeyUsage ${usage}.`,
          });
      }
    }
  });

  test('refused before anything is made: a service principal, no grantee, a malformed grant token, an alias, a disabled key or one pending deletion', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const { GrantToken } = grant(kms, key, { Operations: ['CreateGrant'] });
    kms.putAlias({ AliasName: 'alias/k', AliasArn: kms.aliasArn(me, 'alias/k'), TargetKeyId: key.KeyId, CreationDate: 0, LastUpdatedDate: 0 });
    const unsupported = 'The local engine does not model grants for AWS service principals (GranteeServicePrincipal, RetiringServicePrincipal, SourceArn).';
    const refusals: [Record<string, unknown>, string, string?][] = [
      [{ GranteePrincipal: undefined, GranteeServicePrincipal: 'dynamodb.amazonaws.com' }, 'UnsupportedOperationException', unsupported],
      [{ RetiringServicePrincipal: 'dynamodb.amazonaws.com' }, 'UnsupportedOperationException', unsupported],
      [{ Constraints: { SourceArn: 'arn:aws:s3:::b' } }, 'UnsupportedOperationException', unsupported],
      [{ GranteePrincipal: undefined }, 'ValidationException', 'You must specify either GranteePrincipal or GranteeServicePrincipal.'],
      [{ GrantTokens: [GrantToken, 'junk'] }, 'InvalidGrantTokenException'],
      [{ KeyId: 'alias/k' }, 'NotFoundException'],
    ];
    for (const [more, type, message] of refusals) {
      const err = errorOf(() => grant(kms, key, more));
      expect(err.type, JSON.stringify(more)).toBe(type);
      if (message) expect(err.message).toBe(message);
    }
    expect(grant(kms, key, { GrantTokens: [GrantToken] }).GrantId).toBeDefined();
    key.KeyState = 'Disabled';
    expect(errorOf(() => grant(kms, key)).type).toBe('DisabledException');
    key.KeyState = 'PendingDeletion';
    key.DeletionDate = kms.clock.now().getTime() + 1000;
    expect(errorOf(() => grant(kms, key)).type).toBe('KMSInvalidStateException');
    expect(kms.grants.size).toBe(2);
  });

  test('an operation asked twice is kept once; an empty Constraints is no constraint, also on a key that takes none', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const { GrantId } = grant(kms, key, { Operations: ['Decrypt', 'Encrypt', 'Decrypt'], Constraints: {} });
    expect(kms.grants.get(GrantId)!.Operations).toEqual(['Decrypt', 'Encrypt']);
    expect(kms.grants.get(GrantId)!.Constraints).toBeUndefined();
    const signing = keyOf(kms, 'ECC_NIST_P256', 'SIGN_VERIFY');
    expect('Constraints' in kms.grants.get(grant(kms, signing, { Operations: ['Sign'], Constraints: {} }).GrantId)!).toBe(false);
  });

  test('a named retry is the same grant with a new token; another name, grantee, retiring principal, operation set or constraint is a new grant', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const base = { Name: 'n1', RetiringPrincipal: BOB, Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextSubset: { a: '1' } } };
    const first = grant(kms, key, base);
    const again = grant(kms, key, { ...base, KeyId: key.Arn, Operations: ['Encrypt', 'Decrypt'] });
    expect(again.GrantId).toBe(first.GrantId);
    expect(again.GrantToken).not.toBe(first.GrantToken);
    expect(grantIdOfToken(again.GrantToken)).toBe(first.GrantId);
    const variants = [
      { Name: 'n2' }, { GranteePrincipal: BOB }, { RetiringPrincipal: ALICE }, { RetiringPrincipal: undefined }, { Operations: ['Decrypt'] }, { Operations: ['Decrypt', 'Encrypt', 'DescribeKey'] },
      { Operations: ['Decrypt', 'DescribeKey'] }, { Constraints: { EncryptionContextSubset: { a: '2' } } }, { Constraints: { EncryptionContextEquals: { a: '1' } } }, { Constraints: undefined },
      { Constraints: { EncryptionContextSubset: { a: '1', b: '2' } } },
    ];
    for (const v of variants) expect(grant(kms, key, { ...base, ...v }).GrantId, JSON.stringify(v)).not.toBe(first.GrantId);
    expect(kms.grants.size).toBe(1 + variants.length);
  });

  test('every unsupported operation is named, once each, in the order asked', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    expect(errorOf(() => grant(kms, key, { Operations: ['Decrypt', 'Sign', 'Verify', 'Sign'] })).message).toBe(
      `Grant operations Sign, Verify are not valid for ${key.Arn}: its KeySpec is SYMMETRIC_DEFAULT and its KeyUsage ENCRYPT_DECRYPT.`,
    );
  });

  test('without an IAM directory, a principal is an account, IAM user, IAM role or assumed role by its form; anything else is InvalidArnException', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const wellFormed = [
      ACCOUNT, `arn:aws:iam::${ACCOUNT}:root`, ALICE, `arn:aws:iam::${ACCOUNT}:user/team/bob`, `arn:aws:iam::${ACCOUNT}:role/admin`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/admin/session-1`, 'arn:aws-cn:iam::444455556666:root', 'arn:aws-us-gov:iam::444455556666:user/u',
    ];
    for (const principal of wellFormed) {
      expect(grant(kms, key, { GranteePrincipal: principal }).GrantId, principal).toBeDefined();
      expect(grant(kms, key, { RetiringPrincipal: principal }).GrantId, principal).toBeDefined();
    }
    const malformed = [
      'alice', `x${ACCOUNT}`, `${ACCOUNT}1`, '11112222333', `xarn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:rootx`, `arn:aws:iam::11112222333:root`,
      `arn:aws:iam::${ACCOUNT}:user/`, `arn:aws:iam::${ACCOUNT}:role/`, `arn:aws:iam::${ACCOUNT}:group/devs`, `arn:aws:sts::${ACCOUNT}:assumed-role/admin`,
      `arn:aws:sts::${ACCOUNT}:assumed-role/admin/`, `arn:aws:sts::${ACCOUNT}:assumed-role//s`, `arn:aws:sts::${ACCOUNT}:role/admin/s`, `arn:aws:iam::${ACCOUNT}:assumed-role/admin/s`,
      `arn:aws:sts::1111:assumed-role/admin/s`, `arn:aws:s3:::bucket`,
    ];
    for (const principal of malformed) {
      const message = `Principal ${principal} is not a valid principal: it is not the ARN of an account, IAM user, IAM role or assumed role that exists.`;
      expect(errorOf(() => grant(kms, key, { GranteePrincipal: principal })), principal).toEqual({ type: 'InvalidArnException', message });
      expect(errorOf(() => grant(kms, key, { RetiringPrincipal: principal })), principal).toEqual({ type: 'InvalidArnException', message });
    }
  });

  test('with an IAM directory, a well-formed principal must also exist there, and a malformed one is refused before it is asked', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const asked: string[] = [];
    kms.directory = {
      credentials: () => undefined,
      defaultLearner: () => me,
      identityPolicies: () => [],
      principalExists: (arn: string) => (asked.push(arn), arn !== BOB),
    };
    expect(grant(kms, key).GrantId).toBeDefined();
    expect(errorOf(() => grant(kms, key, { GranteePrincipal: BOB })).type).toBe('InvalidArnException');
    expect(errorOf(() => grant(kms, key, { GranteePrincipal: 'not-an-arn' })).type).toBe('InvalidArnException');
    expect(asked).toEqual([ALICE, BOB]);
  });

  test('a grant is made now, in the caller\'s account, saved before CreateGrant answers, and its token names it', () => {
    const { kms, store } = fresh();
    const key = keyOf(kms);
    const { GrantId, GrantToken } = grant(kms, key, { RetiringPrincipal: BOB, Name: 'n', Constraints: { EncryptionContextSubset: { a: '1' } } }, root());
    expect(grantIdOfToken(GrantToken)).toBe(GrantId);
    const expected: GrantRecord = {
      GrantId, KeyArn: key.Arn, CreationDate: Date.parse('2026-03-04T05:06:07Z'), IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`,
      GranteePrincipal: ALICE, RetiringPrincipal: BOB, Operations: ['Decrypt'], Name: 'n', Constraints: { EncryptionContextSubset: { a: '1' } },
    };
    expect(kms.grants.get(GrantId)).toEqual(expected);
    expect(new Kms(store, fixedClock()).grants.get(GrantId)).toEqual(expected);
    const plain = grant(kms, key).GrantId; // no retiring principal, constraint or name: no such fields at all
    expect({ ...[...kms.grants.untrackedValues()].find((g) => g.GrantId === plain) }).toStrictEqual({
      GrantId: plain, KeyArn: key.Arn, CreationDate: expected.CreationDate, IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, GranteePrincipal: ALICE, Operations: ['Decrypt'],
    });
  });

  test('without a Name, the same request twice makes two grants; with one, a retry gets the same grant, also with its constraint pairs in another order', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    expect(grant(kms, key).GrantId).not.toBe(grant(kms, key).GrantId);
    const pairs = [['d', '4'], ['b', '2'], ['a', '1'], ['c', '3']] as const;
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2], [2, 3, 0, 1]];
    const context = (order: number[]) => Object.fromEntries(order.map((i) => pairs[i]!));
    for (const kind of ['EncryptionContextSubset', 'EncryptionContextEquals']) {
      const first = grant(kms, key, { Name: kind, Constraints: { [kind]: context(orders[0]!) } }).GrantId;
      for (const order of orders) expect(grant(kms, key, { Name: kind, Constraints: { [kind]: context(order) } }).GrantId, `${kind} ${order}`).toBe(first);
    }
  });

  test('DryRun: DryRunOperationException, nothing made, also for a named retry', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    grant(kms, key, { Name: 'n' });
    expect(errorOf(() => grant(kms, key, { DryRun: true })).type).toBe('DryRunOperationException');
    expect(errorOf(() => grant(kms, key, { Name: 'n', DryRun: true })).type).toBe('DryRunOperationException');
    expect(kms.grants.size).toBe(1);
  });

  test(`a key has at most ${MAX_GRANTS_PER_KEY} grants; other keys' grants do not count`, () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const other = keyOf(kms);
    const { GrantId } = grant(kms, key);
    const model = structuredClone([...kms.grants.untrackedValues()].find((g) => g.GrantId === GrantId)!);
    for (let i = 1; i < MAX_GRANTS_PER_KEY - 1; i++) kms.grants.set(`${i}`, { ...model, GrantId: `${i}` });
    kms.grants.takeChanges(); // stand-ins in memory only: the next save writes just the next grant
    grant(kms, other);
    grant(kms, key); // the 50,000th
    expect(errorOf(() => grant(kms, key))).toEqual({ type: 'LimitExceededException', message: `${key.Arn} already has 50000 grants, the most a KMS key can have.` });
    expect(grant(kms, other).GrantId).toBeDefined();
  });
});

describe('encryption context constraints', () => {
  test('the exact words for two kinds and for a key that is not symmetric', () => {
    const { kms } = fresh();
    expect(errorOf(() => grant(kms, keyOf(kms), { Constraints: { EncryptionContextSubset: {}, EncryptionContextEquals: {} } }))).toEqual({
      type: 'ValidationException', message: 'More than one constraint supplied',
    });
    const hmac = keyOf(kms, 'HMAC_256', 'GENERATE_VERIFY_MAC');
    expect(errorOf(() => grant(kms, hmac, { Operations: ['GenerateMac'], Constraints: { EncryptionContextEquals: { a: '1' } } }))).toEqual({
      type: 'ValidationException',
      message: `Encryption context grant constraints are supported only for symmetric encryption KMS keys; ${hmac.Arn} has KeySpec HMAC_256.`,
    });
  });

  test('8 pairs and 384 characters, keys and values counted over every pair, at most', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(grant(kms, key, { Constraints: { EncryptionContextSubset: pairs(8) } }).GrantId).toBeDefined();
    expect(errorOf(() => grant(kms, key, { Constraints: { EncryptionContextSubset: pairs(9) } })).message).toBe('A grant constraint can include at most 8 encryption context pairs, not 9.');
    const sized = (extra: number) => ({ ab: 'x'.repeat(100), [`c${'d'.repeat(89)}`]: 'y'.repeat(190 + extra) }); // 2 + 100 + 90 + 190 = 382 + extra
    expect(grant(kms, key, { Constraints: { EncryptionContextEquals: sized(2) } }).GrantId).toBeDefined();
    expect(errorOf(() => grant(kms, key, { Constraints: { EncryptionContextEquals: sized(3) } })).message).toBe(
      'The encryption context in a grant constraint cannot exceed 384 characters; this one has 385.',
    );
  });

  test('the constraint is kept as given (a copy), of the kind given', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const subset = { a: '1' };
    const equals = { b: '2' };
    const s = grant(kms, key, { Constraints: { EncryptionContextSubset: subset } }).GrantId;
    const e = grant(kms, key, { Constraints: { EncryptionContextEquals: equals } }).GrantId;
    subset.a = 'changed';
    equals.b = 'changed';
    expect(kms.grants.get(s)!.Constraints).toEqual({ EncryptionContextSubset: { a: '1' } });
    expect(kms.grants.get(e)!.Constraints).toEqual({ EncryptionContextEquals: { b: '2' } });
  });
});

describe('listing grants', () => {
  test('ListGrants shows each grant as AWS does, 50 to a page by default, and filters by grantee', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const first = grant(kms, key).GrantId;
    for (let i = 0; i < 50; i++) grant(kms, key, { GranteePrincipal: BOB });
    const page = listGrants(kms, { KeyId: key.KeyId }, me);
    expect(page.Grants).toHaveLength(50);
    expect(page.Truncated).toBe(true);
    expect(page.Grants[0]).toStrictEqual({
      KeyId: key.Arn, GrantId: first, Name: '', CreationDate: new Date('2026-03-04T05:06:07Z'), GranteePrincipal: ALICE,
      IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Decrypt'],
    });
    const last = listGrants(kms, { KeyId: key.KeyId, Marker: page.NextMarker }, me);
    expect([last.Grants.length, last.Truncated, 'NextMarker' in last]).toEqual([1, false, false]);
    expect(listGrants(kms, { KeyId: key.KeyId, GranteePrincipal: ALICE }, me).Grants.map((g) => g.GrantId)).toEqual([first]);
  });

  test('ListGrants by GrantId finds that grant or says which key has no such grant; a service principal finds nothing; a forged marker is InvalidMarkerException', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const ids = [grant(kms, key).GrantId, grant(kms, key).GrantId];
    expect(listGrants(kms, { KeyId: key.KeyId, GrantId: ids[1] }, me).Grants.map((g) => g.GrantId)).toEqual([ids[1]]);
    expect(errorOf(() => listGrants(kms, { KeyId: keyOf(kms).Arn, GrantId: ids[0] }, me)).type).toBe('InvalidGrantIdException');
    expect(errorOf(() => listGrants(kms, { KeyId: key.KeyId, GrantId: 'f'.repeat(64) }, me))).toEqual({ type: 'InvalidGrantIdException', message: `Grant ID ${'f'.repeat(64)} is not a grant of ${key.Arn}.` });
    expect(listGrants(kms, { KeyId: key.KeyId, GranteeServicePrincipal: 'dynamodb.amazonaws.com' }, me).Grants).toEqual([]);
    expect(listGrants(kms, { KeyId: key.KeyId, Limit: 1 }, me).Grants.map((g) => g.GrantId)).toEqual([ids[0]]);
    expect(errorOf(() => listGrants(kms, { KeyId: key.KeyId, Marker: 'forged' }, me))).toEqual({ type: 'InvalidMarkerException', message: 'Invalid marker: forged' });
    expect(errorOf(() => listGrants(kms, { KeyId: 'alias/none' }, me)).type).toBe('NotFoundException');
  });

  test("ListRetirableGrants: the principal's grants on every key of the caller's Region only, pages; a service principal matches none; not both principals", () => {
    const { kms } = fresh();
    const west = makeCaller({ region: 'us-west-2' });
    const one = keyOf(kms);
    const two = keyOf(kms);
    const westKey = kms.newKey(west, { Description: '', Policy: '', Origin: 'EXTERNAL', KeyState: 'Enabled' });
    const a = grant(kms, one, { RetiringPrincipal: BOB }).GrantId;
    grant(kms, one, { RetiringPrincipal: ALICE });
    grant(kms, one);
    const c = grant(kms, two, { RetiringPrincipal: BOB }).GrantId;
    const w = grant(kms, westKey, { RetiringPrincipal: BOB }, west).GrantId;
    expect(listRetirableGrants(kms, { RetiringPrincipal: BOB }, me).Grants.map((g) => [g.GrantId, g.KeyId])).toEqual([[a, one.Arn], [c, two.Arn]]);
    expect(listRetirableGrants(kms, { RetiringPrincipal: BOB }, west).Grants.map((g) => g.GrantId)).toEqual([w]);
    const paged = listRetirableGrants(kms, { RetiringPrincipal: BOB, Limit: 1 }, me);
    expect([paged.Grants.map((g) => g.GrantId), paged.Truncated]).toEqual([[a], true]);
    expect(listRetirableGrants(kms, { RetiringServicePrincipal: 'dynamodb.amazonaws.com' }, me).Grants).toEqual([]);
    expect(errorOf(() => listRetirableGrants(kms, { RetiringPrincipal: BOB, RetiringServicePrincipal: 'dynamodb.amazonaws.com' }, me)).message).toBe(
      'You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.',
    );
    expect(errorOf(() => listRetirableGrants(kms, { RetiringPrincipal: 'arn:aws:iam::444455556666:user/bob' }, me)).type).toBe('AccessDeniedException');
  });

  test('a listed grant is a copy: changing it changes nothing stored', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const { GrantId } = grant(kms, key, { Name: 'n', RetiringPrincipal: BOB, Constraints: { EncryptionContextSubset: { a: '1' } } });
    const [listed] = listGrants(kms, { KeyId: key.KeyId }, me).Grants;
    expect(listed).toMatchObject({ Name: 'n', RetiringPrincipal: BOB, Constraints: { EncryptionContextSubset: { a: '1' } } });
    listed!.Operations.push('Encrypt');
    listed!.Constraints!.EncryptionContextSubset!.a = 'changed';
    expect(kms.grants.get(GrantId)).toMatchObject({ Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { a: '1' } } });
  });

  test("ListRetirableGrants takes the caller's own account by id or by an ARN, even one ending in twelve digits; another account's is AccessDeniedException", () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const byId = grant(kms, key, { RetiringPrincipal: ACCOUNT }).GrantId;
    const digits = `arn:aws:iam::${ACCOUNT}:user/444455556666`;
    const byDigits = grant(kms, key, { RetiringPrincipal: digits }).GrantId;
    expect(listRetirableGrants(kms, { RetiringPrincipal: ACCOUNT }, me).Grants.map((g) => g.GrantId)).toEqual([byId]);
    expect(listRetirableGrants(kms, { RetiringPrincipal: digits }, me).Grants.map((g) => g.GrantId)).toEqual([byDigits]);
    expect(errorOf(() => listRetirableGrants(kms, { RetiringPrincipal: '444455556666' }, me))).toEqual({
      type: 'AccessDeniedException',
      message: `User: ${me.arn} is not authorized to perform: kms:ListRetirableGrants on resource: 444455556666 because no resource-based policy allows the kms:ListRetirableGrants action`,
    });
    expect(errorOf(() => listRetirableGrants(kms, {}, me)).message).toBe('You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.');
  });

  test("ListRetirableGrants does not list the grants of a key whose deletion date has passed, even when it is the first call after", () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    grant(kms, key, { RetiringPrincipal: BOB });
    key.KeyState = 'PendingDeletion';
    key.DeletionDate = kms.clock.now().getTime() - 1;
    expect(listRetirableGrants(kms, { RetiringPrincipal: BOB }, me).Grants).toEqual([]);
  });
});

describe('retiring and revoking', () => {
  test('a token of a grant already retired is NotFoundException that names the grant; a grant of another key InvalidGrantIdException', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const { GrantId, GrantToken } = grant(kms, key);
    const other = keyOf(kms);
    expect(errorOf(() => retireGrant(kms, { GrantToken, KeyId: other.Arn }, me))).toEqual({
      type: 'InvalidGrantIdException', message: `Grant ID ${GrantId} is not a grant of the key the grant token names.`,
    });
    expect(errorOf(() => retireGrant(kms, { KeyId: other.Arn, GrantId }, me))).toEqual({ type: 'InvalidGrantIdException', message: `Grant ID ${GrantId} is not a grant of ${other.Arn}.` });
    expect(retireGrant(kms, { GrantToken }, me)).toEqual({});
    expect(errorOf(() => retireGrant(kms, { GrantToken }, me))).toEqual({
      type: 'NotFoundException', message: `Grant ${GrantId}, which the grant token names, does not exist (it may have been retired or revoked).`,
    });
  });

  test('RetireGrant names a grant by token (with its own GrantId and key, if given) or by KeyId and GrantId; anything else is refused and retires nothing', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const g = grant(kms, key);
    const other = grant(kms, key);
    const byId = grant(kms, key);
    expect(errorOf(() => retireGrant(kms, { GrantToken: g.GrantToken, GrantId: other.GrantId }, me))).toEqual({
      type: 'InvalidGrantIdException', message: `Grant ID ${other.GrantId} is not a grant of the key the grant token names.`,
    });
    for (const req of [{ KeyId: key.Arn }, { GrantId: g.GrantId }, {}])
      expect(errorOf(() => retireGrant(kms, req, me)), JSON.stringify(req)).toEqual({ type: 'ValidationException', message: 'Grant token OR (grant ID, key ID) must be specified' });
    expect(errorOf(() => retireGrant(kms, { GrantToken: 'not-a-token' }, me)).type).toBe('InvalidGrantTokenException');
    expect(errorOf(() => retireGrant(kms, { KeyId: 'alias/none', GrantId: g.GrantId }, me)).type).toBe('NotFoundException');
    expect(kms.grants.size).toBe(3);
    retireGrant(kms, { GrantToken: g.GrantToken, GrantId: g.GrantId, KeyId: key.Arn }, me);
    retireGrant(kms, { KeyId: key.KeyId, GrantId: byId.GrantId }, me);
    expect([...kms.grants.keys()]).toEqual([other.GrantId]);
  });

  test("with an IAM directory, anyone the grant does not name may retire it only if their account's IAM policies allow kms:RetireGrant on the key", () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const allow = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:RetireGrant', Resource: key.Arn }] });
    const policies = new Map<string, string>([[BOB, allow]]);
    kms.directory = {
      credentials: () => undefined,
      defaultLearner: () => me,
      identityPolicies: (caller: Caller) => (policies.has(caller.arn) ? [{ name: 'p', document: policies.get(caller.arn)! }] : []),
      principalExists: () => true,
    };
    const bob = makeCaller({ userName: 'bob' });
    const carol = makeCaller({ userName: 'carol' });
    const forCarol = grant(kms, key, { RetiringPrincipal: carol.arn });
    const g = grant(kms, key);
    expect(errorOf(() => retireGrant(kms, { GrantToken: g.GrantToken }, carol))).toEqual({
      type: 'AccessDeniedException',
      message: `User: ${carol.arn} is not authorized to perform: kms:RetireGrant on resource: ${key.Arn} because no identity-based policy allows the kms:RetireGrant action`,
    });
    expect(errorOf(() => retireGrant(kms, { GrantToken: g.GrantToken, DryRun: true }, carol)).type).toBe('AccessDeniedException'); // asked before DryRun
    retireGrant(kms, { GrantToken: forCarol.GrantToken }, carol);
    policies.set(BOB, allow.replace(key.Arn, `${key.Arn}-other`));
    expect(errorOf(() => retireGrant(kms, { GrantToken: g.GrantToken }, bob)).type).toBe('AccessDeniedException');
    policies.set(BOB, allow);
    const elsewhere = grant(kms, key);
    kms.grants.get(elsewhere.GrantId)!.IssuingAccount = 'arn:aws:iam::444455556666:root'; // as if made in another account
    expect(errorOf(() => retireGrant(kms, { GrantToken: elsewhere.GrantToken }, bob)).type).toBe('AccessDeniedException');
    retireGrant(kms, { GrantToken: g.GrantToken }, bob);
    expect([...kms.grants.keys()]).toEqual([elsewhere.GrantId]);
  });

  test('ListGrants, RetireGrant and RevokeGrant name the key by id or ARN, never by an alias that exists (NotFoundException)', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const { GrantId } = grant(kms, key);
    kms.putAlias({ AliasName: 'alias/k', AliasArn: kms.aliasArn(me, 'alias/k'), TargetKeyId: key.KeyId, CreationDate: 0, LastUpdatedDate: 0 });
    expect(errorOf(() => listGrants(kms, { KeyId: 'alias/k' }, me)).type).toBe('NotFoundException');
    expect(errorOf(() => revokeGrant(kms, { KeyId: 'alias/k', GrantId }, me)).type).toBe('NotFoundException');
    expect(errorOf(() => retireGrant(kms, { KeyId: 'alias/k', GrantId }, me)).type).toBe('NotFoundException');
    const { GrantToken } = grant(kms, key);
    expect(errorOf(() => retireGrant(kms, { GrantToken, KeyId: 'alias/k' }, me)).type).toBe('NotFoundException');
    expect(kms.grants.size).toBe(2);
  });

  test('a grant token of another version, or with a wrong check, is InvalidGrantTokenException; the same form, version 1 and a right check, names the grant', () => {
    const { kms } = fresh();
    const { GrantId } = grant(kms, keyOf(kms));
    const token = (version: number, checkOf = (body: Buffer) => createHash('sha256').update('kms-workshop grant token\0').update(body).digest().subarray(0, 4)) => {
      const body = Buffer.concat([Buffer.from([version]), Buffer.from(GrantId, 'hex'), Buffer.alloc(16, 7)]);
      return Buffer.concat([body, checkOf(body)]).toString('base64url');
    };
    expect(grantIdOfToken(token(1))).toBe(GrantId);
    for (const bad of [token(2), token(0), token(1, () => Buffer.alloc(4)), token(2, () => Buffer.alloc(4))])
      expect(errorOf(() => grantIdOfToken(bad)).type, bad).toBe('InvalidGrantTokenException');
  });

  test('DryRun retires and revokes nothing; a real retire and revoke are saved before they answer', () => {
    const { kms, store } = fresh();
    const key = keyOf(kms);
    const retired = grant(kms, key);
    const revoked = grant(kms, key).GrantId;
    const kept = grant(kms, key).GrantId;
    expect(errorOf(() => retireGrant(kms, { GrantToken: retired.GrantToken, DryRun: true }, me)).type).toBe('DryRunOperationException');
    expect(errorOf(() => retireGrant(kms, { KeyId: key.KeyId, GrantId: retired.GrantId, DryRun: true }, me)).type).toBe('DryRunOperationException');
    expect(errorOf(() => revokeGrant(kms, { KeyId: key.KeyId, GrantId: revoked, DryRun: true }, me)).type).toBe('DryRunOperationException');
    expect(kms.grants.size).toBe(3);
    retireGrant(kms, { KeyId: key.KeyId, GrantId: retired.GrantId }, me);
    expect([...new Kms(store, fixedClock()).grants.keys()]).toEqual([revoked, kept]);
    expect(revokeGrant(kms, { KeyId: key.Arn, GrantId: revoked }, me)).toEqual({});
    expect([...new Kms(store, fixedClock()).grants.keys()]).toEqual([kept]);
    expect(errorOf(() => revokeGrant(kms, { KeyId: keyOf(kms).KeyId, GrantId: kept }, me)).type).toBe('InvalidGrantIdException');
  });

  test('a grant token is base64url only: a valid token with any other character before or after it is InvalidGrantTokenException', () => {
    const { kms } = fresh();
    const { GrantId, GrantToken } = grant(kms, keyOf(kms));
    expect(grantIdOfToken(GrantToken)).toBe(GrantId);
    for (const bad of [`${GrantToken}!`, `!${GrantToken}`, `${GrantToken}=`, ` ${GrantToken}`, `${GrantToken}\n`, '', GrantToken.slice(0, -1)])
      expect(errorOf(() => grantIdOfToken(bad)), JSON.stringify(bad)).toEqual({ type: 'InvalidGrantTokenException', message: 'The grant token is not valid: it is not a token CreateGrant returned.' });
  });
});

describe('what a grant allows', () => {
  const record = (kms: Kms, key: KeyRecord, fields: Partial<GrantRecord>): GrantRecord => {
    const g: GrantRecord = { GrantId: `${kms.grants.size + 1}`, KeyArn: key.Arn, CreationDate: 0, GranteePrincipal: ALICE, IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Decrypt'], ...fields };
    kms.grants.set(g.GrantId, g);
    return g;
  };

  test('a malformed grant token in the request is InvalidGrantTokenException, even when there are no grants to look through', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    expect(errorOf(() => grantsAnswer(kms, key, alice, { operation: 'Decrypt', grantTokens: ['junk'] })).type).toBe('InvalidGrantTokenException');
    expect(grantsAnswer(kms, key, alice, { operation: 'Decrypt' })).toBe('NotApplicable');
  });

  test('a grant to the account applies to its other identities only when their IAM policies are asked and allow', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    record(kms, key, { GranteePrincipal: `arn:aws:iam::${ACCOUNT}:root` });
    expect(grantsAnswer(kms, key, alice, { operation: 'Decrypt' })).toBe('NotApplicable');
    expect(grantsAnswer(kms, key, alice, { operation: 'Decrypt', accountDelegates: () => true })).toBe('Allow');
    expect(grantsAnswer(kms, key, root(), { operation: 'Decrypt' })).toBe('Allow');
  });

  test('a grantee that only looks like an account root names no account', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    for (const grantee of [`xarn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${ACCOUNT}:rootx`, `arn:aws:iam::${ACCOUNT}:user/root`, `x${ACCOUNT}`, `${ACCOUNT}0`]) {
      kms.grants.clear();
      record(kms, key, { GranteePrincipal: grantee });
      expect(grantsAnswer(kms, key, root(), { operation: 'Decrypt' }), grantee).toBe('NotApplicable');
    }
    kms.grants.clear();
    record(kms, key, { GranteePrincipal: `arn:aws-cn:iam::${ACCOUNT}:root` });
    expect(grantsAnswer(kms, key, root(), { operation: 'Decrypt' })).toBe('Allow');
  });

  test("a role's grant covers its sessions; a grant on another key or for another operation does not apply", () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const role = `arn:aws:iam::${ACCOUNT}:role/admin`;
    const session = makeCaller({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/s`, sessionIssuer: { arn: role } as Caller['sessionIssuer'] });
    record(kms, keyOf(kms), { GranteePrincipal: role, Operations: ['Encrypt'] });
    expect(grantsAnswer(kms, key, session, { operation: 'Encrypt' })).toBe('NotApplicable');
    record(kms, key, { GranteePrincipal: role, Operations: ['Decrypt'] });
    expect(grantsAnswer(kms, key, session, { operation: 'Encrypt' })).toBe('NotApplicable');
    expect(grantsAnswer(kms, key, session, { operation: 'Decrypt' })).toBe('Allow');
    expect(grantsAnswer(kms, key, alice, { operation: 'Decrypt' })).toBe('NotApplicable');
    kms.grants.clear();
    record(kms, key, { GranteePrincipal: ALICE, Operations: ['Decrypt'] }); // someone else's grant: not the session's
    expect(grantsAnswer(kms, key, session, { operation: 'Decrypt' })).toBe('NotApplicable');
  });

  test('a grant to an account by its twelve-digit id applies to its root, not to another account', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    record(kms, key, { GranteePrincipal: ACCOUNT });
    expect(grantsAnswer(kms, key, root(), { operation: 'Decrypt' })).toBe('Allow');
    expect(grantsAnswer(kms, key, root('444455556666'), { operation: 'Decrypt' })).toBe('NotApplicable');
  });

  test('EncryptionContextEquals: exactly its pairs; EncryptionContextSubset: at least its pairs, by value; neither for operations without a context', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    record(kms, key, { Operations: ['Decrypt', 'DescribeKey'], Constraints: { EncryptionContextEquals: { a: '1', b: '2' } } });
    const ask = (operation: string, encryptionContext?: Record<string, string>) => grantsAnswer(kms, key, alice, { operation, encryptionContext });
    expect(ask('Decrypt', { b: '2', a: '1' })).toBe('Allow');
    expect([ask('Decrypt', { a: '1', b: '2', c: '3' }), ask('Decrypt', { a: '1' }), ask('Decrypt', { a: '1', c: '2' }), ask('Decrypt')]).toEqual(Array(4).fill('NotApplicable'));
    expect(ask('DescribeKey')).toBe('Allow');
    kms.grants.clear();
    record(kms, key, { Constraints: { EncryptionContextSubset: { a: '1' } } });
    expect([ask('Decrypt', { a: '1' }), ask('Decrypt', { a: '1', z: '9' })]).toEqual(['Allow', 'Allow']);
    expect([ask('Decrypt', { a: '2' }), ask('Decrypt', { b: '1' }), ask('Decrypt')]).toEqual(Array(3).fill('NotApplicable'));
  });

  test('CreateGrant under a Subset parent: the child must keep its pairs, in a Subset or an Equals; under an empty Equals only an empty Equals', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    record(kms, key, { Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { a: '1' } } });
    const child = (Constraints?: GrantRecord['Constraints']) => grantsAnswer(kms, key, alice, { operation: 'CreateGrant', newGrant: { Operations: ['Decrypt'], Constraints } });
    expect([child({ EncryptionContextSubset: { a: '1', b: '2' } }), child({ EncryptionContextEquals: { a: '1' } })]).toEqual(['Allow', 'Allow']);
    expect([child(), child({ EncryptionContextSubset: { b: '2' } }), child({ EncryptionContextEquals: { a: '2' } })]).toEqual(Array(3).fill('NotApplicable'));
    kms.grants.clear();
    record(kms, key, { Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextEquals: {} } });
    expect([child(), child({ EncryptionContextSubset: {} })]).toEqual(['NotApplicable', 'NotApplicable']);
    expect(child({ EncryptionContextEquals: {} })).toBe('Allow');
  });

  test('CreateGrant under an unconstrained parent: any constraint, but only operations the parent has, and only for a grant described', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    record(kms, key, { Operations: ['Decrypt', 'Encrypt', 'CreateGrant'] });
    const child = (Operations: string[], Constraints?: GrantRecord['Constraints']) => grantsAnswer(kms, key, alice, { operation: 'CreateGrant', newGrant: { Operations, Constraints } });
    expect([child(['Decrypt']), child(['Decrypt', 'Encrypt'], { EncryptionContextSubset: { x: 'y' } }), child(['CreateGrant'], { EncryptionContextEquals: { x: 'y' } })]).toEqual(Array(3).fill('Allow'));
    expect([child(['Decrypt', 'Sign']), child(['Sign']), child(['GenerateDataKey', 'Encrypt'])]).toEqual(Array(3).fill('NotApplicable'));
    expect(grantsAnswer(kms, key, alice, { operation: 'CreateGrant' })).toBe('NotApplicable');
  });

  test('CreateGrant under an EncryptionContextEquals parent: the same pairs, no more and no fewer', () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    record(kms, key, { Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextEquals: { a: '1' } } });
    const child = (equals: Record<string, string>) => grantsAnswer(kms, key, alice, { operation: 'CreateGrant', newGrant: { Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: equals } } });
    expect(child({ a: '1' })).toBe('Allow');
    expect([child({ a: '1', b: '2' }), child({}), child({ a: '2' })]).toEqual(Array(3).fill('NotApplicable'));
  });

  test("who a grant lets retire it: its retiring principal, also as a role's session; its grantee only if it allows RetireGrant; its account's root", () => {
    const { kms } = fresh();
    const key = keyOf(kms);
    const role = `arn:aws:iam::${ACCOUNT}:role/admin`;
    const session = makeCaller({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/s`, sessionIssuer: { arn: role } as Caller['sessionIssuer'] });
    const byRole = record(kms, key, { RetiringPrincipal: role });
    expect([mayRetire(byRole, session), mayRetire(byRole, alice), mayRetire(byRole, makeCaller({ userName: 'admin' }))]).toEqual([true, false, false]);
    const granteeMay = record(kms, key, { GranteePrincipal: role, Operations: ['Decrypt', 'RetireGrant'] });
    const granteeMayNot = record(kms, key, { GranteePrincipal: role, Operations: ['Decrypt'] });
    expect([mayRetire(granteeMay, session), mayRetire(granteeMayNot, session)]).toEqual([true, false]);
    expect([mayRetire(granteeMayNot, root()), mayRetire(granteeMayNot, root('444455556666'))]).toEqual([true, false]);
  });
});
