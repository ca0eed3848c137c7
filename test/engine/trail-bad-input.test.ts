// Hostile request bodies and the trail: a body nested absurdly deep is refused before
// parsing (SerializationException, as AWS's JSON services refuse it), and no request
// member, known or not, can make an event the trail cannot hold or keep.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, TEST_CREDENTIALS, type TestEngine } from '../helpers/engine.js';

const started: TestEngine[] = [];
afterEach(async () => {
  for (const te of started.splice(0)) await te.stop();
});

async function start() {
  const te = await startTestEngine();
  started.push(te);
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  const lookup = async () => {
    const out = await cloudtrail.send(new LookupEventsCommand({}));
    return out.Events ?? [];
  };
  const post = async (target: string, body: string) => {
    const res = await fetch(te.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': target,
        'content-type': 'application/x-amz-json-1.1',
        authorization: `AWS4-HMAC-SHA256 Credential=${TEST_CREDENTIALS.accessKeyId}/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body,
    });
    return { status: res.status, body: (await res.json()) as { __type?: string; message?: string } };
  };
  return { te, cloudtrail, lookup, post };
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

test('a body nested 5,000 levels deep gets SerializationException (400) on every JSON target, and LookupEvents still works after', async () => {
  const { te, lookup, post } = await start();
  await te.kms.send(new CreateKeyCommand({ Description: 'before' }));
  for (const [target, body] of [
    ['TrentService.CreateKey', `{"X": ${nested(5000)}}`],
    ['TrentService.Encrypt', `{"KeyId": "alias/x", "EncryptionContext": {"a": ${nested(5000)}}}`],
    ['CloudTrail_20131101.LookupEvents', `{"LookupAttributes": ${nested(5000)}}`],
  ] as const) {
    const res = await post(target, body);
    expect(res.status, target).toBe(400);
    expect(res.body.__type).toBe('SerializationException');
    expect(res.body.message).toMatch(/nests deeper than 1000 levels/);
  }
  // Refused before any operation ran: nothing recorded, and every page still reads.
  const events = await lookup();
  expect(events.map((e) => e.EventName)).toEqual(['CreateKey']);
  await te.kms.send(new CreateKeyCommand({ Description: 'after' }));
  expect((await lookup()).filter((e) => e.EventName === 'CreateKey')).toHaveLength(2);
});

test('a body nested 1,000 levels (the most AWS accepts) is answered, and its unknown member is not recorded', async () => {
  const { lookup, post } = await start();
  const res = await post('TrentService.CreateKey', `{"Description": "deep", "X": ${nested(999)}}`);
  expect(res.status).toBe(200);
  const [event] = await lookup();
  const record = JSON.parse(event!.CloudTrailEvent!);
  expect(record.requestParameters.description).toBe('deep');
  expect(record.requestParameters).not.toHaveProperty('x');
  expect(record.requestParameters).not.toHaveProperty('X');
});

test('a 1 MB unknown member is not recorded: the event stays the size of an ordinary one', async () => {
  const { te, lookup, post } = await start();
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const junk = 'j'.repeat(1000 * 1000);
  const ok = await post('TrentService.GenerateDataKey', JSON.stringify({ KeyId: key.KeyId, KeySpec: 'AES_256', Junk: junk }));
  expect(ok.status).toBe(200);
  const refused = await post('TrentService.GenerateDataKey', JSON.stringify({ KeyId: key.KeyId, Junk: junk })); // neither KeySpec nor NumberOfBytes
  expect(refused.status).toBe(400);
  const events = (await lookup()).filter((e) => e.EventName === 'GenerateDataKey');
  expect(events).toHaveLength(2);
  for (const e of events) {
    expect(e.CloudTrailEvent!.length).toBeLessThan(4000);
    expect(e.CloudTrailEvent).not.toContain('jjjj');
    expect(JSON.parse(e.CloudTrailEvent!).requestParameters.keyId).toBe(key.KeyId);
  }
});

test("a recorded member past CloudTrail's 100 KB is replaced by {omitted: true}, and a long error message is cut", async () => {
  const { te, lookup, post } = await start();
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const res = await post('TrentService.UpdateKeyDescription', JSON.stringify({ KeyId: key.KeyId, Description: 'd'.repeat(300 * 1000) }));
  expect(res.status).toBe(400);
  const [event] = (await lookup()).filter((e) => e.EventName === 'UpdateKeyDescription');
  const record = JSON.parse(event!.CloudTrailEvent!);
  expect(record.requestParameters).toEqual({ omitted: true });
  expect(record.errorCode).toBe('ValidationException');
  expect(record.errorMessage.length).toBeLessThanOrEqual(1024);
  expect(event!.CloudTrailEvent!.length).toBeLessThan(4000);
});
