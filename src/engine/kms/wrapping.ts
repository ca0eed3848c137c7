// How key material travels into KMS: the RSA wrapping key pairs and import tokens that
// GetParametersForImport hands out, and the unwrapping of what ImportKeyMaterial receives, for
// every WrappingAlgorithm / WrappingKeySpec pair AWS accepts ("Select a wrapping algorithm" in
// the AWS KMS Developer Guide):
// - RSAES_OAEP_SHA_1 / _SHA_256: the material encrypted directly with the public key (OAEP, and
//   MGF1 with the same hash: what `openssl pkeyutl -pkeyopt rsa_oaep_md:sha256 -pkeyopt
//   rsa_mgf1_md:sha256` makes);
// - RSA_AES_KEY_WRAP_SHA_1 / _SHA_256: an AES key encrypted with the public key (OAEP), followed
//   by the material wrapped under that AES key with AES key wrap with padding (RFC 5649,
//   `openssl enc -id-aes256-wrap-pad`).
// Each GetParametersForImport gets a wrapping key pair of its own (a fresh one from
// rsa-key-pairs.ts). An import token carries its wrapping private key, sealed under
// the engine's root key: the engine keeps nothing per token, a token outlives a restart, and the
// private key is in clear only in memory.
import { constants, createDecipheriv, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import { kmsErrors } from '../errors.js';
import type { Store } from '../store.js';

export const WRAPPING_ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];
export const WRAPPING_KEY_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const;
export type WrappingKeySpec = keyof typeof WRAPPING_KEY_BITS;

/** "Each public key and import token set is valid for 24 hours." */
export const PARAMETERS_VALID_MS = 24 * 60 * 60 * 1000;
const TOKEN_VERSION = 1;

/** What an import token says: for which key, until when, and how the material is wrapped. */
export interface ImportToken {
  keyArn: string;
  validTo: number; // epoch ms
  algorithm: WrappingAlgorithm;
  spec: WrappingKeySpec;
  privateKey: KeyObject;
}

/** The algorithm and key spec GetParametersForImport accepts together, or AWS's refusal. */
export function assertWrappingSupported(algorithm: string, spec: string): asserts algorithm is WrappingAlgorithm {
  if (algorithm === 'RSAES_PKCS1_V1_5')
    throw kmsErrors.unsupportedOperation('As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm. Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.');
  if (algorithm === 'SM2PKE' || spec === 'SM2')
    throw kmsErrors.unsupportedOperation('The SM2PKE wrapping algorithm and the SM2 wrapping key spec are available only in the China Regions.');
  if (!(WRAPPING_ALGORITHMS as readonly string[]).includes(algorithm) || !Object.hasOwn(WRAPPING_KEY_BITS, spec))
    throw kmsErrors.validation(`WrappingAlgorithm ${algorithm} cannot be used with WrappingKeySpec ${spec}.`);
}

/** The import token for these parameters: the wrapping private key and what it is for, sealed under the root key. */
export function sealImportToken(store: Store, token: ImportToken): Buffer {
  const privateKey = token.privateKey.export({ format: 'der', type: 'pkcs8' });
  const body = { v: TOKEN_VERSION, k: token.keyArn, t: token.validTo, a: token.algorithm, s: token.spec, p: privateKey.toString('base64') };
  return store.wrap(Buffer.from(JSON.stringify(body)));
}

/** The import token's contents, or InvalidImportTokenException for anything the engine did not issue. */
export function openImportToken(store: Store, sealed: Buffer): ImportToken {
  const invalid = kmsErrors.invalidImportToken('The import token is not valid: use the ImportToken from the same GetParametersForImport response as the public key.');
  let body: { v?: unknown; k?: unknown; t?: unknown; a?: unknown; s?: unknown; p?: unknown };
  try {
    body = (JSON.parse(store.unwrap(sealed).toString('utf8')) ?? {}) as typeof body; // null has no fields to read
  } catch {
    throw invalid;
  }
  const { v, k, t, a, s, p } = body;
  if (v !== TOKEN_VERSION || typeof k !== 'string' || typeof t !== 'number' || typeof p !== 'string') throw invalid;
  if (!(WRAPPING_ALGORITHMS as readonly unknown[]).includes(a) || typeof s !== 'string' || !Object.hasOwn(WRAPPING_KEY_BITS, s)) throw invalid; // own names only: not 'toString'
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw invalid; // never a 500 for a token, whatever it holds
  }
  return { keyArn: k, validTo: t, algorithm: a as WrappingAlgorithm, spec: s as WrappingKeySpec, privateKey };
}

/** The key material inside EncryptedKeyMaterial, or InvalidCiphertextException if it does not unwrap. */
export function unwrapKeyMaterial(token: ImportToken, encrypted: Buffer): Buffer {
  const modulusBytes = WRAPPING_KEY_BITS[token.spec] / 8;
  const oaepHash = token.algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const rsaDecrypt = (data: Buffer) => privateDecrypt({ key: token.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  try {
    if (token.algorithm.startsWith('RSAES_OAEP')) {
      if (encrypted.length !== modulusBytes) throw new Error('not one RSA block');
      return rsaDecrypt(encrypted);
    }
    if (encrypted.length <= modulusBytes) throw new Error('no wrapped material after the wrapped AES key');
    const aesKey = rsaDecrypt(encrypted.subarray(0, modulusBytes));
    if (![16, 24, 32].includes(aesKey.length)) throw new Error('not an AES key');
    const decipher = createDecipheriv(`id-aes${aesKey.length * 8}-wrap-pad`, aesKey, Buffer.from('A65959A6', 'hex'));
    return Buffer.concat([decipher.update(encrypted.subarray(modulusBytes)), decipher.final()]);
  } catch {
    throw kmsErrors.invalidCiphertext();
  }
}
