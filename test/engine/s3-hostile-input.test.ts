// Hostile S3 input gets S3's own 4xx XML error, never a 5xx: XML bodies that are not
// well formed (character references outside Unicode, DOCTYPEs and entity bombs, deep
// nesting), response-* overrides that cannot be headers, and S3's own checks (bucket
// name, bucket, key, object) answered before the engine's NotImplemented.
import { CreateBucketCommand, DeleteObjectsCommand, GetBucketLocationCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { rawRequest } from '../helpers/raw-http.js';

let te: TestEngine;
let s3: S3Client;
const B = 'hostile';
const AUTH = 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0';
beforeAll(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: B }));
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'doc.txt', Body: 'hello' }));
});
afterAll(async () => {
  s3.destroy();
  await te.stop();
});

const raw = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}) =>
  rawRequest(te.endpoint, { method, path, body, headers: { authorization: AUTH, ...headers } });
const code = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
const config = (inner: string) => `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</CreateBucketConfiguration>`;

test.each([
  ['a character reference outside Unicode', config('<LocationConstraint>&#x110000;</LocationConstraint>')],
  ['a character reference to a surrogate', config('<LocationConstraint>&#xD800;</LocationConstraint>')],
  ['a character reference to NUL', config('<LocationConstraint>&#0;</LocationConstraint>')],
  ['an undeclared entity', config('<LocationConstraint>&eu;</LocationConstraint>')],
  ['a bare ampersand', config('<LocationConstraint>eu & us</LocationConstraint>')],
  ['a DOCTYPE declaring entities (billion laughs)', `<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${config('<LocationConstraint>&b;</LocationConstraint>')}`],
  ['an external entity', `<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>${config('<LocationConstraint>&x;</LocationConstraint>')}`],
  ['a bare DOCTYPE', `<!DOCTYPE CreateBucketConfiguration>${config('')}`],
  ['mismatched tags', '<CreateBucketConfiguration><LocationConstraint>eu-west-1</Location></CreateBucketConfiguration>'],
  ['two root elements', `${config('')}${config('')}`],
  ['a control character', config('<LocationConstraint>eu\u0001</LocationConstraint>')],
  ['nesting 10,000 deep', config('<a>'.repeat(10_000) + '</a>'.repeat(10_000))],
])('a CreateBucketConfiguration with %s is MalformedXML (400) and creates nothing', async (_, body) => {
  const res = await raw('PUT', '/not-created', body);
  expect(res.status).toBe(400);
  expect(code(res.body)).toBe('MalformedXML');
  expect(res.headers['content-type']).toBe('application/xml');
  expect((await s3.send(new ListObjectsV2Command({ Bucket: B }))).KeyCount).toBe(1);
  expect((await raw('HEAD', '/not-created')).status).toBe(404);
});

test('well-formed XML still reads: prefixes, CDATA, character and entity references', async () => {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<s3:CreateBucketConfiguration xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">\n  <s3:LocationConstraint><![CDATA[eu-]]>&#x77;est&#45;1</s3:LocationConstraint>\n</s3:CreateBucketConfiguration>`;
  const auth = AUTH.replace('us-east-1', 'eu-west-1');
  expect((await raw('PUT', '/in-ireland', body, { authorization: auth })).status).toBe(200);
  const eu = new S3Client({ ...te.clientConfig, region: 'eu-west-1', forcePathStyle: true });
  try {
    expect((await eu.send(new GetBucketLocationCommand({ Bucket: 'in-ireland' }))).LocationConstraint).toBe('eu-west-1');
  } finally {
    eu.destroy();
  }
});

test('DeleteObjects reads keys with markup, entities, spaces and line breaks exactly', async () => {
  const keys = ['a&b<c>"d\'', 'line\r\nbreak', '   ', 'tab\there', 'ünï'];
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: B, Key, Body: 'x' }));
  const out = await s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
  expect(out.Errors ?? []).toEqual([]);
  expect(out.Deleted?.map((d) => d.Key).sort()).toEqual([...keys].sort());
  expect((await s3.send(new ListObjectsV2Command({ Bucket: B }))).Contents?.map((c) => c.Key)).toEqual(['doc.txt']);
});

test.each([
  ['a non-Latin-1 response-content-type', 'response-content-type=text%2Fplain%3B%20name%3D%E5%80%89', 'response-content-type', 'Header value cannot be represented using ISO-8859-1.'],
  ['a response-content-disposition with CR/LF', 'response-content-disposition=inline%0D%0ASet-Cookie%3A%20x%3D1', 'response-content-disposition', 'CR or LF'],
  ['a response-cache-control with NUL', 'response-cache-control=a%00b', 'response-cache-control', 'control characters'],
  ['a response-expires with an emoji', 'response-expires=%F0%9F%98%80', 'response-expires', 'ISO-8859-1'],
])('GetObject and HeadObject with %s are InvalidArgument (400), as XML', async (_, query, param, message) => {
  const get = await raw('GET', `/${B}/doc.txt?${query}`);
  expect(get.status).toBe(400);
  expect(get.headers['content-type']).toBe('application/xml');
  expect(code(get.body)).toBe('InvalidArgument');
  expect(get.body).toContain(message);
  expect(get.body).toContain(`<ArgumentName>${param}</ArgumentName>`);
  expect(get.headers['set-cookie']).toBeUndefined();
  const head = await raw('HEAD', `/${B}/doc.txt?${query}`);
  expect(head.status).toBe(400);
  expect(head.body).toBe('');
});

test('a Latin-1 response-* override is returned as the header', async () => {
  const res = await raw('GET', `/${B}/doc.txt?response-content-disposition=attachment%3B%20filename%3D%22caf%C3%A9.txt%22&response-content-type=text%2Fcsv`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe('text/csv');
  expect(Buffer.from(res.headers['content-disposition'] as string, 'latin1').toString('latin1')).toBe('attachment; filename="café.txt"');
  expect(res.body).toBe('hello');
});

test.each([
  ['PUT /UPPER?location', 'PUT', '/UPPER?location', 400, 'InvalidBucketName'],
  ['GET /bad_name?acl', 'GET', '/bad_name?acl', 400, 'InvalidBucketName'],
  ['GET /UPPER/key?tagging', 'GET', '/UPPER/key?tagging', 400, 'InvalidBucketName'],
  ['GET /missing-bucket?policy', 'GET', '/missing-bucket?policy', 404, 'NoSuchBucket'],
  ['PUT /missing-bucket/key?tagging', 'PUT', '/missing-bucket/key?tagging', 404, 'NoSuchBucket'],
  ['GET a key over 1024 bytes ?acl', 'GET', `/${B}/${'k'.repeat(1025)}?acl`, 400, 'KeyTooLongError'],
  ['GET /hostile/missing?tagging', 'GET', `/${B}/missing?tagging`, 404, 'NoSuchKey'],
  ['PUT /hostile/missing?retention', 'PUT', `/${B}/missing?retention`, 404, 'NoSuchKey'],
  ['GET /hostile/missing?uploadId=nope (ListParts)', 'GET', `/${B}/missing?uploadId=nope`, 404, 'NoSuchUpload'],
  ['GET /hostile?acl', 'GET', `/${B}?acl`, 501, 'NotImplemented'],
  ['GET /hostile/doc.txt?tagging', 'GET', `/${B}/doc.txt?tagging`, 501, 'NotImplemented'],
])('%s: S3 checks come before NotImplemented', async (_, method, path, status, expected) => {
  const res = await raw(method, path);
  expect(res.status).toBe(status);
  expect(code(res.body)).toBe(expected);
});
