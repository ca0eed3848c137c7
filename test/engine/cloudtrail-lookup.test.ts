// CloudTrail LookupEvents through @aws-sdk/client-cloudtrail over HTTP: the event shape
// AWS documents for KMS, every lookup attribute, time ranges, paging newest first, the
// errors, and delivery after the delay on the engine clock.
import { CloudTrailClient, LookupEventsCommand, type LookupAttributeKey, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, TEST_CREDENTIALS, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const started: { te: TestEngine; cloudtrail: CloudTrailClient }[] = [];
afterEach(async () => {
  for (const { te, cloudtrail } of started.splice(0)) {
    cloudtrail.destroy();
    await te.stop();
  }
});

async function start(opts: { cloudTrailDelaySeconds?: number } = {}) {
  const te = await startTestEngine(opts);
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  started.push({ te, cloudtrail });
  const lookup = (input: LookupEventsCommandInput = {}) => cloudtrail.send(new LookupEventsCommand(input));
  const by = (key: LookupAttributeKey, value: string, extra: LookupEventsCommandInput = {}) => lookup({ LookupAttributes: [{ AttributeKey: key, AttributeValue: value }], ...extra });
  return { te, cloudtrail, lookup, by };
}

test('a KMS call becomes an event in the shape AWS documents, without plaintext or data keys', async () => {
  const { te, by } = await start();
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const dk = await te.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { project: 'workshop' } }));
  const out = await by('EventName', 'GenerateDataKey');
  expect(out.Events).toHaveLength(1);
  const e = out.Events![0]!;
  expect(e).toMatchObject({ EventName: 'GenerateDataKey', EventSource: 'kms.amazonaws.com', ReadOnly: 'true', AccessKeyId: TEST_CREDENTIALS.accessKeyId, Username: 'workshop-learner' });
  expect(e.EventTime).toBeInstanceOf(Date);
  expect(e.Resources).toEqual([{ ResourceType: 'AWS::KMS::Key', ResourceName: key.Arn }]);
  const record = JSON.parse(e.CloudTrailEvent!);
  expect(record).toMatchObject({
    eventSource: 'kms.amazonaws.com',
    eventName: 'GenerateDataKey',
    awsRegion: 'us-east-1',
    readOnly: true,
    eventID: e.EventId,
    requestID: dk.$metadata.requestId,
    requestParameters: { keyId: key.KeyId, keySpec: 'AES_256', encryptionContext: { project: 'workshop' } },
    userIdentity: { type: 'IAMUser', accountId: '111122223333', accessKeyId: TEST_CREDENTIALS.accessKeyId, userName: 'workshop-learner' },
    eventType: 'AwsApiCall',
    managementEvent: true,
  });
  expect(record.resources[0].ARN).toBe(key.Arn);
  expect(new Date(record.eventTime).getTime()).toBe(e.EventTime!.getTime());
  for (const secret of [dk.Plaintext!, dk.CiphertextBlob!]) expect(e.CloudTrailEvent).not.toContain(Buffer.from(secret).toString('base64'));
});

test('each lookup attribute finds its events: EventName, EventSource, ReadOnly, Username, ResourceName, ResourceType, AccessKeyId, EventId', async () => {
  const { te, by } = await start();
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await te.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
  const other = new KMSClient({ ...te.clientConfig, credentials: { accessKeyId: 'AKIAOTHERCALLER00000', secretAccessKey: 'x' } });
  await other.send(new GenerateDataKeyCommand({ KeyId: key.Arn, NumberOfBytes: 16 }));
  other.destroy();
  const names = async (key: LookupAttributeKey, value: string) => ((await by(key, value)).Events ?? []).map((e) => e.EventName);
  expect(await names('EventName', 'CreateKey')).toEqual(['CreateKey']);
  expect(await names('EventSource', 'kms.amazonaws.com')).toEqual(['GenerateDataKey', 'GenerateDataKey', 'CreateKey']);
  expect(await names('ReadOnly', 'false')).toEqual(['CreateKey']);
  // Every caller of the engine is the one learner; the lookups made so far are events too.
  expect((await names('Username', 'workshop-learner')).filter((n) => n !== 'LookupEvents')).toEqual(['GenerateDataKey', 'GenerateDataKey', 'CreateKey']);
  expect(await names('Username', 'someone-else')).toEqual([]);
  expect(await names('ResourceName', key.Arn!)).toEqual(['GenerateDataKey', 'GenerateDataKey', 'CreateKey']);
  expect(await names('ResourceType', 'AWS::KMS::Key')).toHaveLength(3);
  expect(await names('AccessKeyId', 'AKIAOTHERCALLER00000')).toEqual(['GenerateDataKey']);
  const first = (await by('EventName', 'CreateKey')).Events![0]!;
  expect((await by('EventId', first.EventId!)).Events?.map((e) => e.EventId)).toEqual([first.EventId]);
  expect(await names('EventName', 'NoSuchOperation')).toEqual([]);
});

test('events come newest first and page by MaxResults and NextToken, each exactly once', async () => {
  const { te, by } = await start();
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) {
    ids.push((await te.kms.send(new CreateKeyCommand({ Description: `key ${i}` }))).KeyMetadata!.KeyId!);
    if (i % 3 === 0) te.engine.advanceClock(1); // some in the same second, some not
  }
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await by('EventName', 'CreateKey', { MaxResults: 3, NextToken: token });
    pages++;
    expect(page.Events!.length).toBeLessThanOrEqual(3);
    seen.push(...page.Events!.map((e) => JSON.parse(e.CloudTrailEvent!).responseElements.keyMetadata.KeyId));
    token = page.NextToken;
  } while (token);
  expect(pages).toBe(3);
  expect(seen).toEqual([...ids].reverse());
});

test('StartTime and EndTime bound the events; history keeps 90 days', async () => {
  const { te, by } = await start();
  const t0 = te.engine.clock.now();
  await te.kms.send(new CreateKeyCommand({ Description: 'early' }));
  te.engine.advanceClock(3600);
  await te.kms.send(new CreateKeyCommand({ Description: 'late' }));
  const descriptions = async (input: LookupEventsCommandInput) =>
    ((await by('EventName', 'CreateKey', input)).Events ?? []).map((e) => JSON.parse(e.CloudTrailEvent!).responseElements.keyMetadata.Description);
  expect(await descriptions({ StartTime: new Date(t0.getTime() + 1800_000) })).toEqual(['late']);
  expect(await descriptions({ EndTime: new Date(t0.getTime() + 1800_000) })).toEqual(['early']);
  expect(await descriptions({ StartTime: new Date(t0.getTime() - 1000), EndTime: new Date(t0.getTime() + 7200_000) })).toEqual(['late', 'early']);
  await expectAwsError(by('EventName', 'CreateKey', { StartTime: new Date(t0.getTime() + 10_000), EndTime: t0 }), 'InvalidTimeRangeException');
  te.engine.advanceClock(91 * 24 * 3600);
  expect(await descriptions({})).toEqual([]);
});

test('invalid parameters get CloudTrail errors: MaxResults, more than one attribute, unknown key, tokens, event category', async () => {
  const { te, lookup, by } = await start();
  for (let i = 0; i < 3; i++) await te.kms.send(new CreateKeyCommand({}));
  await expectAwsError(lookup({ MaxResults: 0 }), 'InvalidMaxResultsException');
  await expectAwsError(lookup({ MaxResults: 51 }), 'InvalidMaxResultsException');
  await expectAwsError(
    lookup({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }, { AttributeKey: 'ReadOnly', AttributeValue: 'false' }] }),
    'InvalidLookupAttributesException',
  );
  await expectAwsError(by('Colour' as LookupAttributeKey, 'blue'), 'InvalidLookupAttributesException');
  await expectAwsError(lookup({ NextToken: 'garbage' }), 'InvalidNextTokenException');
  const page = await by('EventName', 'CreateKey', { MaxResults: 1 });
  expect(page.NextToken).toBeDefined();
  await expectAwsError(by('EventName', 'DescribeKey', { MaxResults: 1, NextToken: page.NextToken }), 'InvalidNextTokenException');
  await expectAwsError(lookup({ EventCategory: 'management' as 'insight' }), 'InvalidEventCategoryException');
  expect((await lookup({ EventCategory: 'insight' })).Events).toEqual([]);
});

test('an event is invisible before the delivery delay and visible after a fast-forward', async () => {
  const { te, by } = await start({ cloudTrailDelaySeconds: 300 });
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await te.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
  expect((await by('EventName', 'GenerateDataKey')).Events).toEqual([]);
  te.engine.advanceClock(299);
  expect((await by('EventName', 'GenerateDataKey')).Events).toEqual([]);
  // The control plane fast-forwards as the runtime does.
  const res = await fetch(`${te.endpoint}/_engine/advance-clock?seconds=1`, { method: 'POST', headers: { 'x-kms-workshop-secret': te.engine.controlSecret } });
  expect(res.status).toBe(200);
  // (the LookupEvents calls above are events too, still on their way)
  expect((await res.json()).cloudTrailDelaySeconds).toBe(300);
  expect((await by('EventName', 'GenerateDataKey')).Events).toHaveLength(1);
  // A shorter delay set at run time applies to calls made from then on.
  await fetch(`${te.endpoint}/_engine/cloudtrail-delay?seconds=0`, { method: 'POST', headers: { 'x-kms-workshop-secret': te.engine.controlSecret } });
  await te.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
  expect((await by('EventName', 'GenerateDataKey')).Events).toHaveLength(2);
});

test('any X-Amz-Target ending in .LookupEvents reaches LookupEvents, and the lookup itself is recorded', async () => {
  const { te, by } = await start();
  await te.kms.send(new CreateKeyCommand({}));
  const res = await fetch(te.endpoint, {
    method: 'POST',
    headers: {
      'x-amz-target': 'CloudTrail_20131101.LookupEvents',
      'content-type': 'application/x-amz-json-1.1',
      authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { Events: { EventName: string; EventTime: number }[] };
  expect(body.Events.map((e) => e.EventName)).toEqual(['CreateKey']);
  expect(typeof body.Events[0]!.EventTime).toBe('number'); // JSON 1.1 timestamps are epoch seconds
  const lookups = await by('EventName', 'LookupEvents');
  expect(lookups.Events?.[0]?.EventSource).toBe('cloudtrail.amazonaws.com');
  expect(JSON.parse(lookups.Events![0]!.CloudTrailEvent!).requestParameters.lookupAttributes).toEqual([{ attributeKey: 'EventName', attributeValue: 'CreateKey' }]);
});

test('a long trail (200,000 events) still reports when everything is delivered', async () => {
  const { Trail } = await import('../../src/engine/cloudtrail/trail.js');
  const { openStore } = await import('../../src/engine/store.js');
  const { fixedClock } = await import('../../src/engine/clock.js');
  const { makeCaller } = await import('../../src/engine/caller.js');
  const clock = fixedClock();
  const trail = new Trail(openStore(null), clock, 120);
  const caller = makeCaller();
  for (let i = 0; i < 200_000; i++) trail.record({ caller, eventSource: 'kms.amazonaws.com', eventName: 'GenerateDataKey', requestParameters: null, readOnly: true, requestId: String(i) });
  expect(trail.secondsUntilAllDelivered()).toBe(120);
  clock.advance(120);
  expect(trail.secondsUntilAllDelivered()).toBe(0);
  expect(trail.delivered()).toHaveLength(200_000);
});

test('StartTime and EndTime are inclusive, to the second; StartTime equal to EndTime is a valid range; the 90 days end exactly', async () => {
  const { fixedClock } = await import('../../src/engine/clock.js');
  const T = Date.parse('2026-03-01T10:00:00Z');
  const te = await startTestEngine({ clock: fixedClock(new Date(T)) });
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  started.push({ te, cloudtrail });
  await te.kms.send(new CreateKeyCommand({ Description: 'at T' }));
  te.engine.advanceClock(60);
  await te.kms.send(new CreateKeyCommand({ Description: 'at T+60s' }));
  const descriptions = async (input: LookupEventsCommandInput) =>
    ((await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }], ...input }))).Events ?? []).map(
      (e) => JSON.parse(e.CloudTrailEvent!).responseElements.keyMetadata.Description,
    );
  const at = (seconds: number) => new Date(T + seconds * 1000);
  expect(await descriptions({ StartTime: at(0), EndTime: at(0) })).toEqual(['at T']);
  expect(await descriptions({ StartTime: at(60), EndTime: at(60) })).toEqual(['at T+60s']);
  expect(await descriptions({ StartTime: at(1) })).toEqual(['at T+60s']);
  expect(await descriptions({ EndTime: at(59) })).toEqual(['at T']);
  expect(await descriptions({ StartTime: at(0), EndTime: at(60) })).toEqual(['at T+60s', 'at T']);
  expect(await descriptions({ StartTime: at(1), EndTime: at(59) })).toEqual([]);
  await expectAwsError(descriptions({ StartTime: at(1), EndTime: at(0) }), 'InvalidTimeRangeException');
  // Event history keeps 90 days: the event at T is still there at T + 90 days, and gone a second later,
  // even for a StartTime that asks for older events.
  te.engine.advanceClock(90 * 24 * 3600 - 60);
  expect(await descriptions({})).toEqual(['at T+60s', 'at T']);
  te.engine.advanceClock(1);
  expect(await descriptions({})).toEqual(['at T+60s']);
  expect(await descriptions({ StartTime: at(-3600) })).toEqual(['at T+60s']);
});

test('Username finds exactly the events of that user, of two users', async () => {
  const { Trail } = await import('../../src/engine/cloudtrail/trail.js');
  const { lookupEvents } = await import('../../src/engine/cloudtrail/lookup-events.js');
  const { openStore } = await import('../../src/engine/store.js');
  const { fixedClock } = await import('../../src/engine/clock.js');
  const { makeCaller } = await import('../../src/engine/caller.js');
  const clock = fixedClock();
  const trail = new Trail(openStore(null), clock, 0);
  const alice = makeCaller({ userName: 'alice', accessKeyId: 'AKIAALICE0000000000' });
  const bob = makeCaller({ userName: 'bob', accessKeyId: 'AKIABOB000000000000' });
  let n = 0;
  const call = (caller: typeof alice, eventName: string) =>
    trail.record({ caller, eventSource: 'kms.amazonaws.com', eventName, requestParameters: null, readOnly: false, requestId: String(++n) });
  call(alice, 'CreateKey');
  call(bob, 'GenerateDataKey');
  call(alice, 'Decrypt');
  const names = (user: string) =>
    (lookupEvents(trail, clock.now(), { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: user }] }).Events as { EventName: string; Username: string }[]).map(
      (e) => `${e.Username}:${e.EventName}`,
    );
  expect(names('alice')).toEqual(['alice:Decrypt', 'alice:CreateKey']);
  expect(names('bob')).toEqual(['bob:GenerateDataKey']);
  expect(names('carol')).toEqual([]);
});
