// kms/key-specs.ts called directly: what each key spec allows and lists (AWS KMS Developer
// Guide, "Key spec reference"; CreateKey's KeyUsage), how its key material is made, and the
// checks every cryptographic operation makes, with AWS's error types and messages. The HTTP
// tests (kms-key-specs, kms-asymmetric) show the same through the SDK for the specs a client
// can name; these also reach the refusals the wire layer makes first.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { AwsError } from '../../src/engine/errors.js';
import {
  algorithmsOf, assertAlgorithm, assertKeyUsage, assertSymmetricEncryptionKey, encryptionAlgorithms, familyOf, keyPairParameters, keyUsageFor,
  macAlgorithms, newKeyMaterial, newKeyPair, signingAlgorithms,
} from '../../src/engine/kms/key-specs.js';
import type { KeyRecord } from '../../src/engine/kms/model.js';

const RSA_SIGNING = ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'];

/** The AwsError `f` throws (or fails the test). */
function refusal(f: () => unknown): AwsError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    return e as AwsError;
  }
  throw new Error('expected a refusal');
}

const keyOf = (KeySpec: string, KeyUsage: string) => ({ Arn: `arn:aws:kms:us-east-1:111122223333:key/${KeySpec}`, KeySpec, KeyUsage }) as KeyRecord;

describe('each spec\'s family and algorithms', () => {
  test.each([
    ['SYMMETRIC_DEFAULT', 'SYMMETRIC', ['SYMMETRIC_DEFAULT'], [], []],
    ['RSA_2048', 'RSA', ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'], RSA_SIGNING, []],
    ['RSA_4096', 'RSA', ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'], RSA_SIGNING, []],
    ['ECC_NIST_P256', 'ECC', [], ['ECDSA_SHA_256'], []],
    ['ECC_NIST_P384', 'ECC', [], ['ECDSA_SHA_384'], []],
    ['ECC_NIST_P521', 'ECC', [], ['ECDSA_SHA_512'], []],
    ['ECC_SECG_P256K1', 'ECC', [], ['ECDSA_SHA_256'], []],
    ['HMAC_224', 'HMAC', [], [], ['HMAC_SHA_224']],
    ['HMAC_512', 'HMAC', [], [], ['HMAC_SHA_512']],
  ])('%s is %s, encrypts with %j, signs with %j, MACs with %j', (spec, family, encryption, signing, mac) => {
    expect(familyOf(spec)).toBe(family);
    expect(encryptionAlgorithms(spec)).toEqual(encryption);
    expect(signingAlgorithms(spec)).toEqual(signing);
    expect(macAlgorithms(spec)).toEqual(mac);
  });

  test('a spec the engine does not make (SM2, ML-DSA, an inherited name) is UnsupportedOperationException naming it', () => {
    for (const spec of ['SM2', 'ML_DSA_44', 'ECC_NIST_EDWARDS25519', 'toString', 'constructor']) {
      for (const ask of [familyOf, encryptionAlgorithms, signingAlgorithms, macAlgorithms, (s: string) => keyUsageFor(s, 'SIGN_VERIFY'), newKeyMaterial]) {
        const err = refusal(() => ask(spec));
        expect(err.code).toBe('UnsupportedOperationException');
        expect(err.message).toBe(`The local engine does not support KeySpec ${spec}.`);
      }
    }
  });
});

describe('keyUsageFor: the usage CreateKey gives a key, or AWS\'s ValidationException', () => {
  test('SYMMETRIC_DEFAULT defaults to ENCRYPT_DECRYPT and takes it when asked', () => {
    expect(keyUsageFor('SYMMETRIC_DEFAULT', undefined)).toBe('ENCRYPT_DECRYPT');
    expect(keyUsageFor('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT')).toBe('ENCRYPT_DECRYPT');
  });

  test.each([
    ['RSA_2048', 'ENCRYPT_DECRYPT'], ['RSA_3072', 'SIGN_VERIFY'], ['ECC_NIST_P256', 'SIGN_VERIFY'], ['ECC_NIST_P384', 'KEY_AGREEMENT'],
    ['ECC_NIST_P521', 'KEY_AGREEMENT'], ['ECC_SECG_P256K1', 'SIGN_VERIFY'], ['HMAC_256', 'GENERATE_VERIFY_MAC'],
  ])('%s takes %s', (spec, usage) => {
    expect(keyUsageFor(spec, usage)).toBe(usage);
  });

  test.each([
    ['RSA_2048', undefined, 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.'],
    ['HMAC_384', undefined, 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.'],
    ['SYMMETRIC_DEFAULT', 'SIGN_VERIFY', 'The operation failed because the KeyUsage value of the CMK is SIGN_VERIFY. To perform this operation, the KeyUsage value must be ENCRYPT_DECRYPT.'],
    ['ECC_SECG_P256K1', 'KEY_AGREEMENT', 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1'],
    ['RSA_4096', 'KEY_AGREEMENT', 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_4096'],
    ['ECC_NIST_P256', 'ENCRYPT_DECRYPT', 'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256'],
    ['HMAC_224', 'ENCRYPT_DECRYPT', 'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_224'],
  ])('%s with %s is ValidationException: %s', (spec, usage, message) => {
    const err = refusal(() => keyUsageFor(spec, usage));
    expect(err.code).toBe('ValidationException');
    expect(err.message).toBe(message);
  });
});

describe('algorithmsOf: the one list KeyMetadata and GetPublicKey show, for the key\'s usage', () => {
  test.each([
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }],
    ['RSA_2048', 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['RSA_2048', 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }],
    ['ECC_NIST_P384', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_384'] }],
    ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', { MacAlgorithms: ['HMAC_SHA_256'] }],
    ['SYMMETRIC_DEFAULT', 'SOMETHING_NEW', {}],
  ])('%s with %s: %j', (KeySpec, KeyUsage, expected) => {
    expect(algorithmsOf({ KeySpec, KeyUsage } as KeyRecord)).toEqual(expected);
  });
});

describe('key pairs and key material', () => {
  test('keyPairParameters: the RSA size or the curve of an asymmetric spec, nothing for the others', () => {
    expect(keyPairParameters('RSA_3072')).toEqual({ rsaBits: 3072 });
    expect(keyPairParameters('ECC_NIST_P521')).toEqual({ curve: 'secp521r1' });
    expect(keyPairParameters('ECC_SECG_P256K1')).toEqual({ curve: 'secp256k1' });
    for (const spec of ['SYMMETRIC_DEFAULT', 'HMAC_256', 'SM2', 'ECC_NIST_EDWARDS25519', 'toString']) expect(keyPairParameters(spec)).toBeUndefined();
  });

  test.each([
    ['ECC_NIST_P256', { namedCurve: 'prime256v1' }],
    ['ECC_SECG_P256K1', { namedCurve: 'secp256k1' }],
    ['RSA_2048', { modulusLength: 2048, publicExponent: 65537n }],
  ])('newKeyPair(%s): a PKCS#8 private key and its DER SubjectPublicKeyInfo, fresh each time', (spec, details) => {
    const pair = newKeyPair(spec);
    const privateKey = createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' });
    expect(privateKey.asymmetricKeyDetails).toMatchObject(details);
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(pair.publicKey);
    expect(newKeyPair(spec).publicKey).not.toEqual(pair.publicKey);
  });

  test('newKeyPair of a spec that has no key pair is an error', () => {
    expect(() => newKeyPair('HMAC_256')).toThrow('HMAC_256 is not an asymmetric key spec');
    expect(() => newKeyPair('SYMMETRIC_DEFAULT')).toThrow('SYMMETRIC_DEFAULT is not an asymmetric key spec');
  });

  test('newKeyMaterial: 32 random bytes for a symmetric key, as many bytes as an HMAC spec names bits, a PKCS#8 private key for ECC', () => {
    const a = newKeyMaterial('SYMMETRIC_DEFAULT');
    expect(a).toHaveLength(32);
    expect(newKeyMaterial('SYMMETRIC_DEFAULT')).not.toEqual(a);
    for (const [spec, bytes] of [['HMAC_224', 28], ['HMAC_256', 32], ['HMAC_384', 48], ['HMAC_512', 64]] as const) {
      const m = newKeyMaterial(spec);
      expect(m).toHaveLength(bytes);
      expect(newKeyMaterial(spec)).not.toEqual(m);
    }
    const ecc = createPrivateKey({ key: newKeyMaterial('ECC_NIST_P384'), format: 'der', type: 'pkcs8' });
    expect(ecc.asymmetricKeyDetails).toEqual({ namedCurve: 'secp384r1' });
  });
});

describe('the checks every cryptographic operation makes', () => {
  test('assertKeyUsage passes the usage the operation needs and refuses another in AWS\'s words', () => {
    const key = keyOf('ECC_NIST_P256', 'SIGN_VERIFY');
    expect(() => assertKeyUsage(key, 'SIGN_VERIFY', 'Sign')).not.toThrow();
    const err = refusal(() => assertKeyUsage(key, 'KEY_AGREEMENT', 'DeriveSharedSecret'));
    expect(err.code).toBe('InvalidKeyUsageException');
    expect(err.message).toBe(`${key.Arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`);
  });

  test('assertAlgorithm passes a supported algorithm and refuses another naming it and the spec', () => {
    const key = keyOf('ECC_NIST_P521', 'SIGN_VERIFY');
    expect(() => assertAlgorithm(key, 'ECDSA_SHA_512', ['ECDSA_SHA_512'])).not.toThrow();
    const err = refusal(() => assertAlgorithm(key, 'ECDSA_SHA_256', ['ECDSA_SHA_512']));
    expect(err.code).toBe('InvalidKeyUsageException');
    expect(err.message).toBe('Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P521.');
  });

  test('assertSymmetricEncryptionKey: a symmetric key passes; an RSA encryption key fails on the algorithm, a signing or HMAC key on the usage', () => {
    expect(() => assertSymmetricEncryptionKey(keyOf('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'), 'GenerateDataKey')).not.toThrow();
    const rsa = refusal(() => assertSymmetricEncryptionKey(keyOf('RSA_2048', 'ENCRYPT_DECRYPT'), 'GenerateDataKeyPair'));
    expect([rsa.code, rsa.message]).toEqual(['InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.']);
    const hmac = keyOf('HMAC_256', 'GENERATE_VERIFY_MAC');
    const err = refusal(() => assertSymmetricEncryptionKey(hmac, 'GenerateDataKeyPair'));
    expect([err.code, err.message]).toEqual(['InvalidKeyUsageException', `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKeyPair.`]);
  });
});
