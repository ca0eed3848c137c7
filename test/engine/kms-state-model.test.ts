// The KMS state model (src/engine/kms/model.ts) driven directly, without HTTP: how a key is
// named (id, ARN, alias, alias ARN, another account's or Region's), the errors for each key
// state, what the engine clock brings due (deletions, rotations, expiries of imported
// material), multi-Region keys kept in step, sealing and opening, and what a restart keeps.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { fixedClock, type Clock } from '../../src/engine/clock.js';
import { HANDLE_BYTES } from '../../src/engine/kms/ciphertext.js';
import { Kms, materialId, materialIdOf, type GrantRecord, type KeyRecord, type ServiceEvent } from '../../src/engine/kms/model.js';
import { openStore, type Store } from '../../src/engine/store.js';
import { errorOf } from '../helpers/errors.js';

const DAY = 24 * 60 * 60 * 1000;
const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const me = makeCaller();
const west = makeCaller({ region: 'us-west-2' });
const stranger = makeCaller({ accountId: OTHER });

function fresh(store: Store = openStore(null), clock = fixedClock()) {
  return { store, clock, kms: new Kms(store, clock) };
}

/** A disabled key whose automatic rotation (every 100 days) falls due 100 days from now. */
function disabledKeyRotatingEvery100Days() {
  const { kms, clock } = fresh();
  const key = kms.newKey(me, { Description: '', Policy: '' });
  const start = clock.now().getTime();
  key.Rotation = { PeriodInDays: 100, NextDate: start + 100 * DAY };
  key.KeyState = 'Disabled';
  return { kms, clock, key, start };
}

function alias(kms: Kms, caller: Caller, name: string, key: KeyRecord) {
  const now = kms.clock.now().getTime();
  kms.putAlias({ AliasName: name, AliasArn: kms.aliasArn(caller, name), TargetKeyId: key.KeyId, CreationDate: now, LastUpdatedDate: now });
}

function grant(kms: Kms, key: KeyRecord, id: string): GrantRecord {
  const g: GrantRecord = { GrantId: id, KeyArn: key.Arn, CreationDate: 0, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:root`, IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Decrypt'] };
  kms.grants.set(id, g);
  return g;
}

describe('naming a key', () => {
  test('key and alias ARNs are built from the Region and account of the caller', () => {
    const { kms } = fresh();
    expect(kms.keyArn(west, 'abc')).toBe('arn:aws:kms:us-west-2:111122223333:key/abc');
    expect(kms.aliasArn(stranger, 'alias/x')).toBe('arn:aws:kms:us-east-1:444455556666:alias/x');
  });

  test('a key is found by its id, its ARN, an alias name and an alias ARN, all the same key', () => {
    const { kms } = fresh();
    const key = kms.newKey(me, { Description: 'd', Policy: 'p' });
    alias(kms, me, 'alias/one', key);
    expect(kms.resolve(key.KeyId, me).KeyId).toBe(key.KeyId);
    expect(kms.resolve(key.Arn, me).KeyId).toBe(key.KeyId);
    expect(kms.resolve('alias/one', me).KeyId).toBe(key.KeyId);
    expect(kms.resolve(kms.aliasArn(me, 'alias/one'), me).KeyId).toBe(key.KeyId);
  });

  test('an alias is refused where only a key id or ARN is allowed, by name or by ARN, in any partition', () => {
    const { kms } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    alias(kms, me, 'alias/one', key);
    expect(errorOf(() => kms.resolve('alias/one', me, { allowAlias: false }))).toEqual({ type: 'NotFoundException', message: 'Invalid keyId alias/one' });
    expect(errorOf(() => kms.resolve('alias/one', me, {}))).toEqual({ type: 'NotFoundException', message: 'Invalid keyId alias/one' });
    const arn = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/one`;
    expect(errorOf(() => kms.resolve(arn, me, { ownAccount: true }))).toEqual({ type: 'NotFoundException', message: `Invalid keyId ${arn}` });
    const cn = `arn:aws-cn:kms:us-east-1:${ACCOUNT}:alias/one`;
    expect(errorOf(() => kms.resolve(cn, me, {}))).toEqual({ type: 'NotFoundException', message: `Invalid keyId ${cn}` });
  });

  test('an unknown alias is named by its ARN: built from the caller for a name, as given for an ARN', () => {
    const { kms } = fresh();
    expect(errorOf(() => kms.resolve('alias/none', west))).toEqual({ type: 'NotFoundException', message: `Alias arn:aws:kms:us-west-2:${ACCOUNT}:alias/none is not found.` });
    const arn = `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/none`;
    expect(errorOf(() => kms.resolve(arn, me))).toEqual({ type: 'NotFoundException', message: `Alias ${arn} is not found.` });
  });

  test("another account's alias ARN finds nothing, even where that account has the alias", () => {
    const { kms } = fresh();
    const theirs = kms.newKey(stranger, { Description: '', Policy: '' });
    alias(kms, stranger, 'alias/theirs', theirs);
    expect(kms.resolve('alias/theirs', stranger).KeyId).toBe(theirs.KeyId);
    const arn = kms.aliasArn(stranger, 'alias/theirs');
    expect(kms.findAlias(arn, me)).toBeUndefined();
    expect(errorOf(() => kms.resolve(arn, me))).toEqual({ type: 'NotFoundException', message: `Alias ${arn} is not found.` });
    expect(kms.findAlias(arn, stranger)?.TargetKeyId).toBe(theirs.KeyId);
  });

  test('an alias ARN names the alias of its own Region; a name, the alias of the caller\'s Region', () => {
    const { kms } = fresh();
    const here = kms.newKey(me, { Description: '', Policy: '' });
    const there = kms.newKey(west, { Description: '', Policy: '' });
    alias(kms, me, 'alias/same', here);
    alias(kms, west, 'alias/same', there);
    expect(kms.findAlias('alias/same', me)?.TargetKeyId).toBe(here.KeyId);
    expect(kms.findAlias('alias/same', west)?.TargetKeyId).toBe(there.KeyId);
    expect(kms.findAlias(kms.aliasArn(west, 'alias/same'), me)?.TargetKeyId).toBe(there.KeyId);
    // that alias's key is in us-west-2: a caller in us-east-1 cannot use it
    expect(errorOf(() => kms.resolve(kms.aliasArn(west, 'alias/same'), me))).toEqual({ type: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${there.KeyId}' does not exist` });
  });

  test("a key ARN of another Region is an invalid ARN, naming its Region; another account's is found only where ownAccount is not asked", () => {
    const { kms } = fresh();
    const here = kms.newKey(me, { Description: '', Policy: '' });
    const theirs = kms.newKey(stranger, { Description: '', Policy: '' });
    const elsewhere = `arn:aws:kms:us-west-2:${ACCOUNT}:key/${here.KeyId}`;
    expect(errorOf(() => kms.resolve(elsewhere, me))).toEqual({ type: 'NotFoundException', message: 'Invalid arn us-west-2' });
    expect(kms.resolve(theirs.Arn, me).KeyId).toBe(theirs.KeyId);
    expect(errorOf(() => kms.resolve(theirs.Arn, me, { allowAlias: true, ownAccount: true }))).toEqual({ type: 'NotFoundException', message: `Key '${theirs.Arn}' does not exist` });
    expect(kms.resolve(here.Arn, me, { ownAccount: true }).KeyId).toBe(here.KeyId);
    // by id, a key is looked for in the caller's own account only
    expect(errorOf(() => kms.resolve(theirs.KeyId, me))).toEqual({ type: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${theirs.KeyId}' does not exist` });
    // an ARN naming an account with no such key
    const wrongAccount = `arn:aws:kms:us-east-1:${OTHER}:key/${here.KeyId}`;
    expect(errorOf(() => kms.resolve(wrongAccount, me))).toEqual({ type: 'NotFoundException', message: `Key '${wrongAccount}' does not exist` });
  });

  test('a single-Region key is not found from another Region by its id', () => {
    const { kms } = fresh();
    const here = kms.newKey(me, { Description: '', Policy: '' });
    expect(errorOf(() => kms.resolve(here.KeyId, west))).toEqual({ type: 'NotFoundException', message: `Key 'arn:aws:kms:us-west-2:${ACCOUNT}:key/${here.KeyId}' does not exist` });
  });

  test('an ARN is read as such from its first character only, in any partition', () => {
    const { kms } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    alias(kms, me, 'alias/one', key);
    for (const ref of [`xarn:aws:kms:us-east-1:${ACCOUNT}:alias/one`, `xarn:aws:kms:us-east-1:${ACCOUNT}:key/${key.KeyId}`])
      expect(errorOf(() => kms.resolve(ref, me))).toEqual({ type: 'NotFoundException', message: `Invalid keyId '${ref}'` });
    const cn = `arn:aws-cn:kms:us-west-2:${ACCOUNT}:key/${key.KeyId}`;
    expect(errorOf(() => kms.resolve(cn, me))).toEqual({ type: 'NotFoundException', message: 'Invalid arn us-west-2' });
    expect(kms.resolve(`arn:aws-cn:kms:us-east-1:${ACCOUNT}:key/${key.KeyId}`, me).KeyId).toBe(key.KeyId);
    expect(kms.findAlias(`arn:aws-cn:kms:us-east-1:${ACCOUNT}:alias/one`, me)?.TargetKeyId).toBe(key.KeyId);
    expect(kms.findAlias(`xarn:aws:kms:us-east-1:${ACCOUNT}:alias/one`, me)).toBeUndefined();
  });

  test('an ARN that names no key or alias is an invalid ARN; an id that is no UUID or mrk id is an invalid key id', () => {
    const { kms } = fresh();
    for (const ref of ['arn:aws:kms:us-east-1:111122223333:grant/x', 'arn:aws:s3:::bucket', 'arn:']) expect(errorOf(() => kms.resolve(ref, me))).toEqual({ type: 'NotFoundException', message: `Invalid arn ${ref}` });
    for (const ref of ['abc', '1234abcd-12ab-34cd-56ef-1234567890a', 'x1234abcd-12ab-34cd-56ef-1234567890ab', '1234abcd-12ab-34cd-56ef-1234567890abx', 'mrk-1234abcd12ab34cd56ef1234567890a', 'xmrk-1234abcd12ab34cd56ef1234567890ab', 'mrk-1234abcd12ab34cd56ef1234567890abc'])
      expect(errorOf(() => kms.resolve(ref, me))).toEqual({ type: 'NotFoundException', message: `Invalid keyId '${ref}'` });
    for (const ref of ['1234ABCD-12ab-34cd-56ef-1234567890ab', 'MRK-1234ABCD12ab34cd56ef1234567890ab'])
      expect(errorOf(() => kms.resolve(ref, me))).toEqual({ type: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${ref}' does not exist` });
  });

  test('every hex digit, 0 to 9 and a to f in either case, is valid in every part of a key id', () => {
    const { kms } = fresh();
    for (const ref of ['09af09af-09af-09af-09af-09af09af09af', '09AF09AF-09AF-09AF-09AF-09AF09AF09AF', 'mrk-09af09af09af09af09af09af09af09af', 'mrk-09AF09AF09AF09AF09AF09AF09AF09AF'])
      expect(errorOf(() => kms.resolve(ref, me))).toEqual({ type: 'NotFoundException', message: `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${ref}' does not exist` });
  });

  test("a multi-Region key's id names the key of the caller's Region; a key ARN, the key of its Region", () => {
    const { kms } = fresh();
    const primary = kms.newKey(me, { Description: 'p', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    expect(primary.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    const replica = kms.replicate(primary, 'us-west-2', { Description: 'r', Policy: '', Tags: [] });
    expect(kms.resolve(primary.KeyId, me).Description).toBe('p');
    expect(kms.resolve(primary.KeyId, west).Description).toBe('r');
    expect(kms.resolve(replica.Arn, west).Description).toBe('r');
    expect(kms.resolve(primary.Arn, me).Description).toBe('p');
  });

  test('aliasesIn lists the aliases of one account in one Region', () => {
    const { kms } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    alias(kms, me, 'alias/a', key);
    alias(kms, me, 'alias/b', key);
    alias(kms, west, 'alias/a', key);
    alias(kms, stranger, 'alias/a', key);
    expect(kms.aliasesIn('us-east-1', ACCOUNT).map((a) => a.AliasName).sort()).toEqual(['alias/a', 'alias/b']);
    expect(kms.aliasesIn('us-west-2', ACCOUNT).map((a) => a.AliasArn)).toEqual([kms.aliasArn(west, 'alias/a')]);
    expect(kms.aliasesIn('us-east-1', OTHER).map((a) => a.AliasArn)).toEqual([kms.aliasArn(stranger, 'alias/a')]);
    kms.deleteAlias(kms.findAlias('alias/a', me)!);
    expect(kms.aliasesIn('us-east-1', ACCOUNT).map((a) => a.AliasName)).toEqual(['alias/b']);
    expect(kms.aliasesIn('us-west-2', ACCOUNT)).toHaveLength(1);
  });
});

describe('key states', () => {
  const states = [
    ['Disabled', 'DisabledException', 'is disabled.'],
    ['PendingDeletion', 'KMSInvalidStateException', 'is pending deletion.'],
    ['PendingImport', 'KMSInvalidStateException', 'is pending import.'],
    ['Unavailable', 'KMSInvalidStateException', 'is unavailable.'],
    ['PendingReplicaDeletion', 'KMSInvalidStateException', 'is pending replica deletion.'],
  ] as const;

  test('only an enabled key is usable; every other state is refused with its own error and words', () => {
    const { kms } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    expect(() => kms.assertUsable(key)).not.toThrow();
    for (const [state, type, words] of states) {
      key.KeyState = state;
      expect(errorOf(() => kms.assertUsable(key))).toEqual({ type, message: `${key.Arn} ${words}` });
    }
  });

  test('a key may be changed in every state but pending deletion and pending replica deletion', () => {
    const { kms } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    for (const state of ['Enabled', 'Disabled', 'PendingImport', 'Unavailable'] as const) {
      key.KeyState = state;
      expect(() => kms.assertNotPendingDeletion(key)).not.toThrow();
    }
    key.KeyState = 'PendingDeletion';
    expect(errorOf(() => kms.assertNotPendingDeletion(key))).toEqual({ type: 'KMSInvalidStateException', message: `${key.Arn} is pending deletion.` });
    key.KeyState = 'PendingReplicaDeletion';
    expect(errorOf(() => kms.assertNotPendingDeletion(key))).toEqual({ type: 'KMSInvalidStateException', message: `${key.Arn} is pending replica deletion.` });
  });
});

describe('a new key', () => {
  test('gets a UUID, its ARN, the caller\'s account and Region, the clock\'s date, symmetric defaults and 32 bytes of material', () => {
    const { kms, clock } = fresh();
    clock.advance(5);
    const key = kms.newKey(west, { Description: 'd', Policy: 'p' });
    expect(key.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect({ ...key, Materials: key.Materials.length }).toEqual({
      KeyId: key.KeyId, Arn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${key.KeyId}`, AWSAccountId: ACCOUNT, Region: 'us-west-2',
      CreationDate: Date.parse('2026-01-01T00:00:05Z'), Description: 'd', Policy: 'p', KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS', KeyManager: 'CUSTOMER', Tags: [], Materials: 1,
    });
    const [m] = key.Materials;
    expect(m!.handle).toMatch(new RegExp(`^[0-9a-f]{${HANDLE_BYTES * 2}}$`));
    expect(m!.created).toBe(Date.parse('2026-01-01T00:00:05Z'));
    const [material] = kms.materialForTest(key.KeyId);
    expect(material).toHaveLength(32);
    expect(m!.id).toBe(materialIdOf(key.KeyId, material!));
    expect(m!.wrapped).not.toContain(material!.toString('base64'));
    expect(kms.currentMaterial(key).equals(material!)).toBe(true);
  });

  test('fields given replace the defaults; a key of imported material (EXTERNAL) gets none', () => {
    const { kms } = fresh();
    const hmac = kms.newKey(me, { Description: '', Policy: '', KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(kms.currentMaterial(hmac)).toHaveLength(48);
    const external = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL', KeyState: 'PendingImport' });
    expect(external.Materials).toEqual([]);
    expect(errorOf(() => kms.currentMaterial(external))).toEqual({ type: 'KMSInvalidStateException', message: `${external.Arn} has no key material.` });
    expect(errorOf(() => kms.seal(external, Buffer.from('x')))).toEqual({ type: 'KMSInvalidStateException', message: `${external.Arn} has no key material.` });
  });

  test('is returned as the tracked record: a change made through it is saved', () => {
    const { kms, store } = fresh();
    const key = kms.newKey(me, { Description: 'before', Policy: '' });
    kms.save();
    key.Description = 'after';
    kms.save();
    expect(new Kms(store, fixedClock()).resolve(key.KeyId, me).Description).toBe('after');
  });
});

describe('key material', () => {
  test('an ECC private key is parsed once and kept; a key without material has none', () => {
    const { kms } = fresh();
    const ecc = kms.newKey(me, { Description: '', Policy: '', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const first = kms.privateKey(ecc);
    expect(first.asymmetricKeyType).toBe('ec');
    expect(kms.privateKey(ecc)).toBe(first);
    const external = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    expect(errorOf(() => kms.privateKey(external))).toEqual({ type: 'KMSInvalidStateException', message: `${external.Arn} has no key material.` });
  });

  test('the last material encrypts; old ciphertexts still open after rotation; ON_DEMAND tells no one', () => {
    const { kms } = fresh();
    const events: ServiceEvent[] = [];
    kms.onServiceEvent = (e) => events.push(e);
    const key = kms.newKey(me, { Description: '', Policy: '' });
    const old = kms.seal(key, Buffer.from('old'), { a: 'b' });
    kms.rotate(key, 'ON_DEMAND', 1234);
    expect(key.Materials.at(-1)).toMatchObject({ created: 1234, rotation: 'ON_DEMAND' });
    expect(events).toEqual([]);
    const fresh2 = kms.seal(key, Buffer.from('new'));
    expect(fresh2.subarray(1, 1 + HANDLE_BYTES).toString('hex')).toBe(key.Materials[1]!.handle);
    expect(old.subarray(1, 1 + HANDLE_BYTES).toString('hex')).toBe(key.Materials[0]!.handle);
    expect(kms.open(key, old, { a: 'b' }).toString()).toBe('old');
    expect(kms.open(key, fresh2).toString()).toBe('new');
    expect(errorOf(() => kms.open(key, old, { a: 'c' })).type).toBe('InvalidCiphertextException');
  });

  test("a blob names its key; another key's blob does not open under this key; a blob of unknown material names none", () => {
    const { kms } = fresh();
    const a = kms.newKey(me, { Description: '', Policy: '' });
    const b = kms.newKey(me, { Description: '', Policy: '' });
    const blob = kms.seal(a, Buffer.from('x'));
    expect(kms.keyOfBlob(blob, 'us-east-1').KeyId).toBe(a.KeyId);
    expect(errorOf(() => kms.open(b, blob))).toEqual({ type: 'InvalidCiphertextException', message: '' });
    expect(errorOf(() => kms.keyOfBlob(blob, 'us-west-2'))).toEqual({ type: 'InvalidCiphertextException', message: '' });
    const unknown = Buffer.from(blob);
    randomBytes(HANDLE_BYTES).copy(unknown, 1);
    expect(errorOf(() => kms.keyOfBlob(unknown, 'us-east-1')).type).toBe('InvalidCiphertextException');
    expect(errorOf(() => kms.open(a, unknown)).type).toBe('InvalidCiphertextException');
    expect(errorOf(() => kms.keyOfBlob(Buffer.from([9, 9, 9]), 'us-east-1')).type).toBe('InvalidCiphertextException');
  });

  test('dropped imported material no longer opens, but its blob still names the key; restored, it opens again', () => {
    const { kms, store } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    const record = kms.addMaterial(key, material, { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } });
    expect(record).toMatchObject({ id: materialIdOf(key.KeyId, material), imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } });
    const blob = kms.seal(key, Buffer.from('secret'));
    kms.dropMaterial(record);
    expect(key.Materials[0]!.wrapped).toBe('');
    expect(kms.keyOfBlob(blob, 'us-east-1').KeyId).toBe(key.KeyId);
    expect(errorOf(() => kms.open(key, blob)).type).toBe('InvalidCiphertextException');
    expect(kms.materialForTest(key.KeyId)).toEqual([]);
    kms.save();
    // nor after a restart, where nothing is cached
    const again = new Kms(store, fixedClock());
    expect(again.keyOfBlob(blob, 'us-east-1').KeyId).toBe(key.KeyId);
    expect(errorOf(() => again.open(again.resolve(key.KeyId, me), blob)).type).toBe('InvalidCiphertextException');
    kms.restoreMaterial(key, key.Materials[0]!, material);
    expect(key.Materials[0]!.wrapped).not.toBe('');
    expect(kms.open(key, blob).toString()).toBe('secret');
    kms.save();
    expect(new Kms(store, fixedClock()).open(key, blob).toString()).toBe('secret');
  });

  test('material made for later (pending rotation) is not the key\'s yet', () => {
    const { kms } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    const pending = kms.newMaterial(key, randomBytes(32), { rotation: 'ON_DEMAND' });
    expect(key.Materials).toHaveLength(1);
    expect(pending.rotation).toBe('ON_DEMAND');
    expect(pending.handle).not.toBe(key.Materials[0]!.handle);
  });

  test('after a restart, material is unwrapped from the store: ciphertexts open and the private key parses', () => {
    const { kms, store } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    const ecc = kms.newKey(me, { Description: '', Policy: '', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const blob = kms.seal(key, Buffer.from('kept'), { k: 'v' });
    const before = kms.materialForTest(key.KeyId);
    kms.save();
    const again = new Kms(store, fixedClock());
    const reloaded = again.resolve(key.KeyId, me);
    expect(again.keyOfBlob(blob, 'us-east-1').KeyId).toBe(key.KeyId);
    expect(again.open(reloaded, blob, { k: 'v' }).toString()).toBe('kept');
    expect(again.materialForTest(key.KeyId)).toEqual(before);
    expect(again.privateKey(again.resolve(ecc.KeyId, me)).asymmetricKeyType).toBe('ec');
    expect(errorOf(() => again.materialForTest('no-such-key'))).toEqual({ type: 'NotFoundException', message: 'no-such-key' });
  });

  test('a material id is fixed by key id and material; one without an id gets the hash of its handle', () => {
    const m = Buffer.from('material');
    const expected = createHash('sha256').update('kms-workshop key material id\0').update('k1').update('\0').update(m).digest('hex');
    expect(materialIdOf('k1', m)).toBe(expected);
    expect(materialIdOf('k2', m)).not.toBe(expected);
    expect(materialId({ handle: 'ab', wrapped: '', created: 0 })).toBe(createHash('sha256').update('ab').digest('hex'));
    expect(materialId({ handle: 'ab', wrapped: '', created: 0, id: 'given' })).toBe('given');
  });
});

describe('deletion when its date comes', () => {
  test('a key pending deletion is deleted at its deletion date, not a millisecond before, with its aliases and grants', () => {
    const { kms, clock, store } = fresh();
    const doomed = kms.newKey(me, { Description: '', Policy: '' });
    const kept = kms.newKey(me, { Description: '', Policy: '' });
    alias(kms, me, 'alias/doomed', doomed);
    alias(kms, me, 'alias/kept', kept);
    grant(kms, doomed, 'g-doomed');
    grant(kms, kept, 'g-kept');
    const blob = kms.seal(doomed, Buffer.from('x'));
    doomed.KeyState = 'PendingDeletion';
    doomed.DeletionDate = clock.now().getTime() + 1000;
    kms.save();
    clock.advance(0.999);
    kms.sweepDeleted();
    expect(kms.resolve(doomed.KeyId, me).KeyState).toBe('PendingDeletion');
    clock.advance(0.001);
    expect(errorOf(() => kms.resolve(doomed.KeyId, me)).type).toBe('NotFoundException');
    expect(kms.findAlias('alias/doomed', me)).toBeUndefined();
    expect(kms.findAlias('alias/kept', me)?.TargetKeyId).toBe(kept.KeyId);
    expect([...kms.grants.keys()]).toEqual(['g-kept']);
    expect(errorOf(() => kms.keyOfBlob(blob, 'us-east-1')).type).toBe('InvalidCiphertextException');
    // and saved: a restart does not bring them back
    const again = new Kms(store, fixedClock());
    expect([...again.keys.values()].map((k) => k.KeyId)).toEqual([kept.KeyId]);
    expect([...again.aliases.values()].map((a) => a.AliasName)).toEqual(['alias/kept']);
    expect([...again.grants.keys()]).toEqual(['g-kept']);
  });

  test('only a key pending deletion with a date is deleted', () => {
    const { kms, clock } = fresh();
    const disabled = kms.newKey(me, { Description: '', Policy: '' });
    disabled.KeyState = 'Disabled';
    disabled.DeletionDate = clock.now().getTime() - 1;
    const undated = kms.newKey(me, { Description: '', Policy: '' });
    undated.KeyState = 'PendingDeletion';
    kms.sweepDeleted();
    expect(kms.keys.size).toBe(2);
  });

  test("a key is deleted on its own account's clock when accounts have clocks of their own", () => {
    const { kms, clock } = fresh();
    const mine = kms.newKey(me, { Description: '', Policy: '' });
    const theirs = kms.newKey(stranger, { Description: '', Policy: '' });
    for (const k of [mine, theirs]) {
      k.KeyState = 'PendingDeletion';
      k.DeletionDate = clock.now().getTime() + 7 * DAY;
    }
    clock.advanceAccount(OTHER, 8 * 24 * 3600);
    kms.sweepDeleted();
    expect([...kms.keys.values()].map((k) => k.KeyId)).toEqual([mine.KeyId]);
  });

  test("a multi-Region key's aliases in other Regions stay when one Region's key is deleted", () => {
    const { kms, clock } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    const replica = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    alias(kms, me, 'alias/p', primary);
    alias(kms, west, 'alias/r', replica);
    replica.KeyState = 'PendingDeletion';
    replica.DeletionDate = clock.now().getTime();
    kms.sweepDeleted();
    expect(kms.findAlias('alias/r', west)).toBeUndefined();
    expect(kms.findAlias('alias/p', me)?.TargetKeyId).toBe(primary.KeyId);
    expect(kms.multiRegionKeys(primary.KeyId).map((k) => k.Region)).toEqual(['us-east-1']);
  });

  test("a primary waiting for its replicas starts its own waiting period when the last one is deleted", () => {
    const { kms, clock } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    clock.advance(1);
    const r1 = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    clock.advance(1);
    const r2 = kms.replicate(primary, 'eu-west-1', { Description: '', Policy: '', Tags: [] });
    primary.KeyState = 'PendingReplicaDeletion';
    primary.PendingWindowInDays = 7;
    const t = clock.now().getTime();
    r1.KeyState = 'PendingDeletion';
    r1.DeletionDate = t + DAY;
    r2.KeyState = 'PendingDeletion';
    r2.DeletionDate = t + 2 * DAY;
    clock.advance(DAY / 1000);
    kms.sweepDeleted();
    expect(kms.resolve(primary.KeyId, me).KeyState).toBe('PendingReplicaDeletion');
    clock.advance(DAY / 1000 + 5);
    kms.sweepDeleted();
    expect(kms.resolve(primary.KeyId, me)).toMatchObject({ KeyState: 'PendingDeletion', DeletionDate: t + 2 * DAY + 7 * DAY });
  });

  test('a primary with no waiting period of its own waits 30 days; one not waiting for its replicas is left alone', () => {
    const { kms, clock } = fresh();
    const waiting = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    const enabled = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    const r1 = kms.replicate(waiting, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    const r2 = kms.replicate(enabled, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    waiting.KeyState = 'PendingReplicaDeletion';
    const t = clock.now().getTime();
    for (const r of [r1, r2]) {
      r.KeyState = 'PendingDeletion';
      r.DeletionDate = t;
    }
    kms.sweepDeleted();
    expect(kms.resolve(waiting.KeyId, me)).toMatchObject({ KeyState: 'PendingDeletion', DeletionDate: t + 30 * DAY });
    expect(kms.resolve(enabled.KeyId, me).KeyState).toBe('Enabled');
    expect(kms.resolve(enabled.KeyId, me).DeletionDate).toBeUndefined();
  });

  test('a deleted primary (no key left in its Region) does not keep its replicas from being deleted', () => {
    const { kms, clock } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    const replica = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    kms.keys.delete(`us-east-1/${primary.KeyId}`);
    replica.KeyState = 'PendingDeletion';
    replica.DeletionDate = clock.now().getTime();
    kms.sweepDeleted();
    expect(kms.keys.size).toBe(0);
  });
});

describe('multi-Region keys', () => {
  test('only an mrk id has related keys, oldest first', () => {
    const { kms, clock } = fresh();
    const single = kms.newKey(me, { Description: '', Policy: '' });
    expect(kms.multiRegionKeys(single.KeyId)).toEqual([]);
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    clock.advance(2);
    kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    clock.advance(1);
    kms.replicate(primary, 'ap-south-1', { Description: '', Policy: '', Tags: [] });
    // inserted out of order in the map: the order is by creation date
    const west2 = kms.multiRegionKeys(primary.KeyId)[1]!;
    kms.keys.delete(`us-west-2/${primary.KeyId}`);
    kms.keys.set(`us-west-2/${primary.KeyId}`, west2);
    expect(kms.multiRegionKeys(primary.KeyId).map((k) => k.Region)).toEqual(['us-east-1', 'us-west-2', 'ap-south-1']);
  });

  test("a replica has the primary's id, spec, usage, origin, material and rotation, and its own description, policy, tags, date and state", () => {
    const { kms, clock } = fresh();
    const primary = kms.newKey(stranger, { Description: 'p', Policy: 'pp', MultiRegionKeyType: 'PRIMARY', KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Tags: [{ TagKey: 'a', TagValue: 'b' }] });
    primary.Rotation = { PeriodInDays: 90, NextDate: 5 };
    clock.advance(60);
    const replica = kms.replicate(primary, 'eu-west-1', { Description: 'r', Policy: 'rp', Tags: [{ TagKey: 'c', TagValue: 'd' }] });
    expect(replica).toEqual({
      KeyId: primary.KeyId, Arn: `arn:aws:kms:eu-west-1:${OTHER}:key/${primary.KeyId}`, AWSAccountId: OTHER, Region: 'eu-west-1',
      CreationDate: Date.parse('2026-01-01T00:01:00Z'), KeyState: 'Enabled', KeyUsage: 'GENERATE_VERIFY_MAC', KeySpec: 'HMAC_256', Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER', MultiRegionKeyType: 'REPLICA', Description: 'r', Policy: 'rp', Tags: [{ TagKey: 'c', TagValue: 'd' }],
      Materials: JSON.parse(JSON.stringify(primary.Materials)), Rotation: { PeriodInDays: 90, NextDate: 5 },
    });
    expect(kms.currentMaterial(replica).equals(kms.currentMaterial(primary))).toBe(true);
  });

  test("the primary's changes reach its replicas when saved: new material, rotation set and removed", () => {
    const { kms } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    const replica = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    kms.save();
    kms.rotate(primary, 'ON_DEMAND', 99);
    primary.Rotation = { PeriodInDays: 180, NextDate: 77 };
    expect(replica.Materials).toHaveLength(1);
    kms.save();
    expect(replica.Materials.map((m) => m.handle)).toEqual(primary.Materials.map((m) => m.handle));
    expect(replica.Rotation).toEqual({ PeriodInDays: 180, NextDate: 77 });
    // a copy, not the same object: a change to the replica's does not reach the primary's
    replica.Rotation!.NextDate = 1;
    expect(primary.Rotation.NextDate).toBe(77);
    const blob = kms.seal(primary, Buffer.from('both'));
    expect(kms.keyOfBlob(blob, 'us-west-2').Region).toBe('us-west-2');
    expect(kms.open(kms.keyOfBlob(blob, 'us-west-2'), blob).toString()).toBe('both');
    delete primary.Rotation;
    kms.save();
    expect(replica.Rotation).toBeUndefined();
    expect('Rotation' in replica).toBe(false);
  });

  test("a replica of a key with imported material lacks it until the same material is imported into it; pending material is shared the same way", () => {
    const { kms } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY', Origin: 'EXTERNAL', KeyState: 'PendingImport' });
    const material = randomBytes(32);
    kms.addMaterial(primary, material, { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: 5000, Description: 'primary\'s' } });
    primary.KeyState = 'Enabled';
    const replica = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    expect(replica.KeyState).toBe('PendingImport');
    expect(replica.Materials).toEqual([{ handle: primary.Materials[0]!.handle, id: primary.Materials[0]!.id, created: primary.Materials[0]!.created, wrapped: '' }]);
    // the primary's blob names the replica, which cannot open it yet
    const blob = kms.seal(primary, Buffer.from('imported'));
    expect(kms.keyOfBlob(blob, 'us-west-2').Region).toBe('us-west-2');
    expect(errorOf(() => kms.currentMaterial(replica)).type).toBe('KMSInvalidStateException');
    // imported into the replica, with its own expiry: kept at every later save
    kms.restoreMaterial(replica, replica.Materials[0]!, material);
    replica.Materials[0]!.imported = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
    replica.KeyState = 'Enabled';
    primary.Description = 'changed';
    kms.save();
    expect(replica.Materials[0]!.wrapped).not.toBe('');
    expect(replica.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(primary.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: 5000, Description: 'primary\'s' });
    expect(kms.open(replica, blob).toString()).toBe('imported');
    // material the primary waits to rotate to: the replica has it only once imported there too
    const next = randomBytes(32);
    primary.PendingMaterial = kms.newMaterial(primary, next, { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } });
    kms.save();
    expect(replica.PendingMaterial).toEqual({ handle: primary.PendingMaterial.handle, id: primary.PendingMaterial.id, created: primary.PendingMaterial.created, wrapped: '' });
    replica.PendingMaterial!.wrapped = 'x';
    primary.Description = 'changed again';
    kms.save();
    expect(replica.PendingMaterial!.wrapped).toBe('x');
    delete primary.PendingMaterial;
    kms.save();
    expect('PendingMaterial' in replica).toBe(false);
  });

  test("a blob opens under the replica that still holds imported material the primary has deleted, after a restart too", () => {
    const { kms, store } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY', Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    kms.addMaterial(primary, material, { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } });
    const replica = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    kms.restoreMaterial(replica, replica.Materials[0]!, material);
    const blob = kms.seal(primary, Buffer.from('still here'));
    kms.dropMaterial(primary.Materials[0]!);
    kms.save();
    const again = new Kms(store, fixedClock());
    const againReplica = again.keyOfBlob(blob, 'us-west-2');
    expect(againReplica.Region).toBe('us-west-2');
    expect(again.open(againReplica, blob).toString()).toBe('still here');
  });

  test('a replica that holds imported material without an imported record keeps it without one', () => {
    const { kms } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY', Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    kms.addMaterial(primary, material, { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } });
    const replica = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    kms.restoreMaterial(replica, replica.Materials[0]!, material);
    primary.Description = 'x';
    kms.save();
    expect(replica.Materials[0]!.wrapped).not.toBe('');
    expect('imported' in replica.Materials[0]!).toBe(false);
  });
});

describe('what the clock brings due', () => {
  test('a disabled key whose rotation is not due yet has missed nothing', () => {
    const { kms, clock } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '', KeyManager: 'AWS', KeyState: 'Disabled' });
    kms.sweepDeleted();
    expect(key.Rotation).toEqual({ PeriodInDays: 365, NextDate: clock.now().getTime() + 365 * DAY });
  });

  test('only the imported material whose ValidTo has come expires, not another that expires later', () => {
    const { kms, clock } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    const now = clock.now().getTime();
    kms.addMaterial(key, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: now + 1000 } });
    kms.addMaterial(key, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: now + 10 * DAY }, rotation: 'ON_DEMAND' });
    clock.advance(1);
    kms.sweepDeleted();
    expect(key.Materials.map((m) => m.wrapped === '')).toEqual([true, false]);
  });

  test('a key becomes PendingImport when any one of its imported materials expires, not only the current one', () => {
    const { kms, clock } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    const now = clock.now().getTime();
    kms.addMaterial(key, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: now + 1000 } });
    kms.addMaterial(key, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }, rotation: 'ON_DEMAND' });
    clock.advance(1);
    kms.sweepDeleted();
    expect(key.KeyState).toBe('PendingImport');
    expect(key.Materials.map((m) => m.wrapped === '')).toEqual([true, false]);
  });


  test('an automatic rotation runs at its date, as of that date, and as many times as the clock passed; RotateKey is told', () => {
    const { kms, clock } = fresh();
    const events: ServiceEvent[] = [];
    kms.onServiceEvent = (e) => events.push(e);
    const key = kms.newKey(me, { Description: '', Policy: '' });
    const start = clock.now().getTime();
    key.Rotation = { PeriodInDays: 90, NextDate: start + 90 * DAY };
    kms.save();
    clock.advance(90 * 86400 - 1);
    kms.sweepDeleted();
    expect(key.Materials).toHaveLength(1);
    clock.advance(1);
    kms.sweepDeleted();
    expect(key.Materials.map((m) => [m.created, m.rotation])).toEqual([[start, undefined], [start + 90 * DAY, 'AUTOMATIC']]);
    expect(key.Rotation).toEqual({ PeriodInDays: 90, NextDate: start + 180 * DAY });
    clock.advance(200 * 86400);
    kms.resolve(key.KeyId, me);
    expect(key.Materials.slice(2).map((m) => m.created)).toEqual([start + 180 * DAY, start + 270 * DAY]);
    expect(key.Rotation.NextDate).toBe(start + 360 * DAY);
    expect(events.map((e) => [e.eventName, e.key.KeyId, e.time])).toEqual([
      ['RotateKey', key.KeyId, start + 90 * DAY],
      ['RotateKey', key.KeyId, start + 180 * DAY],
      ['RotateKey', key.KeyId, start + 270 * DAY],
    ]);
  });

  test('rotations the clock brings are saved', () => {
    const { kms, clock, store } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    key.Rotation = { PeriodInDays: 90, NextDate: clock.now().getTime() + 90 * DAY };
    kms.save();
    clock.advance(90 * 86400);
    kms.sweepDeleted();
    const again = new Kms(store, fixedClock());
    expect(again.resolve(key.KeyId, me).Materials).toHaveLength(2);
  });

  test('a disabled key misses its rotation, and rotates as soon as it is enabled, its next date a period on', () => {
    const { kms, clock, key, start } = disabledKeyRotatingEvery100Days();
    const events: ServiceEvent[] = [];
    kms.onServiceEvent = (e) => events.push(e);
    clock.advance(50 * 86400);
    kms.sweepDeleted();
    expect(key.Rotation).toEqual({ PeriodInDays: 100, NextDate: start + 100 * DAY });
    clock.advance(60 * 86400);
    kms.sweepDeleted();
    expect(key.Rotation).toEqual({ PeriodInDays: 100, NextDate: start + 100 * DAY, Missed: true });
    expect(key.Materials).toHaveLength(1);
    clock.advance(10 * 86400);
    key.KeyState = 'Enabled';
    kms.sweepDeleted();
    expect(key.Materials.map((m) => [m.created, m.rotation])).toEqual([[start, undefined], [start + 120 * DAY, 'AUTOMATIC']]);
    expect(key.Rotation).toEqual({ PeriodInDays: 100, NextDate: start + 220 * DAY });
    expect(events.map((e) => [e.eventName, e.time])).toEqual([['RotateKey', start + 120 * DAY]]);
  });

  test('a disabled key misses a rotation falling due at exactly the time the clock shows', () => {
    const { kms, clock, key, start } = disabledKeyRotatingEvery100Days();
    clock.advance(100 * 86400);
    kms.sweepDeleted();
    expect(key.Rotation).toEqual({ PeriodInDays: 100, NextDate: start + 100 * DAY, Missed: true });
  });

  test('an AWS managed key rotates every year from its creation, with no rotation set for it', () => {
    const { kms, clock } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '', KeyManager: 'AWS' });
    const start = clock.now().getTime();
    kms.sweepDeleted();
    expect(key.Rotation).toEqual({ PeriodInDays: 365, NextDate: start + 365 * DAY });
    expect(key.Materials).toHaveLength(1);
    clock.advance(365 * 86400);
    kms.sweepDeleted();
    expect(key.Materials.map((m) => [m.created, m.rotation])).toEqual([[start, undefined], [start + 365 * DAY, 'AUTOMATIC']]);
    // its schedule is set once: the next year's rotation is the next one
    kms.sweepDeleted();
    expect(key.Materials).toHaveLength(2);
    expect(key.Rotation).toEqual({ PeriodInDays: 365, NextDate: start + 730 * DAY });
  });

  test('a replica never rotates on its own, even past the rotation date it shares', () => {
    const { kms, clock } = fresh();
    const primary = kms.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    primary.Rotation = { PeriodInDays: 90, NextDate: clock.now().getTime() + 90 * DAY };
    const replica = kms.replicate(primary, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    kms.save();
    primary.KeyState = 'Disabled'; // the primary does not rotate either
    kms.save();
    clock.advance(91 * 86400);
    kms.sweepDeleted();
    expect(replica.Materials).toHaveLength(1);
    expect(replica.Rotation).toEqual(primary.Rotation); // the primary's missed rotation, shared
    primary.KeyState = 'Enabled';
    kms.sweepDeleted();
    expect(replica.Materials.map((m) => m.handle)).toEqual(primary.Materials.map((m) => m.handle));
    expect(replica.Materials).toHaveLength(2);
  });

  test('a key is due on its own account\'s clock', () => {
    const { kms, clock } = fresh();
    const mine = kms.newKey(me, { Description: '', Policy: '' });
    const theirs = kms.newKey(stranger, { Description: '', Policy: '' });
    for (const k of [mine, theirs]) k.Rotation = { PeriodInDays: 90, NextDate: clock.now().getTime() + 90 * DAY };
    clock.advanceAccount(OTHER, 90 * 86400);
    kms.sweepDeleted();
    expect(mine.Materials).toHaveLength(1);
    expect(theirs.Materials).toHaveLength(2);
  });

  test('imported material expires at its ValidTo: the key becomes PendingImport, DeleteExpiredKeyMaterial is told, and it is saved', () => {
    const { kms, clock, store } = fresh();
    const events: ServiceEvent[] = [];
    kms.onServiceEvent = (e) => events.push(e);
    const key = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    const validTo = clock.now().getTime() + 1000;
    const record = kms.addMaterial(key, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo } });
    const lasting = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    kms.addMaterial(lasting, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } });
    const blob = kms.seal(key, Buffer.from('x'));
    kms.save();
    clock.advance(0.999);
    kms.sweepDeleted();
    expect(key.KeyState).toBe('Enabled');
    expect(kms.open(key, blob).toString()).toBe('x');
    clock.advance(0.001);
    kms.sweepDeleted();
    expect(key.KeyState).toBe('PendingImport');
    expect(key.Materials[0]!.wrapped).toBe('');
    expect(key.Materials[0]!.handle).toBe(record.handle);
    expect(errorOf(() => kms.open(key, blob)).type).toBe('InvalidCiphertextException');
    expect(events.map((e) => [e.eventName, e.key.KeyId, e.time])).toEqual([['DeleteExpiredKeyMaterial', key.KeyId, validTo]]);
    expect(lasting.KeyState).toBe('Enabled');
    // once only
    clock.advance(5);
    kms.sweepDeleted();
    expect(events).toHaveLength(1);
    expect(new Kms(store, fixedClock()).resolve(key.KeyId, me).KeyState).toBe('PendingImport');
  });

  test('a key pending deletion stays so when its imported material expires; expired pending material simply goes', () => {
    const { kms, clock } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    const now = clock.now().getTime();
    kms.addMaterial(key, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: now + 1000 } });
    key.KeyState = 'PendingDeletion';
    key.DeletionDate = now + 7 * DAY;
    const other = kms.newKey(me, { Description: '', Policy: '', Origin: 'EXTERNAL' });
    kms.addMaterial(other, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } });
    const events: ServiceEvent[] = [];
    kms.onServiceEvent = (e) => events.push(e);
    other.PendingMaterial = kms.newMaterial(other, randomBytes(32), { imported: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: now + 1000 } });
    clock.advance(1);
    kms.sweepDeleted();
    expect(key.KeyState).toBe('PendingDeletion');
    expect(key.Materials[0]!.wrapped).toBe('');
    expect(other.KeyState).toBe('Enabled');
    expect(other).not.toHaveProperty('PendingMaterial');
    // only the key's own material is told as deleted: pending material never was the key's
    expect(events.map((e) => e.key.KeyId)).toEqual([key.KeyId]);
  });

  test('material of a key KMS made never expires, whatever its record says', () => {
    const { kms, clock } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    key.Materials[0]!.imported = { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: clock.now().getTime() };
    clock.advance(1);
    kms.sweepDeleted();
    expect(key.KeyState).toBe('Enabled');
    expect(key.Materials[0]!.wrapped).not.toBe('');
  });
});

describe('a clock without accounts of its own', () => {
  test('a Clock with only now() and advance() (accountTimes is optional) brings deletions and rotations due on its time', () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock: Clock = { now: () => new Date(now), advance: (seconds) => void (now += seconds * 1000) };
    const kms = new Kms(openStore(null), clock);
    const doomed = kms.newKey(me, { Description: '', Policy: '' });
    doomed.KeyState = 'PendingDeletion';
    doomed.DeletionDate = now + DAY;
    const rotating = kms.newKey(me, { Description: '', Policy: '' });
    rotating.Rotation = { PeriodInDays: 90, NextDate: now + 90 * DAY };
    clock.advance(90 * 86400);
    kms.sweepDeleted();
    expect([...kms.keys.values()].map((k) => k.KeyId)).toEqual([rotating.KeyId]);
    expect(rotating.Materials).toHaveLength(2);
  });
});

describe('what a restart keeps', () => {
  test('keys, aliases and grants, changed and deleted, come back from the journal as they were', () => {
    const { kms, store } = fresh();
    const a = kms.newKey(me, { Description: 'a', Policy: '' });
    const b = kms.newKey(west, { Description: 'b', Policy: '' });
    alias(kms, me, 'alias/a', a);
    alias(kms, me, 'alias/gone', a);
    grant(kms, a, 'g1');
    grant(kms, b, 'g2');
    kms.save();
    kms.keys.delete(b.KeyId);
    kms.deleteAlias(kms.findAlias('alias/gone', me)!);
    kms.grants.delete('g2');
    a.Description = 'a2';
    kms.save();
    const again = new Kms(store, fixedClock());
    expect([...again.keys.values()]).toEqual([{ ...a }]);
    expect([...again.aliases.values()].map((x) => x.AliasName)).toEqual(['alias/a']);
    expect([...again.grants.values()].map((g) => g.GrantId)).toEqual(['g1']);
    // nothing is left to save after loading
    again.save();
    expect(store.openJournal('kms.journal').lines).toHaveLength(2);
  });

  test("the replicas' shared material, changed by the primary's rotation, is saved with it", () => {
    const { kms: first, store } = fresh();
    const created = first.newKey(me, { Description: '', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    first.replicate(created, 'us-west-2', { Description: '', Policy: '', Tags: [] });
    first.save();
    // after a restart, so that nothing but the rotation is waiting to be saved
    const kms = new Kms(store, fixedClock());
    const primary = kms.resolve(created.KeyId, me);
    kms.rotate(primary, 'ON_DEMAND', 5);
    kms.save();
    const blob = kms.seal(primary, Buffer.from('rotated'));
    const again = new Kms(store, fixedClock());
    const replica = again.resolve(primary.KeyId, west);
    expect(replica.Materials.map((m) => m.handle)).toEqual(primary.Materials.map((m) => m.handle));
    expect(again.open(replica, blob).toString()).toBe('rotated');
  });

  test('a save with no change writes nothing', () => {
    const { kms, store } = fresh();
    kms.save();
    expect(store.openJournal('kms.journal').lines).toHaveLength(0);
    kms.newKey(me, { Description: '', Policy: '' });
    kms.save();
    kms.save();
    expect(store.openJournal('kms.journal').lines).toHaveLength(1);
  });

  test('a snapshot written before grants existed loads, with the journal after it', () => {
    const store = openStore(null);
    const { kms: first } = fresh();
    const key = first.newKey(me, { Description: 'snap', Policy: '' });
    const mrk = first.newKey(me, { Description: 'mrk', Policy: '', MultiRegionKeyType: 'PRIMARY' });
    const aliasRecord = { AliasName: 'alias/s', AliasArn: first.aliasArn(me, 'alias/s'), TargetKeyId: key.KeyId, CreationDate: 0, LastUpdatedDate: 0 };
    store.writeJson('kms.json', { keys: [JSON.parse(JSON.stringify(key)), JSON.parse(JSON.stringify(mrk))], aliases: [aliasRecord] });
    store.openJournal('kms.journal').append(JSON.stringify([{ deletedAlias: `${ACCOUNT}/us-east-1/alias/s` }, { alias: { ...aliasRecord, AliasName: 'alias/t', AliasArn: first.aliasArn(me, 'alias/t') } }]));
    const kms = new Kms(store, fixedClock());
    expect(kms.resolve(key.KeyId, me).Description).toBe('snap');
    expect(kms.resolve(mrk.KeyId, me).Description).toBe('mrk');
    expect(kms.findAlias('alias/s', me)).toBeUndefined();
    expect(kms.resolve('alias/t', me).KeyId).toBe(key.KeyId);
    expect(kms.grants.size).toBe(0);
    // nothing loaded counts as changed
    kms.save();
    expect(store.openJournal('kms.journal').lines).toHaveLength(1);
  });

  test('a snapshot with grants loads them', () => {
    const store = openStore(null);
    const g = { GrantId: 'g', KeyArn: 'arn', CreationDate: 0, GranteePrincipal: 'p', IssuingAccount: 'i', Operations: ['Encrypt'] };
    store.writeJson('kms.json', { keys: [], aliases: [], grants: [g] });
    expect([...new Kms(store, fixedClock()).grants.values()]).toEqual([g]);
  });

  test('the journal is compacted into a snapshot once it outgrows it, and both load', () => {
    const { kms, store } = fresh();
    const key = kms.newKey(me, { Description: '', Policy: '' });
    alias(kms, me, 'alias/kept', key);
    grant(kms, key, 'g-kept');
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 6; i++) {
      key.Description = `${i}${big}`;
      kms.save();
    }
    expect(store.readJson<{ keys: KeyRecord[]; aliases: unknown[]; grants: unknown[] }>('kms.json')).toMatchObject({ keys: [{ KeyId: key.KeyId }], aliases: [{ AliasName: 'alias/kept' }], grants: [{ GrantId: 'g-kept' }] });
    expect(store.openJournal('kms.journal').lines.length).toBeLessThan(6);
    const again = new Kms(store, fixedClock());
    expect(again.resolve(key.KeyId, me).Description).toBe(`5${big}`);
    expect(again.resolve('alias/kept', me).KeyId).toBe(key.KeyId);
    expect([...again.grants.keys()]).toEqual(['g-kept']);
  });
});
