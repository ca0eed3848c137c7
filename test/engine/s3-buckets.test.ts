// S3 buckets through @aws-sdk/client-s3 over HTTP: create/head/list/delete, naming
// rules, Regions, default encryption, path- and virtual-hosted-style requests, the XML
// error shape, and which bucket calls CloudTrail's event history shows.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteBucketEncryptionCommand, DeleteObjectCommand, GetBucketEncryptionCommand, GetBucketLocationCommand,
  GetObjectCommand, HeadBucketCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketEncryptionCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { Agent, request } from 'node:http';
import type { LookupFunction } from 'node:net';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startTestEngine, TEST_CREDENTIALS, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let te: TestEngine;
let s3: S3Client;
beforeEach(async () => {
  te = await startTestEngine();
  s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
});
afterEach(async () => {
  s3.destroy();
  await te.stop();
});

/** A raw HTTP request, to see exactly what the engine sends back. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: te.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('create, head, list and delete a bucket', async () => {
  const created = await s3.send(new CreateBucketCommand({ Bucket: 'workshop-bucket' }));
  expect(created.Location).toBe('/workshop-bucket');
  const head = await s3.send(new HeadBucketCommand({ Bucket: 'workshop-bucket' }));
  expect(head.BucketRegion).toBe('us-east-1');
  const listed = await s3.send(new ListBucketsCommand({}));
  expect(listed.Buckets?.map((b) => b.Name)).toEqual(['workshop-bucket']);
  expect(listed.Buckets?.[0]?.CreationDate).toBeInstanceOf(Date);
  expect(listed.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  await s3.send(new DeleteBucketCommand({ Bucket: 'workshop-bucket' }));
  await expectAwsError(s3.send(new HeadBucketCommand({ Bucket: 'workshop-bucket' })), 'NotFound', 404);
  await expectAwsError(s3.send(new DeleteBucketCommand({ Bucket: 'workshop-bucket' })), 'NoSuchBucket', 404);
});

test('a bucket that is not empty cannot be deleted (BucketNotEmpty, 409) and keeps its objects', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
  await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'keep-me', Body: 'still here' }));
  await expectAwsError(s3.send(new DeleteBucketCommand({ Bucket: 'full' })), 'BucketNotEmpty', 409);
  expect(await (await s3.send(new GetObjectCommand({ Bucket: 'full', Key: 'keep-me' }))).Body!.transformToString()).toBe('still here');
  await s3.send(new DeleteObjectCommand({ Bucket: 'full', Key: 'keep-me' }));
  await s3.send(new DeleteBucketCommand({ Bucket: 'full' }));
});

test('bad bucket names get InvalidBucketName and create nothing', async () => {
  // The SDK itself refuses some names (e.g. with a slash); these reach the engine.
  for (const name of ['ab', 'UpperCase', 'has_underscore', '-starts-with-dash', 'double..dots', '192.168.1.1', 'xn--reserved', 'a'.repeat(64), 'ends-s3alias']) {
    const res = await raw('PUT', `/${name}`, { authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/s3/aws4_request' });
    expect(res.status, name).toBe(400);
    expect(res.body, name).toContain('<Code>InvalidBucketName</Code>');
  }
  expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toHaveLength(0);
});

test('S3 errors are XML with Code, Message, the resource named and a RequestId matching the header', async () => {
  const res = await raw('GET', '/no-such-bucket/some-key');
  expect(res.status).toBe(404);
  expect(res.headers['content-type']).toBe('application/xml');
  expect(res.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchBucket<\/Code><Message>The specified bucket does not exist<\/Message><BucketName>no-such-bucket<\/BucketName><RequestId>/);
  expect(res.body).toContain(`<RequestId>${res.headers['x-amz-request-id']}</RequestId>`);
  const unknown = await raw('PATCH', '/some-bucket');
  expect(unknown.status).toBe(405);
  expect(unknown.body).toContain('<Code>MethodNotAllowed</Code>');
  // S3's own checks come before the engine's NotImplemented: here, the bucket does not exist.
  const unimplemented = await raw('GET', '/some-bucket/key?torrent');
  expect(unimplemented.status).toBe(404);
  expect(unimplemented.body).toContain('<Code>NoSuchBucket</Code>');
});

test('re-creating your bucket answers 200 in us-east-1 and BucketAlreadyOwnedByYou elsewhere', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'legacy' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'legacy' }));
  const eu = new S3Client({ ...te.clientConfig, region: 'eu-west-1', forcePathStyle: true });
  try {
    await eu.send(new CreateBucketCommand({ Bucket: 'in-ireland', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await expectAwsError(eu.send(new CreateBucketCommand({ Bucket: 'in-ireland', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })), 'BucketAlreadyOwnedByYou', 409);
    // The SDK adds the client's Region as LocationConstraint; a request without one, signed for eu-west-1, is refused.
    const noConstraint = await raw('PUT', '/no-constraint', { authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/20260101/eu-west-1/s3/aws4_request' });
    expect(noConstraint.status).toBe(400);
    expect(noConstraint.body).toContain('<Code>IllegalLocationConstraintException</Code>');
    expect((await eu.send(new GetBucketLocationCommand({ Bucket: 'in-ireland' }))).LocationConstraint).toBe('eu-west-1');
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: 'legacy' }))).LocationConstraint).toBeUndefined();
    expect((await eu.send(new HeadBucketCommand({ Bucket: 'in-ireland' }))).BucketRegion).toBe('eu-west-1');
    // A request signed for another Region is refused, naming the bucket's Region.
    await expectAwsError(s3.send(new ListObjectsV2Command({ Bucket: 'in-ireland' })), 'AuthorizationHeaderMalformed');
  } finally {
    eu.destroy();
  }
  await expectAwsError(s3.send(new CreateBucketCommand({ Bucket: 'explicit-east', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as 'eu-west-1' } })), 'InvalidLocationConstraint'); // not in the SDK's enum either
});

test('default encryption: SSE-S3 until set, then the rule as put (with BucketKeyEnabled), and SSE-S3 again after delete', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'enc' }));
  const initial = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }));
  expect(initial.ServerSideEncryptionConfiguration?.Rules).toEqual([{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }]);
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: 'enc',
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/some-key' }, BucketKeyEnabled: true }] },
    }),
  );
  const set = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }));
  expect(set.ServerSideEncryptionConfiguration?.Rules).toEqual([
    { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/some-key' }, BucketKeyEnabled: true },
  ]);
  await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'enc' }));
  const reset = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }));
  expect(reset.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');

  await expectAwsError(
    s3.send(new PutBucketEncryptionCommand({ Bucket: 'enc', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' } }] } })),
    'InvalidArgument',
  );
  await expectAwsError(s3.send(new PutBucketEncryptionCommand({ Bucket: 'enc', ServerSideEncryptionConfiguration: { Rules: [] } })), 'MalformedXML');
  await expectAwsError(
    s3.send(new PutBucketEncryptionCommand({ Bucket: 'nope', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } })),
    'NoSuchBucket',
    404,
  );
});

test('PutBucketEncryption with a body that is not XML is MalformedXML, without Content-MD5 or checksum is refused', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'raw-enc' }));
  const body = '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>';
  const md5 = (await import('node:crypto')).createHash('md5').update(body).digest('base64');
  const broken = await raw('PUT', '/raw-enc?encryption', { 'content-md5': md5 }, body);
  expect(broken.status).toBe(400);
  expect(broken.body).toContain('<Code>MalformedXML</Code>');
  const noDigest = await raw('PUT', '/raw-enc?encryption', {}, `${body}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`);
  expect(noDigest.status).toBe(400);
  expect(noDigest.body).toContain('Content-MD5');
});

test('virtual-hosted-style requests (bucket.localhost:PORT) work with the SDK unchanged', async () => {
  // bucket.localhost does not resolve on every machine, so the HTTP agent resolves *.localhost to loopback.
  const lookup = ((_host: string, options: unknown, cb: (...args: unknown[]) => void) => {
    if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  }) as LookupFunction;
  const agent = new Agent({ lookup } as ConstructorParameters<typeof Agent>[0]);
  const seenHosts: string[] = [];
  const vhost = new S3Client({ ...te.clientConfig, endpoint: `http://localhost:${te.port}`, forcePathStyle: false, requestHandler: { httpAgent: agent } });
  vhost.middlewareStack.add((next) => async (args) => {
    seenHosts.push((args.request as { hostname: string }).hostname);
    return next(args);
  }, { step: 'finalizeRequest' });
  try {
    await vhost.send(new CreateBucketCommand({ Bucket: 'vhost-bucket' }));
    await vhost.send(new PutObjectCommand({ Bucket: 'vhost-bucket', Key: 'dir/file.txt', Body: 'virtual' }));
    expect(await (await vhost.send(new GetObjectCommand({ Bucket: 'vhost-bucket', Key: 'dir/file.txt' }))).Body!.transformToString()).toBe('virtual');
    expect(seenHosts).toContain('vhost-bucket.localhost');
    // Path-style sees the same bucket.
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'vhost-bucket' }))).Contents?.map((c) => c.Key)).toEqual(['dir/file.txt']);
  } finally {
    vhost.destroy();
    agent.destroy();
  }
  // And a plain request naming the bucket only in its Host header.
  const res = await raw('GET', '/dir/file.txt', { host: `vhost-bucket.localhost:${te.port}` });
  expect(res.status).toBe(200);
  expect(res.body).toBe('virtual');
});

test('bucket management calls are in CloudTrail event history; object reads and writes (data events) are not', async () => {
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'audited' }));
    await s3.send(new PutObjectCommand({ Bucket: 'audited', Key: 'k', Body: 'v' }));
    await s3.send(new GetObjectCommand({ Bucket: 'audited', Key: 'k' }));
    await expectAwsError(s3.send(new DeleteBucketCommand({ Bucket: 'audited' })), 'BucketNotEmpty', 409);
    const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 's3.amazonaws.com' }] }));
    const names = (out.Events ?? []).map((e) => e.EventName);
    expect(names).toEqual(['DeleteBucket', 'CreateBucket']);
    const [failed, created] = (out.Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!));
    expect(failed.errorCode).toBe('BucketNotEmpty');
    expect(created.requestParameters.bucketName).toBe('audited');
    expect(created.resources).toEqual([{ accountId: '111122223333', type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::audited' }]);
    expect(created.userIdentity.accessKeyId).toBe(TEST_CREDENTIALS.accessKeyId);
    expect(out.Events?.[1]?.Resources).toEqual([{ ResourceType: 'AWS::S3::Bucket', ResourceName: 'audited' }]);
  } finally {
    cloudtrail.destroy();
  }
});

test('a presigned request (credentials in the query string) is attributed to the key that signed it', async () => {
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  try {
    const query = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAPRESIGNED0000000%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00';
    const res = await raw('PUT', `/presigned-bucket?${query}`);
    expect(res.status).toBe(200);
    const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateBucket' }] }));
    expect(out.Events?.map((e) => e.AccessKeyId)).toEqual(['AKIAPRESIGNED0000000']);
  } finally {
    cloudtrail.destroy();
  }
});
