// The CloudTrail events the trail keeps, and how a call, or a service acting on its own,
// becomes one, field by field in the shape AWS documents (CloudTrail user guide: record
// contents, userIdentity). Built after the reply is written (trail.ts stores them then).
import { randomUUID } from 'node:crypto';
import type { Caller } from '../caller.js';

export interface TrailEvent {
  eventVersion: string;
  /** A service acting on its own (an AwsServiceEvent) is only an account and "AWS Internal". */
  userIdentity: {
    type?: string;
    principalId?: string;
    arn?: string;
    accountId: string;
    accessKeyId?: string;
    userName?: string;
    /** An AssumedRole's session: the role it was issued for, and when. */
    sessionContext?: {
      sessionIssuer: { type: 'Role'; principalId: string; arn: string; accountId: string; userName: string };
      attributes: { creationDate?: string; mfaAuthenticated: 'false' };
    };
    invokedBy?: string;
  };
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  requestID?: string;
  eventID: string;
  readOnly: boolean;
  resources?: { accountId: string; type: string; ARN: string }[];
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management';
  serviceEventDetails?: Record<string, string>;
}

/** What a service did on its own, when (KMS rotating a key, deleting expired imported material). */
export interface ServiceEventInput {
  accountId: string;
  region: string;
  eventSource: string;
  eventName: string;
  resources: { type: string; ARN: string }[];
  serviceEventDetails: Record<string, string>;
  /** When it happened (epoch ms on the engine clock): it may be past, if the clock was moved on. */
  time: number;
}

export interface RecordInput {
  caller: Caller;
  eventSource: string;
  eventName: string;
  requestParameters: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: { type: string; ARN: string }[];
  readOnly: boolean;
  requestId: string;
  error?: { code: string; message: string };
}


/** Free text taken from the request (user agent, error messages that echo input) is cut here. */
const MAX_TEXT_CHARS = 1024;

const eventTime = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A call a client made (an AwsApiCall), dated `time` (epoch ms, whole seconds). */
export function apiCallEvent(input: RecordInput, time: number): TrailEvent {
  const { caller } = input;
  return {
    eventVersion: '1.08',
    userIdentity: userIdentity(caller),
    eventTime: eventTime(time),
    eventSource: input.eventSource,
    eventName: input.eventName,
    awsRegion: caller.region,
    sourceIPAddress: caller.invokedBy ?? caller.sourceIp ?? '127.0.0.1',
    userAgent: clip(caller.invokedBy ?? caller.userAgent ?? ''),
    ...(input.error ? { errorCode: input.error.code, errorMessage: clip(input.error.message) } : {}),
    requestParameters: input.requestParameters, // bounded as it is stored (trail.ts)
    responseElements: input.responseElements ?? null,
    requestID: input.requestId,
    eventID: randomUUID(),
    readOnly: input.readOnly,
    ...(input.resources?.length ? { resources: input.resources.map((r) => ({ accountId: caller.accountId, ...r })) } : {}),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: caller.accountId,
    eventCategory: 'Management',
  };
}

/** An AwsServiceEvent, in the shape of AWS's examples (RotateKey, DeleteExpiredKeyMaterial), dated `time`. */
export function serviceEvent(input: ServiceEventInput, time: number): TrailEvent {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: input.accountId, invokedBy: 'AWS Internal' },
    eventTime: eventTime(time),
    eventSource: input.eventSource,
    eventName: input.eventName,
    awsRegion: input.region,
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    eventID: randomUUID(),
    readOnly: false,
    resources: input.resources.map((r) => ({ accountId: input.accountId, ...r })),
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: input.accountId,
    eventCategory: 'Management',
    serviceEventDetails: input.serviceEventDetails,
  };
}

export function clip(text: string): string {
  return text.length <= MAX_TEXT_CHARS ? text : text.slice(0, MAX_TEXT_CHARS - 3) + '...';
}

/**
 * The caller as CloudTrail's userIdentity element shows it (CloudTrail user guide,
 * "CloudTrail userIdentity element"): an IAM user with its userName; an assumed role with
 * its session's issuer and creation date and no userName; the root user as the account.
 * A service acting on the caller's behalf (S3 calling KMS) keeps the caller's identity and adds invokedBy.
 */
function userIdentity(caller: Caller): TrailEvent['userIdentity'] {
  const type = caller.type ?? 'IAMUser';
  const identity: TrailEvent['userIdentity'] = {
    type,
    principalId: caller.principalId ?? (type === 'Root' ? caller.accountId : principalId(caller.accessKeyId)),
    arn: caller.arn,
    accountId: caller.accountId,
    accessKeyId: caller.accessKeyId,
  };
  if (type === 'IAMUser') identity.userName = caller.userName;
  if (type === 'AssumedRole' && caller.sessionIssuer) {
    const issuer = caller.sessionIssuer;
    const created = caller.sessionCreatedAt === undefined ? {} : { creationDate: new Date(caller.sessionCreatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    identity.sessionContext = {
      sessionIssuer: { type: 'Role', principalId: issuer.principalId, arn: issuer.arn, accountId: issuer.accountId, userName: issuer.userName },
      attributes: { ...created, mfaAuthenticated: 'false' },
    };
  }
  if (caller.invokedBy) identity.invokedBy = caller.invokedBy;
  return identity;
}

/** A stable made-up AIDA id for a caller the engine knows only by its access key (any key, in the local mode). */
function principalId(accessKeyId: string) {
  return 'AIDA' + Buffer.from(accessKeyId).toString('hex').toUpperCase().slice(0, 17).padEnd(17, '0');
}
