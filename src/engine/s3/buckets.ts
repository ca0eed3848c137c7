// Bucket operations: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation.
import type { EngineResponse } from '../wire.js';
import { ownsBucket, requireBucket, type S3Call, type S3Context } from './context.js';
import { parseRequestXml, s3Errors } from './errors.js';
import { assertBucketName } from './names.js';
import { emptyReply, isoTime, owner, xmlReply } from './request.js';
import { childText, el } from './xml.js';

export function createBucket(ctx: S3Context, call: S3Call): EngineResponse {
  assertBucketName(call.bucket);
  const constraint = locationConstraint(call.req.body);
  const signedFor = call.caller.region;
  // us-east-1 is the bucket Region when no constraint is given, and may not be named as one.
  if (constraint === 'us-east-1') throw s3Errors.invalidLocationConstraint(constraint);
  if (constraint === undefined && signedFor !== 'us-east-1') throw s3Errors.illegalLocationConstraint(undefined);
  if (constraint !== undefined && constraint !== signedFor) throw s3Errors.illegalLocationConstraint(constraint);
  const region = constraint ?? 'us-east-1';
  const existing = ctx.state.buckets.get(call.bucket);
  if (existing) {
    // Bucket names are global: another account's name is taken.
    if (!ownsBucket(existing, call.caller)) throw s3Errors.bucketAlreadyExists(call.bucket);
    // For legacy compatibility S3 answers 200 in North Virginia when you already own the bucket.
    if (existing.Region === 'us-east-1' && region === 'us-east-1') return emptyReply(call.requestId, 200, { location: `/${call.bucket}` });
    throw s3Errors.bucketAlreadyOwnedByYou(call.bucket);
  }
  ctx.state.addBucket({ Name: call.bucket, Owner: call.caller.accountId, Region: region, CreationDate: ctx.engine.clock.now().getTime() });
  const location = region === 'us-east-1' ? `/${call.bucket}` : `http://${call.bucket}.s3.amazonaws.com/`;
  return emptyReply(call.requestId, 200, { location, 'x-amz-bucket-arn': `arn:aws:s3:::${call.bucket}` });
}

function locationConstraint(body: Buffer): string | undefined {
  if (body.length === 0 || body.toString('utf8').trim() === '') return undefined;
  const root = parseRequestXml(body);
  if (root.name !== 'CreateBucketConfiguration') throw s3Errors.malformedXml();
  const constraint = childText(root, 'LocationConstraint');
  return constraint === '' ? undefined : constraint;
}

export function headBucket(ctx: S3Context, call: S3Call): EngineResponse {
  const bucket = requireBucket(ctx, call);
  return emptyReply(call.requestId, 200, { 'x-amz-bucket-region': bucket.Region, 'x-amz-access-point-alias': 'false' });
}

export function deleteBucket(ctx: S3Context, call: S3Call): EngineResponse {
  requireBucket(ctx, call);
  if (ctx.state.objectsIn(call.bucket).size > 0) throw s3Errors.bucketNotEmpty(call.bucket);
  for (const upload of ctx.uploads.inBucket(call.bucket)) ctx.uploads.remove(upload); // unfinished uploads go with the bucket
  ctx.state.removeBucket(call.bucket);
  ctx.crypto.forgetBucket(call.bucket);
  return emptyReply(call.requestId, 204);
}

export function getBucketLocation(ctx: S3Context, call: S3Call): EngineResponse {
  const bucket = ctx.state.buckets.get(call.bucket);
  if (!bucket) throw s3Errors.noSuchBucket(call.bucket);
  if (!ownsBucket(bucket, call.caller)) throw s3Errors.accessDenied();
  // GetBucketLocation answers from any Region; us-east-1 is shown as an empty constraint.
  return xmlReply(call.requestId, el('LocationConstraint', bucket.Region === 'us-east-1' ? undefined : bucket.Region));
}

export function listBuckets(ctx: S3Context, call: S3Call): EngineResponse {
  const q = call.req.query;
  const maxText = q.get('max-buckets');
  const max = maxText === null ? 10000 : Number(maxText);
  if (!Number.isInteger(max) || max < 1 || max > 10000) throw s3Errors.invalidArgument('Argument max-buckets must be an integer between 1 and 10000.', 'max-buckets', maxText ?? '');
  const prefix = q.get('prefix') ?? '';
  const region = q.get('bucket-region');
  const token = q.get('continuation-token');
  let after = '';
  if (token !== null) {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (!after) throw s3Errors.invalidToken();
  }
  const all = [...ctx.state.buckets.values()]
    .filter((b) => ownsBucket(b, call.caller) && b.Name.startsWith(prefix) && (region === null || b.Region === region) && b.Name > after)
    .sort((a, b) => (a.Name < b.Name ? -1 : 1));
  const page = all.slice(0, max);
  const more = all.length > max;
  const me = owner(call.caller);
  return xmlReply(
    call.requestId,
    el('ListAllMyBucketsResult', [
      el('Owner', [el('ID', me.ID), el('DisplayName', me.DisplayName)]),
      el('Buckets', page.map((b) => el('Bucket', [el('Name', b.Name), el('CreationDate', isoTime(b.CreationDate)), el('BucketRegion', b.Region)]))),
      more && el('ContinuationToken', Buffer.from(page.at(-1)!.Name).toString('base64url')),
      q.get('prefix') !== null && el('Prefix', prefix),
    ]),
  );
}
