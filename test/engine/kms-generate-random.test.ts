// GenerateRandom's CustomKeyStoreId: the engine has no custom key stores, so every id names a
// store KMS cannot find, and AWS answers CustomKeyStoreNotFoundException (the error its API
// reference lists for GenerateRandom), not NotFoundException, and makes no bytes.
import { CustomKeyStoreNotFoundException, GenerateRandomCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
});
afterAll(async () => {
  await e.stop();
});

test('GenerateRandom in a custom key store that does not exist is CustomKeyStoreNotFoundException naming the id', async () => {
  const err = await expectAwsError(e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: 'cks-1234567890abcdef0' })), 'CustomKeyStoreNotFoundException');
  expect(err).toBeInstanceOf(CustomKeyStoreNotFoundException);
  expect(err.message).toBe('KMS cannot find a custom key store with the ID cks-1234567890abcdef0.');
});

test('GenerateRandom without a custom key store still answers the bytes asked for', async () => {
  expect((await e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 7 }))).Plaintext).toHaveLength(7);
});
