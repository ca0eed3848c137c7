// Listing objects through @aws-sdk/client-s3: ListObjectsV2 with prefix, delimiter,
// paging by continuation token, StartAfter, URL encoding; ListObjects (V1) with markers.
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, paginateListObjectsV2, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { request } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let te: TestEngine;
let s3: S3Client;
const B = 'listing';
const KEYS = ['a.txt', 'docs/2024/jan.md', 'docs/2024/feb.md', 'docs/2025/mar.md', 'docs/readme.md', 'img/cat.png', 'img/dog.png', 'z', 'zz top', 'é-accent'];
beforeAll(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: B }));
  for (const key of KEYS) await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: key }));
});
afterAll(async () => {
  s3.destroy();
  await te.stop();
});

// S3 lists keys in UTF-8 binary order.
const sorted = [...KEYS].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

test('ListObjectsV2 lists every key in UTF-8 binary order with sizes, ETags and KeyCount', async () => {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: B }));
  expect(out.Contents?.map((c) => c.Key)).toEqual(sorted);
  expect(out.KeyCount).toBe(KEYS.length);
  expect(out.IsTruncated).toBe(false);
  expect(out.Contents?.find((c) => c.Key === 'z')?.Size).toBe(1);
  expect(out.Contents?.[0]?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
  expect(out.Contents?.[0]?.StorageClass).toBe('STANDARD');
});

test('a prefix narrows the listing and a delimiter rolls keys up into CommonPrefixes', async () => {
  const docs = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'docs/' }));
  expect(docs.Contents?.map((c) => c.Key)).toEqual(['docs/2024/feb.md', 'docs/2024/jan.md', 'docs/2025/mar.md', 'docs/readme.md']);
  const top = await s3.send(new ListObjectsV2Command({ Bucket: B, Delimiter: '/' }));
  expect(top.Contents?.map((c) => c.Key)).toEqual(['a.txt', 'z', 'zz top', 'é-accent']);
  expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['docs/', 'img/']);
  expect(top.KeyCount).toBe(6);
  const years = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'docs/', Delimiter: '/' }));
  expect(years.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['docs/2024/', 'docs/2025/']);
  expect(years.Contents?.map((c) => c.Key)).toEqual(['docs/readme.md']);
});

test('paging with MaxKeys and continuation tokens returns each key exactly once, in order', async () => {
  const seen: string[] = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: B })) {
    pages++;
    expect(page.KeyCount).toBeLessThanOrEqual(3);
    seen.push(...(page.Contents ?? []).map((c) => c.Key!));
  }
  expect(seen).toEqual(sorted);
  expect(pages).toBe(Math.ceil(KEYS.length / 3));
  // Paging with a delimiter counts common prefixes too and never repeats one.
  const withDelimiter: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: B, Delimiter: '/', MaxKeys: 1, ContinuationToken: token }));
    withDelimiter.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
    token = page.NextContinuationToken;
    expect(page.IsTruncated).toBe(token !== undefined);
  } while (token);
  expect(withDelimiter).toEqual(['a.txt', 'docs/', 'img/', 'z', 'zz top', 'é-accent']);
  await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: B, ContinuationToken: 'bm90LWEtdG9rZW4' })), 'InvalidArgument');
  const none = await s3.send(new ListObjectsV2Command({ Bucket: B, MaxKeys: 0 }));
  expect(none.KeyCount).toBe(0);
  expect(none.IsTruncated).toBe(false);
});

test('StartAfter starts after a key; EncodingType=url encodes keys in the reply', async () => {
  const after = await s3.send(new ListObjectsV2Command({ Bucket: B, StartAfter: 'img/cat.png' }));
  expect(after.Contents?.map((c) => c.Key)).toEqual(['img/dog.png', 'z', 'zz top', 'é-accent']);
  expect(after.StartAfter).toBe('img/cat.png');
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: te.port, path: `/${B}?list-type=2&prefix=zz&encoding-type=url` }, (res) => {
      let out = '';
      res.on('data', (c) => (out += c));
      res.on('end', () => resolve(out));
    });
    req.on('error', reject);
    req.end();
  });
  expect(body).toContain('<Key>zz%20top</Key>');
  expect(body).toContain('<EncodingType>url</EncodingType>');
  await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: B, EncodingType: 'base64' as 'url' })), 'InvalidArgument');
});

test('ListObjects (V1) pages with Marker and NextMarker', async () => {
  const first = await s3.send(new ListObjectsCommand({ Bucket: B, MaxKeys: 4 }));
  expect(first.Contents?.map((c) => c.Key)).toEqual(sorted.slice(0, 4));
  expect(first.IsTruncated).toBe(true);
  expect(first.Contents?.[0]?.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  const second = await s3.send(new ListObjectsCommand({ Bucket: B, Marker: first.Contents!.at(-1)!.Key, MaxKeys: 100 }));
  expect(second.Contents?.map((c) => c.Key)).toEqual(sorted.slice(4));
  const byPrefix = await s3.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', MaxKeys: 2 }));
  expect(byPrefix.NextMarker).toBe('docs/');
  const rest = await s3.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', Marker: byPrefix.NextMarker }));
  expect(rest.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['img/']);
  expect(rest.Contents?.map((c) => c.Key)).toEqual(['z', 'zz top', 'é-accent']);
});
