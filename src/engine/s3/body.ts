// An object's bytes as the client meant them: aws-chunked bodies decoded (the SDK
// streams uploads that way, with a checksum in a trailer), then every integrity check
// the request asks for: x-amz-content-sha256, Content-MD5, x-amz-checksum-*.
import { createHash } from 'node:crypto';
import type { EngineRequest } from '../wire.js';
import { CHECKSUM_ALGORITHMS, CHECKSUM_BYTES, checksumHeader, computeChecksum } from './checksums.js';
import { s3Errors } from './errors.js';
import type { ChecksumAlgorithm } from './state.js';

export interface Payload {
  bytes: Buffer;
  /** Content-MD5 of the bytes, base64 (checked when the client sent one). */
  md5: Buffer;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

const isAwsChunked = (req: EngineRequest) =>
  (req.headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked') || (req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');

/** The body of a write (PutObject, or a configuration document), checked. */
export function readPayload(req: EngineRequest, opts: { requireLength: boolean }): Payload {
  const trailers: Record<string, string> = {};
  let bytes: Buffer;
  if (isAwsChunked(req)) {
    const declared = req.headers['x-amz-decoded-content-length'];
    if (declared === undefined) throw s3Errors.missingContentLength();
    bytes = decodeAwsChunked(req.body, trailers);
    if (bytes.length !== Number(declared)) throw s3Errors.incompleteBody();
  } else {
    if (opts.requireLength && req.headers['content-length'] === undefined) throw s3Errors.missingContentLength();
    bytes = req.body;
    const claimed = req.headers['x-amz-content-sha256'];
    if (claimed && /^[0-9a-fA-F]{64}$/.test(claimed)) {
      const computed = createHash('sha256').update(bytes).digest('hex');
      if (computed !== claimed.toLowerCase()) throw s3Errors.contentSha256Mismatch(claimed, computed);
    }
  }
  const md5 = createHash('md5').update(bytes).digest();
  const givenMd5 = req.headers['content-md5'];
  if (givenMd5 !== undefined) {
    const decoded = Buffer.from(givenMd5, 'base64');
    if (decoded.length !== 16 || decoded.toString('base64') !== givenMd5.trim()) throw s3Errors.invalidDigest(givenMd5);
    if (!decoded.equals(md5)) throw s3Errors.badDigest(givenMd5, md5.toString('base64'));
  }
  return { bytes, md5, checksum: verifyChecksum(req, trailers, bytes) };
}

/** `<hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0\r\n[trailer: value\r\n]*\r\n` */
function decodeAwsChunked(body: Buffer, trailers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) throw s3Errors.incompleteBody();
    const sizeText = body.toString('latin1', pos, eol).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw s3Errors.invalidRequest('The aws-chunked body has a malformed chunk header.');
    const size = parseInt(sizeText, 16);
    pos = eol + 2;
    if (size === 0) break;
    if (pos + size + 2 > body.length) throw s3Errors.incompleteBody();
    parts.push(body.subarray(pos, pos + size));
    pos += size;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw s3Errors.invalidRequest('The aws-chunked body has a malformed chunk.');
    pos += 2;
  }
  while (pos < body.length) {
    const eol = body.indexOf('\r\n', pos);
    const line = body.toString('latin1', pos, eol < 0 ? body.length : eol);
    pos = eol < 0 ? body.length : eol + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return Buffer.concat(parts);
}

function verifyChecksum(req: EngineRequest, trailers: Record<string, string>, bytes: Buffer): Payload['checksum'] {
  const given = CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
    const header = checksumHeader(algorithm);
    const value = req.headers[header] ?? trailers[header];
    return value === undefined ? [] : [{ algorithm, header, value }];
  });
  if (given.length > 1) throw s3Errors.invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const declaredTrailer = (req.headers['x-amz-trailer'] ?? '').trim().toLowerCase();
  if (declaredTrailer && trailers[declaredTrailer] === undefined) throw s3Errors.incompleteBody();
  const sdkAlgorithm = req.headers['x-amz-sdk-checksum-algorithm'];
  if (given.length === 0) {
    if (sdkAlgorithm !== undefined)
      throw s3Errors.invalidRequest('x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.');
    return undefined;
  }
  const { algorithm, header, value } = given[0]!;
  if (sdkAlgorithm !== undefined && sdkAlgorithm.toUpperCase() !== algorithm)
    throw s3Errors.invalidRequest(`Value for x-amz-sdk-checksum-algorithm header is invalid.`);
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length !== CHECKSUM_BYTES[algorithm] || decoded.toString('base64') !== value) throw s3Errors.invalidChecksum(header);
  if (computeChecksum(algorithm, bytes) !== value) throw s3Errors.badChecksum(algorithm);
  return { algorithm, value };
}

/** A configuration document (PutBucketEncryption, DeleteObjects): S3 requires Content-MD5 or a checksum. */
export function readConfigurationBody(req: EngineRequest): Buffer {
  const payload = readPayload(req, { requireLength: false });
  if (req.headers['content-md5'] === undefined && !payload.checksum) throw s3Errors.missingContentMd5();
  return payload.bytes;
}
