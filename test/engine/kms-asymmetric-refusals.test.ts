// What Sign, Verify, GenerateMac, VerifyMac, GetPublicKey, GenerateDataKeyPair(WithoutPlaintext)
// and DeriveSharedSecret refuse, through @aws-sdk/client-kms: a key that is disabled or pending
// deletion (AWS's key state table: DisabledException, KMSInvalidStateException), a key of the
// wrong usage (each operation named in AWS's words), and the inputs each one checks itself,
// with the engine's messages.
import {
  CreateKeyCommand, DecryptCommand, DeriveSharedSecretCommand, DisableKeyCommand, GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateMacCommand, GetPublicKeyCommand, ScheduleKeyDeletionCommand, SignCommand, VerifyCommand, VerifyMacCommand, type CreateKeyCommandInput, type KeyMetadata, type MessageType,
} from '@aws-sdk/client-kms';
import { constants, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const create = async (input: CreateKeyCommandInput): Promise<KeyMetadata> => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const peer = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });

/** Every operation of these modules, called on a key of the kind it takes (the key given by its id). */
const operations: [string, CreateKeyCommandInput, (KeyId: string) => Promise<unknown>][] = [
  ['Sign', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, (KeyId) => e.kms.send(new SignCommand({ KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' }))],
  ['Verify', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, (KeyId) => e.kms.send(new VerifyCommand({ KeyId, Message: Buffer.from('m'), Signature: Buffer.from('s'), SigningAlgorithm: 'ECDSA_SHA_256' }))],
  ['GetPublicKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, (KeyId) => e.kms.send(new GetPublicKeyCommand({ KeyId }))],
  ['GenerateMac', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }, (KeyId) => e.kms.send(new GenerateMacCommand({ KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }))],
  ['VerifyMac', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }, (KeyId) => e.kms.send(new VerifyMacCommand({ KeyId, Message: Buffer.from('m'), Mac: Buffer.alloc(32), MacAlgorithm: 'HMAC_SHA_256' }))],
  ['GenerateDataKeyPair', {}, (KeyId) => e.kms.send(new GenerateDataKeyPairCommand({ KeyId, KeyPairSpec: 'ECC_NIST_P256' }))],
  ['GenerateDataKeyPairWithoutPlaintext', {}, (KeyId) => e.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId, KeyPairSpec: 'ECC_NIST_P256' }))],
  ['DeriveSharedSecret', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }, (KeyId) => e.kms.send(new DeriveSharedSecretCommand({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer() }))],
];

describe('a key that cannot be used', () => {
  test.each(operations)('%s with a disabled key is DisabledException, with one pending deletion KMSInvalidStateException', async (_, kind, call) => {
    const disabled = await create(kind);
    await e.kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const err = await expectAwsError(call(disabled.KeyId!), 'DisabledException');
    expect(err.message).toBe(`${disabled.Arn} is disabled.`);
    const deleting = await create(kind);
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: deleting.KeyId, PendingWindowInDays: 7 }));
    const err2 = await expectAwsError(call(deleting.KeyId!), 'KMSInvalidStateException');
    expect(err2.message).toBe(`${deleting.Arn} is pending deletion.`);
  });
});

describe('a key of another usage names the operation', () => {
  test.each(operations.filter(([name]) => name !== 'GetPublicKey'))('%s with a key of the wrong usage', async (name, kind, call) => {
    const other = await create(kind.KeyUsage === 'SIGN_VERIFY' ? { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' } : { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    const err = await expectAwsError(call(other.KeyId!), 'InvalidKeyUsageException');
    expect(err.message).toBe(`${other.Arn} key usage is ${other.KeyUsage} which is not valid for ${name}.`);
  });

  test('GetPublicKey of a symmetric or an HMAC key says the spec has no public key', async () => {
    for (const kind of [{}, { KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }] as const) {
      const key = await create(kind);
      const err = await expectAwsError(e.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException');
      expect(err.message).toBe(`${key.Arn} key spec is ${key.KeySpec}, which has no public key.`);
    }
  });
});

describe('Sign and Verify', () => {
  test('MessageType EXTERNAL_MU (for ML-DSA keys, which the engine does not make) is InvalidKeyUsageException on both', async () => {
    const key = await create({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const MessageType = 'EXTERNAL_MU' as MessageType;
    const message = 'MessageType EXTERNAL_MU is incompatible with signing algorithm ECDSA_SHA_256.';
    const err = await expectAwsError(e.kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.alloc(64), MessageType, SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
    expect(err.message).toBe(message);
    const err2 = await expectAwsError(e.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: Buffer.alloc(64), MessageType, Signature: Buffer.alloc(70), SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
    expect(err2.message).toBe(message);
  });

  test('a DIGEST of the wrong length is refused by Verify too, naming the algorithm', async () => {
    const key = await create({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    const err = await expectAwsError(e.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: Buffer.alloc(32), MessageType: 'DIGEST', Signature: Buffer.alloc(100), SigningAlgorithm: 'ECDSA_SHA_384' })), 'ValidationException');
    expect(err.message).toBe('Digest is invalid length for algorithm ECDSA_SHA_384.');
  });

  test('a PSS signature one byte short is KMSInvalidSignatureException (RFC 8017: the signature is as long as the modulus), though OpenSSL 3.0 takes it', async () => {
    const key = await create({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const privateKey = createPrivateKey({ key: e.engine.kms.materialForTest(key.KeyId!)[0]!, format: 'der', type: 'pkcs8' });
    let Message: Buffer;
    let signature: Buffer;
    let i = 0;
    do {
      Message = Buffer.from(`message ${i++}`);
      signature = sign('sha256', Message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    } while (signature[0] !== 0);
    const verifyWith = (Signature: Buffer) => e.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message, Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    expect((await verifyWith(signature)).SignatureValid).toBe(true);
    await expectAwsError(verifyWith(signature.subarray(1)), 'KMSInvalidSignatureException');
  });
});

describe('GenerateDataKeyPair', () => {
  test('a pair spec in the API that the engine does not make is UnsupportedOperationException saying so', async () => {
    const key = await create({});
    const err = await expectAwsError(e.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: 'SM2' })), 'UnsupportedOperationException');
    expect(err.message).toBe('The local engine does not generate SM2 data key pairs.');
  });

  test('the KeyMaterialId given is the one Decrypt names for the sealed private key, with and without plaintext', async () => {
    const key = await create({});
    for (const out of [
      await e.kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' })),
      await e.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P384' })),
    ]) {
      expect(out.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      const opened = await e.kms.send(new DecryptCommand({ CiphertextBlob: out.PrivateKeyCiphertextBlob }));
      expect(opened.KeyMaterialId).toBe(out.KeyMaterialId);
      expect(out.KeyId).toBe(key.Arn);
    }
  });
});

describe('DeriveSharedSecret', () => {
  test('a peer key that is no SubjectPublicKeyInfo, or not on the key\'s curve, is refused with a message saying which', async () => {
    const key = await create({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' });
    const derive = (PublicKey: Uint8Array) => e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }));
    const err = await expectAwsError(derive(Buffer.from('not DER')), 'ValidationException');
    expect(err.message).toBe('PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo (RFC 5280).');
    for (const wrong of [peer(), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })]) {
      const err2 = await expectAwsError(derive(wrong), 'ValidationException');
      expect(err2.message).toBe(`PublicKey must be an elliptic curve public key on the curve of ECC_NIST_P384, the key spec of ${key.Arn}.`);
    }
  });
});
