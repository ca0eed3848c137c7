// KMS's request quotas through the real SDK over HTTP: a token bucket per account, Region and
// quota at AWS's figures (the developer guide's "Request quotas"), scaled or set outright;
// ThrottlingException with AWS's message when one runs out, the SDK's standard retries getting
// through, S3's SSE-KMS calls counted against the caller's quota, and every throttled call in
// CloudTrail. Buckets refill by an injected time source here, so bursts are exact.
import { CloudTrailClient, LookupEventsCommand, type Event } from '@aws-sdk/client-cloudtrail';
import {
  CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand, GenerateRandomCommand,
  KMSClient, ReplicateKeyCommand, SignCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { CONTROL_SECRET_HEADER } from '../../src/engine/control.js';
import { THROTTLING_MESSAGE } from '../../src/engine/errors.js';
import { MAX_BUCKETS, RequestQuotas, SYMMETRIC_QUOTA } from '../../src/engine/kms/quotas.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const started: TestEngine[] = [];
const clients: { destroy(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const te of started.splice(0)) await te.stop();
});

/** An engine at AWS's figures (or scaled) whose quota buckets refill only when the test moves `time.ms` on. */
async function engineWithStoppedTime(quotaScale = 1) {
  const time = { ms: 0 };
  const te = await startTestEngine({ quotaTime: () => time.ms, quotaScale });
  started.push(te);
  return { te, time };
}

function kmsIn(te: TestEngine, region: string, extra: Partial<ConstructorParameters<typeof KMSClient>[0]> = {}) {
  const kms = new KMSClient({ ...te.clientConfig, region, ...extra });
  clients.push(kms);
  return kms;
}

/** Runs `n` calls one after another; says which succeeded and the errors of the others. */
async function burst(n: number, call: () => Promise<unknown>) {
  const errors: (Error & { $metadata?: { httpStatusCode?: number } })[] = [];
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      await call();
      ok++;
    } catch (e) {
      errors.push(e as Error);
    }
  }
  return { ok, errors };
}

async function symmetricKey(te: TestEngine) {
  return (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
}

test('a burst over a quota of 3 GenerateDataKey a second, SDK retries off: 3 succeed, the rest are ThrottlingException (HTTP 400, AWS message); a second later 3 more succeed', async () => {
  const { te, time } = await engineWithStoppedTime();
  const keyId = await symmetricKey(te);
  te.engine.quotas.setQuota(SYMMETRIC_QUOTA, 3);
  const generate = () => te.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));

  const first = await burst(10, generate);
  expect(first.ok).toBe(3);
  expect(first.errors).toHaveLength(7);
  for (const e of first.errors) {
    expect(e.name).toBe('ThrottlingException');
    expect(e.message).toBe('You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.');
    expect(e.$metadata?.httpStatusCode).toBe(400);
  }
  time.ms += 1000;
  expect((await burst(10, generate)).ok).toBe(3);
  time.ms += 334; // a third of a second: one more
  expect((await burst(3, generate)).ok).toBe(1);
});

test("the same burst with the SDK's standard retries: every call succeeds, some after backing off from ThrottlingException", async () => {
  const te = await startTestEngine({ quotaScale: 1 }); // real time: the SDK's backoff is real
  started.push(te);
  const keyId = await symmetricKey(te);
  te.engine.quotas.setQuota(SYMMETRIC_QUOTA, 5);
  const kms = kmsIn(te, 'us-east-1', { maxAttempts: 10, retryMode: 'standard' });

  const outs = await Promise.all(Array.from({ length: 12 }, () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }))));
  expect(outs.every((o) => o.Plaintext?.length === 32)).toBe(true);
  const retried = outs.filter((o) => (o.$metadata.attempts ?? 1) > 1);
  expect(retried.length).toBeGreaterThanOrEqual(7); // 5 fit the bucket at once
  expect(retried.reduce((ms, o) => ms + (o.$metadata.totalRetryDelay ?? 0), 0)).toBeGreaterThan(0); // backed off

  // Every throttled attempt reached the engine and was recorded.
  const attempts = outs.reduce((n, o) => n + (o.$metadata.attempts ?? 1), 0);
  const events = await lookup(te, 'GenerateDataKey');
  expect(events.filter((e) => detail(e).errorCode === 'ThrottlingException')).toHaveLength(attempts - 12);
});

test("S3's SSE-KMS uploads count against the caller's GenerateDataKey quota; a throttled upload is S3's 503 SlowDown, and CloudTrail shows both throttled calls", async () => {
  const { te } = await engineWithStoppedTime();
  const keyId = await symmetricKey(te);
  const s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  clients.push(s3);
  await s3.send(new CreateBucketCommand({ Bucket: 'quota' }));
  te.engine.quotas.setQuota(SYMMETRIC_QUOTA, 3);
  const upload = (name: string) => s3.send(new PutObjectCommand({ Bucket: 'quota', Key: name, Body: 'secret', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));

  await upload('one');
  await upload('two');
  await te.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })); // the third of the second
  await expectAwsError(te.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })), 'ThrottlingException');
  const slowDown = await expectAwsError(upload('three'), 'SlowDown', 503);
  expect(slowDown.message).toBe('Please reduce your request rate for operations involving AWS KMS.');
  // SSE-S3 asks nothing of KMS.
  await s3.send(new PutObjectCommand({ Bucket: 'quota', Key: 'sse-s3', Body: 'plain', ServerSideEncryption: 'AES256' }));

  const throttled = (await lookup(te, 'GenerateDataKey')).map(detail).filter((d) => d.errorCode === 'ThrottlingException');
  expect(throttled).toHaveLength(2);
  expect(throttled.map((d) => d.userIdentity.invokedBy ?? 'you').sort()).toEqual(['s3.amazonaws.com', 'you']);
  for (const d of throttled) expect(d.errorMessage).toBe(THROTTLING_MESSAGE);
});

test("AWS's figures by default: the sixth CreateKey in a second is throttled (5 a second), while DescribeKey, the symmetric quota and another Region go on", async () => {
  const { te, time } = await engineWithStoppedTime();
  const created = await burst(6, () => te.kms.send(new CreateKeyCommand({})));
  expect(created.ok).toBe(5);
  expect(created.errors.map((e) => e.name)).toEqual(['ThrottlingException']);

  const keyId = [...te.engine.kms.keys.keys()][0]!;
  expect((await burst(50, () => te.kms.send(new DescribeKeyCommand({ KeyId: keyId })))).ok).toBe(50);
  expect((await burst(50, () => te.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })))).ok).toBe(50);
  await kmsIn(te, 'eu-west-1').send(new CreateKeyCommand({}));

  time.ms += 200; // a fifth of a second: one more CreateKey
  expect((await burst(2, () => te.kms.send(new CreateKeyCommand({})))).ok).toBe(1);
});

test('the symmetric quota depends on the Region as AWS lists it (100,000 in us-east-1, 20,000 in eu-west-2, 10,000 elsewhere), here scaled by 0.0001', async () => {
  const { te } = await engineWithStoppedTime(0.0001);
  const random = (region: string) => {
    const kms = kmsIn(te, region);
    return () => kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
  };
  expect((await burst(12, random('us-east-1'))).ok).toBe(10);
  expect((await burst(12, random('eu-west-2'))).ok).toBe(2);
  expect((await burst(12, random('ca-central-1'))).ok).toBe(1);
});

test('each kind of key has its own quota: Sign with an ECC key and Encrypt with an RSA key count against theirs (by alias too), not the symmetric one; data key pairs per KeyPairSpec', async () => {
  const { te } = await engineWithStoppedTime();
  const ecc = (await te.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
  const rsa = (await te.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!.KeyId!;
  const symmetric = await symmetricKey(te);
  const eccMultiRegion = (await te.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }))).KeyMetadata!.KeyId!;
  await te.kms.send(new CreateAliasCommand({ AliasName: 'alias/signer', TargetKeyId: ecc }));
  te.engine.quotas.setScale(0.002); // RSA and ECC: 1,000 -> 2 a second; symmetric in us-east-1: 200; RSA_2048 pairs: 20 -> 1 (at least one)
  te.engine.quotas.setQuota(SYMMETRIC_QUOTA, 1);
  await te.kms.send(new GenerateDataKeyCommand({ KeyId: symmetric, KeySpec: 'AES_256' }));
  await expectAwsError(te.kms.send(new GenerateDataKeyCommand({ KeyId: symmetric, KeySpec: 'AES_256' })), 'ThrottlingException');

  const sign = (keyId: string) => () => te.kms.send(new SignCommand({ KeyId: keyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' }));
  expect((await burst(1, sign(ecc))).ok).toBe(1);
  expect((await burst(2, sign('alias/signer'))).ok).toBe(1); // the same ECC bucket, by its alias
  await expectAwsError(sign(eccMultiRegion)(), 'ThrottlingException'); // and a multi-Region ECC key's (mrk- id)
  const encrypt = () => te.kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: Buffer.from('p'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
  expect((await burst(3, encrypt)).ok).toBe(2);

  const pair = (spec: 'RSA_2048' | 'ECC_NIST_P256') => () => te.kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric, KeyPairSpec: spec }));
  te.engine.quotas.setQuota(SYMMETRIC_QUOTA, undefined); // pairs are sealed under a symmetric key, but have their own quota
  expect((await burst(2, pair('RSA_2048'))).ok).toBe(1);
  expect((await burst(1, pair('ECC_NIST_P256'))).ok).toBe(1);
});

test("ReplicateKey also costs two CreateKey requests in the replica's Region, UpdatePrimaryRegion one of its own in the new primary's, as AWS counts them", async () => {
  const { te } = await engineWithStoppedTime();
  const keyId = await symmetricKey(te);
  const notThrottled = async (call: Promise<unknown>) => {
    const outcome = await call.then(() => 'ok', (e: Error) => e.name); // whether the engine can replicate this key is not the point
    expect(outcome).not.toBe('ThrottlingException');
  };
  await notThrottled(te.kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' })));
  await notThrottled(te.kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' })));
  const euWest1 = kmsIn(te, 'eu-west-1');
  expect((await burst(3, () => euWest1.send(new CreateKeyCommand({}))))).toMatchObject({ ok: 1 }); // 5 - 2 x 2
  await expectAwsError(te.kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' })), 'ThrottlingException');

  for (let i = 0; i < 3; i++) await notThrottled(te.kms.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'ap-south-1' })));
  const apSouth1 = kmsIn(te, 'ap-south-1');
  let allowed = 0;
  for (let i = 0; i < 4; i++)
    allowed += await apSouth1.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'us-east-1' })).then(() => 1, (e: Error) => (e.name === 'ThrottlingException' ? 0 : 1));
  expect(allowed).toBe(2); // 5 - 3
});

test("ReplicateKey counts against its own quota (5 a second) in the caller's Region whatever members it carries: a PrimaryRegion member charges no UpdatePrimaryRegion in that Region, nor a ReplicaRegion member on UpdatePrimaryRegion any CreateKey", async () => {
  const { te, time } = await engineWithStoppedTime();
  const keyId = (await te.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
  time.ms += 1000; // the CreateKey bucket full again
  /** A client that adds members the SDK's model does not give this operation, as another client may send them. */
  const sendingAlso = (region: string, extra: Record<string, unknown>) => {
    const kms = kmsIn(te, region);
    kms.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string; headers: Record<string, string> };
        request.body = JSON.stringify({ ...JSON.parse(request.body), ...extra });
        delete request.headers['content-length'];
        return next(args);
      },
      { step: 'build', priority: 'high', name: 'extraMembers' },
    );
    return kms;
  };
  const outcome = (call: Promise<unknown>) => call.then(() => 'ok', (e: Error) => e.name); // whether the engine would replicate is not the point
  const outcomes = async (n: number, call: () => Promise<unknown>) => {
    const names: string[] = [];
    for (let i = 0; i < n; i++) names.push(await outcome(call()));
    return names;
  };
  const notThrottled = (names: string[]) => names.filter((name) => name !== 'ThrottlingException').length;

  // A replica in the caller's own Region: nothing is charged elsewhere, whatever else the request says.
  const replicating = sendingAlso('us-east-1', { PrimaryRegion: 'eu-west-1', Description: 'd', Tags: [{ TagKey: 'k', TagValue: 'v' }] });
  const replicated = await outcomes(6, () => replicating.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-east-1' })));
  expect(notThrottled(replicated)).toBe(5);
  expect(replicated[5]).toBe('ThrottlingException');
  // Not the CreateKey or UpdatePrimaryRegion quota here, nor UpdatePrimaryRegion's in the Region the PrimaryRegion member names: 5 each.
  expect(notThrottled(await outcomes(6, () => te.kms.send(new CreateKeyCommand({}))))).toBe(5);
  expect(notThrottled(await outcomes(6, () => te.kms.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'us-east-1' }))))).toBe(5);
  const euWest1 = kmsIn(te, 'eu-west-1');
  expect(notThrottled(await outcomes(6, () => euWest1.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'eu-west-1' }))))).toBe(5);

  // UpdatePrimaryRegion carrying a ReplicaRegion member costs no CreateKey in that Region.
  const updating = sendingAlso('ap-south-1', { ReplicaRegion: 'sa-east-1' });
  expect(notThrottled(await outcomes(3, () => updating.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'ap-south-1' }))))).toBe(3);
  expect(notThrottled(await outcomes(6, () => kmsIn(te, 'sa-east-1').send(new CreateKeyCommand({}))))).toBe(5);
});

test('buckets refill in real time, not on the engine clock: fast-forwarding the engine a day gives a throttled quota nothing back', async () => {
  const { te, time } = await engineWithStoppedTime();
  te.engine.quotas.setQuota(SYMMETRIC_QUOTA, 2);
  const random = () => te.kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
  expect((await burst(3, random)).ok).toBe(2);
  te.engine.advanceClock(24 * 3600);
  await expectAwsError(random(), 'ThrottlingException');
  time.ms += 500;
  expect((await burst(2, random)).ok).toBe(1);
});

test('the control endpoints: quota-scale and request-quota with the secret change the quotas (status shows them); without it 403; bad factors and figures 400, nothing changed', async () => {
  const { te, time } = await engineWithStoppedTime();
  const control = (method: string, path: string, secret: string | null = te.engine.controlSecret) =>
    fetch(`${te.endpoint}/_engine/${path}`, { method, headers: secret === null ? {} : { [CONTROL_SECRET_HEADER]: secret } });
  const random = () => te.kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));

  expect((await control('POST', 'quota-scale?factor=0.00003', null)).status).toBe(403);
  expect((await control('POST', 'quota-scale?factor=0.00003', 'wrong')).status).toBe(403);
  expect((await burst(20, random)).ok).toBe(20); // unchanged: 100,000 a second

  for (const bad of ['0', '-1', 'abc', '', 'Infinity', 'NaN', '1001', '1e9', '0.0000001']) {
    const r = await control('POST', `quota-scale?factor=${bad}`);
    expect(r.status, bad).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/factor must be a number from 0\.000001 to 1000/);
  }
  expect((await control('POST', 'quota-scale')).status).toBe(400);

  const scaled = await control('POST', 'quota-scale?factor=0.00003'); // 100,000 -> 3 a second in us-east-1
  expect(scaled.status).toBe(200);
  expect(await scaled.json()).toMatchObject({ quotaScale: 0.00003, requestQuotas: {} });
  expect((await burst(5, random)).ok).toBe(3); // the full bucket is cut down to 3 at once
  const status = (await (await control('GET', 'status')).json()) as { quotaScale: number };
  expect(status.quotaScale).toBe(0.00003);

  for (const bad of ['operation=Nothing&perSecond=3', 'operation=GenerateDataKey', 'operation=GenerateDataKey&perSecond=0', 'operation=GenerateDataKey&perSecond=-2',
    'operation=GenerateDataKey&perSecond=abc', 'operation=toString&perSecond=3', 'quota=constructor&perSecond=3', 'operation=GenerateDataKey&perSecond=2000000']) {
    expect((await control('POST', `request-quota?${bad}`)).status, bad).toBe(400);
  }
  const set = await control('POST', 'request-quota?operation=GenerateDataKey&perSecond=50&region=eu-west-2');
  expect(set.status).toBe(200);
  expect(await set.json()).toMatchObject({
    requestQuotas: { [SYMMETRIC_QUOTA]: 50 },
    quota: { name: SYMMETRIC_QUOTA, perSecond: 50, awsPerSecond: 20_000, operations: expect.arrayContaining(['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateMac']) },
  });
  time.ms += 1000;
  expect((await burst(60, random)).ok).toBe(50);
  const byName = await control('POST', `request-quota?quota=${encodeURIComponent('GenerateDataKeyPair (RSA_4096) request rate')}&perSecond=2`);
  expect(await byName.json()).toMatchObject({ quota: { perSecond: 2, awsPerSecond: 1 } });

  const reset = await control('DELETE', 'request-quota?operation=GenerateRandom');
  expect(await reset.json()).toMatchObject({ requestQuotas: { 'GenerateDataKeyPair (RSA_4096) request rate': 2 }, quota: { perSecond: 3, awsPerSecond: 100_000 } });
  expect((await control('PUT', 'quota-scale?factor=1')).status).toBe(404);
});

test("the buckets are bounded: a client signing for more Regions than MAX_BUCKETS makes the oldest bucket go, never the engine's memory grow", () => {
  const quotas = new RequestQuotas(1, () => 0);
  quotas.setQuota(SYMMETRIC_QUOTA, 1);
  const random = (caller: Caller) => quotas.admit(undefined as never, 'GenerateRandom', { NumberOfBytes: 8 }, caller); // no key to look up
  const first = makeCaller({ region: 'region-0' });
  random(first);
  expect(() => random(first)).toThrow(THROTTLING_MESSAGE);
  for (let i = 1; i < MAX_BUCKETS; i++) random(makeCaller({ region: `region-${i}` }));
  expect(() => random(first)).toThrow(THROTTLING_MESSAGE); // still kept: MAX_BUCKETS buckets
  random(makeCaller({ region: `region-${MAX_BUCKETS}` }));
  random(first); // the oldest went to make room: a fresh bucket
});

async function lookup(te: TestEngine, eventName: string): Promise<Event[]> {
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  clients.push(cloudtrail);
  const out = await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: eventName }], MaxResults: 50 }));
  return out.Events ?? [];
}

const detail = (e: Event) => JSON.parse(e.CloudTrailEvent!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
