// Asymmetric KMS keys through @aws-sdk/client-kms: GetPublicKey, RSA encryption, Sign and
// Verify, and data key pairs, each checked against node:crypto working with the public key
// outside KMS, as a learner's own code (or openssl) would.
import {
  CreateKeyCommand, DecryptCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand, GenerateMacCommand, GetPublicKeyCommand, ReEncryptCommand, SignCommand, VerifyCommand,
  type KeySpec, type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { constants, createHash, createPrivateKey, createPublicKey, privateEncrypt, publicEncrypt, verify, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const keys = new Map<string, string>();
/** One key of each spec and usage, made once (RSA key pairs take a while to generate). */
async function keyOf(KeySpec: KeySpec, KeyUsage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' = 'SIGN_VERIFY'): Promise<string> {
  const slot = `${KeySpec}/${KeyUsage}`;
  if (!keys.has(slot)) keys.set(slot, (await e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: KeySpec === 'SYMMETRIC_DEFAULT' ? undefined : KeyUsage }))).KeyMetadata!.Arn!);
  return keys.get(slot)!;
}

async function publicKeyOf(KeyId: string): Promise<KeyObject> {
  const { PublicKey } = await e.kms.send(new GetPublicKeyCommand({ KeyId }));
  return createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
}

describe('GetPublicKey', () => {
  test('an RSA key gives its DER SubjectPublicKeyInfo with its spec, usage and encryption algorithms', async () => {
    const KeyId = await keyOf('RSA_2048', 'ENCRYPT_DECRYPT');
    const out = await e.kms.send(new GetPublicKeyCommand({ KeyId }));
    expect(out).toMatchObject({ KeyId, KeySpec: 'RSA_2048', CustomerMasterKeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] });
    expect(out.SigningAlgorithms).toBeUndefined();
    const key = createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
  });

  test.each([
    ['ECC_NIST_P256', 'prime256v1', 'ECDSA_SHA_256'],
    ['ECC_NIST_P384', 'secp384r1', 'ECDSA_SHA_384'],
    ['ECC_NIST_P521', 'secp521r1', 'ECDSA_SHA_512'],
    ['ECC_SECG_P256K1', 'secp256k1', 'ECDSA_SHA_256'],
  ] as const)('an %s key gives a public key on %s with its signing algorithm', async (spec, curve, algorithm) => {
    const KeyId = await keyOf(spec);
    const out = await e.kms.send(new GetPublicKeyCommand({ KeyId }));
    expect(out).toMatchObject({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: [algorithm] });
    expect(out.EncryptionAlgorithms).toBeUndefined();
    expect(createPublicKey({ key: Buffer.from(out.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails).toEqual({ namedCurve: curve });
  });

  test('symmetric and HMAC keys have no public key: UnsupportedOperationException', async () => {
    await expectAwsError(e.kms.send(new GetPublicKeyCommand({ KeyId: await keyOf('SYMMETRIC_DEFAULT') })), 'UnsupportedOperationException');
    await expectAwsError(e.kms.send(new GetPublicKeyCommand({ KeyId: await keyOf('HMAC_256', 'GENERATE_VERIFY_MAC') })), 'UnsupportedOperationException');
  });

  test('a disabled key gives no public key (DisabledException), and a missing one is NotFoundException', async () => {
    const { KeyMetadata } = await e.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    await e.kms.send(new DisableKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    await expectAwsError(e.kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId })), 'DisabledException');
    await expectAwsError(e.kms.send(new GetPublicKeyCommand({ KeyId: '0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b' })), 'NotFoundException');
  });
});

describe('Encrypt and Decrypt with RSA keys', () => {
  test.each(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const)('%s round-trips, and the ciphertext is the raw RSA ciphertext (as long as the modulus)', async (EncryptionAlgorithm) => {
    const KeyId = await keyOf('RSA_2048', 'ENCRYPT_DECRYPT');
    const out = await e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('for RSA'), EncryptionAlgorithm }));
    expect(out).toMatchObject({ KeyId, EncryptionAlgorithm });
    expect(out.CiphertextBlob).toHaveLength(256);
    const back = await e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob: out.CiphertextBlob, EncryptionAlgorithm }));
    expect(Buffer.from(back.Plaintext!).toString()).toBe('for RSA');
    expect(back).toMatchObject({ KeyId, EncryptionAlgorithm });
  });

  test('something encrypted outside KMS with the public key (OAEP, SHA-256 for hash and MGF1) decrypts in KMS', async () => {
    const KeyId = await keyOf('RSA_2048', 'ENCRYPT_DECRYPT');
    const outside = publicEncrypt({ key: await publicKeyOf(KeyId), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('sealed outside'));
    const back = await e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob: outside, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(Buffer.from(back.Plaintext!).toString()).toBe('sealed outside');
    // The same ciphertext with the other algorithm, without one, or altered does not decrypt.
    await expectAwsError(e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob: outside, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })), 'InvalidCiphertextException');
    await expectAwsError(e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob: outside })), 'InvalidCiphertextException');
    const altered = Buffer.from(outside);
    altered[100]! ^= 1;
    await expectAwsError(e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob: altered, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })), 'InvalidCiphertextException');
  });

  test.each([
    ['RSA_2048', 'RSAES_OAEP_SHA_1', 214],
    ['RSA_2048', 'RSAES_OAEP_SHA_256', 190],
    ['RSA_3072', 'RSAES_OAEP_SHA_1', 342],
    ['RSA_3072', 'RSAES_OAEP_SHA_256', 318],
    ['RSA_4096', 'RSAES_OAEP_SHA_1', 470],
    ['RSA_4096', 'RSAES_OAEP_SHA_256', 446],
  ] as const)('%s with %s encrypts up to %i bytes; one more is AWS\'s ValidationException', async (spec, EncryptionAlgorithm, limit) => {
    const KeyId = await keyOf(spec, 'ENCRYPT_DECRYPT');
    const ok = await e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.alloc(limit, 1), EncryptionAlgorithm }));
    expect(Buffer.from((await e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob: ok.CiphertextBlob, EncryptionAlgorithm }))).Plaintext!)).toEqual(Buffer.alloc(limit, 1));
    const err = await expectAwsError(e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.alloc(limit + 1, 1), EncryptionAlgorithm })), 'ValidationException');
    expect(err.message).toBe(`Algorithm ${EncryptionAlgorithm} and key spec ${spec} cannot encrypt data larger than ${limit} bytes.`);
  });

  test('an encryption context with an RSA key is a ValidationException, on Encrypt and on Decrypt', async () => {
    const KeyId = await keyOf('RSA_2048', 'ENCRYPT_DECRYPT');
    const EncryptionContext = { project: 'workshop' };
    const err = await expectAwsError(e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext })), 'ValidationException');
    expect(err.message).toBe('EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    await expectAwsError(e.kms.send(new DecryptCommand({ KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext })), 'ValidationException');
  });

  test('an RSA key without an RSA algorithm, and a symmetric key with one, are InvalidKeyUsageException', async () => {
    const rsa = await keyOf('RSA_2048', 'ENCRYPT_DECRYPT');
    const err = await expectAwsError(e.kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: Buffer.from('x') })), 'InvalidKeyUsageException');
    expect(err.message).toBe('Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
    const symmetric = await keyOf('SYMMETRIC_DEFAULT');
    const err2 = await expectAwsError(e.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })), 'InvalidKeyUsageException');
    expect(err2.message).toBe('Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.');
  });

  test('ReEncrypt moves a symmetric ciphertext under an RSA key and back', async () => {
    const symmetric = await keyOf('SYMMETRIC_DEFAULT');
    const rsa = await keyOf('RSA_2048', 'ENCRYPT_DECRYPT');
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: Buffer.from('moving'), EncryptionContext: { a: 'b' } }));
    const toRsa = await e.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: rsa, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
    expect(toRsa).toMatchObject({ SourceKeyId: symmetric, KeyId: rsa, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' });
    const back = await e.kms.send(new ReEncryptCommand({ CiphertextBlob: toRsa.CiphertextBlob, SourceKeyId: rsa, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: symmetric }));
    const plain = await e.kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }));
    expect(Buffer.from(plain.Plaintext!).toString()).toBe('moving');
  });
});

const HASH = { SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' } as const;
const hashOf = (algorithm: string) => HASH[algorithm.slice(-7) as keyof typeof HASH];
const RSA_SIGNING: SigningAlgorithmSpec[] = ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512'];

/** How a signature made in KMS is checked outside it, per AWS's algorithm description (PSS: salt as long as the hash). */
function verifiesOutside(publicKey: KeyObject, algorithm: string, message: Buffer, signature: Uint8Array): boolean {
  const options = algorithm.startsWith('RSASSA_PSS')
    ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hashOf(algorithm)).digest().length }
    : algorithm.startsWith('RSASSA_PKCS1') ? { key: publicKey, padding: constants.RSA_PKCS1_PADDING } : { key: publicKey, dsaEncoding: 'der' as const };
  return verify(hashOf(algorithm), message, options, signature);
}

describe('Sign and Verify', () => {
  const cases: [KeySpec, SigningAlgorithmSpec][] = [
    ...RSA_SIGNING.map((a) => ['RSA_2048', a] as [KeySpec, SigningAlgorithmSpec]),
    ['RSA_3072', 'RSASSA_PSS_SHA_384'],
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384'],
    ['ECC_NIST_P521', 'ECDSA_SHA_512'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ];

  test.each(cases)('%s with %s: a RAW signature and a DIGEST signature both verify outside KMS and in KMS, for either message type', async (spec, SigningAlgorithm) => {
    const KeyId = await keyOf(spec);
    const publicKey = await publicKeyOf(KeyId);
    const message = Buffer.from(`a message signed with ${SigningAlgorithm}`);
    const digest = createHash(hashOf(SigningAlgorithm)).update(message).digest();
    const raw = await e.kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm }));
    expect(raw).toMatchObject({ KeyId, SigningAlgorithm });
    const fromDigest = await e.kms.send(new SignCommand({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm }));
    for (const signature of [raw.Signature!, fromDigest.Signature!]) {
      expect(verifiesOutside(publicKey, SigningAlgorithm, message, signature)).toBe(true);
      expect((await e.kms.send(new VerifyCommand({ KeyId, Message: message, Signature: signature, SigningAlgorithm }))).SignatureValid).toBe(true);
      const viaDigest = await e.kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: signature, SigningAlgorithm }));
      expect(viaDigest).toMatchObject({ KeyId, SignatureValid: true, SigningAlgorithm });
    }
  });

  test('a signature for another message, an altered one, or one that is not a signature at all is KMSInvalidSignatureException, for RAW and DIGEST', async () => {
    for (const [spec, SigningAlgorithm] of [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['RSA_2048', 'RSASSA_PSS_SHA_256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256']] as const) {
      const KeyId = await keyOf(spec);
      const { Signature } = await e.kms.send(new SignCommand({ KeyId, Message: Buffer.from('original'), SigningAlgorithm }));
      const altered = Buffer.from(Signature!);
      altered[altered.length - 5]! ^= 0x10;
      const attempts = [
        { Message: Buffer.from('forged'), Signature },
        { Message: Buffer.from('original'), Signature: altered },
        { Message: Buffer.from('original'), Signature: Buffer.from('random text') },
        { Message: createHash('sha256').update('forged').digest(), MessageType: 'DIGEST' as const, Signature },
      ];
      for (const attempt of attempts) await expectAwsError(e.kms.send(new VerifyCommand({ KeyId, SigningAlgorithm, ...attempt })), 'KMSInvalidSignatureException');
    }
  });

  test('an ECDSA signature in non-minimal DER (a superfluous zero before r) is refused, for RAW and DIGEST alike', async () => {
    const KeyId = await keyOf('ECC_NIST_P256');
    const message = Buffer.from('strict DER');
    let der: Buffer;
    do der = Buffer.from((await e.kms.send(new SignCommand({ KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))).Signature!);
    while (der[1]! >= 0x7f || der[4]! >= 0x80); // short form, and r without a leading zero of its own
    const r = der.subarray(4, 4 + der[3]!);
    const rest = der.subarray(4 + der[3]!);
    const padded = Buffer.concat([Buffer.from([0x30, der[1]! + 1, 0x02, r.length + 1, 0x00]), r, rest]);
    expect(verify('sha256', message, { key: await publicKeyOf(KeyId), dsaEncoding: 'der' }, padded)).toBe(false); // OpenSSL refuses it too
    await expectAwsError(e.kms.send(new VerifyCommand({ KeyId, Message: message, Signature: padded, SigningAlgorithm: 'ECDSA_SHA_256' })), 'KMSInvalidSignatureException');
    const digest = createHash('sha256').update(message).digest();
    await expectAwsError(e.kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: padded, SigningAlgorithm: 'ECDSA_SHA_256' })), 'KMSInvalidSignatureException');
    expect((await e.kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature: der, SigningAlgorithm: 'ECDSA_SHA_256' }))).SignatureValid).toBe(true);
  });

  test('a DIGEST of the wrong length is AWS\'s ValidationException', async () => {
    const KeyId = await keyOf('ECC_NIST_P256');
    const err = await expectAwsError(e.kms.send(new SignCommand({ KeyId, Message: Buffer.alloc(31), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })), 'ValidationException');
    expect(err.message).toBe('Digest is invalid length for algorithm ECDSA_SHA_256.');
  });

  test('a message of 4096 bytes signs; 4097 bytes is a ValidationException that does not quote the message', async () => {
    const KeyId = await keyOf('ECC_NIST_P256');
    await e.kms.send(new SignCommand({ KeyId, Message: Buffer.alloc(4096, 0x61), SigningAlgorithm: 'ECDSA_SHA_256' }));
    const err = await expectAwsError(e.kms.send(new SignCommand({ KeyId, Message: Buffer.alloc(4097, 0x61), SigningAlgorithm: 'ECDSA_SHA_256' })), 'ValidationException');
    expect(err.message).toBe("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096");
  });

  test('an algorithm the key spec does not take is InvalidKeyUsageException in AWS\'s words', async () => {
    const err = await expectAwsError(e.kms.send(new SignCommand({ KeyId: await keyOf('ECC_NIST_P521'), Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
    expect(err.message).toBe('Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P521.');
    await expectAwsError(e.kms.send(new SignCommand({ KeyId: await keyOf('RSA_2048'), Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
    await expectAwsError(e.kms.send(new VerifyCommand({ KeyId: await keyOf('ECC_NIST_P256'), Message: Buffer.from('x'), Signature: Buffer.from('y'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'InvalidKeyUsageException');
  });
});

describe('wrong usage is InvalidKeyUsageException everywhere', () => {
  const usage = (arn: string, usage: string, operation: string) => `${arn} key usage is ${usage} which is not valid for ${operation}.`;

  test('Sign and Verify with a symmetric, an RSA encryption or an HMAC key', async () => {
    for (const [KeyId, keyUsage] of [[await keyOf('SYMMETRIC_DEFAULT'), 'ENCRYPT_DECRYPT'], [await keyOf('RSA_2048', 'ENCRYPT_DECRYPT'), 'ENCRYPT_DECRYPT'], [await keyOf('HMAC_256', 'GENERATE_VERIFY_MAC'), 'GENERATE_VERIFY_MAC']] as const) {
      const err = await expectAwsError(e.kms.send(new SignCommand({ KeyId, Message: Buffer.from('x'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' })), 'InvalidKeyUsageException');
      expect(err.message).toBe(usage(KeyId, keyUsage, 'Sign'));
      const err2 = await expectAwsError(e.kms.send(new VerifyCommand({ KeyId, Message: Buffer.from('x'), Signature: Buffer.from('y'), SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
      expect(err2.message).toBe(usage(KeyId, keyUsage, 'Verify'));
    }
  });

  test('Encrypt with an ECC, an RSA signing or an HMAC key', async () => {
    for (const [KeyId, keyUsage] of [[await keyOf('ECC_NIST_P256'), 'SIGN_VERIFY'], [await keyOf('RSA_2048'), 'SIGN_VERIFY'], [await keyOf('HMAC_224', 'GENERATE_VERIFY_MAC'), 'GENERATE_VERIFY_MAC']] as const) {
      const err = await expectAwsError(e.kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') })), 'InvalidKeyUsageException');
      expect(err.message).toBe(usage(KeyId, keyUsage, 'Encrypt'));
    }
  });

  test('GenerateDataKey and GenerateDataKeyPair with an RSA key: usage for a signing key, the algorithm for an encryption key', async () => {
    const signing = await keyOf('RSA_2048');
    const err = await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: signing, KeySpec: 'AES_256' })), 'InvalidKeyUsageException');
    expect(err.message).toBe(usage(signing, 'SIGN_VERIFY', 'GenerateDataKey'));
    const encryption = await keyOf('RSA_2048', 'ENCRYPT_DECRYPT');
    const err2 = await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: encryption, KeySpec: 'AES_256' })), 'InvalidKeyUsageException');
    expect(err2.message).toBe('Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
    const err3 = await expectAwsError(e.kms.send(new GenerateDataKeyPairCommand({ KeyId: signing, KeyPairSpec: 'ECC_NIST_P256' })), 'InvalidKeyUsageException');
    expect(err3.message).toBe(usage(signing, 'SIGN_VERIFY', 'GenerateDataKeyPair'));
  });

  test('GenerateMac with an RSA or a symmetric key, Decrypt under a signing key', async () => {
    const symmetric = await keyOf('SYMMETRIC_DEFAULT');
    const err = await expectAwsError(e.kms.send(new GenerateMacCommand({ KeyId: symmetric, Message: Buffer.from('x'), MacAlgorithm: 'HMAC_SHA_256' })), 'InvalidKeyUsageException');
    expect(err.message).toBe(usage(symmetric, 'ENCRYPT_DECRYPT', 'GenerateMac'));
    await expectAwsError(e.kms.send(new GenerateMacCommand({ KeyId: await keyOf('RSA_2048'), Message: Buffer.from('x'), MacAlgorithm: 'HMAC_SHA_256' })), 'InvalidKeyUsageException');
    const signing = await keyOf('RSA_2048');
    const err2 = await expectAwsError(e.kms.send(new DecryptCommand({ KeyId: signing, CiphertextBlob: Buffer.alloc(256, 1), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })), 'InvalidKeyUsageException');
    expect(err2.message).toBe(usage(signing, 'SIGN_VERIFY', 'Decrypt'));
  });

  test('a symmetric ciphertext with the KeyId of another kind of key is IncorrectKeyException, in AWS\'s words', async () => {
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: await keyOf('SYMMETRIC_DEFAULT'), Plaintext: Buffer.from('x') }));
    const err = await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob, KeyId: await keyOf('HMAC_256', 'GENERATE_VERIFY_MAC') })), 'IncorrectKeyException');
    expect(err.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.');
  });
});

describe('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', () => {
  test.each([
    ['RSA_2048', { modulusLength: 2048 }],
    ['ECC_NIST_P256', { namedCurve: 'prime256v1' }],
    ['ECC_NIST_P384', { namedCurve: 'secp384r1' }],
    ['ECC_NIST_P521', { namedCurve: 'secp521r1' }],
    ['ECC_SECG_P256K1', { namedCurve: 'secp256k1' }],
  ] as const)('%s: a PKCS#8 private key, its DER public key, and the private key sealed with the context, which Decrypt gives back', async (KeyPairSpec, details) => {
    const KeyId = await keyOf('SYMMETRIC_DEFAULT');
    const EncryptionContext = { purpose: 'data key pair' };
    const out = await e.kms.send(new GenerateDataKeyPairCommand({ KeyId, KeyPairSpec, EncryptionContext }));
    expect(out).toMatchObject({ KeyId, KeyPairSpec });
    const privateKey = createPrivateKey({ key: Buffer.from(out.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' });
    expect(privateKey.asymmetricKeyDetails).toMatchObject(details);
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(out.PublicKey!));
    const opened = await e.kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob, EncryptionContext }));
    expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(out.PrivateKeyPlaintext!));
    expect(opened.KeyId).toBe(KeyId);
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob })), 'InvalidCiphertextException');
  });

  test('WithoutPlaintext gives no private key in clear; its sealed one decrypts to the pair of the public key given', async () => {
    const KeyId = await keyOf('SYMMETRIC_DEFAULT');
    const out = await e.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(Object.keys(out).filter((k) => k !== '$metadata').sort()).toEqual(['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey']);
    const opened = await e.kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
    const privateKey = createPrivateKey({ key: Buffer.from(opened.Plaintext!), format: 'der', type: 'pkcs8' });
    expect(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(out.PublicKey!));
  });

  test('a pair spec the engine does not make (SM2, China Regions only) is UnsupportedOperationException', async () => {
    await expectAwsError(e.kms.send(new GenerateDataKeyPairCommand({ KeyId: await keyOf('SYMMETRIC_DEFAULT'), KeyPairSpec: 'SM2' })), 'UnsupportedOperationException');
  });
});

describe('RSASSA-PSS over a digest, checked by the standard\'s steps', () => {
  test('a signature whose PSS encoding has the right trailer but a broken separator is KMSInvalidSignatureException', async () => {
    const KeyId = await keyOf('RSA_2048');
    const [pkcs8] = e.engine.kms.materialForTest(KeyId.split('/')[1]!);
    const privateKey = createPrivateKey({ key: pkcs8!, format: 'der', type: 'pkcs8' });
    const digest = createHash('sha256').update('m').digest();
    /** EMSA-PSS (RFC 8017 9.1.1) for SHA-256 and a 2048-bit key, with the given byte where the 0x01 separator belongs, signed raw. */
    const signedEncoding = (separator: number) => {
      const salt = Buffer.alloc(32, 7);
      const h = createHash('sha256').update(Buffer.alloc(8)).update(digest).update(salt).digest();
      const db = Buffer.concat([Buffer.alloc(256 - 32 - 32 - 2), Buffer.from([separator]), salt]);
      const mask = Buffer.concat([0, 1, 2, 3, 4, 5, 6].map((i) => createHash('sha256').update(h).update(Buffer.from([0, 0, 0, i])).digest()));
      for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
      db[0]! &= 0x7f;
      return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.concat([db, h, Buffer.from([0xbc])]));
    };
    const verifyDigest = (Signature: Buffer) => e.kms.send(new VerifyCommand({ KeyId, Message: digest, MessageType: 'DIGEST', Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    expect((await verifyDigest(signedEncoding(0x01))).SignatureValid).toBe(true);
    await expectAwsError(verifyDigest(signedEncoding(0x02)), 'KMSInvalidSignatureException');
  });
});
