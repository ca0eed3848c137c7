// The engine's S3: routes REST requests (method, bucket, key, subresource) to
// operations, renders failures as S3's XML errors, and records S3's management
// events (bucket operations) in CloudTrail; object reads and writes are data events,
// which CloudTrail's event history (LookupEvents) does not show.
import { authorizeCall, type DeniedAs } from '../auth/authorize.js';
import type { Caller } from '../caller.js';
import type { Engine } from '../engine.js';
import { AwsError, isAwsError } from '../errors.js';
import type { EngineRequest, EngineResponse } from '../wire.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './bucket-encryption.js';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './buckets.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { bufferedRequest } from './body.js';
import { copyObject } from './copy-object.js';
import { deleteObjects } from './delete-objects.js';
import { ObjectCrypto } from './encryption.js';
import { S3Error, s3ErrorResponse, s3Errors } from './errors.js';
import { listObjectsV1, listObjectsV2 } from './list-objects.js';
import { deleteObject, getObject, headObject, putObject } from './objects.js';
import { targetOf } from './request.js';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart } from './multipart.js';
import { assertBucketName, assertKey, bucketArn, objectArn } from './names.js';
import { S3State } from './state.js';
import { Uploads } from './uploads.js';

type Run = (ctx: S3Context, call: S3Call) => EngineResponse | Promise<EngineResponse>;
interface Route {
  name: string;
  run: Run;
  /** Reads its body as it arrives (an object); every other operation gets its body read whole, bounded. */
  streamsBody?: true;
  /** Management events go to CloudTrail's event history; readOnly as CloudTrail marks them. */
  management?: { readOnly: boolean };
  /**
   * The permission the call needs ("Required permissions for Amazon S3 API operations"): the
   * action, on every bucket (arn:aws:s3:::*), the bucket, or the object (or, for DeleteObjects,
   * the bucket's objects). Absent for operations the engine lacks (NotImplemented).
   */
  needs?: { action: string; on: 'account' | 'bucket' | 'object' | 'objects' };
}

// Query parameters that name a subresource: each is its own S3 operation.
const SUBRESOURCES = [
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'delete', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold',
  'lifecycle', 'location', 'logging', 'metadataTable', 'metrics', 'notification', 'object-lock', 'ownershipControls', 'partNumber', 'policy',
  'policyStatus', 'publicAccessBlock', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'session', 'tagging', 'torrent',
  'uploadId', 'uploads', 'versioning', 'versions', 'website',
];

// Object subresources S3 answers only for an object that exists (NoSuchKey before anything else).
const OF_EXISTING_OBJECT = new Set(['acl', 'attributes', 'legal-hold', 'partNumber', 'restore', 'retention', 'select', 'tagging', 'torrent']);

/**
 * An operation S3 has and the engine does not: S3's own checks come first, in S3's order
 * (bucket name, bucket and its Region, key, upload or object), so only a request AWS
 * would carry out gets NotImplemented.
 */
const notImplemented = (what: string, sub: string): Route => ({
  name: what,
  run: (ctx, call) => {
    assertBucketName(call.bucket);
    requireBucket(ctx, call);
    if (call.key) {
      assertKey(call.key);
      const uploadId = call.req.query.get('uploadId');
      if (uploadId !== null) {
        if (!ctx.uploads.get(call.bucket, call.key, uploadId)) throw s3Errors.noSuchUpload(uploadId);
      } else if (OF_EXISTING_OBJECT.has(sub) && !ctx.state.getObject(call.bucket, call.key)) throw s3Errors.noSuchKey(call.key);
    }
    throw s3Errors.notImplemented(what);
  },
});

const onBucket = (action: string) => ({ action, on: 'bucket' as const });
const onObject = (action: string) => ({ action, on: 'object' as const });

function route(req: EngineRequest, bucket: string | undefined, key: string | undefined): Route {
  const sub = SUBRESOURCES.find((s) => req.query.has(s));
  const m = req.method;
  if (bucket === undefined) {
    if (m === 'GET') return { name: 'ListBuckets', run: listBuckets, management: { readOnly: true }, needs: { action: 's3:ListAllMyBuckets', on: 'account' } };
    throw s3Errors.methodNotAllowed(m, 'SERVICE');
  }
  if (key === undefined) {
    if (m === 'PUT' && sub === 'encryption') return { name: 'PutBucketEncryption', run: putBucketEncryption, management: { readOnly: false }, needs: onBucket('s3:PutEncryptionConfiguration') };
    if (m === 'GET' && sub === 'encryption') return { name: 'GetBucketEncryption', run: getBucketEncryption, management: { readOnly: true }, needs: onBucket('s3:GetEncryptionConfiguration') };
    if (m === 'DELETE' && sub === 'encryption') return { name: 'DeleteBucketEncryption', run: deleteBucketEncryption, management: { readOnly: false }, needs: onBucket('s3:PutEncryptionConfiguration') };
    if (m === 'GET' && sub === 'location') return { name: 'GetBucketLocation', run: getBucketLocation, management: { readOnly: true }, needs: onBucket('s3:GetBucketLocation') };
    if (m === 'POST' && sub === 'delete') return { name: 'DeleteObjects', run: deleteObjects, needs: { action: 's3:DeleteObject', on: 'objects' } };
    if (sub) return notImplemented(`The ${m} ?${sub} bucket operation`, sub);
    if (m === 'PUT') return { name: 'CreateBucket', run: createBucket, management: { readOnly: false }, needs: onBucket('s3:CreateBucket') };
    if (m === 'HEAD') return { name: 'HeadBucket', run: headBucket, management: { readOnly: true }, needs: onBucket('s3:ListBucket') };
    if (m === 'DELETE') return { name: 'DeleteBucket', run: deleteBucket, management: { readOnly: false }, needs: onBucket('s3:DeleteBucket') };
    if (m === 'GET') return req.query.get('list-type') === '2' ? { name: 'ListObjectsV2', run: listObjectsV2, needs: onBucket('s3:ListBucket') } : { name: 'ListObjects', run: listObjectsV1, needs: onBucket('s3:ListBucket') };
    throw s3Errors.methodNotAllowed(m, 'BUCKET');
  }
  const uploadId = req.query.has('uploadId');
  if (m === 'POST' && sub === 'uploads') return { name: 'CreateMultipartUpload', run: createMultipartUpload, needs: onObject('s3:PutObject') };
  if (m === 'PUT' && uploadId && req.query.has('partNumber') && req.headers['x-amz-copy-source'] === undefined) return { name: 'UploadPart', run: uploadPart, streamsBody: true, needs: onObject('s3:PutObject') };
  if (m === 'POST' && uploadId) return { name: 'CompleteMultipartUpload', run: completeMultipartUpload, needs: onObject('s3:PutObject') };
  if (m === 'DELETE' && uploadId) return { name: 'AbortMultipartUpload', run: abortMultipartUpload, needs: onObject('s3:AbortMultipartUpload') };
  if (sub) return notImplemented(`The ${m} ?${sub} object operation`, sub);
  if (m === 'PUT') return req.headers['x-amz-copy-source'] !== undefined ? { name: 'CopyObject', run: copyObject, needs: onObject('s3:PutObject') } : { name: 'PutObject', run: putObject, streamsBody: true, needs: onObject('s3:PutObject') };
  if (m === 'GET') return { name: 'GetObject', run: getObject, needs: onObject('s3:GetObject') };
  if (m === 'HEAD') return { name: 'HeadObject', run: headObject, needs: onObject('s3:GetObject') };
  if (m === 'DELETE') return { name: 'DeleteObject', run: deleteObject, needs: onObject('s3:DeleteObject') };
  throw s3Errors.methodNotAllowed(m, 'OBJECT');
}

/** Mounts S3 on the engine: its REST requests, its state on the Store, its keys wiped on close. */
export function mountS3(engine: Engine): S3Context {
  const ctx: S3Context = { engine, state: new S3State(engine.store), crypto: new ObjectCrypto(engine), uploads: new Uploads(engine.store) };
  engine.closing(() => ctx.crypto.close());
  engine.rest = async (req, caller, requestId) => handleS3(ctx, req, caller, requestId);
  return ctx;
}

async function handleS3(ctx: S3Context, req: EngineRequest, caller: Caller, requestId: string): Promise<EngineResponse> {
  let routed: Route | undefined;
  let call: S3Call | undefined;
  try {
    const target = targetOf(req);
    routed = route(req, target.bucket, target.key);
    call = { req, caller, requestId, bucket: target.bucket ?? '', key: target.key ?? '' };
    authorizeRoute(ctx, routed, call);
    if (!routed.streamsBody) call.req = await bufferedRequest(req);
    const reply = await routed.run(ctx, call);
    if (routed.management) recordManagementEvent(ctx, routed, call);
    return reply;
  } catch (e) {
    const error = isAwsError(e) ? e : s3Errors.internal();
    if (!isAwsError(e)) console.error(e);
    if (routed?.management && call) recordManagementEvent(ctx, routed, call, error);
    return s3ErrorResponse(error, requestId);
  }
}

/** S3's refusal: AccessDenied, 403, the resource's ARN in quotes. */
const S3_DENIED: DeniedAs = { error: (message) => new S3Error('AccessDenied', message, 403), quoteResource: true };

/**
 * The call's permission, decided by the caller's IAM policies (no bucket policy is modelled),
 * before anything else, as S3 does; CopyObject also needs s3:GetObject on its source.
 */
function authorizeRoute(ctx: S3Context, routed: Route, call: S3Call): void {
  const needs = routed.needs;
  if (!needs) return;
  const resource =
    needs.on === 'account' ? 'arn:aws:s3:::*' : needs.on === 'bucket' ? bucketArn(call.bucket) : needs.on === 'objects' ? objectArn(call.bucket, '*') : objectArn(call.bucket, call.key);
  authorizeCall(ctx.engine, call.caller, needs.action, resource, S3_DENIED);
  const source = routed.name === 'CopyObject' ? copySourceArn(call.req.headers['x-amz-copy-source']) : undefined;
  if (source) authorizeCall(ctx.engine, call.caller, 's3:GetObject', source, S3_DENIED);
}

/** x-amz-copy-source's object ("bucket/key" or "/bucket/key", URL-encoded, maybe ?versionId=) as an ARN; CopyObject refuses a bad one itself. */
function copySourceArn(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    const path = decodeURIComponent(header.split('?')[0]!.replace(/^\//, ''));
    return path.includes('/') ? `arn:aws:s3:::${path}` : undefined;
  } catch {
    return undefined;
  }
}

function recordManagementEvent(ctx: S3Context, routed: Route, call: S3Call, error?: AwsError) {
  // The shape S3's CloudTrail examples show: bucketName, host and any subresource as one-element lists.
  const params: Record<string, unknown> = {};
  if (call.bucket) params.bucketName = call.bucket;
  params.host = [call.req.headers.host ?? ''];
  for (const s of SUBRESOURCES) if (call.req.query.has(s)) params[s] = [''];
  ctx.engine.trail.record({
    caller: call.caller,
    eventSource: 's3.amazonaws.com',
    eventName: routed.name,
    requestParameters: params,
    resources: call.bucket ? [{ type: 'AWS::S3::Bucket', ARN: bucketArn(call.bucket) }] : [],
    readOnly: routed.management!.readOnly,
    requestId: call.requestId,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
  });
}
