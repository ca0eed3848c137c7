// LookupEvents: CloudTrail's event history. Management events delivered by now on
// the engine clock, newest first, filtered by one lookup attribute and a time range,
// in pages of at most 50, each with the whole record as a JSON string (CloudTrailEvent).
// A page is found through the trail's index (trail.ts); a NextToken names the last event
// of its page by sequence number, so it stays valid while events are added.
import { createHash } from 'node:crypto';
import type { Caller } from '../caller.js';
import { AwsError } from '../errors.js';
import { parse } from '../validate.js';
import { recordedParameters } from './recorded-parameters.js';
import { ATTRIBUTE_KEYS, resourceName, type AttributeKey } from './segment-index.js';
import type { Trail, TrailEvent } from './trail.js';

const LookupEventsInput = {
  LookupAttributes: {
    type: 'list',
    of: { AttributeKey: { type: 'string', required: true }, AttributeValue: { type: 'string', required: true, min: 1, max: 2000 } },
  },
  StartTime: { type: 'timestamp' },
  EndTime: { type: 'timestamp' },
  EventCategory: { type: 'string' },
  MaxResults: { type: 'integer' },
  NextToken: { type: 'string' },
} as const;

const errors = {
  attributes: (msg: string) => new AwsError('InvalidLookupAttributesException', msg),
  maxResults: () => new AwsError('InvalidMaxResultsException', 'Value for MaxResults is invalid. It must be between 1 and 50.'),
  timeRange: () => new AwsError('InvalidTimeRangeException', 'Start time must be earlier than or equal to the end time.'),
  nextToken: () => new AwsError('InvalidNextTokenException', 'Invalid NextToken. The token is not valid or was used with different request parameters.'),
  category: (v: string) => new AwsError('InvalidEventCategoryException', `Event category ${v} is not valid. The only valid value is insight.`),
};

/**
 * LookupEvents for one account's event history (`account`), as on AWS; undefined looks across
 * every account's, which only the class's instructor does (class.ts).
 */
export function lookupEvents(trail: Trail, now: Date, req: unknown, account?: string): Record<string, unknown> {
  const input = parse(LookupEventsInput, req);
  const attributes = input.LookupAttributes ?? [];
  if (attributes.length > 1) throw errors.attributes('You cannot specify more than one lookup attribute.');
  const attribute = attributes[0];
  if (attribute && !ATTRIBUTE_KEYS.includes(attribute.AttributeKey as AttributeKey))
    throw errors.attributes(`${attribute.AttributeKey} is not a valid lookup attribute key. Valid keys are: ${ATTRIBUTE_KEYS.join(', ')}.`);
  if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 50)) throw errors.maxResults();
  if (input.EventCategory !== undefined && input.EventCategory !== 'insight') throw errors.category(input.EventCategory);
  const start = input.StartTime?.getTime() ?? -Infinity; // the trail keeps only event history's 90 days
  const end = input.EndTime?.getTime() ?? now.getTime();
  if (start > end) throw errors.timeRange();

  const queryId = createHash('sha256').update(JSON.stringify({ a: attribute ?? null, s: input.StartTime?.getTime() ?? null, e: input.EndTime?.getTime() ?? null, c: input.EventCategory ?? null })).digest('base64url').slice(0, 16);
  let before: number | undefined;
  if (input.NextToken !== undefined) {
    const token = decodeToken(input.NextToken);
    if (!token || token.q !== queryId) throw errors.nextToken();
    before = token.after;
  }
  // The engine records no Insights events: asking for them finds none.
  if (input.EventCategory === 'insight') return { Events: [] };
  const { events, more } = trail.lookup({
    now: now.getTime(),
    start,
    end,
    before,
    limit: input.MaxResults ?? 50,
    attribute: attribute && { key: attribute.AttributeKey as AttributeKey, value: attribute.AttributeValue },
    ...(account !== undefined ? { account } : {}),
  });
  return {
    Events: events.map((e) => toLookupEvent(e.event)),
    ...(more ? { NextToken: Buffer.from(JSON.stringify({ after: events.at(-1)!.seq, q: queryId })).toString('base64url') } : {}),
  };
}

function decodeToken(token: string): { after: number; q: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown; q?: unknown };
    return Number.isSafeInteger(v.after) && (v.after as number) >= 0 && typeof v.q === 'string' ? { after: v.after as number, q: v.q } : undefined;
  } catch {
    return undefined;
  }
}

function toLookupEvent(e: TrailEvent) {
  return {
    EventId: e.eventID,
    EventName: e.eventName,
    ReadOnly: String(e.readOnly),
    AccessKeyId: e.userIdentity.accessKeyId,
    EventTime: new Date(e.eventTime),
    EventSource: e.eventSource,
    Username: e.userIdentity.userName,
    Resources: (e.resources ?? []).map((r) => ({ ResourceType: r.type, ResourceName: resourceName(r.ARN) })),
    CloudTrailEvent: JSON.stringify(e),
  };
}

/**
 * LookupEvents as a JSON 1.1 operation; the lookup itself is recorded, as CloudTrail records it,
 * a refused one too. A caller sees their own account's events unless `seesEveryAccount` says
 * otherwise; `authorize` throws AccessDeniedException unless they may cloudtrail:LookupEvents.
 */
export function lookupEventsOperation(trail: Trail, now: () => Date, seesEveryAccount: (caller: Caller) => boolean = () => false, authorize: (caller: Caller) => void = () => {}) {
  return (_operation: string, input: unknown, caller: Caller, requestId: string) => {
    let error: AwsError | undefined;
    try {
      authorize(caller);
      return lookupEvents(trail, now(), input, seesEveryAccount(caller) ? undefined : caller.accountId);
    } catch (e) {
      if (e instanceof AwsError) error = e;
      throw e;
    } finally {
      trail.record({
        caller,
        eventSource: 'cloudtrail.amazonaws.com',
        eventName: 'LookupEvents',
        requestParameters: lookupParameters(input),
        readOnly: true,
        requestId,
        ...(error ? { error: { code: error.code, message: error.message } } : {}),
      });
    }
  };
}

/** What CloudTrail records of a LookupEvents request: its members, never an unknown one. */
function lookupParameters(input: unknown): Record<string, unknown> | null {
  return recordedParameters(
    {
      LookupAttributes: { listOf: { AttributeKey: 'string', AttributeValue: 'string' } },
      StartTime: 'timestamp',
      EndTime: 'timestamp',
      EventCategory: 'string',
      MaxResults: 'integer',
      NextToken: 'string',
    },
    input,
  );
}
