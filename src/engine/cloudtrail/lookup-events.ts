// LookupEvents: CloudTrail's event history. Management events delivered by now on
// the engine clock, newest first, filtered by one lookup attribute and a time range,
// in pages of at most 50, each with the whole record as a JSON string (CloudTrailEvent).
import { createHash } from 'node:crypto';
import type { Caller } from '../caller.js';
import { AwsError } from '../errors.js';
import { parse } from '../validate.js';
import type { Trail, TrailEvent } from './trail.js';

const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

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

const HISTORY_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

const errors = {
  attributes: (msg: string) => new AwsError('InvalidLookupAttributesException', msg),
  maxResults: () => new AwsError('InvalidMaxResultsException', 'Value for MaxResults is invalid. It must be between 1 and 50.'),
  timeRange: () => new AwsError('InvalidTimeRangeException', 'Start time must be earlier than or equal to the end time.'),
  nextToken: () => new AwsError('InvalidNextTokenException', 'Invalid NextToken. The token is not valid or was used with different request parameters.'),
  category: (v: string) => new AwsError('InvalidEventCategoryException', `Event category ${v} is not valid. The only valid value is insight.`),
};

export function lookupEvents(trail: Trail, now: Date, req: unknown): Record<string, unknown> {
  const input = parse(LookupEventsInput, req);
  const attributes = input.LookupAttributes ?? [];
  if (attributes.length > 1) throw errors.attributes('You cannot specify more than one lookup attribute.');
  const attribute = attributes[0];
  if (attribute && !ATTRIBUTE_KEYS.includes(attribute.AttributeKey as AttributeKey))
    throw errors.attributes(`${attribute.AttributeKey} is not a valid lookup attribute key. Valid keys are: ${ATTRIBUTE_KEYS.join(', ')}.`);
  if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 50)) throw errors.maxResults();
  if (input.EventCategory !== undefined && input.EventCategory !== 'insight') throw errors.category(input.EventCategory);
  const start = input.StartTime?.getTime() ?? now.getTime() - HISTORY_DAYS * DAY_MS;
  const end = input.EndTime?.getTime() ?? now.getTime();
  if (start > end) throw errors.timeRange();

  // The engine records no Insights events: asking for them finds none.
  const candidates = input.EventCategory === 'insight' ? [] : newestFirst(trail.delivered());
  const oldest = now.getTime() - HISTORY_DAYS * DAY_MS; // event history keeps 90 days
  const matching = candidates.filter((e) => {
    const t = Date.parse(e.eventTime);
    return t >= start && t >= oldest && t <= end && (!attribute || matches(e, attribute.AttributeKey as AttributeKey, attribute.AttributeValue));
  });

  const queryId = createHash('sha256').update(JSON.stringify({ a: attribute ?? null, s: input.StartTime?.getTime() ?? null, e: input.EndTime?.getTime() ?? null, c: input.EventCategory ?? null })).digest('base64url').slice(0, 16);
  let from = 0;
  if (input.NextToken !== undefined) {
    const token = decodeToken(input.NextToken);
    if (!token || token.q !== queryId) throw errors.nextToken();
    const at = matching.findIndex((e) => e.eventID === token.after);
    if (at < 0) throw errors.nextToken();
    from = at + 1;
  }
  const max = input.MaxResults ?? 50;
  const page = matching.slice(from, from + max);
  const more = from + max < matching.length;
  return {
    Events: page.map(toLookupEvent),
    ...(more ? { NextToken: Buffer.from(JSON.stringify({ after: page.at(-1)!.eventID, q: queryId })).toString('base64url') } : {}),
  };
}

/** Newest first by event time; events of the same second keep the order they were made in, newest first. */
function newestFirst(events: TrailEvent[]): TrailEvent[] {
  return [...events].reverse().sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
}

function decodeToken(token: string): { after: string; q: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown; q?: unknown };
    return typeof v.after === 'string' && typeof v.q === 'string' ? { after: v.after, q: v.q } : undefined;
  } catch {
    return undefined;
  }
}

/** How event history names a resource: buckets by name, keys and everything else by ARN. */
function resourceName(arn: string): string {
  const s3 = /^arn:aws[\w-]*:s3:::(.+)$/.exec(arn);
  return s3 ? s3[1]! : arn;
}

function matches(e: TrailEvent, key: AttributeKey, value: string): boolean {
  switch (key) {
    case 'EventId':
      return e.eventID === value;
    case 'EventName':
      return e.eventName === value;
    case 'ReadOnly':
      return String(e.readOnly) === value;
    case 'Username':
      return e.userIdentity.userName === value;
    case 'ResourceType':
      return (e.resources ?? []).some((r) => r.type === value);
    case 'ResourceName':
      return (e.resources ?? []).some((r) => r.ARN === value || resourceName(r.ARN) === value);
    case 'EventSource':
      return e.eventSource === value;
    case 'AccessKeyId':
      return e.userIdentity.accessKeyId === value;
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

/** LookupEvents as a JSON 1.1 operation; the lookup itself is recorded, as CloudTrail records it. */
export function lookupEventsOperation(trail: Trail, now: () => Date) {
  return (_operation: string, input: unknown, caller: Caller, requestId: string) => {
    let error: AwsError | undefined;
    try {
      return lookupEvents(trail, now(), input);
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

function lookupParameters(input: unknown): Record<string, unknown> | null {
  if (!input || typeof input !== 'object') return null;
  const lower = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(lower) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), lower(x)])) : v;
  const out = lower(input) as Record<string, unknown>;
  return Object.keys(out).length ? out : null;
}
