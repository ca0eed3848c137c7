// Who made a request: the principal (auth/ authenticates it: engine-issued
// credentials are verified; any others act as the account's default learner in
// the local mode), and the Region the request was signed for.
/** CloudTrail's userIdentity.type for the principal. */
export type IdentityType = 'Root' | 'IAMUser' | 'AssumedRole' | 'AWSService';

export interface Caller {
  /** Absent means 'IAMUser' (the default learner is one). */
  type?: IdentityType;
  /** AIDA... for a user, AROA...:session for an assumed role, the account id for root. */
  principalId?: string;
  /** For an AssumedRole: the role the session was issued for (CloudTrail's sessionContext.sessionIssuer). */
  sessionIssuer?: { arn: string; userName: string; principalId: string; accountId: string };
  /** For an AssumedRole: when its credentials were issued, epoch ms on the engine clock (CloudTrail's sessionContext.attributes.creationDate). */
  sessionCreatedAt?: number;
  accountId: string;
  region: string;
  accessKeyId: string;
  userName: string;
  /** ARN of the principal, as CloudTrail's userIdentity shows it. */
  arn: string;
  /** Set when a service calls KMS on the caller's behalf, e.g. 's3.amazonaws.com'. */
  invokedBy?: string;
  sourceIp?: string;
  userAgent?: string;
}

export const ENGINE_ACCOUNT = '111122223333';
export const DEFAULT_REGION = 'us-east-1';

export function makeCaller(opts: Partial<Caller> & { region?: string } = {}): Caller {
  const accountId = opts.accountId ?? ENGINE_ACCOUNT;
  const userName = opts.userName ?? 'workshop-learner';
  return {
    ...(opts.type ? { type: opts.type } : {}),
    ...(opts.principalId ? { principalId: opts.principalId } : {}),
    ...(opts.sessionIssuer ? { sessionIssuer: opts.sessionIssuer } : {}),
    ...(opts.sessionCreatedAt !== undefined ? { sessionCreatedAt: opts.sessionCreatedAt } : {}),
    accountId,
    region: opts.region ?? DEFAULT_REGION,
    accessKeyId: opts.accessKeyId ?? 'AKIAIOSFODNN7EXAMPLE',
    userName,
    arn: opts.arn ?? `arn:aws:iam::${accountId}:user/${userName}`,
    invokedBy: opts.invokedBy,
    sourceIp: opts.sourceIp ?? '127.0.0.1',
    userAgent: opts.userAgent,
  };
}

/** The same caller, as seen when a service acts on their behalf. */
export function onBehalfOf(caller: Caller, service: string): Caller {
  return { ...caller, invokedBy: service, sourceIp: service, userAgent: service };
}
