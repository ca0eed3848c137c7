// S3's errors: the codes, HTTP statuses and messages S3 documents, with the extra
// elements some of them carry (BucketName, Key, ArgumentName...), rendered as
// <Error><Code/><Message/>...<RequestId/></Error>.
import { AwsError } from '../errors.js';
import { el, parseXml, xmlDocument, XmlSyntaxError, type XmlNode } from './xml.js';

export class S3Error extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly fields: Record<string, string | number> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, status);
  }
}

export const s3Errors = {
  noSuchBucket: (bucket: string) => new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string) => new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, { UploadId: uploadId }),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', 409, { BucketName: bucket }),
  bucketAlreadyExists: (bucket: string) =>
    new S3Error(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      409,
      { BucketName: bucket },
    ),
  /** Another account's bucket: S3 says no more than this. */
  accessDenied: () => new S3Error('AccessDenied', 'Access Denied', 403),
  bucketNotEmpty: (bucket: string) => new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket }),
  invalidBucketName: (bucket: string) => new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket }),
  keyTooLong: (size: number) => new S3Error('KeyTooLongError', 'Your key is too long', 400, { Size: size, MaxSizeAllowed: 1024 }),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new S3Error('InvalidArgument', message, 400, name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' }),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', message, 400),
  malformedXml: () => new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400),
  invalidDigest: (given: string) => new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, { 'Content-MD5': given }),
  badDigest: (expected: string, calculated: string) =>
    new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, { ExpectedDigest: expected, CalculatedDigest: calculated }),
  badChecksum: (algorithm: string) =>
    new S3Error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, 400),
  invalidChecksum: (header: string) =>
    new S3Error('InvalidRequest', `Value for ${header} header is invalid.`, 400),
  missingContentMd5: () => new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5', 400),
  missingContentLength: () => new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411),
  incompleteBody: () => new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400),
  contentSha256Mismatch: (client: string, computed: string) =>
    new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
      ClientComputedContentSHA256: client,
      S3ComputedContentSHA256: computed,
    }),
  invalidRange: (requested: string, size: number) =>
    new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: requested, ActualObjectSize: size }, { 'content-range': `bytes */${size}` }),
  preconditionFailed: (condition: string) =>
    new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition: condition }),
  notImplemented: (what: string) => new S3Error('NotImplemented', `${what} is not implemented by the local engine.`, 501),
  methodNotAllowed: (method: string, resourceType: string) =>
    new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, { Method: method, ResourceType: resourceType }),
  metadataTooLarge: (size: number) =>
    new S3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', 400, { Size: size, MaxSizeAllowed: 2048 }),
  invalidLocationConstraint: (constraint: string) =>
    new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { LocationConstraint: constraint }),
  illegalLocationConstraint: (constraint: string | undefined) =>
    new S3Error(
      'IllegalLocationConstraintException',
      constraint === undefined
        ? 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.'
        : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    ),
  wrongRegion: (signed: string, expected: string) =>
    new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${signed}' is wrong; expecting '${expected}'`, 400, { Region: expected }, { 'x-amz-bucket-region': expected }),
  entityTooLarge: (size: number, max: number) =>
    new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { ProposedSize: size, MaxSizeAllowed: max }),
  invalidToken: () => new S3Error('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token' }),
  internal: () => new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500),
};

/**
 * A KMS failure as S3 reports it: the KMS error type prefixed with "KMS."
 * (KMS.DisabledException, KMS.NotFoundException, KMS.KMSInvalidStateException),
 * HTTP 400; a denied KMS call is S3's own 403 AccessDenied, a throttled one its 503 SlowDown.
 */
export function fromKmsError(e: AwsError): S3Error {
  if (e.code === 'AccessDeniedException') return new S3Error('AccessDenied', e.message || 'Access Denied', 403);
  // KMS throttled the call S3 made for the caller: S3 answers as it does to its own throttling, which SDKs retry.
  if (e.code === 'ThrottlingException') return new S3Error('SlowDown', 'Please reduce your request rate for operations involving AWS KMS.', 503);
  if (e.status >= 500) return s3Errors.internal();
  return new S3Error(`KMS.${e.code}`, e.message, 400);
}

/** The XML error body S3 sends; HEAD replies carry the status and headers only. */
export function s3ErrorResponse(error: AwsError, requestId: string, resource?: string) {
  const s3 = error instanceof S3Error ? error : undefined;
  const fields = Object.entries(s3?.fields ?? {}).map(([k, v]) => el(k, String(v)));
  const body = xmlDocument(
    el('Error', [el('Code', error.code), el('Message', error.message), ...fields, resource !== undefined && el('Resource', resource), el('RequestId', requestId), el('HostId', hostId(requestId))]),
    false,
  );
  return {
    status: error.status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'x-amz-id-2': hostId(requestId), ...s3?.headers },
    body,
  };
}

export function hostId(requestId: string) {
  return Buffer.from(requestId).toString('base64');
}

/** A request body's XML document; S3's MalformedXML when it is not well-formed. */
export function parseRequestXml(body: Buffer): XmlNode {
  try {
    return parseXml(body);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw s3Errors.malformedXml();
    throw e;
  }
}
