// Default encryption: PutBucketEncryption, GetBucketEncryption, DeleteBucketEncryption.
// Every bucket has one: SSE-S3 until set otherwise, and again after a delete.
import type { EngineResponse } from '../wire.js';
import { readConfigurationBody } from './body.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { parseRequestXml, s3Errors } from './errors.js';
import { emptyReply, xmlReply } from './request.js';
import type { EncryptionRule, SseAlgorithm } from './state.js';
import { childNamed, childrenNamed, childText, el } from './xml.js';

const ALGORITHMS: readonly SseAlgorithm[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];
export const DEFAULT_RULE: EncryptionRule = { SSEAlgorithm: 'AES256', BucketKeyEnabled: false };

export function putBucketEncryption(ctx: S3Context, call: S3Call): EngineResponse {
  const bucket = requireBucket(ctx, call);
  const rule = parseRule(readConfigurationBody(call.req));
  if (rule.SSEAlgorithm === 'aws:kms:dsse') throw s3Errors.notImplemented('Dual-layer server-side encryption (aws:kms:dsse)');
  ctx.state.updateBucket({ ...bucket, Encryption: rule });
  return emptyReply(call.requestId, 200);
}

export function getBucketEncryption(ctx: S3Context, call: S3Call): EngineResponse {
  const rule = requireBucket(ctx, call).Encryption ?? DEFAULT_RULE;
  return xmlReply(
    call.requestId,
    el('ServerSideEncryptionConfiguration', [
      el('Rule', [
        el('ApplyServerSideEncryptionByDefault', [el('SSEAlgorithm', rule.SSEAlgorithm), rule.KMSMasterKeyID !== undefined && el('KMSMasterKeyID', rule.KMSMasterKeyID)]),
        el('BucketKeyEnabled', rule.BucketKeyEnabled),
      ]),
    ]),
  );
}

export function deleteBucketEncryption(ctx: S3Context, call: S3Call): EngineResponse {
  const bucket = requireBucket(ctx, call);
  const { Encryption: _removed, ...rest } = bucket;
  ctx.state.updateBucket(rest);
  return emptyReply(call.requestId, 204);
}

function parseRule(body: Buffer): EncryptionRule {
  const root = parseRequestXml(body);
  const rules = childrenNamed(root, 'Rule');
  if (root.name !== 'ServerSideEncryptionConfiguration' || rules.length !== 1) throw s3Errors.malformedXml();
  const rule = rules[0]!;
  const byDefault = childNamed(rule, 'ApplyServerSideEncryptionByDefault');
  const algorithm = byDefault && childText(byDefault, 'SSEAlgorithm');
  if (!algorithm || !ALGORITHMS.includes(algorithm as SseAlgorithm)) throw s3Errors.malformedXml();
  const keyId = childText(byDefault!, 'KMSMasterKeyID');
  if (keyId !== undefined && algorithm === 'AES256')
    throw s3Errors.invalidArgument('a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', 'ApplyServerSideEncryptionByDefault');
  const bucketKey = childText(rule, 'BucketKeyEnabled');
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw s3Errors.malformedXml();
  return {
    SSEAlgorithm: algorithm as SseAlgorithm,
    ...(keyId ? { KMSMasterKeyID: keyId } : {}),
    BucketKeyEnabled: bucketKey === 'true',
  };
}
