// What differs between running lessons locally and against AWS, and nothing
// else: how SDK clients are configured, how the calls a service makes on the
// learner's behalf are followed, and how a CloudTrail wait is done.
// `--target aws` (aws-target.ts) and a class engine joined (class-target.ts) are the others.
import type { LearnerProgress } from '../engine/class-protocol.js';
import type { CapturedCall } from './capture.js';
import type { ApiCall, TargetKind } from './types.js';

/** AWS credentials, or the SDK's provider of them (the default chain, resolved once and shared). */
export type Credentials =
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date }>);

/** Plain SDK client configuration (endpoint, region, credentials), shared by every client. */
export interface ClientSettings {
  region: string;
  endpoint?: string;
  credentials?: Credentials;
  /** 1 on an engine: a failure shows at once and is counted once (the runtime retries a throttle alone: throttle-retry.ts). */
  maxAttempts?: number;
  /** S3 path-style addressing (bucket in the path); default true. False on AWS itself (virtual-hosted). */
  s3PathStyle?: boolean;
}

/** A request quota as the target has it: AWS's name, the operations that share it, its figure now and AWS's. */
export interface RequestQuota {
  name: string;
  operations: string[];
  perSecond: number;
  awsPerSecond: number;
}

/** An administrator of another account than the learner's: its account id, user ARN and an access key. */
export interface OtherAccount {
  accountId: string;
  userArn: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Added to the user agent of the runtime's own SDK clients, so the engine's stream can tell them from the learner's. */
export const RUNTIME_USER_AGENT = 'kms-workshop-runtime';

export interface Target {
  readonly kind: TargetKind;
  readonly label: string;
  readonly clientSettings: ClientSettings;
  /** On AWS, the learner's prefix for the names of what lessons create (see names.ts); none locally. */
  readonly namePrefix?: string;
  /** Said after a step whose S3 calls made KMS calls on the learner's behalf, when those cannot be followed live. */
  readonly serviceCallsNote?: string;
  /** What the learner should know about the target from its start, one line each (the local engine set an unusable saved clock aside). */
  readonly notes?: readonly string[];
  /** A class engine: the shell lines that make a second shell's AWS CLI sign as the learner (their profile and its files). */
  readonly secondShell?: readonly string[];
  /** Calls a service made on the learner's behalf (S3 -> KMS), as they happen (locally) or as CloudTrail shows them (AWS). */
  followServiceCalls(listener: (call: CapturedCall) => void): () => void;
  /**
   * Locally: every call reaching the engine from another client (the AWS CLI in a second shell, an
   * SDK, a browser), as it happens: the evidence of an exercise. The runtime's own clients carry
   * RUNTIME_USER_AGENT and are left out (they are captured at the client). Absent on AWS.
   */
  followOtherClients?(listener: (call: CapturedCall) => void): () => void;
  /** Every call the learner's code made, after it ended (AWS: to know what to clean up). */
  observeCall?(call: ApiCall): void;
  /**
   * Waits until CloudTrail has delivered the events of the calls made so far.
   * Locally the engine clock is moved forward; on AWS this polls, reporting progress.
   * `note` says something the learner should know about the wait (it timed out, say).
   */
  waitForCloudTrail(
    progress: (done: number, total: number, detail?: string) => void,
    calls: readonly ApiCall[],
  ): Promise<{ seconds: number; fastForwarded: boolean; note?: string }>;
  /**
   * Locally: sets the engine's request quota that `operation` counts against (undefined: back to
   * AWS's figure). Absent on AWS, where an account's quotas are not the lessons' to change.
   */
  setRequestQuota?(operation: string, perSecond: number | undefined): Promise<RequestQuota>;
  /**
   * Locally: an administrator of a second account (the engine makes it on first use, with
   * AdministratorAccess) and an access key that signs as them, for a cross-account step.
   * Absent on AWS, where a second account is not the lessons' to make.
   */
  otherAccount?(): OtherAccount;
  /** Locally: moves the engine clock forward and gives its new time. Absent on AWS, where time is real. */
  advanceClock?(seconds: number): Promise<Date>;
  /**
   * A target that follows service calls from afar (a class engine): resolves once the calls a
   * service made on the learner's behalf so far have reached followServiceCalls' listeners. The
   * session awaits it after each S3 call, so a step sees S3's KMS calls when its upload returns,
   * as locally.
   */
  catchUp?(): Promise<void>;
  /** A class engine: where the learner is, told after each step. Never rejects: a report that fails is dropped. */
  reportProgress?(progress: LearnerProgress): Promise<void>;
  /** The target's own words for an error of its connection (the class engine gone), instead of the SDK's. */
  explainError?(error: unknown): string | undefined;
  /** Closes clients; on AWS first removes what the lessons left behind. */
  close(): Promise<void>;
}
