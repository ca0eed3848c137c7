// The step context: what a lesson's step function receives. SDK clients for
// the target, the lesson's workspace folder, the results to show, and the
// things a lesson cannot do with the SDK alone: expecting an error on purpose,
// waiting for CloudTrail, lowering a request quota to see throttling, acting
// as another identity and reaching another account.
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMS } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import type { Names } from './names.js';
import type { Show } from './show.js';
import type { OtherAccount, RequestQuota } from './target.js';
import type { ApiCall, StepResult, TargetKind } from './types.js';

export interface StepContext {
  /** KMS for the target. An SDK v3 client: `kms.send(new EncryptCommand(...))`; also has the
   * method style (`kms.encrypt(...)`) the AWS Encryption SDK's keyring calls. */
  kms: KMS;
  /** S3 for the target (path-style addressing). */
  s3: S3Client;
  cloudtrail: CloudTrailClient;
  /** IAM for the target: users, access keys, roles, policies (locally the engine's, in account 111122223333). */
  iam: IAMClient;
  /** STS for the target: GetCallerIdentity, AssumeRole. */
  sts: STSClient;
  /**
   * Clients that sign as another identity: an access key the lesson made (CreateAccessKey) or
   * a role's session (AssumeRole's Credentials). Their calls are shown like `kms`'s, made by
   * `who` (the call log's caller: 'kms-workshop-novice'). Closed when the step ends.
   */
  as(credentials: IdentityCredentials, who: string): IdentityClients;
  /**
   * An administrator of a second account, to use a key across accounts. Locally the engine
   * makes the account (444455556666) on first use, with an access key for its administrator,
   * and the step says so; on AWS a lesson cannot make a second account: nothing is done, the
   * step says so, and `applied` is false.
   */
  otherAccount(): Promise<OtherAccountAccess>;
  region: string;
  target: TargetKind;
  /**
   * Names of what the lesson creates: `names.alias('kms-workshop-direct')` is
   * 'alias/kms-workshop-direct' locally and 'alias/<your prefix>/kms-workshop-direct'
   * on AWS, so a lesson never touches anything else in the account. Same for `names.bucket(...)`.
   */
  names: Names;
  /** The lesson's folder for its files (sample files already copied in). */
  workspace: string;
  /** Absolute path of a file in the workspace. */
  path(name: string): string;
  show: Show;
  /** The calls this step has made so far, the learner's and those made on their behalf. */
  calls: readonly ApiCall[];
  /**
   * Awaits a call the lesson expects to fail with `code`, and shows the error
   * explained. If the call succeeds or fails otherwise, the step fails.
   */
  expectError(call: Promise<unknown>, expected: ExpectedError): Promise<Extract<StepResult, { kind: 'expectedError' }>>;
  /** Waits until CloudTrail has delivered the events of the calls made so far (fast-forwarded locally). */
  waitForCloudTrail(): Promise<Extract<StepResult, { kind: 'wait' }>>;
  /**
   * Lowers the KMS request quota `operation` counts against to `perSecond` until this step ends, to
   * provoke ThrottlingException: locally the engine's (GenerateDataKey: the quota every symmetric
   * cryptographic operation shares). On AWS nothing changes (an account's quotas are its own) and
   * the step says so; `applied` tells the lesson which.
   */
  lowerRequestQuota(operation: string, perSecond: number): Promise<RequestQuotaChange>;
  /**
   * A KMS client for the target that retries as the SDK does with these settings (`kms` locally makes
   * one attempt for any failure but a throttle, and one for a throttle too while the step has lowered a
   * quota, so a failure shows at once); its calls are shown like `kms`'s. Closed when the step ends.
   */
  kmsWithRetries(retry: { maxAttempts: number; retryMode?: 'standard' | 'adaptive' }): KMS;
  /**
   * Moves time forward by `days` (fractions allowed), to show what time does to keys: an automatic
   * rotation, key material that expires. Locally the engine clock jumps at once and the step says
   * so; on AWS time cannot be moved: nothing changes, the step says so, and `applied` is false.
   */
  fastForward(days: number): Promise<FastForward>;
}

/**
 * Credentials another identity signs with (`sessionToken` for a role's session), as the SDK
 * spells them or as IAM and STS answer them: CreateAccessKey's `AccessKey`, AssumeRole's `Credentials`.
 */
export type IdentityCredentials =
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };

/** SDK clients for the target that sign as one identity. */
export interface IdentityClients {
  kms: KMS;
  s3: S3Client;
  iam: IAMClient;
  sts: STSClient;
}

/** What otherAccount gave: the account and its administrator's key (locally), or nothing (on AWS). */
export type OtherAccountAccess = ({ applied: true } & OtherAccount) | { applied: false };

/** What fastForward did: the engine's time after the jump (locally), or nothing (on AWS). */
export type FastForward = { applied: true; now: Date } | { applied: false };

/** What lowerRequestQuota did: the quota (locally), or nothing (on AWS). */
export type RequestQuotaChange = { applied: true; quota: RequestQuota } | { applied: false };

export interface ExpectedError {
  /** The AWS error code, e.g. 'InvalidCiphertextException'. */
  code: string;
  /** Why it happens, in plain words. */
  why: string;
  /** What makes the call work. */
  fix: string;
}

/** A step that did not do what the lesson expects: stops the step with this message. */
export class StepExpectationError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'StepExpectationError';
  }
}

export type StepFunction = (ctx: StepContext) => Promise<unknown> | unknown;

/** What the session hands over to build a step's context: the same clients and names, plus its plumbing. */
export interface ContextParts extends Pick<StepContext, 'kms' | 's3' | 'cloudtrail' | 'region' | 'target' | 'names' | 'workspace' | 'show' | 'kmsWithRetries'>, Partial<Pick<StepContext, 'iam' | 'sts' | 'as'>> {
  calls: readonly ApiCall[];
  emit(result: StepResult): void;
  progress(label: string, done: number, total: number): void;
  waitForCloudTrail(progress: (done: number, total: number, detail?: string) => void): Promise<{ seconds: number; fastForwarded: boolean; note?: string }>;
  /** Sets a request quota until the step ends; absent where quotas cannot be changed (AWS). */
  lowerRequestQuota?(operation: string, perSecond: number): Promise<RequestQuota>;
  /** Moves the engine clock forward and gives its new time; absent where time cannot be moved (AWS). */
  advanceClock?(seconds: number): Promise<Date>;
  /** A second account's administrator; absent where the lessons cannot make one (AWS). */
  otherAccount?(): OtherAccount;
}

export function createStepContext(parts: ContextParts): StepContext {
  const { emit } = parts;
  return {
    kms: parts.kms,
    s3: parts.s3,
    cloudtrail: parts.cloudtrail,
    // A session always gives these; a context built for a test of other members may not.
    iam: parts.iam!,
    sts: parts.sts!,
    as: parts.as ?? (() => {
      throw new Error('this step context has no clients for other identities');
    }),
    async otherAccount() {
      if (!parts.otherAccount) {
        emit({
          kind: 'text',
          tone: 'info',
          text: `${parts.target === 'aws' ? 'On AWS' : 'On the class engine'} a lesson cannot make a second account for you: nothing was done here. With an account of your own, the same calls work with its credentials: the key policy names that account, and its users use the key by its ARN.`,
        });
        return { applied: false };
      }
      const other = parts.otherAccount();
      emit({ kind: 'text', tone: 'info', text: `The local engine made a second account, ${other.accountId}, on first use, with an administrator (${other.userArn}) and an access key for them: the step signs as them.` });
      return { applied: true, ...other };
    },
    region: parts.region,
    target: parts.target,
    names: parts.names,
    workspace: parts.workspace,
    path: (name) => join(parts.workspace, name),
    show: parts.show,
    calls: parts.calls,
    async expectError(call, expected) {
      let value: unknown;
      try {
        value = await call;
      } catch (e) {
        const err = e as { name?: string; message?: string; $metadata?: { requestId?: string } };
        const failed = [...parts.calls].reverse().find((c) => !c.outcome.ok);
        if (err.name !== expected.code) {
          throw e; // an unexpected error: the session reports it with its request id
        }
        const result = {
          kind: 'expectedError' as const,
          code: expected.code,
          message: sdkMessage(err.message),
          why: expected.why,
          fix: expected.fix,
          ...(failed ? { operation: failed.operation } : {}),
          ...(err.$metadata?.requestId ? { requestId: err.$metadata.requestId } : {}),
        };
        emit(result);
        return result;
      }
      void value;
      const last = parts.calls.at(-1);
      throw new StepExpectationError(
        `${last?.operation ?? 'The call'} succeeded, but the lesson expected it to fail with ${expected.code}.`,
        undefined,
        last?.requestId,
      );
    },
    async waitForCloudTrail() {
      const label = 'CloudTrail delivers events minutes after the call';
      const { seconds, fastForwarded, note } = await parts.waitForCloudTrail((done, total, detail) => parts.progress(detail ? `${label}: ${detail}` : label, done, total));
      const result = { kind: 'wait' as const, label, seconds, fastForwarded };
      emit(result);
      if (note) emit({ kind: 'text', text: note, tone: 'info' });
      return result;
    },
    async lowerRequestQuota(operation, perSecond) {
      if (!parts.lowerRequestQuota) {
        emit({
          kind: 'text',
          tone: 'info',
          text: `On AWS the request quotas are your account's own and a lesson cannot lower them: nothing was changed, so ${operation} is unlikely to be throttled here. The local engine can lower them to show it.`,
        });
        return { applied: false };
      }
      const quota = await parts.lowerRequestQuota(operation, perSecond);
      emit({ kind: 'text', tone: 'info', text: quotaText(quota, parts.target) });
      return { applied: true, quota };
    },
    kmsWithRetries: parts.kmsWithRetries,
    async fastForward(days) {
      if (!(days > 0 && Number.isFinite(days))) throw new RangeError(`fastForward takes a number of days above 0, not ${days}`);
      if (!parts.advanceClock) {
        emit({
          kind: 'text',
          tone: 'info',
          text: `On AWS time cannot be moved forward: nothing was changed. What ${days} days would bring happens in your account only after ${days} days.`,
        });
        return { applied: false };
      }
      const now = await parts.advanceClock(days * 86_400);
      const clock = parts.target === 'class' ? "Your account's clock on the class engine (no one else's)" : "The local engine's clock";
      emit({ kind: 'text', tone: 'info', text: `${clock} moved forward ${days} days at once: it is now ${now.toISOString()}.` });
      return { applied: true, now };
    },
  };
}

/** The quota as a learner should read it: which operations share it, its figure here and on AWS. */
function quotaText(quota: RequestQuota, target: TargetKind): string {
  const shared = quota.operations.length > 1 ? `, which ${quota.operations.join(', ')} share` : '';
  const engine = target === 'class' ? 'The class engine now allows your account' : 'The local engine now allows';
  return `${engine} ${quota.perSecond} requests a second under the quota "${quota.name}"${shared}, until this step ends (AWS's default here: ${quota.awsPerSecond.toLocaleString('en-US')} a second).`;
}

/** The SDK says 'UnknownError' when AWS sends an error without a message (as KMS does for InvalidCiphertextException). */
export function sdkMessage(message: string | undefined): string {
  return !message || message === 'UnknownError' ? '' : message;
}
