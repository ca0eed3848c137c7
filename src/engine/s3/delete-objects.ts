// DeleteObjects (POST /bucket?delete): up to 1000 keys in one request, as `aws s3 rm --recursive` sends.
import type { EngineResponse } from '../wire.js';
import { readConfigurationBody } from './body.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { parseRequestXml, s3Errors } from './errors.js';
import { MAX_KEY_BYTES } from './names.js';
import { xmlReply } from './request.js';
import { childNamed, childrenNamed, childText, el, type XmlElement } from './xml.js';

export function deleteObjects(ctx: S3Context, call: S3Call): EngineResponse {
  requireBucket(ctx, call);
  const root = parseRequestXml(readConfigurationBody(call.req));
  const objects = childrenNamed(root, 'Object');
  if (root.name !== 'Delete' || objects.length === 0 || objects.length > 1000) throw s3Errors.malformedXml();
  const quiet = childText(root, 'Quiet') === 'true';
  const results: XmlElement[] = [];
  for (const object of objects) {
    const key = childNamed(object, 'Key')?.text; // not trimmed: spaces are part of a key
    if (key === undefined || key === '') throw s3Errors.malformedXml();
    if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      results.push(el('Error', [el('Key', key), el('Code', 'KeyTooLongError'), el('Message', 'Your key is too long')]));
      continue;
    }
    ctx.state.deleteObject(call.bucket, key);
    if (!quiet) results.push(el('Deleted', [el('Key', key)]));
  }
  return xmlReply(call.requestId, el('DeleteResult', results));
}
