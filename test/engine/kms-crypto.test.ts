import {
  CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand, ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
let keyId: string;
let keyArn: string;
beforeAll(async () => {
  e = await startTestEngine();
  const { KeyMetadata } = await e.kms.send(new CreateKeyCommand({ Description: 'crypto tests' }));
  keyId = KeyMetadata!.KeyId!;
  keyArn = KeyMetadata!.Arn!;
});
afterAll(async () => e.stop());

const text = (b: Uint8Array | undefined) => Buffer.from(b!).toString('utf8');
const encrypt = (plaintext: string, context?: Record<string, string>, id = keyId) =>
  e.kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from(plaintext), EncryptionContext: context }));

describe('Encrypt and Decrypt', () => {
  test('decrypt finds the key from the blob alone and returns the plaintext and key ARN', async () => {
    const { CiphertextBlob, KeyId, EncryptionAlgorithm } = await encrypt('my secret');
    expect(KeyId).toBe(keyArn);
    expect(EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const out = await e.kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(text(out.Plaintext)).toBe('my secret');
    expect(out.KeyId).toBe(keyArn);
  });

  test('the same plaintext encrypts to different blobs (random IV)', async () => {
    const a = await encrypt('same');
    const b = await encrypt('same');
    expect(Buffer.from(a.CiphertextBlob!).equals(Buffer.from(b.CiphertextBlob!))).toBe(false);
  });

  test('the blob is opaque: neither the plaintext nor the key id can be read in it', async () => {
    const plaintext = 'PLAINTEXT-MARKER-0123456789';
    const blob = Buffer.from((await encrypt(plaintext)).CiphertextBlob!);
    const idBytes = Buffer.from(keyId.replace(/-/g, ''), 'hex');
    for (const needle of [Buffer.from(plaintext), Buffer.from(keyId), Buffer.from(keyArn), idBytes]) {
      expect(blob.includes(needle)).toBe(false);
    }
  });

  test('decrypt with the encryption context used to encrypt succeeds, in any key order', async () => {
    const { CiphertextBlob } = await encrypt('ctx', { project: 'kmsworkshop', team: 'blue' });
    const out = await e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { team: 'blue', project: 'kmsworkshop' } }));
    expect(text(out.Plaintext)).toBe('ctx');
  });

  test('decrypt without the encryption context fails with InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await encrypt('ctx', { project: 'kmsworkshop' });
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob })), 'InvalidCiphertextException');
  });

  test('decrypt with a wrong or extra encryption context fails with InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await encrypt('ctx', { project: 'kmsworkshop' });
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { project: 'other' } })), 'InvalidCiphertextException');
    await expectAwsError(
      e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { project: 'kmsworkshop', extra: 'x' } })),
      'InvalidCiphertextException',
    );
  });

  test('a context given at decrypt that was not given at encrypt fails', async () => {
    const { CiphertextBlob } = await encrypt('no ctx');
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'b' } })), 'InvalidCiphertextException');
  });

  test('{"a":"bc"} and {"ab":"c"} are not interchangeable contexts', async () => {
    const { CiphertextBlob } = await encrypt('boundary', { a: 'bc' });
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { ab: 'c' } })), 'InvalidCiphertextException');
    const { CiphertextBlob: two } = await encrypt('boundary', { a: 'b', c: 'd' });
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: two, EncryptionContext: { a: 'bc', '': 'd' } })), 'InvalidCiphertextException');
    const ok = await e.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: 'bc' } }));
    expect(text(ok.Plaintext)).toBe('boundary');
  });

  test('a tampered blob fails with InvalidCiphertextException, at any byte', async () => {
    const blob = Buffer.from((await encrypt('tamper me')).CiphertextBlob!);
    for (const i of [0, 5, 20, 40, blob.length - 1]) {
      const bad = Buffer.from(blob);
      bad[i] = bad[i]! ^ 0x01;
      await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: bad })), 'InvalidCiphertextException');
    }
  });

  test('random bytes and a truncated blob fail with InvalidCiphertextException', async () => {
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a ciphertext at all, just text') })), 'InvalidCiphertextException');
    const blob = Buffer.from((await encrypt('truncate')).CiphertextBlob!);
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 30) })), 'InvalidCiphertextException');
  });

  test('decrypt naming another key than the blob\'s fails with IncorrectKeyException', async () => {
    const other = await e.kms.send(new CreateKeyCommand({}));
    const { CiphertextBlob } = await encrypt('whose key');
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob, KeyId: other.KeyMetadata!.KeyId })), 'IncorrectKeyException');
    const out = await e.kms.send(new DecryptCommand({ CiphertextBlob, KeyId: keyArn }));
    expect(text(out.Plaintext)).toBe('whose key');
  });

  test('a key cannot open a blob sealed under another key', async () => {
    const other = await e.kms.send(new CreateKeyCommand({}));
    const mine = Buffer.from((await encrypt('mine')).CiphertextBlob!);
    const theirs = Buffer.from((await encrypt('theirs', undefined, other.KeyMetadata!.KeyId)).CiphertextBlob!);
    // Graft the other key's handle onto this blob: the tag must not verify.
    const grafted = Buffer.concat([theirs.subarray(0, 17), mine.subarray(17)]);
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: grafted })), 'InvalidCiphertextException');
  });

  test('plaintext of 4096 bytes encrypts; 4097 bytes fails with ValidationException', async () => {
    const ok = await e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4096, 7) }));
    expect(ok.CiphertextBlob!.length).toBeGreaterThan(4096);
    const err = await expectAwsError(e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4097, 7) })), 'ValidationException');
    expect(err.message).toMatch(/plaintext.*less than or equal to 4096/);
  });

  test('empty plaintext fails with ValidationException', async () => {
    await expectAwsError(e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(0) })), 'ValidationException');
  });
});

describe('ReEncrypt', () => {
  test('moves a ciphertext to another key and context without revealing the plaintext', async () => {
    const dest = await e.kms.send(new CreateKeyCommand({}));
    const { CiphertextBlob } = await encrypt('move me', { stage: 'one' });
    const re = await e.kms.send(new ReEncryptCommand({
      CiphertextBlob, SourceEncryptionContext: { stage: 'one' },
      DestinationKeyId: dest.KeyMetadata!.KeyId, DestinationEncryptionContext: { stage: 'two' },
    }));
    expect(re.SourceKeyId).toBe(keyArn);
    expect(re.KeyId).toBe(dest.KeyMetadata!.Arn);
    const out = await e.kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { stage: 'two' } }));
    expect(text(out.Plaintext)).toBe('move me');
    expect(out.KeyId).toBe(dest.KeyMetadata!.Arn);
  });

  test('needs the source context', async () => {
    const { CiphertextBlob } = await encrypt('ctx', { stage: 'one' });
    await expectAwsError(e.kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: keyId })), 'InvalidCiphertextException');
  });
});

describe('GenerateDataKey', () => {
  test('AES_256 gives a 32-byte key whose blob decrypts to the same key under the context', async () => {
    const dk = await e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { project: 'workshop' } }));
    expect(dk.Plaintext!.length).toBe(32);
    expect(dk.KeyId).toBe(keyArn);
    await expectAwsError(e.kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob })), 'InvalidCiphertextException');
    const out = await e.kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { project: 'workshop' } }));
    expect(Buffer.from(out.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
  });

  test('AES_128 gives 16 bytes and NumberOfBytes gives that many', async () => {
    const a = await e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_128' }));
    expect(a.Plaintext!.length).toBe(16);
    for (const n of [1, 64, 1024]) {
      const b = await e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: n }));
      expect(b.Plaintext!.length).toBe(n);
    }
  });

  test('both or neither of KeySpec and NumberOfBytes, or a size out of range, is a ValidationException', async () => {
    await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId })), 'ValidationException');
    await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', NumberOfBytes: 32 })), 'ValidationException');
    await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1025 })), 'ValidationException');
    await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 0 })), 'ValidationException');
    await expectAwsError(e.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_512' as never })), 'ValidationException');
  });

  test('WithoutPlaintext returns only the encrypted key, which decrypts to 32 bytes', async () => {
    const dk = await e.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    expect(dk).not.toHaveProperty('Plaintext');
    const out = await e.kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    expect(out.Plaintext!.length).toBe(32);
  });
});

describe('GenerateRandom', () => {
  test('returns the bytes asked for, different each time, 1..1024', async () => {
    const a = await e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    const b = await e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
    expect(a.Plaintext!.length).toBe(32);
    expect(Buffer.from(a.Plaintext!).equals(Buffer.from(b.Plaintext!))).toBe(false);
    expect((await e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }))).Plaintext!.length).toBe(1024);
    await expectAwsError(e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), 'ValidationException');
    await expectAwsError(e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), 'ValidationException');
  });
});
