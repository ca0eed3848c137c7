// DNS rebinding: while the engine listens on loopback, every endpoint (KMS, CloudTrail,
// S3, the control plane) answers only requests addressed to a loopback name; anything
// else is refused in its protocol's error shape before any service sees it, and is not
// recorded. Bound to a non-loopback address (a class), the engine does not check.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { connect } from 'node:net';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { isLoopbackAddress, isLoopbackHost } from '../../src/engine/host-check.js';
import { startEngine } from '../../src/engine/index.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { rawRequest } from '../helpers/raw-http.js';

let te: TestEngine;
let s3: S3Client;
let cloudtrail: CloudTrailClient;
let port: string;
beforeEach(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  cloudtrail = new CloudTrailClient(te.clientConfig);
  port = new URL(te.endpoint).port;
});
afterEach(async () => {
  s3.destroy();
  cloudtrail.destroy();
  await te.stop();
});

const kmsCreateKey = (host: string) =>
  rawRequest(te.endpoint, {
    method: 'POST',
    path: '/',
    headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' },
    body: '{}',
  });

async function recordedEventNames() {
  const events = (await cloudtrail.send(new LookupEventsCommand({}))).Events ?? [];
  return events.map((e) => e.EventName);
}

test('KMS and CloudTrail calls addressed to a foreign Host are refused with AccessDeniedException (JSON), reach no service and are not recorded', async () => {
  for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`, `evillocalhost:${port}`]) {
    const res = await kmsCreateKey(host);
    expect(res.status, host).toBe(403);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
    const body = JSON.parse(res.body) as { __type: string; message: string };
    expect(body.__type).toBe('AccessDeniedException');
    expect(body.message).toContain('answers only requests addressed to 127.0.0.1, [::1] or localhost');
  }
  const lookup = await rawRequest(te.endpoint, {
    method: 'POST',
    path: '/',
    headers: { host: `evil.example:${port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' },
    body: '{}',
  });
  expect(lookup.status).toBe(403);
  expect(JSON.parse(lookup.body).__type).toBe('AccessDeniedException');
  expect((await te.kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
  expect(await recordedEventNames()).toEqual(['ListKeys']);
});

test('S3 requests addressed to a foreign Host are refused with an S3 AccessDenied XML error and create nothing', async () => {
  const path = await rawRequest(te.endpoint, { method: 'PUT', path: '/stolen', headers: { host: `evil.example:${port}` } });
  expect(path.status).toBe(403);
  expect(path.headers['content-type']).toBe('application/xml');
  expect(path.body).toMatch(/<Error><Code>AccessDenied<\/Code><Message>This engine listens on loopback/);
  const virtual = await rawRequest(te.endpoint, { method: 'PUT', path: '/', headers: { host: `stolen.evil.example:${port}` } });
  expect(virtual.status).toBe(403);
  expect(virtual.body).toContain('<Code>AccessDenied</Code>');
  const head = await rawRequest(te.endpoint, { method: 'HEAD', path: '/stolen', headers: { host: 'evil.example' } });
  expect(head.status).toBe(403);
  expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
  expect(await recordedEventNames()).toEqual(['ListBuckets']);
});

test('a request with no Host header at all (HTTP/1.0) is refused', async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let out = '';
    socket.on('data', (d) => (out += d));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.end('GET / HTTP/1.0\r\n\r\n');
  });
  expect(reply).toMatch(/^HTTP\/1\.1 403 /);
  expect(reply).toContain('no Host header');
});

test('loopback names are answered: 127.0.0.1, localhost (any case), [::1], subdomains of localhost for virtual-hosted buckets, with or without a port', async () => {
  for (const host of [`127.0.0.1:${port}`, '127.0.0.1', `localhost:${port}`, 'LocalHost', `[::1]:${port}`]) {
    const res = await rawRequest(te.endpoint, { path: '/', headers: { host } });
    expect(res.status, host).toBe(200);
  }
  const created = await rawRequest(te.endpoint, { method: 'PUT', path: '/', headers: { host: `virtual-bucket.localhost:${port}` } });
  expect(created.status).toBe(200);
  const put = await rawRequest(te.endpoint, { method: 'PUT', path: '/note.txt', headers: { host: 'virtual-bucket.localhost' }, body: 'hello' });
  expect(put.status).toBe(200);
  expect((await s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).toEqual(['virtual-bucket']);
  expect((await kmsCreateKey(`localhost:${port}`)).status).toBe(200);
});

test('an engine bound to a non-loopback address (a class) does not check Host', async () => {
  const running = await startEngine({ home: null, host: '0.0.0.0' });
  try {
    const endpoint = `http://127.0.0.1:${running.port}`;
    const res = await rawRequest(endpoint, {
      method: 'POST',
      path: '/',
      headers: { host: `classroom.example:${running.port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).KeyMetadata.KeyState).toBe('Enabled');
    // The control plane still wants its secret there.
    expect((await rawRequest(endpoint, { path: '/_engine/status', headers: { host: 'classroom.example' } })).status).toBe(403);
  } finally {
    await running.close();
  }
});

test('which addresses are loopback and which Host headers name loopback', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost']) expect(isLoopbackAddress(a), a).toBe(true);
  for (const a of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1']) expect(isLoopbackAddress(a), a).toBe(false);
  for (const h of ['127.0.0.1', '127.0.0.1:4599', 'localhost', 'localhost:1', '[::1]', '[::1]:4599', 'a.localhost', 'my-bucket.v1.localhost:4599', 'LOCALHOST'])
    expect(isLoopbackHost(h), h).toBe(true);
  for (const h of [undefined, '', 'evil.example', 'localhost.evil.example', 'evillocalhost', '.localhost', 'a..localhost', '127.0.0.2', '127.0.0.1.nip.io', '[::2]', 'localhost:99999x', 'localhost:', 'user@localhost', '[::1'])
    expect(isLoopbackHost(h), String(h)).toBe(false);
});
