// The problems a learner meets when pointing the lessons at a real AWS account
// (no credentials, an expired session, no or a wrong Region, AccessDenied),
// each turned into what happened and what to do, in plain words. Used before
// the first call (`--target aws` set-up) and when a step fails.

export interface AwsProblem {
  /** What happened, one sentence. */
  what: string;
  /** What to do about it. */
  todo: string;
}

/** What the lessons need, for the AccessDenied explanation. */
export const LESSON_PERMISSIONS =
  'kms:CreateKey, kms:CreateAlias, kms:UpdateAlias, kms:DeleteAlias, kms:DescribeKey, kms:ListAliases, kms:Encrypt, kms:Decrypt, ' +
  'kms:GenerateDataKey, kms:GenerateRandom, kms:ScheduleKeyDeletion, s3:CreateBucket, s3:PutObject, s3:GetObject, s3:DeleteObject, ' +
  's3:ListBucket, s3:DeleteBucket, cloudtrail:LookupEvents';

const NO_ACCOUNT_HINT = 'Or leave out --target aws: the local engine needs no account.';

interface ErrorLike {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  hostname?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The plain explanation of an AWS set-up or access problem, or undefined for any other error. */
export function explainAwsProblem(e: unknown, operation?: string): AwsProblem | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const err = e as ErrorLike;
  const name = err.name ?? '';
  const code = err.code ?? err.Code ?? '';
  const message = err.message ?? '';
  const op = operation ?? 'this AWS operation';

  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    if (/sso|token/i.test(message) && !/from any providers/.test(message))
      return {
        what: `Your AWS sign-in could not be used: ${message.replace(/\s+/g, ' ').trim()}`,
        todo: `Sign in again (for SSO: aws sso login --profile <your profile>) and run the command again. ${NO_ACCOUNT_HINT}`,
      };
    return {
      what: 'No AWS credentials were found. The AWS SDK looked in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), in the profile named by AWS_PROFILE (or "default") in ~/.aws/credentials and ~/.aws/config, for an SSO sign-in, and for an instance or container role.',
      todo: `Set up credentials (aws configure, or aws sso login --profile <name> and AWS_PROFILE=<name>) and run the command again. ${NO_ACCOUNT_HINT}`,
    };
  }
  if (/^Region is missing/.test(message))
    return {
      what: 'No AWS Region is chosen, so there is nowhere to create the lesson keys.',
      todo: 'Set one: AWS_REGION=eu-west-1 (any Region you use) in the environment, or aws configure set region eu-west-1 for your profile.',
    };
  if (/^Region not accepted|Invalid region/i.test(message))
    return { what: `The AWS Region is not a valid Region name (${message}).`, todo: 'Set AWS_REGION (or region in your profile) to a Region code such as us-east-1 or eu-west-1.' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return {
      what: `Could not reach ${err.hostname ?? 'the AWS endpoint'}: the name does not resolve.`,
      todo: 'Check the Region (AWS_REGION or region in your profile: a Region that exists, such as eu-west-1) and that this machine is online.',
    };
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT')
    return {
      what: `Could not connect to the AWS endpoint (${code}).`,
      todo: 'Check that this machine is online, and that AWS_ENDPOINT_URL (if set) points at something that is running.',
    };
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken' || name === 'RequestExpired' || /security token included in the request is expired/i.test(message))
    return {
      what: 'Your AWS session has expired: the temporary credentials are no longer valid.',
      todo: 'Get fresh credentials (aws sso login, or a new session token from your identity provider) and run the command again.',
    };
  if (name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId' || name === 'InvalidAccessKeyId')
    return {
      what: 'AWS does not recognise the access key in your credentials.',
      todo: 'Check the credentials (a deleted or mistyped access key?), or whether the Region is an opt-in Region not enabled for your account.',
    };
  if (name === 'InvalidSignatureException' || name === 'SignatureDoesNotMatch')
    return {
      what: 'The request signature does not match: the secret access key does not belong to the access key id (or the clock of this machine is far off).',
      todo: 'Check AWS_SECRET_ACCESS_KEY (or the profile in ~/.aws/credentials), and the system clock.',
    };
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnauthorizedOperation')
    return {
      what: `Your AWS identity is not allowed to call ${op}${message ? ` (AWS says: ${message})` : ''}.`,
      todo: `Use an identity allowed to: ${LESSON_PERMISSIONS}; for instance ask your administrator, or use an account where you are one.`,
    };
  return undefined;
}

/** The explanation as text for a terminal: what happened, then what to do. */
export function formatAwsProblem(problem: AwsProblem): string {
  return `${problem.what}\nWhat to do: ${problem.todo}`;
}

/** A problem found while preparing `--target aws`, before anything was created. */
export class AwsSetupError extends Error {
  override name = 'AwsSetupError';
  constructor(readonly problem: AwsProblem) {
    super(formatAwsProblem(problem));
  }
}
