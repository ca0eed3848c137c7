// kms/import.ts called directly on a Kms model, without HTTP (kms-import and kms-import-details
// show the same through the SDK): which keys take imported material, the ExpirationModel and
// ValidTo rules, the material each key spec takes, ImportType and KeyMaterialId, the key state
// an import or a deletion leaves, and what a restart keeps. One RSA_2048 wrapping pair serves
// every import token (sealed as GetParametersForImport seals them), so that the file makes
// almost no RSA keys and runs fast enough for mutation testing.
import { constants, createCipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from '../../src/engine/kms/import.js';
import { createKey, disableKey, scheduleKeyDeletion } from '../../src/engine/kms/lifecycle.js';
import { Kms, materialIdOf, type KeyRecord } from '../../src/engine/kms/model.js';
import { rotateKeyOnDemand } from '../../src/engine/kms/rotation.js';
import { openImportToken, sealImportToken, type WrappingAlgorithm } from '../../src/engine/kms/wrapping.js';
import { openStore, type Store } from '../../src/engine/store.js';
import { errorOf } from '../helpers/errors.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const T = Date.parse('2026-04-01T00:00:00Z');
const me = makeCaller();
/** The wrapping pair of every token, and the RSA_2048 material of the RSA key tests. */
const wrapping = generateKeyPairSync('rsa', { modulusLength: 2048 });
const small = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
const ec = (namedCurve: string) => generateKeyPairSync('ec', { namedCurve }).privateKey;
const pkcs8 = (key: KeyObject) => key.export({ format: 'der', type: 'pkcs8' });

function fresh(store: Store = openStore(null)) {
  const clock = fixedClock(new Date(T));
  return { store, clock, kms: new Kms(store, clock) };
}

function newKey(kms: Kms, input: Record<string, unknown> = {}): KeyRecord {
  const { KeyId } = (createKey(kms, { Origin: 'EXTERNAL', ...input }, me).KeyMetadata as { KeyId: string });
  return kms.resolve(KeyId, me);
}

/** RSA_AES_KEY_WRAP_SHA_256 as the AWS docs' openssl commands wrap: fits material of any size. */
function wrap(material: Buffer): Buffer {
  const aesKey = randomBytes(32);
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('A65959A6', 'hex'));
  const wrappedKey = publicEncrypt({ key: wrapping.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey);
  return Buffer.concat([wrappedKey, cipher.update(material), cipher.final()]);
}

function token(kms: Kms, key: KeyRecord, validTo = kms.clock.now().getTime() + DAY_MS, algorithm: WrappingAlgorithm = 'RSA_AES_KEY_WRAP_SHA_256') {
  return sealImportToken(kms.store, { keyArn: key.Arn, validTo, algorithm, spec: 'RSA_2048', privateKey: wrapping.privateKey });
}

function importInto(kms: Kms, key: KeyRecord, material: Buffer, extra: Record<string, unknown> = {}) {
  return importKeyMaterial(kms, { KeyId: key.KeyId, ImportToken: token(kms, key), EncryptedKeyMaterial: wrap(material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ...extra }, me);
}

describe('GetParametersForImport', () => {
  test('answers the key ARN, a 2048-bit public key whose private key the token holds, and a validity of exactly 24 hours', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    const out = getParametersForImport(kms, { KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }, me);
    expect(out.KeyId).toBe(key.Arn);
    expect(out.ParametersValidTo).toEqual(new Date(T + DAY_MS));
    const publicKey = createPublicKey({ key: out.PublicKey, format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const opened = openImportToken(kms.store, out.ImportToken);
    expect(opened).toMatchObject({ keyArn: key.Arn, validTo: T + DAY_MS, algorithm: 'RSAES_OAEP_SHA_256', spec: 'RSA_2048' });
    expect(createPublicKey(opened.privateKey).export({ format: 'der', type: 'spki' })).toEqual(out.PublicKey);
  });

  test('refuses a key whose material KMS made, and a key pending deletion, before making a wrapping key', () => {
    const { kms } = fresh();
    const made = newKey(kms, { Origin: 'AWS_KMS' });
    expect(errorOf(() => getParametersForImport(kms, { KeyId: made.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }, me))).toEqual({
      type: 'UnsupportedOperationException',
      message: `${made.Arn} origin is AWS_KMS which is not valid for this operation.`,
    });
    const doomed = newKey(kms);
    scheduleKeyDeletion(kms, { KeyId: doomed.KeyId }, me);
    expect(errorOf(() => getParametersForImport(kms, { KeyId: doomed.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }, me))).toEqual({
      type: 'KMSInvalidStateException',
      message: `${doomed.Arn} is pending deletion.`,
    });
    expect(errorOf(() => importInto(kms, doomed, randomBytes(32)))).toEqual({ type: 'KMSInvalidStateException', message: `${doomed.Arn} is pending deletion.` });
  });
});

describe('ExpirationModel and ValidTo', () => {
  test('KEY_MATERIAL_EXPIRES (the default) needs a ValidTo after now and at most 365 days on, to the millisecond', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    const material = randomBytes(32);
    const refusal = (extra: Record<string, unknown>) => errorOf(() => importInto(kms, key, material, extra));
    const validation = (message: string) => ({ type: 'ValidationException', message });
    expect(refusal({ ExpirationModel: undefined })).toEqual(validation('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES'));
    expect(refusal({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: (T - 1000) / 1000 })).toEqual(validation('ValidTo must be a date and time in the future.'));
    expect(refusal({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: T / 1000 })).toEqual(validation('ValidTo must be a date and time in the future.'));
    expect(refusal({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: (T + 365 * DAY_MS + 1) / 1000 })).toEqual(validation('ValidTo must be at most 365 days from now.'));
    expect(refusal({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ValidTo: (T + DAY_MS) / 1000 })).toEqual(
      validation('The parameter ValidTo cannot be specified for a key with an expiration model of KEY_MATERIAL_DOES_NOT_EXPIRE'),
    );
    expect(key.KeyState).toBe('PendingImport');

    importInto(kms, key, material, { ExpirationModel: undefined, ValidTo: (T + 1) / 1000 });
    expect(key.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: T + 1 });
    importInto(kms, key, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: (T + 365 * DAY_MS) / 1000 });
    expect(key.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: T + 365 * DAY_MS });
    // each import sets the expiration anew: no ValidTo is left behind
    importInto(kms, key, material);
    expect(key.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  });
});

describe('the material each key spec takes', () => {
  const wrong = (key: KeyRecord, what: string) => ({ type: 'IncorrectKeyMaterialException', message: `The key material does not fit ${key.Arn} (${key.KeySpec}): ${what}.` });

  test('a symmetric key: exactly 32 bytes', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    expect(errorOf(() => importInto(kms, key, randomBytes(31)))).toEqual(wrong(key, 'symmetric key material must be 256 bits (32 bytes), not 31 bytes'));
    expect(errorOf(() => importInto(kms, key, randomBytes(33)))).toEqual(wrong(key, 'symmetric key material must be 256 bits (32 bytes), not 33 bytes'));
    const material = randomBytes(32);
    expect(importInto(kms, key, material)).toEqual({ KeyId: key.Arn, KeyMaterialId: materialIdOf(key.KeyId, material) });
    expect(key.KeyState).toBe('Enabled');
  });

  test.each([
    ['HMAC_224', 28, 64],
    ['HMAC_256', 32, 64],
    ['HMAC_384', 48, 128],
    ['HMAC_512', 64, 128],
  ])('%s: %i to %i bytes', (KeySpec, min, max) => {
    const { kms } = fresh();
    const key = newKey(kms, { KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(errorOf(() => importInto(kms, key, randomBytes(min - 1)))).toEqual(wrong(key, `it must be ${min} to ${max} bytes, not ${min - 1}`));
    expect(errorOf(() => importInto(kms, key, randomBytes(max + 1)))).toEqual(wrong(key, `it must be ${min} to ${max} bytes, not ${max + 1}`));
    const exact = [randomBytes(min), randomBytes(max)];
    expect(importInto(kms, key, exact[0]!).KeyMaterialId).toBe(materialIdOf(key.KeyId, exact[0]!));
    const other = newKey(kms, { KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC' });
    expect(importInto(kms, other, exact[1]!).KeyMaterialId).toBe(materialIdOf(other.KeyId, exact[1]!));
  });

  test('an RSA_2048 key: a 2048-bit RSA private key in PKCS#8 DER, nothing else', () => {
    const { kms } = fresh();
    const key = newKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const notRsa2048 = wrong(key, 'it must be an RSA private key of 2048 bits');
    expect(errorOf(() => importInto(kms, key, pkcs8(small(1024))))).toEqual(notRsa2048);
    expect(errorOf(() => importInto(kms, key, pkcs8(ec('prime256v1'))))).toEqual(notRsa2048);
    expect(errorOf(() => importInto(kms, key, randomBytes(64)))).toEqual(wrong(key, 'it must be a private key in PKCS#8 DER'));
    const material = pkcs8(wrapping.privateKey);
    expect(importInto(kms, key, material).KeyMaterialId).toBe(materialIdOf(key.KeyId, material));
    expect(key.KeyState).toBe('Enabled');
  });

  test('an ECC key: a private key on its own curve only', () => {
    const { kms } = fresh();
    const p256 = newKey(kms, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const onP256 = wrong(p256, 'it must be an elliptic curve private key on ECC_NIST_P256');
    expect(errorOf(() => importInto(kms, p256, pkcs8(ec('secp384r1'))))).toEqual(onP256);
    expect(errorOf(() => importInto(kms, p256, pkcs8(small(1024))))).toEqual(onP256);
    const material = pkcs8(ec('prime256v1'));
    expect(importInto(kms, p256, material).KeyMaterialId).toBe(materialIdOf(p256.KeyId, material));
    // the same private key imported again is recognised as the key's own
    expect(importInto(kms, p256, material, { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }).KeyMaterialId).toBe(materialIdOf(p256.KeyId, material));
    const k1 = newKey(kms, { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' });
    expect(errorOf(() => importInto(kms, k1, pkcs8(ec('prime256v1'))))).toEqual(wrong(k1, 'it must be an elliptic curve private key on ECC_SECG_P256K1'));
    importInto(kms, k1, pkcs8(ec('secp256k1')));
    expect(k1.KeyState).toBe('Enabled');
  });
});

describe('ImportKeyMaterial', () => {
  test('ImportType, KeyMaterialDescription and KeyMaterialId, each alone, are refused for a key that is not symmetric', () => {
    const { kms } = fresh();
    const key = newKey(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const refused = { type: 'UnsupportedOperationException', message: `ImportType, KeyMaterialDescription and KeyMaterialId can be used only with symmetric encryption KMS keys, not with ${key.Arn} (HMAC_256).` };
    for (const extra of [{ ImportType: 'NEW_KEY_MATERIAL' }, { KeyMaterialDescription: 'mine' }, { KeyMaterialId: 'a'.repeat(64) }]) expect(errorOf(() => importInto(kms, key, randomBytes(32), extra)), JSON.stringify(extra)).toEqual(refused);
    expect(key.KeyState).toBe('PendingImport');
  });

  test('a token for another key, and a token past its validity on the engine clock, are refused; a token at its last millisecond is taken', () => {
    const { kms, clock } = fresh();
    const [a, b] = [newKey(kms), newKey(kms)];
    const material = randomBytes(32);
    const req = (key: KeyRecord, ImportToken: Buffer) => ({ KeyId: key.KeyId, ImportToken, EncryptedKeyMaterial: wrap(material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(errorOf(() => importKeyMaterial(kms, req(b, token(kms, a)), me))).toEqual({ type: 'InvalidImportTokenException', message: `The import token was issued for another KMS key, not for ${b.Arn}.` });
    const validTo = T + 1000;
    const ImportToken = token(kms, a, validTo);
    clock.advance(1);
    expect(importKeyMaterial(kms, req(a, ImportToken), me).KeyMaterialId).toBe(materialIdOf(a.KeyId, material));
    clock.advance(0.001);
    expect(errorOf(() => importKeyMaterial(kms, req(a, ImportToken), me))).toEqual({
      type: 'ExpiredImportTokenException',
      message: `The import token expired on ${new Date(validTo).toISOString()}. Call GetParametersForImport for a new import token and public key.`,
    });
  });

  test('KeyMaterialId is refused with NEW_KEY_MATERIAL, named or taken by default for a key with no material', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    const material = randomBytes(32);
    const KeyMaterialId = materialIdOf(key.KeyId, material);
    const refused = { type: 'ValidationException', message: 'You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.' };
    expect(errorOf(() => importInto(kms, key, material, { KeyMaterialId }))).toEqual(refused);
    expect(errorOf(() => importInto(kms, key, material, { ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId }))).toEqual(refused);
    importInto(kms, key, material);
    // the key has material now: with no ImportType the same material comes back, its KeyMaterialId checked
    expect(importInto(kms, key, material, { KeyMaterialId })).toEqual({ KeyId: key.Arn, KeyMaterialId });
    expect(errorOf(() => importInto(kms, key, material, { KeyMaterialId: 'f'.repeat(64) }))).toEqual({
      type: 'IncorrectKeyMaterialException',
      message: `The key material is not the key material previously imported into ${key.Arn}. To use other key material, import it with ImportType NEW_KEY_MATERIAL or create a new KMS key.`,
    });
    expect(key.Materials).toHaveLength(1);
  });

  test('other material as EXISTING_KEY_MATERIAL is refused, naming NEW_KEY_MATERIAL for symmetric keys only', () => {
    const { kms } = fresh();
    const sym = newKey(kms);
    importInto(kms, sym, randomBytes(32));
    expect(errorOf(() => importInto(kms, sym, randomBytes(32)))).toEqual({
      type: 'IncorrectKeyMaterialException',
      message: `The key material is not the key material previously imported into ${sym.Arn}. To use other key material, import it with ImportType NEW_KEY_MATERIAL or create a new KMS key.`,
    });
    expect(errorOf(() => importInto(kms, sym, randomBytes(32), { ImportType: 'EXISTING_KEY_MATERIAL' })).type).toBe('IncorrectKeyMaterialException');
    const hmac = newKey(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    importInto(kms, hmac, randomBytes(32));
    expect(errorOf(() => importInto(kms, hmac, randomBytes(32)))).toEqual({
      type: 'IncorrectKeyMaterialException',
      message: `The key material is not the key material previously imported into ${hmac.Arn}. To use other key material, import it with ImportType NEW_KEY_MATERIAL (symmetric encryption keys only) or create a new KMS key.`,
    });
  });

  test('NEW_KEY_MATERIAL: the first is current at once, a later one waits for rotation, one at a time, never material the key has had', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    const [first, second, third] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    importInto(kms, key, first, { ImportType: 'NEW_KEY_MATERIAL' });
    expect(key.Materials.map((m) => m.id)).toEqual([materialIdOf(key.KeyId, first)]);
    expect(key.PendingMaterial).toBeUndefined();
    expect(importInto(kms, key, second, { ImportType: 'NEW_KEY_MATERIAL' }).KeyMaterialId).toBe(materialIdOf(key.KeyId, second));
    expect(key.Materials).toHaveLength(1);
    expect(key.PendingMaterial?.id).toBe(materialIdOf(key.KeyId, second));
    const already = (m: Buffer) => errorOf(() => importInto(kms, key, m, { ImportType: 'NEW_KEY_MATERIAL' }));
    const had = { type: 'IncorrectKeyMaterialException', message: `The key material is already associated with ${key.Arn}: ImportType NEW_KEY_MATERIAL needs key material the key has never had.` };
    expect(already(first)).toEqual(had);
    expect(already(second)).toEqual(had); // the material pending rotation counts as the key's
    expect(already(third)).toEqual({
      type: 'KMSInvalidStateException',
      message: `${key.Arn} already has key material in the PENDING_ROTATION state: rotate to it (RotateKeyOnDemand) or delete it (DeleteImportedKeyMaterial) first.`,
    });
    // the material pending rotation can be imported again as existing material, by its id
    expect(importInto(kms, key, second, { KeyMaterialId: materialIdOf(key.KeyId, second), KeyMaterialDescription: 'next' }).KeyMaterialId).toBe(materialIdOf(key.KeyId, second));
    expect(key.PendingMaterial?.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', Description: 'next' });
  });

  test('a description given once stays through later imports until another is given', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    const material = randomBytes(32);
    importInto(kms, key, material);
    importInto(kms, key, material); // imported again, still with no description: none is written, not even an empty one
    expect(key.Materials[0]!.imported).toStrictEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    importInto(kms, key, material, { KeyMaterialDescription: 'first' });
    expect(key.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', Description: 'first' });
    importInto(kms, key, material);
    expect(key.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', Description: 'first' });
    importInto(kms, key, material, { KeyMaterialDescription: 'second' });
    expect(key.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', Description: 'second' });
    const described = newKey(kms);
    importInto(kms, described, material, { KeyMaterialDescription: 'at first import' });
    expect(described.Materials[0]!.imported).toEqual({ ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', Description: 'at first import' });
  });

  test('an import makes a PendingImport key Enabled only once all its materials are back; a disabled key stays disabled', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    const [first, second] = [randomBytes(32), randomBytes(32)];
    importInto(kms, key, first);
    importInto(kms, key, second, { ImportType: 'NEW_KEY_MATERIAL' });
    rotateKeyOnDemand(kms, { KeyId: key.KeyId }, me);
    expect(key.Materials).toHaveLength(2);
    deleteImportedKeyMaterial(kms, { KeyId: key.KeyId, KeyMaterialId: materialIdOf(key.KeyId, first) }, me);
    deleteImportedKeyMaterial(kms, { KeyId: key.KeyId }, me); // the current one
    expect(key.KeyState).toBe('PendingImport');
    importInto(kms, key, first);
    expect(key.KeyState).toBe('PendingImport'); // the current material is still missing
    expect(key.Materials[0]!.wrapped).not.toBe('');
    importInto(kms, key, second);
    expect(key.KeyState).toBe('Enabled');

    disableKey(kms, { KeyId: key.KeyId }, me);
    importInto(kms, key, second);
    expect(key.KeyState).toBe('Disabled');
  });

  test('an import outlives a restart: the material, its state and its expiration', () => {
    const { kms, store } = fresh();
    const key = newKey(kms);
    const material = randomBytes(32);
    importInto(kms, key, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: (T + DAY_MS) / 1000 });
    const again = new Kms(store, fixedClock(new Date(T))).resolve(key.KeyId, me);
    expect(again.KeyState).toBe('Enabled');
    expect(again.Materials.map((m) => [m.id, m.imported])).toEqual([[materialIdOf(key.KeyId, material), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: T + DAY_MS }]]);
    deleteImportedKeyMaterial(kms, { KeyId: key.KeyId }, me);
    expect(new Kms(store, fixedClock(new Date(T))).resolve(key.KeyId, me).KeyState).toBe('PendingImport');
  });
});

describe('DeleteImportedKeyMaterial', () => {
  test('refuses a key whose material KMS made; answers a key that never had material with its ARN only', () => {
    const { kms } = fresh();
    const made = newKey(kms, { Origin: 'AWS_KMS' });
    expect(errorOf(() => deleteImportedKeyMaterial(kms, { KeyId: made.KeyId }, me))).toEqual({
      type: 'UnsupportedOperationException',
      message: `${made.Arn} origin is AWS_KMS which is not valid for this operation.`,
    });
    const empty = newKey(kms);
    expect(deleteImportedKeyMaterial(kms, { KeyId: empty.KeyId }, me)).toEqual({ KeyId: empty.Arn });
    expect(empty.KeyState).toBe('PendingImport');
    expect(errorOf(() => deleteImportedKeyMaterial(kms, { KeyId: empty.KeyId, KeyMaterialId: 'a'.repeat(64) }, me))).toEqual({
      type: 'NotFoundException',
      message: `Key material ${'a'.repeat(64)} is not associated with ${empty.Arn}.`,
    });
  });

  test('with no KeyMaterialId deletes the current material; by id, an older one or the one pending rotation (the key then stays Enabled)', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    const [first, second, third] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const id = (m: Buffer) => materialIdOf(key.KeyId, m);
    importInto(kms, key, first);
    importInto(kms, key, second, { ImportType: 'NEW_KEY_MATERIAL' });
    rotateKeyOnDemand(kms, { KeyId: key.KeyId }, me);
    importInto(kms, key, third, { ImportType: 'NEW_KEY_MATERIAL' });

    expect(deleteImportedKeyMaterial(kms, { KeyId: key.KeyId, KeyMaterialId: id(third) }, me)).toEqual({ KeyId: key.Arn, KeyMaterialId: id(third) });
    expect(key.PendingMaterial).toBeUndefined();
    expect(key.KeyState).toBe('Enabled');
    expect(key.Materials.map((m) => m.wrapped !== '')).toEqual([true, true]);

    expect(deleteImportedKeyMaterial(kms, { KeyId: key.KeyId, KeyMaterialId: id(first) }, me)).toEqual({ KeyId: key.Arn, KeyMaterialId: id(first) });
    expect(key.Materials.map((m) => m.wrapped !== '')).toEqual([false, true]);
    expect(key.KeyState).toBe('PendingImport');

    importInto(kms, key, first);
    expect(key.KeyState).toBe('Enabled');
    expect(deleteImportedKeyMaterial(kms, { KeyId: key.KeyId }, me)).toEqual({ KeyId: key.Arn, KeyMaterialId: id(second) });
    expect(key.Materials.map((m) => m.wrapped !== '')).toEqual([true, false]);
    expect(key.KeyState).toBe('PendingImport');
  });

  test('a key pending deletion keeps that state when its material is deleted', () => {
    const { kms } = fresh();
    const key = newKey(kms);
    importInto(kms, key, randomBytes(32));
    scheduleKeyDeletion(kms, { KeyId: key.KeyId }, me);
    deleteImportedKeyMaterial(kms, { KeyId: key.KeyId }, me);
    expect(key.KeyState).toBe('PendingDeletion');
    expect(key.Materials[0]!.wrapped).toBe('');
  });
});
