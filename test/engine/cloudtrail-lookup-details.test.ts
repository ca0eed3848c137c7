// LookupEvents in detail (mutation survivors of cloudtrail/lookup-events.ts): each refusal's
// message, the page size (50 by default, 50 at most), a NextToken bound to its query (attribute,
// StartTime, EndTime) and forged tokens refused, an event without resources, and a failed
// lookup recorded with its error and its parameters.
import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import { lookupEvents, lookupEventsOperation } from '../../src/engine/cloudtrail/lookup-events.js';
import { Trail } from '../../src/engine/cloudtrail/trail.js';
import { openStore } from '../../src/engine/store.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

/** A trail in memory with `n` CreateKey events one second apart (seq 0..n-1), and one ListKeys event without resources. */
function trailWith(n: number) {
  const clock = fixedClock(new Date('2026-05-01T00:00:00Z'));
  const trail = new Trail(openStore(null), clock, 0);
  const caller = makeCaller();
  for (let i = 0; i < n; i++) {
    trail.record({ caller, eventSource: 'kms.amazonaws.com', eventName: 'CreateKey', requestParameters: { description: `key ${i}` }, readOnly: false, requestId: `r${i}`,
      resources: [{ type: 'AWS::KMS::Key', ARN: `arn:aws:kms:us-east-1:111122223333:key/${i}` }] });
    clock.advance(1);
  }
  trail.record({ caller, eventSource: 'kms.amazonaws.com', eventName: 'ListKeys', requestParameters: null, readOnly: true, requestId: 'list' });
  const lookup = (req: Record<string, unknown>) => lookupEvents(trail, clock.now(), req) as { Events: Record<string, any>[]; NextToken?: string };
  const createKeys = (extra: Record<string, unknown> = {}) => lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }], ...extra });
  return { clock, lookup, createKeys };
}

const descriptionsOf = (events: Record<string, any>[]) => events.map((e) => JSON.parse(e.CloudTrailEvent).requestParameters.description);
const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
};

describe('pages', () => {
  test('50 events a page when MaxResults is not given, and MaxResults 50 is allowed', () => {
    const { createKeys } = trailWith(51);
    const first = createKeys();
    expect(first.Events).toHaveLength(50);
    expect(first.NextToken).toBeDefined();
    expect(createKeys({ MaxResults: 50 }).Events).toHaveLength(50);
    const last = createKeys({ NextToken: first.NextToken });
    expect(descriptionsOf(last.Events)).toEqual(['key 0']);
    expect(last.NextToken).toBeUndefined();
  });

  test('a NextToken is refused with another attribute value, StartTime or EndTime than its own query, and accepted with the same', () => {
    const { createKeys, lookup } = trailWith(4);
    // On the wire (JSON 1.1), timestamps are epoch seconds.
    const start = Date.parse('2026-05-01T00:00:00Z') / 1000;
    const end = start + 3;
    const page = createKeys({ MaxResults: 2, StartTime: start, EndTime: end });
    expect(descriptionsOf(page.Events)).toEqual(['key 3', 'key 2']);
    const token = page.NextToken!;
    expect(descriptionsOf(createKeys({ MaxResults: 2, StartTime: start, EndTime: end, NextToken: token }).Events)).toEqual(['key 1', 'key 0']);
    const refused = [
      () => createKeys({ MaxResults: 2, StartTime: start + 1, EndTime: end, NextToken: token }),
      () => createKeys({ MaxResults: 2, StartTime: start, EndTime: end - 1, NextToken: token }),
      () => createKeys({ MaxResults: 2, EndTime: end, NextToken: token }),
      () => createKeys({ MaxResults: 2, StartTime: start, NextToken: token }),
      () => lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'ListKeys' }], StartTime: start, EndTime: end, NextToken: token }),
      () => lookup({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: 'CreateKey' }], StartTime: start, EndTime: end, NextToken: token }),
      () => lookup({ StartTime: start, EndTime: end, NextToken: token }),
    ];
    for (const call of refused) expect(errorOf(call).code).toBe('InvalidNextTokenException');
  });

  test('a forged NextToken (its position not a whole number from 0, or no query) is refused; one naming the first event gives an empty page', () => {
    const { createKeys } = trailWith(3);
    const token = createKeys({ MaxResults: 1 }).NextToken!;
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: number; q: string };
    expect(body.after).toBe(2);
    const forge = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const after of [-1, 1.5, '1', null, 2 ** 53]) {
      expect(errorOf(() => createKeys({ MaxResults: 1, NextToken: forge({ ...body, after }) })).code, String(after)).toBe('InvalidNextTokenException');
    }
    expect(errorOf(() => createKeys({ MaxResults: 1, NextToken: forge({ after: 1 }) })).code).toBe('InvalidNextTokenException');
    expect(errorOf(() => createKeys({ MaxResults: 1, NextToken: forge({ after: 1, q: 7 }) })).code).toBe('InvalidNextTokenException');
    expect(descriptionsOf(createKeys({ MaxResults: 1, NextToken: forge({ ...body, after: 1 }) }).Events)).toEqual(['key 0']);
    expect(createKeys({ MaxResults: 1, NextToken: forge({ ...body, after: 0 }) }).Events).toEqual([]);
  });

  test('an event without resources is listed with none; ReadOnly is the string AWS shows', () => {
    const { lookup } = trailWith(1);
    const [list, create] = lookup({}).Events;
    expect(list).toMatchObject({ EventName: 'ListKeys', ReadOnly: 'true', Resources: [] });
    expect(create).toMatchObject({ EventName: 'CreateKey', ReadOnly: 'false', Resources: [{ ResourceType: 'AWS::KMS::Key', ResourceName: 'arn:aws:kms:us-east-1:111122223333:key/0' }] });
  });
});

test("a caller sees only their own account's events, unless they may see every account's", () => {
  const clock = fixedClock(new Date('2026-05-01T00:00:00Z'));
  const trail = new Trail(openStore(null), clock, 0);
  const alice = makeCaller({ accountId: '111111111111', userName: 'alice' });
  const bob = makeCaller({ accountId: '222222222222', userName: 'bob' });
  trail.record({ caller: alice, eventSource: 'kms.amazonaws.com', eventName: 'CreateKey', requestParameters: null, readOnly: false, requestId: 'a' });
  trail.record({ caller: bob, eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', requestParameters: null, readOnly: false, requestId: 'b' });
  const names = (out: unknown) => (out as { Events: { EventName: string }[] }).Events.map((e) => e.EventName);
  const writes = { LookupAttributes: [{ AttributeKey: 'ReadOnly', AttributeValue: 'false' }] }; // not the lookups themselves
  expect(names(lookupEvents(trail, clock.now(), writes, '111111111111'))).toEqual(['CreateKey']);
  expect(names(lookupEvents(trail, clock.now(), writes))).toEqual(['Decrypt', 'CreateKey']);
  expect(names(lookupEventsOperation(trail, () => clock.now())('LookupEvents', writes, bob, 'r1'))).toEqual(['Decrypt']);
  expect(names(lookupEventsOperation(trail, () => clock.now(), (c) => c === alice)('LookupEvents', writes, bob, 'r2'))).toEqual(['Decrypt']);
  expect(names(lookupEventsOperation(trail, () => clock.now(), (c) => c === alice)('LookupEvents', writes, alice, 'r3'))).toEqual(['Decrypt', 'CreateKey']);
});

describe('through the SDK', () => {
  let te: TestEngine;
  let cloudtrail: CloudTrailClient;
  beforeAll(async () => {
    te = await startTestEngine();
    cloudtrail = new CloudTrailClient(te.clientConfig);
  });
  afterAll(async () => {
    cloudtrail.destroy();
    await te.stop();
  });
  const lookup = (input: LookupEventsCommandInput) => cloudtrail.send(new LookupEventsCommand(input));

  test('each refusal says what is wrong', async () => {
    const messageOf = async (input: LookupEventsCommandInput, code: string) => (await expectAwsError(lookup(input), code)).message;
    expect(await messageOf({ MaxResults: 51 }, 'InvalidMaxResultsException')).toBe('Value for MaxResults is invalid. It must be between 1 and 50.');
    expect(
      await messageOf({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'a' }, { AttributeKey: 'EventName', AttributeValue: 'b' }] }, 'InvalidLookupAttributesException'),
    ).toBe('You cannot specify more than one lookup attribute.');
    expect(await messageOf({ LookupAttributes: [{ AttributeKey: 'Colour' as 'EventName', AttributeValue: 'blue' }] }, 'InvalidLookupAttributesException')).toBe(
      'Colour is not a valid lookup attribute key. Valid keys are: EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId.',
    );
    expect(await messageOf({ StartTime: new Date(2000), EndTime: new Date(1000) }, 'InvalidTimeRangeException')).toBe('Start time must be earlier than or equal to the end time.');
    expect(await messageOf({ NextToken: 'garbage' }, 'InvalidNextTokenException')).toBe('Invalid NextToken. The token is not valid or was used with different request parameters.');
    expect(await messageOf({ EventCategory: 'data' as 'insight' }, 'InvalidEventCategoryException')).toBe('Event category data is not valid. The only valid value is insight.');
  });

  test('a refused lookup is recorded too, with its error and the members it was given', async () => {
    await expectAwsError(
      lookup({ MaxResults: 0, StartTime: new Date('2026-01-01T00:00:00Z'), EndTime: new Date('2026-01-02T00:00:00Z'), EventCategory: 'insight', NextToken: 'abc' }),
      'InvalidMaxResultsException',
    );
    const events = (await lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'LookupEvents' }] })).Events ?? [];
    const refused = events.map((e) => JSON.parse(e.CloudTrailEvent!)).find((e) => e.errorCode !== undefined);
    expect(refused).toMatchObject({
      eventSource: 'cloudtrail.amazonaws.com',
      readOnly: true,
      errorCode: 'InvalidMaxResultsException',
      errorMessage: 'Value for MaxResults is invalid. It must be between 1 and 50.',
      requestParameters: { maxResults: 0, startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-02T00:00:00.000Z', eventCategory: 'insight', nextToken: 'abc' },
    });
    const ok = events.map((e) => JSON.parse(e.CloudTrailEvent!)).filter((e) => e.errorCode === undefined);
    expect(ok.every((e) => e.errorMessage === undefined)).toBe(true);
  });
});
