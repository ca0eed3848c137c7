// Call capture in an SDK client's middleware stack: what it records of a call that
// succeeds or fails, how it names the service and operation, and what it pulls out of
// the input (key, alias, context, bucket, object) and nothing else.
import { GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { captureCalls, describeCall, type CapturedCall } from '../../src/runtime/capture.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

type Next = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
type Middleware = (next: Next, context: { clientName?: string; commandName?: string }) => (args: { input: Record<string, unknown> }) => Promise<unknown>;

/** A client stand-in: keeps the middleware and how it was added, to run it by hand. */
function fakeClient() {
  const added: { middleware: Middleware; options: unknown }[] = [];
  const calls: CapturedCall[] = [];
  const client = { middlewareStack: { add: (middleware: unknown, options: unknown) => added.push({ middleware: middleware as Middleware, options }) } };
  captureCalls(client, (c) => calls.push(c));
  const run = (context: { clientName?: string; commandName?: string }, input: Record<string, unknown>, next: Next) => added[0]!.middleware(next, context)({ input });
  return { added, calls, run };
}

describe('the middleware', () => {
  test('is added once, first in the initialize step, under a fixed name that replaces an earlier one', () => {
    const { added } = fakeClient();
    expect(added).toHaveLength(1);
    expect(added[0]!.options).toEqual({ step: 'initialize', name: 'kmsWorkshopCaptureCalls', priority: 'high', override: true });
  });

  test('a call that succeeds: service and operation from the client and command names, request id, duration, outcome', async () => {
    const { calls, run } = fakeClient();
    const output = { KeyId: 'arn:aws:kms:us-east-1:111122223333:key/k', $metadata: { requestId: 'req-1' } };
    const result = await run({ clientName: 'KMSClient', commandName: 'DescribeKeyCommand' }, { KeyId: 'alias/x' }, async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { output };
    });
    expect(result).toEqual({ output });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ service: 'kms', operation: 'DescribeKey', alias: 'alias/x', keyId: output.KeyId, outcome: { ok: true }, requestId: 'req-1', caller: 'you' });
    expect(calls[0]!.durationMs).toBeGreaterThanOrEqual(15);
    expect(calls[0]!.durationMs).toBeLessThan(10_000);
    expect(Date.parse(calls[0]!.time)).toBeLessThanOrEqual(Date.now());
  });

  test('names: only a trailing Client or Command is cut; none given is unknown / Unknown; no $metadata, no request id', async () => {
    const { calls, run } = fakeClient();
    await run({ clientName: 'ClientsClient', commandName: 'CommandsCommand' }, {}, async () => ({ output: {} }));
    await run({}, {}, async () => ({ output: {} }));
    expect(calls.map((c) => [c.service, c.operation])).toEqual([
      ['clients', 'Commands'],
      ['unknown', 'Unknown'],
    ]);
    expect(calls.every((c) => !('requestId' in c))).toBe(true);
  });

  test('a call that fails: the error code and message (UnknownError as no message), its request id, and the error passes through', async () => {
    const { calls, run } = fakeClient();
    const fail = (error: unknown) => run({ clientName: 'S3Client', commandName: 'PutObjectCommand' }, { Bucket: 'b', Key: 'k' }, async () => { throw error; });
    const named = Object.assign(new Error('Access denied'), { name: 'AccessDenied', $metadata: { requestId: 'req-2' } });
    await expect(fail(named)).rejects.toBe(named);
    await expect(fail(Object.assign(new Error('UnknownError'), { name: 'NotFound' }))).rejects.toThrow();
    await expect(fail({ Code: 'SlowDown', message: 'Reduce your request rate' })).rejects.toBeDefined();
    await expect(fail('a bare string')).rejects.toBe('a bare string');
    expect(calls.map((c) => c.outcome)).toEqual([
      { ok: false, code: 'AccessDenied', message: 'Access denied' },
      { ok: false, code: 'NotFound', message: '' },
      { ok: false, code: 'SlowDown', message: 'Reduce your request rate' },
      { ok: false, code: 'Error', message: 'a bare string' },
    ]);
    expect(calls[0]).toMatchObject({ service: 's3', operation: 'PutObject', bucket: 'b', objectKey: 'k', requestId: 'req-2' });
    expect(calls.slice(1).every((c) => !('requestId' in c))).toBe(true);
    for (const c of calls) expect(c.durationMs).toBeLessThan(10_000);
  });
});

describe('what a call record keeps', () => {
  const t = '2026-01-01T00:00:00.000Z';
  const describe_ = (input: Record<string, unknown>, output?: Record<string, unknown>) => describeCall('kms', 'Op', input, output, { ok: true }, t, 1, undefined);

  test('a key id is no alias; an alias ARN gives its alias name', () => {
    expect(describe_({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' })).toEqual({ time: t, service: 'kms', operation: 'Op', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', caller: 'you', outcome: { ok: true }, durationMs: 1 });
    const arn = 'arn:aws:kms:us-east-1:111122223333:alias/my-long-alias';
    expect(describe_({ KeyId: arn })).toMatchObject({ keyId: arn, alias: 'alias/my-long-alias' });
    expect(describe_({ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/k' }).alias).toBeUndefined();
  });

  test('the key from TargetKeyId, SSEKMSKeyId or DestinationKeyId, or else from the response; AliasName as the alias', () => {
    expect(describe_({ AliasName: 'alias/a', TargetKeyId: 'k1' })).toMatchObject({ alias: 'alias/a', keyId: 'k1' });
    expect(describe_({ DestinationKeyId: 'k2' }).keyId).toBe('k2');
    expect(describe_({}, { KeyMetadata: { Arn: 'arn:k3' } }).keyId).toBe('arn:k3');
    expect(describe_({}, { SSEKMSKeyId: 'arn:k4' }).keyId).toBe('arn:k4');
    expect(describe_({ KeyId: 'alias/b' }, { KeyId: 'arn:k5' })).toMatchObject({ alias: 'alias/b', keyId: 'arn:k5' });
  });

  test('empty or non-text names are left out', () => {
    const call = describe_({ KeyId: '', Bucket: '', Key: 42, AliasName: ['alias/x'], EncryptionContext: 'not-a-map' });
    for (const field of ['keyId', 'alias', 'bucket', 'objectKey', 'encryptionContext']) expect(call, field).not.toHaveProperty(field);
    expect(describe_({ EncryptionContext: ['a', 'b'] })).not.toHaveProperty('encryptionContext');
    // An empty name does not hide the next one.
    expect(describe_({ KeyId: '', TargetKeyId: 'k1' }).keyId).toBe('k1');
    expect(describe_({ AliasName: '', KeyId: 'alias/b' }).alias).toBe('alias/b');
  });

  test("S3's context header is read when it is base64 JSON, and ignored when it is not", () => {
    const header = Buffer.from(JSON.stringify({ dept: 'x' })).toString('base64');
    expect(describe_({ SSEKMSEncryptionContext: header }).encryptionContext).toEqual({ dept: 'x' });
    expect(describe_({ SSEKMSEncryptionContext: Buffer.from('{broken').toString('base64') })).not.toHaveProperty('encryptionContext');
  });
});

describe('on a real client', () => {
  let te: TestEngine;
  beforeAll(async () => {
    te = await startTestEngine();
  });
  afterAll(async () => te.stop());

  test('capturing twice on one client still records each call once', async () => {
    const kms = new KMSClient(te.clientConfig);
    const calls: CapturedCall[] = [];
    captureCalls(kms, (c) => calls.push(c));
    captureCalls(kms, (c) => calls.push(c));
    await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
    kms.destroy();
    expect(calls.map((c) => `${c.service}:${c.operation}`)).toEqual(['kms:GenerateRandom']);
    expect(calls[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
