// Waiting for CloudTrail on AWS. Event history shows a call minutes after it
// was made (AWS: typically within about 5 minutes, without a guarantee), so a
// lookup made at once may find nothing. This polls LookupEvents, gently (the
// API allows 2 requests a second per account), until the events of the calls
// made so far are there, or a time limit passes: never forever.
//
// What is awaited: each of the learner's successful KMS calls, by its request
// id; and for each SSE-KMS upload or download, the GenerateDataKey or Decrypt
// that S3 made on the learner's behalf, by the object's ARN in its encryption
// context (those are never seen live on AWS: they are passed on when found).
import { LookupEventsCommand, type CloudTrailClient, type LookupAttribute } from '@aws-sdk/client-cloudtrail';
import type { CapturedCall } from './capture.js';
import type { ApiCall } from './types.js';

/** AWS's own figure for delivery is about 5 minutes on average; give it three times that. */
export const DEFAULT_CLOUDTRAIL_TIMEOUT_SECONDS = 15 * 60;
const MAX_POLL_INTERVAL_MS = 15_000;
/** Clocks differ (this machine's and AWS's; event times are whole seconds): look a little further back. */
const LOOKBACK_MS = 5 * 60_000;
const MAX_PAGES = 20;

type Expectation =
  | { id: string; kind: 'call'; requestId: string; operation: string; time: number }
  | { id: string; kind: 'service'; operation: 'GenerateDataKey' | 'Decrypt'; objectArn: string; keyArn: string; time: number };

interface TrailRecord {
  eventID: string;
  eventName: string;
  eventTime: string;
  eventSource: string;
  requestID?: string;
  errorCode?: string;
  errorMessage?: string;
  userIdentity?: { accessKeyId?: string; invokedBy?: string };
  requestParameters?: { keyId?: string; encryptionContext?: Record<string, string> } | null;
  resources?: { ARN?: string }[];
}

export interface CloudTrailWaitResult {
  seconds: number;
  expected: number;
  delivered: number;
  timedOut: boolean;
}

export interface CloudTrailWaiterOptions {
  timeoutSeconds?: number;
  /** Access key ids the learner's calls were signed with (temporary credentials change over a session). */
  accessKeyIds: () => string[];
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class CloudTrailWaiter {
  /** Expectations met (or given up on) by an earlier wait. */
  private readonly settled = new Set<string>();
  /** Events already matched to an expectation, so one event never counts twice. */
  private readonly used = new Set<string>();
  private readonly timeoutSeconds: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly cloudtrail: CloudTrailClient,
    private readonly opts: CloudTrailWaiterOptions,
  ) {
    this.timeoutSeconds = opts.timeoutSeconds ?? DEFAULT_CLOUDTRAIL_TIMEOUT_SECONDS;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = opts.now ?? Date.now;
  }

  async wait(
    calls: readonly ApiCall[],
    progress: (done: number, total: number, detail?: string) => void,
    onServiceCall: (call: CapturedCall) => void,
  ): Promise<CloudTrailWaitResult> {
    const started = this.now();
    let pending = expectationsFor(calls).filter((e) => !this.settled.has(e.id));
    const expected = pending.length;
    const elapsed = () => Math.round((this.now() - started) / 1000);
    const report = () => progress(Math.min(elapsed(), this.timeoutSeconds), this.timeoutSeconds, `${expected - pending.length} of ${expected} events delivered`);
    let interval = 1000;
    while (pending.length > 0) {
      const records = await this.lookup(pending);
      pending = pending.filter((e) => {
        const found = records.find((r) => !this.used.has(r.eventID) && matches(e, r));
        if (!found) return true;
        this.used.add(found.eventID);
        this.settled.add(e.id);
        if (e.kind === 'service') onServiceCall(callFromRecord(found));
        return false;
      });
      report();
      if (pending.length === 0) break;
      if (this.now() - started >= this.timeoutSeconds * 1000) {
        // Not coming (or not yet): do not wait for these again in a later step.
        for (const e of pending) this.settled.add(e.id);
        return { seconds: elapsed(), expected, delivered: expected - pending.length, timedOut: true };
      }
      const until = Math.min(this.now() + interval, started + this.timeoutSeconds * 1000);
      while (this.now() < until) {
        await this.sleep(Math.min(1000, until - this.now()));
        report();
      }
      interval = Math.min(interval * 2, MAX_POLL_INTERVAL_MS);
    }
    if (expected === 0) report();
    return { seconds: elapsed(), expected, delivered: expected, timedOut: false };
  }

  /** The events that may match: the learner's own (by access key), and for S3's calls, the key's. */
  private async lookup(pending: Expectation[]): Promise<TrailRecord[]> {
    const since = new Date(Math.min(...pending.map((e) => e.time)) - LOOKBACK_MS);
    const queries: LookupAttribute[] = [];
    if (pending.some((e) => e.kind === 'call')) {
      const keys = this.opts.accessKeyIds();
      if (keys.length === 0) queries.push({ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' });
      for (const key of keys) queries.push({ AttributeKey: 'AccessKeyId', AttributeValue: key });
    }
    for (const keyArn of new Set(pending.flatMap((e) => (e.kind === 'service' ? [e.keyArn] : []))))
      queries.push({ AttributeKey: 'ResourceName', AttributeValue: keyArn });
    const records: TrailRecord[] = [];
    for (const attribute of queries) {
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await this.cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [attribute], StartTime: since, MaxResults: 50, NextToken: token }));
        for (const event of page.Events ?? []) {
          try {
            records.push(JSON.parse(event.CloudTrailEvent ?? '{}') as TrailRecord);
          } catch {
            /* not an event we can read: not ours */
          }
        }
        token = page.NextToken;
      } while (token && ++pages < MAX_PAGES);
    }
    return records;
  }
}

/** What CloudTrail should come to show for these calls. */
export function expectationsFor(calls: readonly ApiCall[]): Expectation[] {
  const out: Expectation[] = [];
  for (const call of calls) {
    if (call.caller !== 'you' || !call.outcome.ok) continue;
    const time = Date.parse(call.time);
    if (call.service === 'kms' && call.requestId) out.push({ id: `call:${call.requestId}`, kind: 'call', requestId: call.requestId, operation: call.operation, time });
    const operation = call.operation === 'PutObject' ? 'GenerateDataKey' : call.operation === 'GetObject' ? 'Decrypt' : undefined;
    const partition = call.keyId ? /^arn:([^:]+):kms:/.exec(call.keyId)?.[1] : undefined;
    // With an S3 Bucket Key, S3 calls KMS once per bucket key, with the bucket's ARN as context: no event names this object.
    if (call.service === 's3' && operation && partition && call.bucket && call.objectKey && !call.bucketKey)
      out.push({ id: `service:${call.seq}`, kind: 'service', operation, objectArn: `arn:${partition}:s3:::${call.bucket}/${call.objectKey}`, keyArn: call.keyId!, time });
  }
  return out;
}

function matches(e: Expectation, r: TrailRecord): boolean {
  if (r.eventSource !== 'kms.amazonaws.com') return false;
  if (e.kind === 'call') return r.requestID === e.requestId;
  return (
    r.userIdentity?.invokedBy === 's3.amazonaws.com' &&
    r.eventName === e.operation &&
    r.requestParameters?.encryptionContext?.['aws:s3:arn'] === e.objectArn &&
    Date.parse(r.eventTime) >= e.time - LOOKBACK_MS
  );
}

/** A call S3 made on the learner's behalf, as found in CloudTrail. */
function callFromRecord(r: TrailRecord): CapturedCall {
  const keyId = r.resources?.[0]?.ARN ?? r.requestParameters?.keyId;
  const context = r.requestParameters?.encryptionContext;
  return {
    time: r.eventTime,
    service: 'kms',
    operation: r.eventName,
    ...(keyId ? { keyId } : {}),
    ...(context ? { encryptionContext: context } : {}),
    caller: r.userIdentity?.invokedBy ?? 'you',
    outcome: r.errorCode ? { ok: false, code: r.errorCode, message: r.errorMessage ?? '' } : { ok: true },
    durationMs: 0,
    ...(r.requestID ? { requestId: r.requestID } : {}),
  };
}
