// An object's bytes as the client meant them, checked as they arrive: aws-chunked bodies
// decoded (the SDK streams uploads that way, with a checksum in a trailer), then every
// integrity check the request asks for: x-amz-content-sha256, Content-MD5, x-amz-checksum-*.
// What can be checked from the headers is checked before a byte of the body is read; the
// digests are computed incrementally and compared once the body has ended, so a caller
// streaming an object to disk makes it visible only after finish() said yes.
import { createHash, type Hash } from 'node:crypto';
import { isAwsError } from '../errors.js';
import type { EngineRequest } from '../wire.js';
import { AwsChunkedDecoder } from './aws-chunked.js';
import { CHECKSUM_ALGORITHMS, CHECKSUM_BYTES, checksumHasher, checksumHeader, type ChecksumHasher } from './checksums.js';
import { S3Error, s3Errors } from './errors.js';
import type { ChecksumAlgorithm } from './state.js';

export interface CheckedBody {
  size: number;
  /** MD5 of the bytes (the ETag of an SSE-S3 object; checked against Content-MD5 when sent). */
  md5: Buffer;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

export interface Payload extends CheckedBody {
  bytes: Buffer;
}

/** The largest body of a request that is not an object (configuration XML, a multipart completion list). */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

const isAwsChunked = (headers: Record<string, string>) =>
  (headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked') || (headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');

/** The checks one request's body must pass, fed its raw bytes as they arrive. */
export class BodyCheck {
  /** The object's size as the headers declare it (undefined when the request did not say). */
  readonly declaredSize: number | undefined;
  private readonly chunked: AwsChunkedDecoder | undefined;
  private readonly md5 = createHash('md5');
  private readonly sha256: { hash: Hash; claimed: string } | undefined;
  private readonly givenMd5: Buffer | undefined;
  private readonly hashers = new Map<ChecksumAlgorithm, ChecksumHasher>();
  private size = 0;

  constructor(private readonly headers: Record<string, string>, opts: { requireLength: boolean }) {
    const contentLength = headers['content-length'];
    if (isAwsChunked(headers)) {
      const declared = headers['x-amz-decoded-content-length'];
      if (declared === undefined) throw s3Errors.missingContentLength();
      if (!/^\d{1,16}$/.test(declared)) throw s3Errors.invalidArgument('x-amz-decoded-content-length must be a number of bytes.', 'x-amz-decoded-content-length', declared);
      this.declaredSize = Number(declared);
      this.chunked = new AwsChunkedDecoder(this.declaredSize);
    } else {
      if (opts.requireLength && contentLength === undefined) throw s3Errors.missingContentLength();
      this.declaredSize = contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
      const claimed = headers['x-amz-content-sha256'];
      if (claimed && /^[0-9a-fA-F]{64}$/.test(claimed)) this.sha256 = { hash: createHash('sha256'), claimed };
    }
    const givenMd5 = headers['content-md5'];
    if (givenMd5 !== undefined) {
      const decoded = Buffer.from(givenMd5, 'base64');
      if (decoded.length !== 16 || decoded.toString('base64') !== givenMd5.trim()) throw s3Errors.invalidDigest(givenMd5);
      this.givenMd5 = decoded;
    }
    for (const algorithm of this.expectedChecksums()) this.hashers.set(algorithm, checksumHasher(algorithm));
  }

  /** Takes raw body bytes; returns the object bytes they carry (aws-chunked framing removed). */
  push(raw: Buffer): Buffer[] {
    const data = this.chunked ? this.chunked.push(raw) : [raw];
    for (const piece of data) {
      this.size += piece.length;
      this.md5.update(piece);
      this.sha256?.hash.update(piece);
      for (const hasher of this.hashers.values()) hasher.update(piece);
    }
    return data;
  }

  /** Once the body has ended: every check, in S3's order; throws the first that fails. */
  finish(): CheckedBody {
    this.result = this.verify();
    return this.result;
  }

  /** What finish() found; only after it passed. */
  get checked(): CheckedBody {
    if (!this.result) throw new Error('the body has not been checked yet');
    return this.result;
  }

  private result: CheckedBody | undefined;

  private verify(): CheckedBody {
    if (this.chunked) {
      this.chunked.end();
      if (this.size !== this.declaredSize) throw s3Errors.incompleteBody();
    } else if (this.sha256) {
      const computed = this.sha256.hash.digest('hex');
      if (computed !== this.sha256.claimed.toLowerCase()) throw s3Errors.contentSha256Mismatch(this.sha256.claimed, computed);
    }
    const md5 = this.md5.digest();
    if (this.givenMd5 && !this.givenMd5.equals(md5)) throw s3Errors.badDigest(this.headers['content-md5']!, md5.toString('base64'));
    return { size: this.size, md5, checksum: this.verifyChecksum() };
  }

  /** Header checks that need no body, and the algorithms whose value will come (header, trailer, or the SDK's word). */
  private expectedChecksums(): ChecksumAlgorithm[] {
    const inHeaders = CHECKSUM_ALGORITHMS.filter((a) => this.headers[checksumHeader(a)] !== undefined);
    const trailer = this.declaredTrailer();
    const inTrailer = CHECKSUM_ALGORITHMS.filter((a) => checksumHeader(a) === trailer && !inHeaders.includes(a));
    if (inHeaders.length + inTrailer.length > 1) throw multipleChecksums();
    const sdkAlgorithm = this.headers['x-amz-sdk-checksum-algorithm'];
    const named = [...inHeaders, ...inTrailer];
    if (sdkAlgorithm !== undefined && named.length === 0 && !trailer)
      throw s3Errors.invalidRequest('x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.');
    if (sdkAlgorithm !== undefined && named.length === 1 && sdkAlgorithm.toUpperCase() !== named[0]) throw s3Errors.invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
    for (const algorithm of inHeaders) checkEncoding(algorithm, this.headers[checksumHeader(algorithm)]!);
    return named;
  }

  private declaredTrailer() {
    return (this.headers['x-amz-trailer'] ?? '').trim().toLowerCase();
  }

  private verifyChecksum(): CheckedBody['checksum'] {
    const trailers = this.chunked?.trailers ?? {};
    const trailer = this.declaredTrailer();
    if (trailer && trailers[trailer] === undefined) throw s3Errors.incompleteBody();
    const inTrailers = CHECKSUM_ALGORITHMS.filter((a) => trailers[checksumHeader(a)] !== undefined);
    if (inTrailers.some((a) => !this.hashers.has(a))) {
      if (this.hashers.size > 0) throw multipleChecksums();
      throw s3Errors.invalidRequest(`The trailer ${checksumHeader(inTrailers[0]!)} was not declared in x-amz-trailer.`);
    }
    const [entry] = this.hashers;
    if (!entry) return undefined;
    const [algorithm, hasher] = entry;
    const header = checksumHeader(algorithm);
    const value = this.headers[header] ?? trailers[header]!;
    checkEncoding(algorithm, value);
    if (hasher.digest() !== value) throw s3Errors.badChecksum(algorithm);
    return { algorithm, value };
  }
}

const multipleChecksums = () => s3Errors.invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');

function checkEncoding(algorithm: ChecksumAlgorithm, value: string) {
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length !== CHECKSUM_BYTES[algorithm] || decoded.toString('base64') !== value) throw s3Errors.invalidChecksum(checksumHeader(algorithm));
}

/**
 * The object bytes of a streamed body, checked: yields them as they arrive and throws, after
 * the last, if any check fails; a client that goes away mid-body is IncompleteBody.
 */
export async function* checkedChunks(check: BodyCheck, source: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const raw of source) for (const piece of check.push(raw)) if (piece.length > 0) yield piece;
  } catch (e) {
    if (isAwsError(e)) throw e;
    throw s3Errors.incompleteBody();
  }
  check.finish();
}

/** A request's raw body: its stream (from HTTP) or the bytes already read (a test, a buffered request). */
export const rawBody = (req: EngineRequest): AsyncIterable<Buffer> | Iterable<Buffer> => req.stream ?? [req.body];

/** The body of a small write (a configuration document, a completion list), read whole and checked. */
export function readPayload(req: EngineRequest, opts: { requireLength: boolean }): Payload {
  const check = new BodyCheck(req.headers, opts);
  const bytes = Buffer.concat(check.push(req.body));
  return { bytes, ...check.finish() };
}

/** A configuration document (PutBucketEncryption, DeleteObjects): S3 requires Content-MD5 or a checksum. */
export function readConfigurationBody(req: EngineRequest): Buffer {
  const payload = readPayload(req, { requireLength: false });
  if (req.headers['content-md5'] === undefined && !payload.checksum) throw s3Errors.missingContentMd5();
  return payload.bytes;
}

const tooBig = (limit: number) => new S3Error('MaxMessageLengthExceeded', 'Your request was too big.', 400, { MaxMessageLengthBytes: limit });

/**
 * The request with its body read whole, for operations whose body is a small document:
 * refused by Content-Length before reading when it says too much, and cut off if it sends more.
 */
export async function bufferedRequest(req: EngineRequest, limit = MAX_DOCUMENT_BYTES): Promise<EngineRequest> {
  if (!req.stream) return req;
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw tooBig(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req.stream) {
      size += chunk.length;
      if (size > limit) throw tooBig(limit);
      chunks.push(chunk);
    }
  } catch (e) {
    if (isAwsError(e)) throw e;
    throw s3Errors.incompleteBody();
  }
  return { ...req, body: Buffer.concat(chunks), stream: undefined };
}
