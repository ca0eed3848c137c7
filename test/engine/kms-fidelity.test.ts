// Details a learner compares with AWS: ciphertext sizes, error bodies and texts, tag rules,
// the API's operations the engine lacks, and what CloudTrail keeps of the new operations.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand,
  GenerateMacCommand, GenerateRandomCommand, GetPublicKeyCommand, SignCommand, TagResourceCommand, VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { createCipheriv, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { canonicalContext } from '../../src/engine/kms/ciphertext.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
let keyId: string;
beforeAll(async () => {
  e = await startTestEngine();
  keyId = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
});
afterAll(async () => e.stop());

const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIATEST/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00';

/** A KMS call as raw JSON 1.1, to see the body AWS's clients parse. */
async function post(operation: string, body: unknown) {
  const res = await fetch(`${e.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}`, authorization: AUTH },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('symmetric ciphertext blobs', () => {
  test('are as long as AWS\'s: the plaintext plus 152 bytes (a 32-byte data key gives 184)', async () => {
    const dataKey = await e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    expect(dataKey.CiphertextBlob).toHaveLength(184);
    expect((await e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_128' }))).CiphertextBlob).toHaveLength(168);
    for (const n of [1, 100, 4096]) {
      const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(n, 7) }));
      expect(CiphertextBlob).toHaveLength(n + 152);
    }
  });

  test('every byte of the padding is authenticated: changing any one fails with InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('padded') }));
    for (let i = 45; i < 152; i += 13) {
      const changed = Buffer.from(CiphertextBlob!);
      changed[i]! ^= 0x01;
      await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: changed })), 'InvalidCiphertextException');
    }
  });

  test('a blob in the earlier format (45 bytes of overhead, version 1) still decrypts, with its context', async () => {
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('new') }));
    const handle = Buffer.from(CiphertextBlob!).subarray(1, 17);
    const [material] = e.engine.kms.materialForTest(keyId);
    // Version 1, as the engine wrote it before: version | handle | iv | tag | body, AAD = handle + context.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', material!, iv);
    cipher.setAAD(Buffer.concat([handle, canonicalContext({ era: 'old' })]));
    const body = Buffer.concat([cipher.update('written long ago'), cipher.final()]);
    const old = Buffer.concat([Buffer.from([1]), handle, iv, cipher.getAuthTag(), body]);
    const out = await e.kms.send(new DecryptCommand({ CiphertextBlob: old, EncryptionContext: { era: 'old' } }));
    expect(Buffer.from(out.Plaintext!).toString()).toBe('written long ago');
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: old })), 'InvalidCiphertextException');
  });
});

describe('error bodies and texts as AWS gives them', () => {
  test('InvalidCiphertextException, KMSInvalidSignatureException and KMSInvalidMacException bodies have no message member', async () => {
    const bad = await post('Decrypt', { CiphertextBlob: Buffer.from('not a ciphertext').toString('base64') });
    expect(bad).toEqual({ status: 400, json: { __type: 'InvalidCiphertextException' } });
    const signing = (await e.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
    const sig = await post('Verify', { KeyId: signing, Message: 'bQ==', Signature: 'c2ln', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(sig).toEqual({ status: 400, json: { __type: 'KMSInvalidSignatureException' } });
    const hmac = (await e.kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!.KeyId!;
    const mac = await post('VerifyMac', { KeyId: hmac, Message: 'bQ==', Mac: 'bWFj', MacAlgorithm: 'HMAC_SHA_256' });
    expect(mac).toEqual({ status: 400, json: { __type: 'KMSInvalidMacException' } });
    // Errors with something to say still say it.
    expect((await post('DescribeKey', { KeyId: 'alias/none' })).json.message).toMatch(/is not found/);
  });

  test('GenerateRandom without NumberOfBytes says so as AWS does', async () => {
    const err = await expectAwsError(e.kms.send(new GenerateRandomCommand({})), 'ValidationException');
    expect(err.message).toBe('NumberOfBytes is required.');
  });

  test('a plaintext too large for Encrypt gets AWS\'s text, which does not quote the plaintext', async () => {
    const err = await expectAwsError(e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4097, 0x41) })), 'ValidationException');
    expect(err.message).toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
  });
});

describe('tags', () => {
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ TagKey: `key${i}`, TagValue: `value${i}` }));

  test('the same tag key twice is TagException "Duplicate tag keys", on CreateKey and TagResource', async () => {
    const twice = [{ TagKey: 'tag1', TagValue: 'value1' }, { TagKey: 'tag1', TagValue: 'another-value1' }];
    expect((await expectAwsError(e.kms.send(new CreateKeyCommand({ Tags: twice })), 'TagException')).message).toBe('Duplicate tag keys');
    expect((await expectAwsError(e.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: twice })), 'TagException')).message).toBe('Duplicate tag keys');
  });

  test('50 tags are fine; 51 in one request are TagException "Too many tags"', async () => {
    await e.kms.send(new CreateKeyCommand({ Tags: tags(50) }));
    expect((await expectAwsError(e.kms.send(new CreateKeyCommand({ Tags: tags(51) })), 'TagException')).message).toBe('Too many tags');
    expect((await expectAwsError(e.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: tags(51) })), 'TagException')).message).toBe('Too many tags');
  });

  test('a tag key beginning with aws:, in any case, is TagException "Tags beginning with aws: are reserved"', async () => {
    for (const TagKey of ['aws:key1', 'AWS:key1']) {
      const err = await expectAwsError(e.kms.send(new CreateKeyCommand({ Tags: [{ TagKey, TagValue: 'value1' }] })), 'TagException');
      expect(err.message).toBe('Tags beginning with aws: are reserved');
    }
  });
});

describe('operations of the API the engine does not implement', () => {
  // Custom key stores and GetKeyLastUsage: the engine has none yet.
  test('answer for a key that does not exist with NotFoundException, as AWS does', async () => {
    const missing = await post('GetKeyLastUsage', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' });
    expect(missing.json.__type).toBe('NotFoundException');
    expect(missing.json.message).toBe("Key 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' does not exist");
  });

  test('for a key that exists, and without a key, say plainly that the engine lacks them (UnsupportedOperationException, 400)', async () => {
    const existing = await post('GetKeyLastUsage', { KeyId: keyId });
    expect(existing).toEqual({ status: 400, json: { __type: 'UnsupportedOperationException', message: 'The local engine does not implement GetKeyLastUsage yet.' } });
    expect((await post('DescribeCustomKeyStores', {})).json.__type).toBe('UnsupportedOperationException');
    expect((await post('GetKeyLastUsage', {})).json.__type).toBe('ValidationException'); // KeyId is required
  });

  test('a name that is no operation of the API, or a member of every object, is still UnknownOperationException', async () => {
    for (const name of ['MakeCoffee', 'toString', 'constructor', '__proto__']) expect((await post(name, {})).json.__type).toBe('UnknownOperationException');
  });
});

describe('CloudTrail events of the new operations', () => {
  test('record what AWS\'s log examples show (key, algorithms, message type, pair spec, context) and never a message, signature, MAC or private key', async () => {
    const cloudtrail = new CloudTrailClient(e.clientConfig);
    const record = async (eventName: string) => {
      const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }], MaxResults: 1 }));
      return { text: out.Events![0]!.CloudTrailEvent!, ...JSON.parse(out.Events![0]!.CloudTrailEvent!) };
    };
    const secrets: string[] = [];
    const keep = (b: Uint8Array | undefined) => secrets.push(Buffer.from(b!).toString('base64'), Buffer.from(b!).toString('hex'));
    const message = Buffer.from('a message that must stay out of the trail');
    keep(message);

    const signing = (await e.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const signed = await e.kms.send(new SignCommand({ KeyId: signing.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    keep(signed.Signature);
    await e.kms.send(new VerifyCommand({ KeyId: signing.KeyId, Message: message, MessageType: 'RAW', Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
    await e.kms.send(new GetPublicKeyCommand({ KeyId: signing.Arn }));
    const hmac = (await e.kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    const mac = await e.kms.send(new GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_512' }));
    keep(mac.Mac);
    keep(e.engine.kms.materialForTest(hmac.KeyId!)[0]);
    await e.kms.send(new VerifyMacCommand({ KeyId: hmac.Arn, Message: message, MacAlgorithm: 'HMAC_SHA_512', Mac: mac.Mac }));
    const pair = await e.kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P384', EncryptionContext: { Project: 'Alpha' } }));
    keep(pair.PrivateKeyPlaintext);
    keep(pair.PrivateKeyCiphertextBlob);
    await e.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'RSA_2048', EncryptionContext: { Index: '5' } }));

    const expected: Record<string, unknown> = {
      Sign: { keyId: signing.KeyId, messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256' },
      Verify: { keyId: signing.KeyId, messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256' },
      GetPublicKey: { keyId: signing.Arn },
      GenerateMac: { keyId: hmac.KeyId, macAlgorithm: 'HMAC_SHA_512' },
      VerifyMac: { keyId: hmac.Arn, macAlgorithm: 'HMAC_SHA_512' },
      GenerateDataKeyPair: { keyId, keyPairSpec: 'ECC_NIST_P384', encryptionContext: { Project: 'Alpha' } },
      GenerateDataKeyPairWithoutPlaintext: { keyId, keyPairSpec: 'RSA_2048', encryptionContext: { Index: '5' } },
    };
    for (const [eventName, requestParameters] of Object.entries(expected)) {
      const event = await record(eventName);
      expect(event.requestParameters, eventName).toEqual(requestParameters);
      expect(event.responseElements, eventName).toBeNull();
      expect(event.readOnly, eventName).toBe(true);
      expect(event.eventSource).toBe('kms.amazonaws.com');
      expect(event.resources[0].type).toBe('AWS::KMS::Key');
      for (const secret of secrets) expect(event.text, eventName).not.toContain(secret);
    }
  });
});
