// ECC key agreement keys (KeyUsage KEY_AGREEMENT) and DeriveSharedSecret through
// @aws-sdk/client-kms: the shared secret is the raw ECDH secret, the one a peer derives outside
// KMS with node:crypto from its own private key and the KMS key's public key.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateKeyCommand, DescribeKeyCommand, DeriveSharedSecretCommand, DisableKeyCommand, EncryptCommand, GetPublicKeyCommand, SignCommand,
  type KeySpec,
} from '@aws-sdk/client-kms';
import { createECDH, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const CURVES = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1' } as const;
type AgreementSpec = keyof typeof CURVES;

async function agreementKey(KeySpec: AgreementSpec = 'ECC_NIST_P256') {
  return (await e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'KEY_AGREEMENT' }))).KeyMetadata!;
}

/** A peer's key pair made outside KMS, its public key as the DER SubjectPublicKeyInfo DeriveSharedSecret takes. */
function peerOn(namedCurve: string): { privateKey: KeyObject; spki: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

async function kmsPublicKey(KeyId: string): Promise<KeyObject> {
  return createPublicKey({ key: Buffer.from((await e.kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!), format: 'der', type: 'spki' });
}

describe('KEY_AGREEMENT keys', () => {
  test.each(Object.keys(CURVES) as AgreementSpec[])('an %s key shows KeyAgreementAlgorithms [ECDH] and no other algorithms, in DescribeKey and GetPublicKey', async (spec) => {
    const key = await agreementKey(spec);
    expect(key).toMatchObject({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT', KeyAgreementAlgorithms: ['ECDH'] });
    const described = (await e.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
    expect(described.KeyAgreementAlgorithms).toEqual(['ECDH']);
    for (const other of ['EncryptionAlgorithms', 'SigningAlgorithms', 'MacAlgorithms'] as const) expect(described[other]).toBeUndefined();
    const pub = await e.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    expect(pub).toMatchObject({ KeyUsage: 'KEY_AGREEMENT', KeyAgreementAlgorithms: ['ECDH'] });
    expect(createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails).toEqual({ namedCurve: CURVES[spec] });
  });

  test('KEY_AGREEMENT is refused for RSA, secp256k1, HMAC and symmetric keys (ValidationException)', async () => {
    for (const KeySpec of ['RSA_2048', 'ECC_SECG_P256K1', 'HMAC_256', 'SYMMETRIC_DEFAULT'] as KeySpec[])
      await expectAwsError(e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'KEY_AGREEMENT' })), 'ValidationException');
  });
});

describe('DeriveSharedSecret', () => {
  test.each(Object.entries(CURVES) as [AgreementSpec, string][])('with %s, the secret is the raw ECDH secret the peer derives outside KMS', async (spec, curve) => {
    const key = await agreementKey(spec);
    const peer = peerOn(curve);
    const out = await e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.spki }));
    const theirs = diffieHellman({ privateKey: peer.privateKey, publicKey: await kmsPublicKey(key.KeyId!) });
    expect(Buffer.from(out.SharedSecret!).equals(theirs)).toBe(true);
    expect(out.SharedSecret!.length).toBe(createECDH(curve).generateKeys().length >> 1); // the field's size: the x-coordinate, no KDF applied
    expect(out).toMatchObject({ KeyId: key.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    expect(out.CiphertextForRecipient).toBeUndefined();
  });

  test('two KMS keys derive the same secret from each other\'s public keys, by id, ARN or alias', async () => {
    const alice = await agreementKey();
    const bob = await agreementKey();
    const pub = async (KeyId: string) => (await e.kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!;
    const a = await e.kms.send(new DeriveSharedSecretCommand({ KeyId: alice.Arn, KeyAgreementAlgorithm: 'ECDH', PublicKey: await pub(bob.KeyId!) }));
    const b = await e.kms.send(new DeriveSharedSecretCommand({ KeyId: bob.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: await pub(alice.Arn!) }));
    expect(Buffer.from(a.SharedSecret!)).toEqual(Buffer.from(b.SharedSecret!));
  });

  test('a peer key on another curve, an RSA key, or bytes that are no SubjectPublicKeyInfo: ValidationException', async () => {
    const key = await agreementKey('ECC_NIST_P256');
    const derive = (PublicKey: Uint8Array) => e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }));
    await expectAwsError(derive(peerOn('secp384r1').spki), 'ValidationException');
    await expectAwsError(derive(peerOn('secp256k1').spki), 'ValidationException');
    await expectAwsError(derive(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' })), 'ValidationException');
    await expectAwsError(derive(Buffer.from('InvalidPublicKey')), 'ValidationException');
    // The public key base64-encoded once too often, as AWS CLI v1 does with an inline value (the API reference's warning).
    await expectAwsError(derive(Buffer.from(peerOn('prime256v1').spki.toString('base64'))), 'ValidationException');
  });

  test('a point that is not on the curve is refused, never multiplied (ValidationException)', async () => {
    const key = await agreementKey('ECC_NIST_P256');
    const spki = Buffer.from(peerOn('prime256v1').spki);
    spki[spki.length - 1]! ^= 0x01; // the last byte of y: (x, y') is off the curve
    await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: spki })), 'ValidationException');
  });

  test('wrong key usage is InvalidKeyUsageException in AWS\'s words, both ways', async () => {
    const peer = peerOn('prime256v1').spki;
    const signing = (await e.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const symmetric = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    for (const key of [signing, symmetric]) {
      const err = await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })), 'InvalidKeyUsageException');
      expect(err.message).toBe(`${key.Arn} key usage is ${key.KeyUsage} which is not valid for DeriveSharedSecret.`);
    }
    const agreement = await agreementKey();
    const err = await expectAwsError(e.kms.send(new SignCommand({ KeyId: agreement.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' })), 'InvalidKeyUsageException');
    expect(err.message).toBe(`${agreement.Arn} key usage is KEY_AGREEMENT which is not valid for Sign.`);
    await expectAwsError(e.kms.send(new EncryptCommand({ KeyId: agreement.KeyId, Plaintext: Buffer.from('m') })), 'InvalidKeyUsageException');
  });

  test('an algorithm other than ECDH, or no public key: ValidationException', async () => {
    const key = await agreementKey();
    await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'X25519' as 'ECDH', PublicKey: peerOn('prime256v1').spki })), 'ValidationException');
    await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: undefined })), 'ValidationException');
  });

  test('a disabled key is DisabledException; a key that does not exist, NotFoundException', async () => {
    const key = await agreementKey();
    await e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerOn('prime256v1').spki })), 'DisabledException');
    await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', KeyAgreementAlgorithm: 'ECDH', PublicKey: peerOn('prime256v1').spki })), 'NotFoundException');
  });

  test('a Recipient attestation document is refused (it cannot be verified locally) and no secret is returned', async () => {
    const key = await agreementKey();
    const err = await expectAwsError(
      e.kms.send(new DeriveSharedSecretCommand({
        KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerOn('prime256v1').spki,
        Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: Buffer.from('not a signed COSE document') },
      })),
      'ValidationException',
    );
    expect(err.message).toMatch(/attestation document/);
  });

  test('DryRun answers DryRunOperationException for a call that would succeed, the real error otherwise', async () => {
    const key = await agreementKey();
    await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerOn('prime256v1').spki, DryRun: true })), 'DryRunOperationException');
    await expectAwsError(e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerOn('secp384r1').spki, DryRun: true })), 'ValidationException');
  });

  test('CloudTrail records the key and the algorithm, never the secret or the peer\'s key', async () => {
    const key = await agreementKey();
    const peer = peerOn('prime256v1');
    const out = await e.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.spki }));
    const cloudtrail = new CloudTrailClient(e.clientConfig);
    const events = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DeriveSharedSecret' }], MaxResults: 1 }));
    const text = events.Events![0]!.CloudTrailEvent!;
    const event = JSON.parse(text);
    expect(event).toMatchObject({ eventName: 'DeriveSharedSecret', eventSource: 'kms.amazonaws.com', readOnly: true, requestParameters: { keyId: key.KeyId, keyAgreementAlgorithm: 'ECDH' }, responseElements: null });
    expect(event.resources).toEqual([{ accountId: expect.any(String), type: 'AWS::KMS::Key', ARN: key.Arn }]);
    const secret = Buffer.from(out.SharedSecret!);
    for (const hidden of [secret.toString('base64'), secret.toString('hex'), peer.spki.toString('base64')]) expect(text).not.toContain(hidden);
  });
});
