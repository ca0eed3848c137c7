// What every S3 operation works with: the engine (KMS, CloudTrail, clock), S3's
// state, the object encryption, and the request at hand.
import { ENGINE_ACCOUNT, type Caller } from '../caller.js';
import type { Engine } from '../engine.js';
import type { EngineRequest } from '../wire.js';
import type { ObjectCrypto } from './encryption.js';
import { s3Errors } from './errors.js';
import type { BucketRecord, S3State } from './state.js';
import type { Uploads } from './uploads.js';

export interface S3Context {
  engine: Engine;
  state: S3State;
  crypto: ObjectCrypto;
  uploads: Uploads;
}

export interface S3Call {
  req: EngineRequest;
  caller: Caller;
  requestId: string;
  /** Empty for ListBuckets. */
  bucket: string;
  /** Empty for bucket operations. */
  key: string;
}

/**
 * The bucket a call names: NoSuchBucket if absent; a request signed for another Region is refused
 * as S3 refuses it; another account's bucket is AccessDenied (bucket names are global, buckets are
 * not shared: no bucket policy or ACL is modelled that could share one).
 */
export function requireBucket(ctx: S3Context, call: S3Call): BucketRecord {
  const bucket = ctx.state.buckets.get(call.bucket);
  if (!bucket) throw s3Errors.noSuchBucket(call.bucket);
  if (bucket.Region !== call.caller.region) throw s3Errors.wrongRegion(call.caller.region, bucket.Region);
  if (!ownsBucket(bucket, call.caller)) throw s3Errors.accessDenied();
  return bucket;
}

/** Whether the caller's account owns the bucket. */
export function ownsBucket(bucket: BucketRecord, caller: Caller): boolean {
  return (bucket.Owner ?? ENGINE_ACCOUNT) === caller.accountId;
}

export const header = (call: S3Call, name: string): string | undefined => call.req.headers[name];
