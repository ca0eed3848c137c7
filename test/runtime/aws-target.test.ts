// Pieces of --target aws that need no account and no process: the plan and the
// cost estimate of the real lessons, the question, names, the ledger of what
// lessons created, and the CloudTrail waiter against the engine over HTTP.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { PassThrough } from 'node:stream';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { ResourceLedger, RESOURCES_FILE, takeOverLeftovers } from '../../src/runtime/aws-resources.js';
import { explainAwsProblem } from '../../src/runtime/aws-errors.js';
import { CloudTrailWaiter, expectationsFor } from '../../src/runtime/cloudtrail-wait.js';
import { confirmAwsRun, estimateCost, formatPlan, planLessons, usd } from '../../src/runtime/cost.js';
import { learnerPrefix, lessonNames } from '../../src/runtime/names.js';
import type { ApiCall } from '../../src/runtime/types.js';
import { startTestEngine, tempHome } from '../helpers/engine.js';

const homes: string[] = [];
const home = () => {
  const h = tempHome('kms-workshop-aws-unit-');
  homes.push(h);
  return h;
};
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));

describe('plan and cost', () => {
  const { lessons } = loadLessons();

  test("the first four lessons' code creates 4 keys, 4 aliases, 1 bucket with 2 objects (lesson 3's and its exercise's)", () => {
    const plans = planLessons(lessons.slice(0, 4));
    expect(plans.map((p) => [p.lessonId, p.keys, p.aliases, p.buckets, p.objects])).toEqual([
      ['direct-encryption', 1, 1, 0, 0],
      ['envelope-encryption', 1, 1, 0, 0],
      ['sse-s3', 1, 1, 1, 2],
      ['cse-data-key-caching', 1, 1, 0, 0],
    ]);
    expect(plans.every((p) => p.requests > 3)).toBe(true);
  });

  test('keys are counted at $1 a month by the hour until their clean-up schedules them (no charge while pending deletion); requests at $0.03 per 10,000', () => {
    const estimate = estimateCost([{ lessonId: 'x', keys: 4, importedKeys: 0, awsManagedKeys: [], aliases: 4, buckets: 1, objects: 1, requests: 10_000 }]);
    expect(estimate.keyUsd).toBeCloseTo(4 / 730, 6); // an hour each: $0.0055
    expect(estimate.requestUsd).toBeCloseTo(0.03, 6);
    expect(usd(estimate.totalUsd)).toBe('$0.04');
    expect(usd(0.004)).toBe('under $0.01');
  });

  test('the plan names the Region, the masked access key, the prefix, and leftovers of an earlier run, in 80 columns', () => {
    const text = formatPlan(planLessons(lessons), {
      region: 'eu-west-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      prefix: 'kms-workshop-abc123',
      leftovers: { keys: ['arn:aws:kms:eu-west-1:1:key/k'], aliases: [], buckets: ['b'] },
    }).join('\n');
    expect(text).toContain('Region       eu-west-1');
    expect(text).toContain('access key AKIA...MPLE');
    expect(text).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(text).toContain('start with your prefix kms-workshop-abc123');
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80); // fits a small terminal
    expect(text).toMatch(/removed first:\n {2}S3 bucket b\n {2}KMS key arn:aws:kms:eu-west-1:1:key\/k/);
    expect(text).toContain(`Estimated cost: at most ${usd(estimateCost(planLessons(lessons)).totalUsd)}`);
  });
});

describe('the question', () => {
  const terminal = () => Object.assign(new PassThrough(), { isTTY: true });
  const ask = async (typed: string | null, yes = false, input: NodeJS.ReadableStream & { isTTY?: boolean } = terminal()) => {
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d) => (shown += d));
    const answer = confirmAwsRun(['the plan'], { yes, input, output });
    if (typed !== null) (input as PassThrough).write(typed);
    return { answer: await answer, shown: () => shown };
  };

  test('y proceeds, anything else (or end of input) declines', async () => {
    expect((await ask('y\n')).answer).toBe('proceed');
    expect((await ask('Yes\n')).answer).toBe('proceed');
    expect((await ask('\n')).answer).toBe('declined');
    expect((await ask('no\n')).answer).toBe('declined');
    const input = terminal();
    const pending = ask(null, false, input);
    input.end();
    expect((await pending).answer).toBe('declined');
  });

  test('the plan comes first, then the question', async () => {
    const { shown } = await ask('y\n');
    expect(shown()).toMatch(/^the plan\nCreate these in your AWS account\? \[y\/N\] /);
  });

  test('--yes does not ask; no terminal and no --yes does not wait', async () => {
    expect((await ask(null, true)).answer).toBe('proceed');
    expect((await ask(null, false, new PassThrough())).answer).toBe('no-terminal');
  });
});

describe('names', () => {
  test('as written locally, with the prefix on AWS; bucket names stay valid', () => {
    expect(lessonNames().alias('kms_key_sse_usecase_1')).toBe('alias/kms_key_sse_usecase_1');
    expect(lessonNames().bucket('reinvent-builder-1')).toBe('reinvent-builder-1');
    const aws = lessonNames('kms-workshop-abc123');
    expect(aws.alias('kms_key_sse_usecase_1')).toBe('alias/kms-workshop-abc123/kms_key_sse_usecase_1');
    expect(aws.alias('alias/x')).toBe('alias/kms-workshop-abc123/x');
    expect(aws.bucket('reinvent-builder-111122223333')).toBe('kms-workshop-abc123-reinvent-builder-111122223333');
    const long = aws.bucket('Reinvent-' + 'x'.repeat(80));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
  });

  test('the prefix is made once and kept in the home', () => {
    const h = home();
    const first = learnerPrefix(h);
    expect(first).toMatch(/^kms-workshop-[0-9a-f]{6}$/);
    expect(learnerPrefix(h)).toBe(first);
    writeFileSync(join(h, 'aws-learner.json'), '{not json');
    expect(learnerPrefix(h)).toMatch(/^kms-workshop-[0-9a-f]{6}$/);
  });
});

describe('the ledger of what lessons created', () => {
  let seq = 0;
  const call = (service: string, operation: string, extra: Partial<ApiCall> = {}, ok = true): ApiCall => ({
    seq: ++seq,
    time: new Date().toISOString(),
    service,
    operation,
    caller: 'you',
    outcome: ok ? { ok: true } : { ok: false, code: 'AccessDeniedException', message: '' },
    durationMs: 1,
    ...extra,
  });

  test('follows creation and removal, by key ARN or id, and keeps it in the home until all is gone', () => {
    const h = home();
    const ledger = new ResourceLedger(h, 'eu-west-1|aws');
    ledger.observe(call('kms', 'CreateKey', { keyId: 'arn:aws:kms:eu-west-1:111122223333:key/k-1' }));
    ledger.observe(call('kms', 'CreateAlias', { alias: 'alias/p/a' }));
    ledger.observe(call('s3', 'CreateBucket', { bucket: 'p-b' }));
    ledger.observe(call('kms', 'CreateKey', { keyId: 'arn:aws:kms:eu-west-1:111122223333:key/k-2' }, false)); // failed: nothing made
    ledger.observe({ ...call('kms', 'GenerateDataKey', { keyId: 'x' }), caller: 's3.amazonaws.com' });
    expect(ledger.resources).toEqual({ keys: ['arn:aws:kms:eu-west-1:111122223333:key/k-1'], aliases: ['alias/p/a'], buckets: ['p-b'] });
    const saved = JSON.parse(readFileSync(join(h, RESOURCES_FILE), 'utf8'));
    expect(saved.entries).toEqual([expect.objectContaining({ pid: process.pid, target: 'eu-west-1|aws', buckets: ['p-b'] })]);

    ledger.observe(call('s3', 'DeleteBucket', { bucket: 'p-b' }));
    ledger.observe(call('kms', 'DeleteAlias', { alias: 'alias/p/a' }));
    ledger.observe(call('kms', 'ScheduleKeyDeletion', { keyId: 'k-1' }));
    expect(ledger.resources).toEqual({ keys: [], aliases: [], buckets: [] });
    expect(JSON.parse(readFileSync(join(h, RESOURCES_FILE), 'utf8')).entries).toEqual([]);
  });

  test("leftovers of an ended process are taken over once; a live process's are not", () => {
    const h = home();
    writeFileSync(
      join(h, RESOURCES_FILE),
      JSON.stringify({
        version: 1,
        entries: [
          { session: 'gone', pid: 2 ** 22 + 17, target: 'eu-west-1|aws', updated: '', keys: ['k'], aliases: ['alias/p/a'], buckets: [] },
          { session: 'other-region', pid: 2 ** 22 + 17, target: 'us-east-1|aws', updated: '', keys: ['k2'], aliases: [], buckets: [] },
          { session: 'alive', pid: process.ppid, target: 'eu-west-1|aws', updated: '', keys: ['k3'], aliases: [], buckets: [] },
        ],
      }),
    );
    expect(takeOverLeftovers(h, 'eu-west-1|aws')).toEqual({ keys: ['k'], aliases: ['alias/p/a'], buckets: [] });
    expect(takeOverLeftovers(h, 'eu-west-1|aws')).toEqual({ keys: [], aliases: [], buckets: [] });
    const left = JSON.parse(readFileSync(join(h, RESOURCES_FILE), 'utf8')).entries.map((e: { session: string }) => e.session);
    expect(left).toEqual(['other-region', 'alive']);
  });

  test('an unreadable ledger is kept aside, not lost', () => {
    const h = home();
    writeFileSync(join(h, RESOURCES_FILE), 'garbage');
    expect(takeOverLeftovers(h, 'eu-west-1|aws')).toEqual({ keys: [], aliases: [], buckets: [] });
    expect(existsSync(join(h, RESOURCES_FILE))).toBe(false);
  });
});

describe('the CloudTrail waiter, against the engine over HTTP', () => {
  test('polls until the events of the calls are delivered, then stops; does not wait again for delivered calls; gives up at its limit', async () => {
    const engine = await startTestEngine({ cloudTrailDelaySeconds: 60 });
    const kms = new KMSClient(engine.clientConfig);
    const cloudtrail = new CloudTrailClient(engine.clientConfig);
    try {
      const calls: ApiCall[] = [];
      const record = (operation: string, requestId: string | undefined) =>
        calls.push({ seq: calls.length + 1, time: engine.clock.now().toISOString(), service: 'kms', operation, caller: 'you', outcome: { ok: true }, durationMs: 1, ...(requestId ? { requestId } : {}) });
      const created = await kms.send(new CreateKeyCommand({}));
      record('CreateKey', created.$metadata.requestId);
      const encrypted = await kms.send(new EncryptCommand({ KeyId: created.KeyMetadata!.KeyId!, Plaintext: Buffer.from('x') }));
      record('Encrypt', encrypted.$metadata.requestId);
      expect(expectationsFor(calls)).toHaveLength(2);

      // time is the engine's: each sleep moves its clock, so delivery after 60 s takes no real minute
      let now = engine.clock.now().getTime();
      const sleeps: number[] = [];
      const progress: string[] = [];
      const waiter = new CloudTrailWaiter(cloudtrail, {
        timeoutSeconds: 300,
        accessKeyIds: () => [engine.clientConfig.credentials.accessKeyId],
        now: () => now,
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
          engine.engine.advanceClock(ms / 1000);
        },
      });
      const result = await waiter.wait(calls, (done, total, detail) => progress.push(`${done}/${total} ${detail}`), () => undefined);
      expect(result).toMatchObject({ expected: 2, delivered: 2, timedOut: false });
      expect(result.seconds).toBeGreaterThanOrEqual(60);
      expect(result.seconds).toBeLessThan(90);
      expect(progress[0]).toBe('0/300 0 of 2 events delivered');
      expect(progress.at(-1)).toMatch(/^\d+\/300 2 of 2 events delivered$/);
      expect(Math.max(...sleeps)).toBeLessThanOrEqual(1000); // progress every second at least

      // the same calls again: already delivered, nothing to wait for
      expect(await waiter.wait(calls, () => undefined, () => undefined)).toMatchObject({ expected: 0, seconds: 0 });

      // a call CloudTrail never shows: the wait ends at its limit, and is not waited for again
      record('Decrypt', 'no-such-request');
      const limited = new CloudTrailWaiter(cloudtrail, { timeoutSeconds: 5, accessKeyIds: () => [engine.clientConfig.credentials.accessKeyId], now: () => now, sleep: async (ms) => void (now += ms) });
      const gaveUp = await limited.wait(calls, () => undefined, () => undefined);
      expect(gaveUp).toMatchObject({ expected: 3, delivered: 2, timedOut: true, seconds: 5 });
      expect(await limited.wait(calls, () => undefined, () => undefined)).toMatchObject({ expected: 0 });
    } finally {
      kms.destroy();
      cloudtrail.destroy();
      await engine.stop();
    }
  });
});

describe('what the CloudTrail waiter awaits', () => {
  const call = (over: Partial<ApiCall>): ApiCall => ({
    seq: 1, time: new Date().toISOString(), service: 's3', operation: 'PutObject', caller: 'you', outcome: { ok: true }, durationMs: 1,
    bucket: 'b', objectKey: 'k', keyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', ...over,
  }) as ApiCall;

  test("an SSE-KMS upload: S3's GenerateDataKey naming the object; with a Bucket Key none (S3 names the bucket, once per bucket key)", () => {
    expect(expectationsFor([call({})])).toMatchObject([{ kind: 'service', operation: 'GenerateDataKey', objectArn: 'arn:aws:s3:::b/k' }]);
    expect(expectationsFor([call({ seq: 2, bucketKey: true })])).toEqual([]);
    expect(expectationsFor([call({ seq: 3, operation: 'GetObject', bucketKey: true })])).toEqual([]);
  });
});

describe('plain explanations', () => {
  test('each known problem says what happened and what to do; anything else is left alone', () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' }, /No AWS credentials/],
      [{ name: 'CredentialsProviderError', message: 'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login' }, /aws sso login/],
      [new Error('Region is missing'), /No AWS Region/],
      [{ name: 'ExpiredToken', message: 'The provided token has expired.' }, /session has expired/],
      [{ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }, /does not recognise the access key/],
      [{ name: 'InvalidSignatureException', message: '' }, /secret access key does not belong/],
      [{ name: 'AccessDenied', message: 'Access Denied' }, /not allowed to call PutObject/],
      [Object.assign(new Error('getaddrinfo ENOTFOUND kms.xx-1.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'kms.xx-1.amazonaws.com' }), /Could not reach kms\.xx-1\.amazonaws\.com/],
    ];
    for (const [error, what] of cases) {
      const problem = explainAwsProblem(error, 'PutObject');
      expect(problem?.what, String((error as Error).name)).toMatch(what);
      expect(problem!.todo.length).toBeGreaterThan(10);
    }
    expect(explainAwsProblem({ name: 'InvalidCiphertextException', message: '' })).toBeUndefined();
    expect(explainAwsProblem('text')).toBeUndefined();
  });
});
