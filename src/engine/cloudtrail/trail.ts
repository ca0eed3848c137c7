// Every call the engine serves becomes a CloudTrail event, in the shape AWS
// documents for KMS. Events are delivered `delaySeconds` after the call, on the
// engine clock, as CloudTrail delivers minutes after the fact.
import { randomUUID } from 'node:crypto';
import type { Caller } from '../caller.js';
import type { Clock } from '../clock.js';
import type { Store } from '../store.js';

export interface TrailEvent {
  eventVersion: string;
  userIdentity: {
    type: string;
    principalId: string;
    arn: string;
    accountId: string;
    accessKeyId: string;
    userName: string;
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
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: { accountId: string; type: string; ARN: string }[];
  eventType: 'AwsApiCall';
  managementEvent: boolean;
  recipientAccountId: string;
  eventCategory: 'Management';
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

interface StoredEvent {
  deliverAt: number; // epoch ms on the engine clock
  event: TrailEvent;
}

const TRAIL_FILE = 'cloudtrail/events.jsonl';

export class Trail {
  private readonly events: StoredEvent[] = [];
  private readonly listeners = new Set<(event: TrailEvent) => void>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    public delaySeconds = 0,
  ) {
    for (const line of store.readLines(TRAIL_FILE)) {
      try {
        this.events.push(JSON.parse(line) as StoredEvent);
      } catch {
        /* a torn last line after a crash: skip it */
      }
    }
  }

  record(input: RecordInput): TrailEvent {
    const { caller } = input;
    const now = this.clock.now();
    const event: TrailEvent = {
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: principalId(caller.accessKeyId),
        arn: caller.arn,
        accountId: caller.accountId,
        accessKeyId: caller.accessKeyId,
        userName: caller.userName,
        ...(caller.invokedBy ? { invokedBy: caller.invokedBy } : {}),
      },
      eventTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: input.eventSource,
      eventName: input.eventName,
      awsRegion: caller.region,
      sourceIPAddress: caller.invokedBy ?? caller.sourceIp ?? '127.0.0.1',
      userAgent: caller.invokedBy ?? caller.userAgent ?? '',
      ...(input.error ? { errorCode: input.error.code, errorMessage: input.error.message } : {}),
      requestParameters: input.requestParameters,
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
    const stored = { deliverAt: now.getTime() + this.delaySeconds * 1000, event };
    this.events.push(stored);
    this.store.appendLine(TRAIL_FILE, JSON.stringify(stored));
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Events CloudTrail has delivered by now on the engine clock, oldest first. */
  delivered(): TrailEvent[] {
    const now = this.clock.now().getTime();
    return this.events.filter((e) => e.deliverAt <= now).map((e) => e.event);
  }

  /** Seconds until every recorded event is delivered (0 if all are). */
  secondsUntilAllDelivered(): number {
    const now = this.clock.now().getTime();
    let last = now; // a loop, not Math.max(...events): a long trail would overflow the stack
    for (const e of this.events) if (e.deliverAt > last) last = e.deliverAt;
    return (last - now) / 1000;
  }

  /** Live feed of calls as they happen (before delivery): for the screen's call log. */
  onRecord(listener: (event: TrailEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function principalId(accessKeyId: string) {
  return 'AIDA' + Buffer.from(accessKeyId).toString('hex').toUpperCase().slice(0, 17).padEnd(17, '0');
}
