// An error as AWS returns it: a type (code), an HTTP status and a message.
// Operations throw these; each protocol adapter renders them in its own wire shape.
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const isAwsError = (e: unknown): e is AwsError => e instanceof AwsError;

// KMS error types, named as AWS names them (all HTTP 400 but the internal one).
/** AWS's words when a KMS request quota is exceeded (the developer guide's "Throttling AWS KMS requests"; kms/quotas.ts). */
export const THROTTLING_MESSAGE = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';

export const kmsErrors = {
  notFound: (msg: string) => new AwsError('NotFoundException', msg),
  disabled: (msg: string) => new AwsError('DisabledException', msg),
  invalidState: (msg: string) => new AwsError('KMSInvalidStateException', msg),
  invalidCiphertext: (msg = '') => new AwsError('InvalidCiphertextException', msg),
  // AWS's bodies for a failed Verify or VerifyMac carry no message, like InvalidCiphertextException's.
  invalidSignature: () => new AwsError('KMSInvalidSignatureException', ''),
  invalidMac: () => new AwsError('KMSInvalidMacException', ''),
  incorrectKey: (msg: string) => new AwsError('IncorrectKeyException', msg),
  validation: (msg: string) => new AwsError('ValidationException', msg),
  serialization: (msg: string) => new AwsError('SerializationException', msg),
  alreadyExists: (msg: string) => new AwsError('AlreadyExistsException', msg),
  invalidAliasName: (msg: string) => new AwsError('InvalidAliasNameException', msg),
  invalidArn: (msg: string) => new AwsError('InvalidArnException', msg),
  invalidMarker: (msg: string) => new AwsError('InvalidMarkerException', msg),
  tag: (msg: string) => new AwsError('TagException', msg),
  limitExceeded: (msg: string) => new AwsError('LimitExceededException', msg),
  unsupportedOperation: (msg: string) => new AwsError('UnsupportedOperationException', msg),
  invalidKeyUsage: (msg: string) => new AwsError('InvalidKeyUsageException', msg),
  accessDenied: (msg: string) => new AwsError('AccessDeniedException', msg),
  conflict: (msg: string) => new AwsError('ConflictException', msg),
  expiredImportToken: (msg: string) => new AwsError('ExpiredImportTokenException', msg),
  invalidImportToken: (msg: string) => new AwsError('InvalidImportTokenException', msg),
  incorrectKeyMaterial: (msg: string) => new AwsError('IncorrectKeyMaterialException', msg),
  dryRun: () => new AwsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.'),
  throttled: () => new AwsError('ThrottlingException', THROTTLING_MESSAGE, 400),
  internal: (msg: string) => new AwsError('KMSInternalException', msg, 500),
};
