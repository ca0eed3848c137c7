// The class engine's own endpoints (issue 15), under /_class/: what a learner's program
// (`kms-workshop join`) and the instructor's view (`kms-workshop class`) ask a class engine
// (`kms-workshop serve --learners N`). Shared by the engine (class-endpoints.ts) and its
// clients (runtime/class-client.ts), so both sides name the same paths and shapes.
//
// Every request is signed with SigV4 by a class member's access key (the profile handed
// out), like any AWS call: the engine knows who asks from the signature, never from the
// body. A learner's requests act on their own account only; the room and the calls are
// the instructor's alone. Nothing here carries a secret: calls are masked as the call log
// masks them.

export const CLASS_PATH_PREFIX = '/_class/';
/** The SigV4 service name these requests are signed for (the scope's service part). */
export const CLASS_SIGNING_SERVICE = 'kms-workshop';

export const CLASS_PATHS = {
  /** GET: the caller's account as the engine sees it (ClassStatus). */
  status: '/_class/status',
  /** POST { seconds }: moves the caller's account's clock forward (ClassStatus). Other accounts' clocks do not move. */
  advanceClock: '/_class/advance-clock',
  /** POST { operation, perSecond | null }: the caller's account's KMS request quota for `operation` (RequestQuota of runtime/target.ts). */
  requestQuota: '/_class/request-quota',
  /** GET ?after=N&waitSeconds=S: the caller's account's trail records as they are made, delivery delay aside (ClassEvents). */
  events: '/_class/events',
  /** POST LearnerProgress: where the caller is; 204. */
  progress: '/_class/progress',
  /** GET: the instructor's view of the room (Room). Instructor only. */
  room: '/_class/room',
  /** GET ?learner=learnerN&after=N&waitSeconds=S: one learner's recent calls, masked (RoomCalls). Instructor only. */
  calls: '/_class/calls',
  /** GET: the instructor's own lessons (`serve --lessons DIR`) as files (lessons/pack-archive.ts); 404 when there are none. */
  lessons: '/_class/lessons',
} as const;

export interface ClassStatus {
  accountId: string;
  /** The caller's member profile name: 'instructor' or 'learnerN'. */
  profile: string;
  /** The caller's account's clock (ISO 8601). */
  now: string;
  aheadSeconds: number;
  cloudTrailDelaySeconds: number;
  /** Seconds until every event of the caller's account has been delivered to LookupEvents. */
  secondsUntilAllDelivered: number;
}

/** Where a learner is, as their program reports it after each step. */
export interface LearnerProgress {
  lesson: string;
  lessonTitle: string;
  /** 1-based step number and the lesson's step count. */
  step: number;
  steps: number;
  stepTitle: string;
  /** Steps passed and exercises solved so far, over every lesson. */
  passed: number;
  solved: number;
}

/** The caller's account's trail records (the shape LookupEvents' CloudTrailEvent has), oldest first. */
export interface ClassEvents {
  events: unknown[];
  /** Pass as `after` to get only what comes next. */
  next: number;
}

export interface RoomError {
  operation: string;
  code: string;
  message: string;
  /** ISO 8601, real time. */
  at: string;
}

export interface RoomLearner {
  profile: string;
  accountId: string;
  userName: string;
  /** The last progress reported, with when it was reported (real time, ISO 8601). */
  progress?: LearnerProgress & { at: string };
  /** Since when (ISO 8601) the learner has been on the same step, or undefined. */
  sameStepSince?: string;
  callsLastMinute: number;
  /** Errors in a row, the latest last: a learner who keeps failing is stuck. */
  errorsInARow: number;
  lastError?: RoomError;
  lastCallAt?: string;
}

export interface Room {
  /** ISO 8601, real time. */
  at: string;
  learners: RoomLearner[];
  /** Calls per operation (e.g. GenerateDataKey) made by every learner since the engine started. */
  operations: Record<string, number>;
}

/** One call as the instructor may see it: who, what, outcome, and masked parameters. */
export interface RoomCall {
  seq: number;
  time: string;
  service: string;
  operation: string;
  /** The caller's ARN (an IAM user, an assumed role) or the service that called on their behalf. */
  caller: string;
  outcome: { ok: true } | { ok: false; code: string; message: string };
  /** The request's parameters with every secret masked (plaintext, data keys, credentials). */
  parameters?: Record<string, unknown>;
}

export interface RoomCalls {
  calls: RoomCall[];
  next: number;
}
