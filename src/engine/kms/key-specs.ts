// What each kind of KMS key is: the key usages AWS allows for its key spec, the algorithms
// DescribeKey and GetPublicKey list for it, and how its key material is made. From the
// AWS KMS Developer Guide's "Key spec reference" (RSA, elliptic curve and HMAC key specs)
// and the CreateKey API reference (KeyUsage: which usage each spec takes).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { kmsErrors } from '../errors.js';
import type { KeyRecord } from './records.js';
import { takeRsaKeyPair, type KeyPairDer } from './rsa-key-pairs.js';

export type KeyFamily = 'SYMMETRIC' | 'RSA' | 'ECC' | 'HMAC';

interface SpecInfo {
  family: KeyFamily;
  /** The key usages CreateKey accepts for this spec. */
  usages: readonly string[];
  rsaBits?: number;
  /** The curve's name in node:crypto / OpenSSL. */
  curve?: string;
  /** HMAC: the MAC algorithm and the length of the key material in bytes (the spec's bits). */
  mac?: { algorithm: string; bytes: number };
  /** ECC: the one signing algorithm AWS allows with the curve. */
  ecdsa?: string;
}

const RSA = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'] as const;
const NIST_EC = ['SIGN_VERIFY', 'KEY_AGREEMENT'] as const;

const SPECS: Record<string, SpecInfo> = {
  SYMMETRIC_DEFAULT: { family: 'SYMMETRIC', usages: ['ENCRYPT_DECRYPT'] },
  RSA_2048: { family: 'RSA', usages: RSA, rsaBits: 2048 },
  RSA_3072: { family: 'RSA', usages: RSA, rsaBits: 3072 },
  RSA_4096: { family: 'RSA', usages: RSA, rsaBits: 4096 },
  ECC_NIST_P256: { family: 'ECC', usages: NIST_EC, curve: 'prime256v1', ecdsa: 'ECDSA_SHA_256' },
  ECC_NIST_P384: { family: 'ECC', usages: NIST_EC, curve: 'secp384r1', ecdsa: 'ECDSA_SHA_384' },
  ECC_NIST_P521: { family: 'ECC', usages: NIST_EC, curve: 'secp521r1', ecdsa: 'ECDSA_SHA_512' },
  ECC_SECG_P256K1: { family: 'ECC', usages: ['SIGN_VERIFY'], curve: 'secp256k1', ecdsa: 'ECDSA_SHA_256' },
  HMAC_224: { family: 'HMAC', usages: ['GENERATE_VERIFY_MAC'], mac: { algorithm: 'HMAC_SHA_224', bytes: 28 } },
  HMAC_256: { family: 'HMAC', usages: ['GENERATE_VERIFY_MAC'], mac: { algorithm: 'HMAC_SHA_256', bytes: 32 } },
  HMAC_384: { family: 'HMAC', usages: ['GENERATE_VERIFY_MAC'], mac: { algorithm: 'HMAC_SHA_384', bytes: 48 } },
  HMAC_512: { family: 'HMAC', usages: ['GENERATE_VERIFY_MAC'], mac: { algorithm: 'HMAC_SHA_512', bytes: 64 } },
};

/** Every KeySpec the API defines (the CreateKey enum), whether or not the engine makes it. */
export const API_KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SYMMETRIC_DEFAULT',
  'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ECC_NIST_EDWARDS25519',
] as const;

const RSA_SIGNING = ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'];
const RSA_ENCRYPTION = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];

/** The spec's entry; an inherited name ('toString') is no spec. */
const specInfo = (spec: string): SpecInfo | undefined => (Object.hasOwn(SPECS, spec) ? SPECS[spec] : undefined);

function info(spec: string): SpecInfo {
  const found = specInfo(spec);
  if (!found) throw kmsErrors.unsupportedOperation(`The local engine does not support KeySpec ${spec}.`);
  return found;
}

export const familyOf = (spec: string): KeyFamily => info(spec).family;

/**
 * The key usage CreateKey gives a key of this spec, or AWS's ValidationException: every spec
 * but SYMMETRIC_DEFAULT needs a KeyUsage, and the usage must be one the spec allows.
 */
export function keyUsageFor(spec: string, requested: string | undefined): string {
  const { family, usages } = info(spec);
  if (requested === undefined) {
    if (family === 'SYMMETRIC') return 'ENCRYPT_DECRYPT';
    throw kmsErrors.validation('You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.');
  }
  if (usages.includes(requested)) return requested;
  if (family === 'SYMMETRIC')
    throw kmsErrors.validation(`The operation failed because the KeyUsage value of the CMK is ${requested}. To perform this operation, the KeyUsage value must be ENCRYPT_DECRYPT.`);
  throw kmsErrors.validation(`KeyUsage ${requested} is not compatible with KeySpec ${spec}`);
}

export function encryptionAlgorithms(spec: string): string[] {
  const { family } = info(spec);
  return family === 'SYMMETRIC' ? ['SYMMETRIC_DEFAULT'] : family === 'RSA' ? RSA_ENCRYPTION : [];
}

export function signingAlgorithms(spec: string): string[] {
  const { family, ecdsa } = info(spec);
  return family === 'RSA' ? RSA_SIGNING : ecdsa ? [ecdsa] : [];
}

export function macAlgorithms(spec: string): string[] {
  const { mac } = info(spec);
  return mac ? [mac.algorithm] : [];
}

/** The algorithm lists KeyMetadata and GetPublicKey show: only the one for the key's usage. */
export function algorithmsOf(key: Pick<KeyRecord, 'KeySpec' | 'KeyUsage'>): Record<string, string[]> {
  switch (key.KeyUsage) {
    case 'ENCRYPT_DECRYPT':
      return { EncryptionAlgorithms: encryptionAlgorithms(key.KeySpec) };
    case 'SIGN_VERIFY':
      return { SigningAlgorithms: signingAlgorithms(key.KeySpec) };
    case 'GENERATE_VERIFY_MAC':
      return { MacAlgorithms: macAlgorithms(key.KeySpec) };
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: ['ECDH'] };
    default:
      return {};
  }
}

/** RSA key size in bits, or the curve: what a key pair of this spec is made with. */
export function keyPairParameters(spec: string): { rsaBits: number } | { curve: string } | undefined {
  const found = specInfo(spec);
  if (found?.rsaBits) return { rsaBits: found.rsaBits };
  if (found?.curve) return { curve: found.curve };
  return undefined;
}

/**
 * A new key pair as DER: the private key PKCS#8, the public key SubjectPublicKeyInfo. An RSA pair
 * is the one the request waited for (rsa-key-pairs.ts: slow to make); an ECC pair is made here.
 */
export function newKeyPair(spec: string): KeyPairDer {
  const params = keyPairParameters(spec);
  if (!params) throw new Error(`${spec} is not an asymmetric key spec`);
  if ('rsaBits' in params) return takeRsaKeyPair(params.rsaBits);
  return generateKeyPairSync('ec', { namedCurve: params.curve, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
}

/**
 * The key material a new key of this spec gets: 256 random bits for a symmetric key, the
 * private key (PKCS#8 DER, from which the public key follows) for RSA and ECC, and as many
 * random bytes as the HMAC spec names bits for an HMAC key.
 */
export function newKeyMaterial(spec: string): Buffer {
  const { family, mac } = info(spec);
  if (family === 'SYMMETRIC') return randomBytes(32);
  if (mac) return randomBytes(mac.bytes);
  return newKeyPair(spec).privateKey;
}

// --- checks every cryptographic operation makes ----------------------------

/** InvalidKeyUsageException unless the key's usage is the one the operation needs, as AWS words it. */
export function assertKeyUsage(key: KeyRecord, usage: string, operation: string): void {
  if (key.KeyUsage !== usage) throw kmsErrors.invalidKeyUsage(`${key.Arn} key usage is ${key.KeyUsage} which is not valid for ${operation}.`);
}

/** InvalidKeyUsageException unless the algorithm is one the key's spec supports. */
export function assertAlgorithm(key: KeyRecord, algorithm: string, supported: readonly string[]): void {
  if (!supported.includes(algorithm)) throw kmsErrors.invalidKeyUsage(`Algorithm ${algorithm} is incompatible with key spec ${key.KeySpec}.`);
}

/** Data keys and data key pairs are sealed under symmetric encryption keys only. */
export function assertSymmetricEncryptionKey(key: KeyRecord, operation: string): void {
  assertKeyUsage(key, 'ENCRYPT_DECRYPT', operation);
  assertAlgorithm(key, 'SYMMETRIC_DEFAULT', encryptionAlgorithms(key.KeySpec));
}
