// Secrets masked for display, and what the capture keeps of a call.
import { describe, expect, test } from 'vitest';
import { describeCall } from '../../src/runtime/capture.js';
import { maskSecret, toDisplayJson } from '../../src/mask.js';

describe('masking', () => {
  test('a data key shows its first 2 and last 3 base64 characters, as the workshop prints it', () => {
    const key = Buffer.from('97'.padEnd(40, 'x'));
    const b64 = key.toString('base64');
    expect(maskSecret(key)).toBe(`${b64.slice(0, 2)}**...**${b64.slice(-3)}`);
    expect(maskSecret('97abcdefFEFEROLxyzOOL')).toBe('97**...**OOL');
    expect(maskSecret('abc')).toBe('**...**');
  });

  test('display JSON: Plaintext masked at any depth, bytes as base64, dates as ISO, $metadata and undefined dropped', () => {
    const value = toDisplayJson({
      Plaintext: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      CiphertextBlob: new Uint8Array([255, 0]),
      When: new Date('2026-01-02T03:04:05Z'),
      Missing: undefined,
      $metadata: { requestId: 'r' },
      Inner: [{ Plaintext: 'c2VjcmV0LXNlY3JldA==' }],
      Secret: 'hide-me-please',
    }, ['Secret']);
    expect(value).toEqual({
      Plaintext: 'AQ**...**wgJ', // base64 AQIDBAUGBwgJ
      CiphertextBlob: '/wA=',
      When: '2026-01-02T03:04:05.000Z',
      Inner: [{ Plaintext: 'c2**...**A==' }],
      Secret: 'hi**...**ase',
    });
  });
});

describe('capture', () => {
  const t = '2026-01-01T00:00:00.000Z';
  test('a KMS call by alias: the alias, and the key ARN from the response', () => {
    const call = describeCall('kms', 'GenerateDataKey', { KeyId: 'alias/a', EncryptionContext: { project: 'p' } }, { KeyId: 'arn:aws:kms:us-east-1:1:key/k' }, { ok: true }, t, 3, 'rid');
    expect(call).toEqual({ time: t, service: 'kms', operation: 'GenerateDataKey', keyId: 'arn:aws:kms:us-east-1:1:key/k', alias: 'alias/a', encryptionContext: { project: 'p' }, caller: 'you', outcome: { ok: true }, durationMs: 3, requestId: 'rid' });
  });

  test('an S3 call: bucket, object, SSE-KMS key and the base64 JSON encryption context header', () => {
    const ctx = Buffer.from(JSON.stringify({ dept: 'x' })).toString('base64');
    const call = describeCall('s3', 'PutObject', { Bucket: 'b', Key: 'o.txt', SSEKMSKeyId: 'alias/s', SSEKMSEncryptionContext: ctx, Body: 'secret body' }, undefined, { ok: false, code: 'KMS.NotFoundException', message: 'm' }, t, 1, undefined);
    expect(call).toMatchObject({ bucket: 'b', objectKey: 'o.txt', keyId: 'alias/s', alias: 'alias/s', encryptionContext: { dept: 'x' }, outcome: { ok: false, code: 'KMS.NotFoundException' } });
    expect(JSON.stringify(call)).not.toContain('secret body');
  });
});
