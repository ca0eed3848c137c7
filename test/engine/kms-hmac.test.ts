// HMAC keys through @aws-sdk/client-kms: GenerateMac and VerifyMac (RFC 2104 HMACs).
import { CreateKeyCommand, GenerateMacCommand, VerifyMacCommand, type KeySpec, type MacAlgorithmSpec } from '@aws-sdk/client-kms';
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

const hmacKey = async (KeySpec: KeySpec) => (await e.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;

describe('GenerateMac and VerifyMac', () => {
  test.each([
    ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28],
    ['HMAC_256', 'HMAC_SHA_256', 'sha256', 32],
    ['HMAC_384', 'HMAC_SHA_384', 'sha384', 48],
    ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64],
  ] as const)('%s: the MAC is the %s HMAC of the message under the key\'s secret, and VerifyMac accepts it', async (spec, MacAlgorithm, hash, length) => {
    const key = await hmacKey(spec);
    const Message = Buffer.from('the message to authenticate');
    const out = await e.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message, MacAlgorithm }));
    expect(out).toMatchObject({ KeyId: key.Arn, MacAlgorithm });
    expect(out.Mac).toHaveLength(length);
    const [secret] = e.engine.kms.materialForTest(key.KeyId!);
    expect(secret).toHaveLength(length); // the spec's number of bits
    expect(Buffer.from(out.Mac!)).toEqual(createHmac(hash, secret!).update(Message).digest());
    const verified = await e.kms.send(new VerifyMacCommand({ KeyId: key.Arn, Message, MacAlgorithm, Mac: out.Mac }));
    expect(verified).toMatchObject({ KeyId: key.Arn, MacValid: true, MacAlgorithm });
  });

  test('a MAC of another message, an altered MAC or a truncated one is KMSInvalidMacException', async () => {
    const key = await hmacKey('HMAC_256');
    const { Mac } = await e.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from('original'), MacAlgorithm: 'HMAC_SHA_256' }));
    const altered = Buffer.from(Mac!);
    altered[0]! ^= 1;
    for (const attempt of [{ Message: Buffer.from('other'), Mac }, { Message: Buffer.from('original'), Mac: altered }, { Message: Buffer.from('original'), Mac: Mac!.subarray(0, 16) }]) {
      await expectAwsError(e.kms.send(new VerifyMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', ...attempt })), 'KMSInvalidMacException');
    }
  });

  test('another HMAC key\'s MAC does not verify', async () => {
    const [a, b] = [await hmacKey('HMAC_256'), await hmacKey('HMAC_256')];
    const { Mac } = await e.kms.send(new GenerateMacCommand({ KeyId: a.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    await expectAwsError(e.kms.send(new VerifyMacCommand({ KeyId: b.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256', Mac })), 'KMSInvalidMacException');
  });

  test('an algorithm of another HMAC spec is InvalidKeyUsageException in AWS\'s words, on both operations', async () => {
    const key = await hmacKey('HMAC_224');
    const err = await expectAwsError(e.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' })), 'InvalidKeyUsageException');
    expect(err.message).toBe('Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.');
    await expectAwsError(e.kms.send(new VerifyMacCommand({ KeyId: key.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_512', Mac: Buffer.alloc(28) })), 'InvalidKeyUsageException');
  });

  test('a MAC algorithm outside the enum, and a message over 4096 bytes, are ValidationExceptions', async () => {
    const key = await hmacKey('HMAC_256');
    const err = await expectAwsError(e.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'INVALID' as MacAlgorithmSpec })), 'ValidationException');
    expect(err.message).toMatch(/^1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    await e.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.alloc(4096), MacAlgorithm: 'HMAC_SHA_256' }));
    const err2 = await expectAwsError(e.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.alloc(4097), MacAlgorithm: 'HMAC_SHA_256' })), 'ValidationException');
    expect(err2.message).toBe("1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096");
  });

  test('a missing key is NotFoundException', async () => {
    await expectAwsError(e.kms.send(new GenerateMacCommand({ KeyId: 'alias/no-such-hmac-key', Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' })), 'NotFoundException');
  });
});
