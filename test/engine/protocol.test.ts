import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let e: TestEngine;
let keyId: string;
beforeAll(async () => {
  e = await startTestEngine();
  keyId = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
});
afterAll(async () => e.stop());

const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIATEST/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00';

async function post(target: string | undefined, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(e.endpoint + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', authorization: AUTH, ...(target ? { 'x-amz-target': target } : {}), ...headers },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let json: { __type?: string; message?: string } = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* asserted by the caller */
  }
  return { status: res.status, json, text, requestId: res.headers.get('x-amzn-requestid') };
}

async function stillServing() {
  const meta = (await e.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  expect(meta.KeyId).toBe(keyId);
}

test('every reply, success or error, carries an x-amzn-RequestId', async () => {
  const ok = await post('TrentService.ListKeys', '{}');
  expect(ok.status).toBe(200);
  expect(ok.requestId).toMatch(/^[0-9a-f-]{36}$/);
  const bad = await post('TrentService.DescribeKey', '{}');
  expect(bad.status).toBe(400);
  expect(bad.requestId).toMatch(/^[0-9a-f-]{36}$/);
});

test('malformed JSON is a SerializationException, and the server keeps serving', async () => {
  const r = await post('TrentService.Encrypt', '{"KeyId": "abc", ');
  expect(r.status).toBe(400);
  expect(r.json.__type).toBe('SerializationException');
  await stillServing();
});

test('a JSON array or string instead of an object is a SerializationException', async () => {
  for (const body of ['[]', '"text"', 'null']) {
    const r = await post('TrentService.ListKeys', body);
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe('SerializationException');
  }
});

test('wrong member types are a SerializationException', async () => {
  const cases = [
    ['TrentService.DescribeKey', { KeyId: 123 }],
    ['TrentService.GenerateDataKey', { KeyId: keyId, NumberOfBytes: '32' }],
    ['TrentService.Encrypt', { KeyId: keyId, Plaintext: 'aGVsbG8=', EncryptionContext: ['a'] }],
    ['TrentService.Encrypt', { KeyId: keyId, Plaintext: 'not base64 !!' }],
    ['TrentService.CreateKey', { Tags: 'x' }],
  ] as const;
  for (const [target, body] of cases) {
    const r = await post(target, JSON.stringify(body));
    expect(r.status, JSON.stringify(body)).toBe(400);
    expect(r.json.__type, JSON.stringify(body)).toBe('SerializationException');
  }
});

test('missing required members are a ValidationException that names them', async () => {
  const r = await post('TrentService.Encrypt', '{}');
  expect(r.status).toBe(400);
  expect(r.json.__type).toBe('ValidationException');
  expect(r.json.message).toMatch(/2 validation errors detected/);
  expect(r.json.message).toMatch(/'keyId' failed to satisfy constraint: Member must not be null/);
  expect(r.json.message).toMatch(/'plaintext'/);
});

test('an unknown operation is an UnknownOperationException', async () => {
  const r = await post('TrentService.MakeCoffee', '{}');
  expect(r.status).toBe(400);
  expect(r.json.__type).toBe('UnknownOperationException');
  const r2 = await post('NoSuchService_2020.Thing', '{}');
  expect(r2.json.__type).toBe('UnknownOperationException');
  const r3 = await post(undefined, '{}');
  expect(r3.json.__type).toBe('UnknownOperationException');
});

test('a huge body gets a 413 JSON error, and the server keeps serving', async () => {
  const huge = Buffer.alloc(3 * 1024 * 1024, 'a');
  const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(e.endpoint);
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: {
      'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt', authorization: AUTH, 'content-length': huge.length,
    } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end(huge);
  });
  expect(status.status).toBe(413);
  expect(JSON.parse(status.body).__type).toBe('SerializationException');
  await stillServing();
});

test('an empty body is an empty request', async () => {
  const r = await post('TrentService.ListKeys', '');
  expect(r.status).toBe(200);
  expect(Array.isArray((r.json as { Keys?: unknown[] }).Keys)).toBe(true);
});

test('timestamps are epoch seconds and blobs base64 on the wire', async () => {
  const created = e.clock.now().getTime() / 1000;
  const fresh = await post('TrentService.CreateKey', '{}');
  const meta = (fresh.json as unknown as { KeyMetadata: { KeyId: string; CreationDate: unknown } }).KeyMetadata;
  expect(typeof meta.CreationDate).toBe('number');
  // Seconds, not milliseconds: the creation time on the engine clock, to the millisecond at most.
  expect(Math.abs((meta.CreationDate as number) - created)).toBeLessThan(1);
  const described = await post('TrentService.DescribeKey', JSON.stringify({ KeyId: meta.KeyId }));
  expect((described.json as unknown as { KeyMetadata: { CreationDate: unknown } }).KeyMetadata.CreationDate).toBe(meta.CreationDate);
  const g = await post('TrentService.GenerateRandom', JSON.stringify({ NumberOfBytes: 12 }));
  const random = (g.json as { Plaintext: string }).Plaintext;
  expect(random).toMatch(/^[A-Za-z0-9+/]{16}$/); // 12 bytes are 16 base64 characters, no padding
  expect(Buffer.from(random, 'base64').length).toBe(12);
});
