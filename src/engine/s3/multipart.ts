// Multipart upload, as `aws s3 cp` uses for large files: CreateMultipartUpload gets the
// object's data key (GenerateDataKey for SSE-KMS), each UploadPart decrypts it (KMS Decrypt,
// as S3 needs kms:Decrypt for multipart uploads) and stores the part encrypted;
// CompleteMultipartUpload assembles the parts into one encrypted object.
import { createHash } from 'node:crypto';
import type { EngineResponse } from '../wire.js';
import { BodyCheck, checkedChunks, rawBody, readPayload } from './body.js';
import { checksumHeader } from './checksums.js';
import { requireBucket, type S3Call, type S3Context } from './context.js';
import { S3Error, parseRequestXml, s3Errors } from './errors.js';
import { assertKey, objectArn } from './names.js';
import { assertUploadSize, sealNewObject } from './objects.js';
import { storedHeaders, userMetadata } from './object-headers.js';
import { emptyReply, xmlReply } from './request.js';
import { readSealedFile, writeSealedFile } from './sealed-data.js';
import { sseFromRequest, sseResponseHeaders } from './sse.js';
import type { PartRecord, UploadRecord } from './uploads.js';
import { childNamed, childrenNamed, el } from './xml.js';

const MIN_PART_BYTES = 5 * 1024 * 1024;

const invalidPart = () =>
  new S3Error('InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", 400);

const partAad = (upload: UploadRecord, partNumber: number) => `${objectArn(upload.Bucket, upload.Key)}?uploadId=${upload.UploadId}&partNumber=${partNumber}`;
const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '');

function requireUpload(ctx: S3Context, call: S3Call): UploadRecord {
  requireBucket(ctx, call);
  const uploadId = call.req.query.get('uploadId') ?? '';
  const upload = ctx.uploads.get(call.bucket, call.key, uploadId);
  if (!upload) throw s3Errors.noSuchUpload(uploadId);
  return upload;
}

export function createMultipartUpload(ctx: S3Context, call: S3Call): EngineResponse {
  const bucket = requireBucket(ctx, call);
  assertKey(call.key);
  const headers = call.req.headers;
  const sse = sseFromRequest(headers, bucket);
  const metadata = userMetadata(headers);
  const { dataKey, encryption } = ctx.crypto.newDataKey(sse, call.bucket, call.key, call.caller, call.requestId);
  dataKey.fill(0);
  const upload = ctx.uploads.create({
    Bucket: call.bucket,
    Key: call.key,
    Initiated: ctx.engine.clock.now().getTime(),
    ContentType: headers['content-type'] ?? 'binary/octet-stream',
    Metadata: metadata,
    Headers: storedHeaders(headers),
    encryption,
  });
  return xmlReply(
    call.requestId,
    el('InitiateMultipartUploadResult', [el('Bucket', call.bucket), el('Key', call.key), el('UploadId', upload.UploadId)]),
    200,
    sseResponseHeaders(encryption, { write: true }),
  );
}

export async function uploadPart(ctx: S3Context, call: S3Call): Promise<EngineResponse> {
  const upload = requireUpload(ctx, call);
  const partText = call.req.query.get('partNumber') ?? '';
  const partNumber = Number(partText);
  if (!/^\d+$/.test(partText) || partNumber < 1 || partNumber > 10000)
    throw s3Errors.invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', partText);
  const check = new BodyCheck(call.req.headers, { requireLength: true });
  assertUploadSize(call, check.declaredSize);
  const dataKey = ctx.crypto.openDataKey(upload.encryption, upload.Bucket, upload.Key, call.caller, call.requestId);
  let sealed;
  try {
    const file = ctx.uploads.newPartFile(upload, partNumber);
    sealed = await writeSealedFile(ctx.engine.store, file, dataKey, partAad(upload, partNumber), checkedChunks(check, rawBody(call.req)));
  } finally {
    dataKey.fill(0);
  }
  const body = check.checked;
  const etagSource = upload.encryption.algorithm === 'AES256' ? body.md5 : sealed.sealedMd5;
  const part = await sealed.publish(() => {
    // Completed or aborted while this part was arriving: the part goes with it.
    if (!ctx.uploads.isOpen(upload)) throw s3Errors.noSuchUpload(upload.UploadId);
    return ctx.uploads.commitPart(upload, { PartNumber: partNumber, ETag: `"${etagSource.toString('hex')}"`, Size: body.size, LastModified: ctx.engine.clock.now().getTime(), file: sealed.file });
  });
  const out: Record<string, string> = { etag: part.ETag, ...sseResponseHeaders(upload.encryption, { write: true }) };
  if (body.checksum) out[checksumHeader(body.checksum.algorithm)] = body.checksum.value;
  return emptyReply(call.requestId, 200, out);
}

/** The parts the client lists, checked against what was uploaded: ascending, all present, ETags matching. */
function listedParts(upload: UploadRecord, body: Buffer) {
  const root = parseRequestXml(body);
  const listed = childrenNamed(root, 'Part');
  if (root.name !== 'CompleteMultipartUpload' || listed.length === 0) throw s3Errors.malformedXml();
  let previous = 0;
  return listed.map((node) => {
    const n = Number(childNamed(node, 'PartNumber')?.text.trim());
    const etag = childNamed(node, 'ETag')?.text;
    if (!Number.isInteger(n) || etag === undefined) throw s3Errors.malformedXml();
    if (n <= previous) throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', 400);
    previous = n;
    const part = upload.Parts[n];
    if (!part || unquote(part.ETag) !== unquote(etag)) throw invalidPart();
    return part;
  });
}

export async function completeMultipartUpload(ctx: S3Context, call: S3Call): Promise<EngineResponse> {
  const upload = requireUpload(ctx, call);
  const parts = listedParts(upload, readPayload(call.req, { requireLength: false }).bytes);
  parts.forEach((p, i) => {
    if (i < parts.length - 1 && p.Size < MIN_PART_BYTES)
      throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400, { ProposedSize: p.Size, MinSizeAllowed: MIN_PART_BYTES, PartNumber: p.PartNumber, ETag: unquote(p.ETag) });
  });
  // S3's multipart ETag: the MD5 of the parts' binary ETags, then "-" and the number of parts.
  const digest = createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(unquote(p.ETag), 'hex')))).digest('hex');
  // From here the upload is no longer in progress: no part can be added, no second completion start.
  ctx.uploads.beginCompletion(upload);
  try {
    const dataKey = ctx.crypto.openDataKey(upload.encryption, upload.Bucket, upload.Key, call.caller, call.requestId);
    const sealed = await sealNewObject(ctx, upload.Bucket, upload.Key, dataKey, partsInOrder(ctx, upload, parts, dataKey));
    const record = await sealed.publish(() => {
      if (!ctx.state.buckets.has(upload.Bucket)) throw s3Errors.noSuchBucket(upload.Bucket);
      const published = ctx.state.commitObject(upload.Bucket, {
        Key: upload.Key,
        Size: sealed.size,
        ETag: `"${digest}-${parts.length}"`,
        LastModified: ctx.engine.clock.now().getTime(),
        ContentType: upload.ContentType,
        Metadata: upload.Metadata,
        Headers: upload.Headers,
        encryption: upload.encryption,
        dataFile: sealed.file,
      });
      ctx.uploads.remove(upload);
      return published;
    });
    return xmlReply(
      call.requestId,
      el('CompleteMultipartUploadResult', [
        el('Location', `http://${call.req.headers.host ?? 'localhost'}/${upload.Bucket}/${encodeURIComponent(upload.Key)}`),
        el('Bucket', upload.Bucket),
        el('Key', upload.Key),
        el('ETag', record.ETag),
      ]),
      200,
      sseResponseHeaders(record.encryption, { write: true }),
    );
  } finally {
    ctx.uploads.endCompletion(upload);
  }
}

/** The parts' plaintext one after the other, each read and opened as it goes (the upload's data key, a copy per part). */
async function* partsInOrder(ctx: S3Context, upload: UploadRecord, parts: PartRecord[], dataKey: Buffer): AsyncGenerator<Buffer> {
  for (const part of parts) {
    const reader = await ctx.uploads.openPart(part);
    if (!reader) throw s3Errors.noSuchUpload(upload.UploadId);
    yield* readSealedFile(reader, Buffer.from(dataKey), partAad(upload, part.PartNumber), part.Size);
  }
}

export function abortMultipartUpload(ctx: S3Context, call: S3Call): EngineResponse {
  ctx.uploads.remove(requireUpload(ctx, call));
  return emptyReply(call.requestId, 204);
}
