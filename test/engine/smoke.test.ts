import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => e.stop());

test('encrypt then decrypt round-trips through the SDK over HTTP', async () => {
  const { KeyMetadata } = await e.kms.send(new CreateKeyCommand({ Description: 'smoke' }));
  const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('hello') }));
  const { Plaintext, KeyId } = await e.kms.send(new DecryptCommand({ CiphertextBlob }));
  expect(Buffer.from(Plaintext!).toString()).toBe('hello');
  expect(KeyId).toBe(KeyMetadata!.Arn);
});
