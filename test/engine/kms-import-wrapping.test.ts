// How key material travels into KMS (wrapping.ts), without HTTP: which WrappingAlgorithm and
// WrappingKeySpec GetParametersForImport accepts ("Select a wrapping algorithm" in the AWS KMS
// Developer Guide), the import token sealed and opened again (anything the engine did not
// issue is InvalidImportTokenException, never a crash), and the unwrapping of
// EncryptedKeyMaterial for each algorithm: RSA-OAEP with SHA-1 or SHA-256, or an AES key under
// RSA-OAEP followed by the material under AES key wrap with padding (RFC 5649).
import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Store } from '../../src/engine/store.js';
import { assertWrappingSupported, openImportToken, sealImportToken, unwrapKeyMaterial, type ImportToken } from '../../src/engine/kms/wrapping.js';

/** A store whose "root key" is a marker byte: enough to tell a token it sealed from anything else. */
const store = {
  wrap: (b: Buffer) => Buffer.concat([Buffer.from([0x5a]), b]),
  unwrap: (b: Buffer) => {
    if (b[0] !== 0x5a) throw new Error('not sealed by this store');
    return b.subarray(1);
  },
} as unknown as Store;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const token = (fields: Partial<ImportToken> = {}): ImportToken => ({ keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', validTo: 1234, algorithm: 'RSAES_OAEP_SHA_256', spec: 'RSA_2048', privateKey, ...fields });

const oaep = (data: Buffer, hash: 'sha1' | 'sha256', key: KeyObject = publicKey) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
/** RSA_AES_KEY_WRAP_*: the AES key under RSA-OAEP, then the material under AES key wrap with padding. */
function aesWrapped(material: Buffer, hash: 'sha1' | 'sha256', aesKey = randomBytes(32)) {
  const cipher = createCipheriv(`id-aes${aesKey.length * 8}-wrap-pad`, aesKey, Buffer.from('A65959A6', 'hex'));
  return Buffer.concat([oaep(aesKey, hash), cipher.update(material), cipher.final()]);
}
const invalidCiphertext = expect.objectContaining({ code: 'InvalidCiphertextException' });
const INVALID_TOKEN = 'The import token is not valid: use the ImportToken from the same GetParametersForImport response as the public key.';

describe('the wrapping algorithms and key specs accepted', () => {
  test('every OAEP and AES key wrap algorithm with every RSA wrapping key spec', () => {
    for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'])
      for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096']) expect(() => assertWrappingSupported(algorithm, spec), `${algorithm} ${spec}`).not.toThrow();
  });

  test("RSAES_PKCS1_V1_5 and SM2 are UnsupportedOperationException in AWS's words", () => {
    expect(() => assertWrappingSupported('RSAES_PKCS1_V1_5', 'RSA_2048')).toThrow(expect.objectContaining({
      code: 'UnsupportedOperationException', message: 'As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm. Use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256.',
    }));
    const china = expect.objectContaining({ code: 'UnsupportedOperationException', message: 'The SM2PKE wrapping algorithm and the SM2 wrapping key spec are available only in the China Regions.' });
    expect(() => assertWrappingSupported('SM2PKE', 'RSA_2048')).toThrow(china);
    expect(() => assertWrappingSupported('RSAES_OAEP_SHA_256', 'SM2')).toThrow(china);
  });

  test('anything else, an inherited name included, is ValidationException naming both', () => {
    for (const [algorithm, spec] of [['RSAES_OAEP_SHA_512', 'RSA_2048'], ['RSAES_OAEP_SHA_256', 'RSA_1024'], ['RSAES_OAEP_SHA_256', 'toString'], ['toString', 'RSA_2048']])
      expect(() => assertWrappingSupported(algorithm!, spec!), `${algorithm} ${spec}`).toThrow(expect.objectContaining({
        code: 'ValidationException', message: `WrappingAlgorithm ${algorithm} cannot be used with WrappingKeySpec ${spec}.`,
      }));
  });
});

describe('the import token', () => {
  test('opens to what was sealed in it: key, validity, algorithm, spec and the same private key', () => {
    for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const) {
      const opened = openImportToken(store, sealImportToken(store, token({ algorithm, spec: 'RSA_4096', validTo: 1_700_000_000_000 })));
      expect(opened).toMatchObject({ keyArn: token().keyArn, validTo: 1_700_000_000_000, algorithm, spec: 'RSA_4096' });
      expect(opened.privateKey.export({ format: 'der', type: 'pkcs8' })).toEqual(privateKey.export({ format: 'der', type: 'pkcs8' }));
    }
  });

  test('the private key inside is sealed: the token holds neither it nor its parts in clear', () => {
    const sealed = sealImportToken({ wrap: (b: Buffer) => Buffer.from(b).reverse(), unwrap: () => Buffer.alloc(0) } as unknown as Store, token());
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(sealed.includes(der.toString('base64').slice(40, 80))).toBe(false);
  });

  test('a token the engine did not seal, or one whose fields are missing or of the wrong type, is InvalidImportTokenException', () => {
    const body = { v: 1, k: token().keyArn, t: 1234, a: 'RSAES_OAEP_SHA_256', s: 'RSA_2048', p: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64') };
    const sealedBody = (changes: Record<string, unknown>) => store.wrap(Buffer.from(JSON.stringify({ ...body, ...changes })));
    expect(openImportToken(store, sealedBody({})).keyArn).toBe(body.k); // the well-formed body opens
    const forged: [string, Buffer][] = [
      ['not sealed', Buffer.from(JSON.stringify(body))],
      ['not JSON', store.wrap(Buffer.from('{"v":1,'))],
      ['null', store.wrap(Buffer.from('null'))],
      ['another version', sealedBody({ v: 2 })],
      ['no key', sealedBody({ k: undefined })],
      ['a key ARN that is no string', sealedBody({ k: 7 })],
      ['a time that is no number', sealedBody({ t: '1234' })],
      ['no private key', sealedBody({ p: undefined })],
      ['a private key that is no string', sealedBody({ p: 5 })],
      ['a private key that is not one', sealedBody({ p: Buffer.from('junk').toString('base64') })],
      ['an algorithm AWS does not have', sealedBody({ a: 'RSAES_PKCS1_V1_5' })],
      ['no algorithm', sealedBody({ a: undefined })],
      ['no spec', sealedBody({ s: undefined })],
      ['a spec that is no string', sealedBody({ s: 2048 })],
      ['another spec', sealedBody({ s: 'RSA_1024' })],
      ['an inherited name as spec', sealedBody({ s: 'toString' })],
    ];
    for (const [what, sealed] of forged)
      expect(() => openImportToken(store, sealed), what).toThrow(expect.objectContaining({ code: 'InvalidImportTokenException', message: INVALID_TOKEN }));
  });
});

describe('EncryptedKeyMaterial', () => {
  const material = randomBytes(32);

  test('RSAES_OAEP_SHA_1 and _SHA_256: one RSA block, OAEP with that hash (and MGF1 with the same)', () => {
    expect(unwrapKeyMaterial(token({ algorithm: 'RSAES_OAEP_SHA_1' }), oaep(material, 'sha1'))).toEqual(material);
    expect(unwrapKeyMaterial(token({ algorithm: 'RSAES_OAEP_SHA_256' }), oaep(material, 'sha256'))).toEqual(material);
    expect(() => unwrapKeyMaterial(token({ algorithm: 'RSAES_OAEP_SHA_256' }), oaep(material, 'sha1'))).toThrow(invalidCiphertext);
    expect(() => unwrapKeyMaterial(token({ algorithm: 'RSAES_OAEP_SHA_1' }), oaep(material, 'sha256'))).toThrow(invalidCiphertext);
  });

  test('RSAES_OAEP: anything but exactly one block of the wrapping key\'s size is InvalidCiphertextException', () => {
    const block = oaep(material, 'sha256');
    for (const wrong of [block.subarray(1), Buffer.concat([block, Buffer.from([0])]), Buffer.alloc(256), aesWrapped(material, 'sha256')])
      expect(() => unwrapKeyMaterial(token(), wrong)).toThrow(invalidCiphertext);
    // The block size comes from the token's spec: a 2048-bit block under a token that says 3072 is refused.
    expect(() => unwrapKeyMaterial(token({ spec: 'RSA_3072' }), block)).toThrow(invalidCiphertext);
  });

  test('RSA_AES_KEY_WRAP_SHA_1 and _SHA_256: an AES key (128, 192 or 256 bits) under RSA-OAEP, then the material under AES key wrap with padding', () => {
    const sha256 = token({ algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    expect(unwrapKeyMaterial(sha256, aesWrapped(material, 'sha256'))).toEqual(material);
    expect(unwrapKeyMaterial(token({ algorithm: 'RSA_AES_KEY_WRAP_SHA_1' }), aesWrapped(material, 'sha1'))).toEqual(material);
    for (const bytes of [16, 24]) expect(unwrapKeyMaterial(sha256, aesWrapped(material, 'sha256', randomBytes(bytes))), `${bytes}`).toEqual(material);
    const odd = Buffer.from('an HMAC key of 37 bytes, not a multiple of 8');
    expect(unwrapKeyMaterial(sha256, aesWrapped(odd, 'sha256'))).toEqual(odd);
    expect(() => unwrapKeyMaterial(sha256, aesWrapped(material, 'sha1'))).toThrow(invalidCiphertext);
  });

  test('RSA_AES_KEY_WRAP: only the RSA block, an AES key of another size, or tampered wrapped material is InvalidCiphertextException', () => {
    const sha256 = token({ algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    expect(() => unwrapKeyMaterial(sha256, oaep(randomBytes(32), 'sha256'))).toThrow(invalidCiphertext);
    const cipher = createCipheriv('id-aes256-wrap-pad', randomBytes(32), Buffer.from('A65959A6', 'hex'));
    const wrappedUnderOther = Buffer.concat([cipher.update(material), cipher.final()]);
    expect(() => unwrapKeyMaterial(sha256, Buffer.concat([oaep(randomBytes(20), 'sha256'), wrappedUnderOther]))).toThrow(invalidCiphertext);
    const good = aesWrapped(material, 'sha256');
    good[good.length - 1]! ^= 1;
    expect(() => unwrapKeyMaterial(sha256, good)).toThrow(invalidCiphertext);
  });
});
