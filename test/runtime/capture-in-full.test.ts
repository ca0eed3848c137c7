// A captured call keeps its request and response for the learner who opens it:
// through a real KMS client against the engine, the data key's plaintext is
// masked, the rest (the whole encryption context) kept as sent.
import { CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { captureCalls, type CapturedCall } from '../../src/runtime/capture.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let engine: TestEngine;
beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(() => engine?.close());

test("a captured GenerateDataKey keeps its request and response, the data key's plaintext masked", async () => {
  const kms = new KMSClient(engine.clientConfig);
  const calls: CapturedCall[] = [];
  captureCalls(kms, (c) => calls.push(c));
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const context = { 'aws:s3:arn': 'arn:aws:s3:::kms-workshop-sse-usecase-1-111122223333-bucket/plaintext_u.txt' };
  const { Plaintext } = await kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256', EncryptionContext: context }));
  const call = calls.find((c) => c.operation === 'GenerateDataKey')!;
  expect(call.request).toMatchObject({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256', EncryptionContext: context });
  const response = call.response as Record<string, string>;
  expect(response.KeyId).toContain(KeyMetadata!.KeyId!);
  expect(response.CiphertextBlob!.length).toBeGreaterThan(100);
  const plaintext = Buffer.from(Plaintext!).toString('base64');
  expect(response.Plaintext).toBe(`${plaintext.slice(0, 2)}**...**${plaintext.slice(-3)}`);
  expect(JSON.stringify(calls)).not.toContain(plaintext.slice(2, 30));
  kms.destroy();
});
