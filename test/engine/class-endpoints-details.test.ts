// The class endpoints' edges (engine/class-endpoints.ts), through real HTTP: the body limit
// at its byte whichever way a body comes (a length, chunked, JSON 1.1), a declared length
// refused before the body is read, each refusal's words (a method echoed cut at 10), the bounds
// of a clock move, a quota and a long poll's parameters (its wait in seconds, held at 20), the
// cap on long polls waiting at once, and learners named with two and three digits.
import { SignatureV4 } from '@smithy/signature-v4';
import * as http from 'node:http';
import { afterEach, expect, test, vi } from 'vitest';
import { classRoomOf, MAX_LEARNERS } from '../../src/engine/class.js';
import { MAX_CLASS_BODY } from '../../src/engine/class-endpoints.js';
import { CLASS_PATHS, type LearnerProgress } from '../../src/engine/class-protocol.js';
import { MAX_WAITERS } from '../../src/engine/class-room.js';
import { MAX_QUOTA_PER_SECOND, MIN_QUOTA_PER_SECOND, SYMMETRIC_QUOTA } from '../../src/engine/kms/quotas.js';
import { ClassClient, ClassEngineError } from '../../src/runtime/class-client.js';
import { startClassEngine, stopClassEngines } from './class-harness.js';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';

afterEach(async () => {
  vi.restoreAllMocks();
  await stopClassEngines();
});

const PROGRESS: LearnerProgress = { lesson: '04-envelope', lessonTitle: 'Envelope encryption', step: 3, steps: 9, stepTitle: 'Make a data key', passed: 12, solved: 1 };

interface Sent {
  /** GET or POST, or any other method Node's HTTP parser takes (UNSUBSCRIBE, MKACTIVITY, ...). */
  method?: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
  /** Send the body in chunks of this size, with no Content-Length (chunked). */
  chunked?: number;
}

/** A request signed by the member's client as it signs (service kms-workshop), sent as given: status and message. */
async function send(client: ClassClient, path: string, opts: Sent = {}): Promise<{ status: number; message?: string; json?: unknown }> {
  const c = client as unknown as { signer: SignatureV4; url: URL };
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { host: c.url.host };
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const signed = await c.signer.sign({ method, protocol: 'http:', hostname: c.url.hostname, port: Number(c.url.port), path, query: opts.query ?? {}, headers, body: opts.body });
  const { host: _host, ...sent } = signed.headers;
  const url = new URL(path, c.url);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  let body: BodyInit | undefined = opts.body;
  if (opts.body !== undefined && opts.chunked) {
    const bytes = Buffer.from(opts.body);
    const size = opts.chunked;
    body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.subarray(i, i + size));
        controller.close();
      },
    });
  }
  const res = await fetch(url, { method, headers: sent, body, ...(opts.chunked ? { duplex: 'half' } : {}) } as RequestInit);
  const text = await res.text();
  const json = text === '' ? undefined : (JSON.parse(text) as unknown);
  return { status: res.status, json, message: (json as { message?: string } | undefined)?.message };
}

/** Progress as JSON padded with spaces to exactly `bytes`. */
function progressOf(bytes: number): string {
  const text = JSON.stringify(PROGRESS);
  return text.slice(0, -1) + ' '.repeat(bytes - text.length) + '}';
}

test(`a body of exactly ${MAX_CLASS_BODY} bytes is taken and one byte more is 413, sent with a length, chunked or as JSON 1.1`, async () => {
  const c = await startClassEngine();
  const one = c.learners[0]!.class;
  const fits = progressOf(MAX_CLASS_BODY);
  const over = progressOf(MAX_CLASS_BODY + 1);
  expect(Buffer.byteLength(fits)).toBe(MAX_CLASS_BODY);
  for (const how of [{}, { chunked: 4096 }, { contentType: 'application/x-amz-json-1.1' }] as Sent[]) {
    expect((await send(one, CLASS_PATHS.progress, { ...how, body: fits })).status, JSON.stringify(how)).toBe(204);
    expect(await send(one, CLASS_PATHS.progress, { ...how, body: over }), JSON.stringify(how)).toEqual({
      status: 413,
      json: { message: 'The request body is too large for a class endpoint.' },
      message: 'The request body is too large for a class endpoint.',
    });
  }
  expect((await c.instructor.class.room()).learners[0]!.progress).toMatchObject(PROGRESS);
});

test('a body declared larger than the limit is refused at once, before any of it is read', async () => {
  const c = await startClassEngine();
  const url = new URL(c.running.endpoint);
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: Number(url.port), method: 'POST', path: CLASS_PATHS.progress, headers: { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.write('{"lesson": '); // and nothing more: an engine waiting for the rest would never answer
    setTimeout(() => {
      req.destroy();
      reject(new Error('no answer in 5 s: the engine waited for a body it should have refused'));
    }, 5000).unref();
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body)).toEqual({ message: 'The request body is too large for a class endpoint.' });
});

test('a body is JSON of at most 1000 levels, an object: each refusal says which', async () => {
  const c = await startClassEngine();
  const one = c.learners[0]!.class;
  const nested = (levels: number) => `{"seconds": ${'['.repeat(levels)}${']'.repeat(levels)}}`;
  expect(await send(one, CLASS_PATHS.advanceClock, { body: nested(1000) })).toMatchObject({ status: 400, message: 'The request body nests deeper than 1000 levels.' });
  expect(await send(one, CLASS_PATHS.advanceClock, { body: nested(999) })).toMatchObject({ status: 400, message: 'seconds must be a number >= 0 (how far to move your clock forward).' });
  expect(await send(one, CLASS_PATHS.advanceClock, { body: '{"seconds": 1' })).toMatchObject({ status: 400, message: 'The request body is not valid JSON.' });
  for (const body of ['null', '"x"', '7', '[]'])
    expect(await send(one, CLASS_PATHS.advanceClock, { body }), body).toMatchObject({ status: 400, message: 'The request body must be a JSON object.' });
  // No body at all is an empty object: here, no seconds.
  expect(await send(one, CLASS_PATHS.advanceClock, { method: 'POST' })).toMatchObject({ status: 400, message: 'seconds must be a number >= 0 (how far to move your clock forward).' });
});

test('advance-clock: 0 moves nothing; a missing or null seconds is refused; too far names the seconds left', async () => {
  const c = await startClassEngine();
  const [one] = c.learners;
  const clock = c.running.engine.clock;
  expect(await one!.class.advanceClock(0)).toMatchObject({ aheadSeconds: 0, now: clock.now().toISOString() });
  for (const body of [{}, { seconds: null }, { seconds: true }])
    expect(await send(one!.class, CLASS_PATHS.advanceClock, { body: JSON.stringify(body) }), JSON.stringify(body)).toMatchObject({
      status: 400,
      message: 'seconds must be a number >= 0 (how far to move your clock forward).',
    });
  await one!.class.advanceClock(3600);
  const left = Math.floor(clock.secondsLeft(one!.profile.accountId));
  const err = await one!.class.advanceClock(left + 10).catch((e: unknown) => e as ClassEngineError);
  expect(err).toBeInstanceOf(ClassEngineError);
  expect((err as ClassEngineError).status).toBe(400);
  expect((err as ClassEngineError).message).toBe(`seconds is too large: the clock cannot move past 9999-01-01T00:00:00.000Z (at most ${left} now)`);
  expect((await one!.class.status()).aheadSeconds).toBe(3600);
});

test('request-quota: from the lowest to the highest figure taken, past either refused, the reply names the quota and both figures', async () => {
  const c = await startClassEngine();
  const one = c.learners[0]!.class;
  const engineFigure = c.running.engine.quotas.describe(SYMMETRIC_QUOTA, 'us-east-1', c.learners[0]!.profile.accountId).perSecond;
  const low = await one.setRequestQuota('Encrypt', MIN_QUOTA_PER_SECOND);
  expect(Object.keys(low).sort()).toEqual(['awsPerSecond', 'name', 'operations', 'perSecond']);
  expect(low).toMatchObject({ name: SYMMETRIC_QUOTA, perSecond: MIN_QUOTA_PER_SECOND, awsPerSecond: 100_000 });
  expect(low.operations).toContain('Encrypt');
  expect((await one.setRequestQuota('Encrypt', MAX_QUOTA_PER_SECOND)).perSecond).toBe(MAX_QUOTA_PER_SECOND);
  const perSecondMessage = `perSecond must be a number from ${MIN_QUOTA_PER_SECOND} to ${MAX_QUOTA_PER_SECOND}, or null for AWS's figure.`;
  for (const body of [{ operation: 'Encrypt', perSecond: MIN_QUOTA_PER_SECOND / 2 }, { operation: 'Encrypt', perSecond: MAX_QUOTA_PER_SECOND + 1 }, { operation: 'Encrypt' }, { operation: 'Encrypt', perSecond: '5' }])
    expect(await send(one, CLASS_PATHS.requestQuota, { body: JSON.stringify(body) }), JSON.stringify(body)).toMatchObject({ status: 400, message: perSecondMessage });
  for (const body of [{ operation: 7, perSecond: 1 }, { perSecond: 1 }, { operation: 'Nothing', perSecond: 1 }])
    expect(await send(one, CLASS_PATHS.requestQuota, { body: JSON.stringify(body) }), JSON.stringify(body)).toMatchObject({
      status: 400,
      message: 'operation must name a KMS operation that has a request quota (GenerateDataKey, CreateKey, ...).',
    });
  expect((await one.setRequestQuota('Encrypt', null)).perSecond).toBe(engineFigure); // the engine's own again
});

test("a long poll's parameters: empty is 0, a negative or non-number is refused naming it (quoted, cut at 40), after must be whole", async () => {
  const c = await startClassEngine();
  const [one] = c.learners;
  await one!.kms.send(new ListKeysCommand({}));
  const events = (query: Record<string, string>) => send(one!.class, CLASS_PATHS.events, { query });
  const all = await events({ after: '', waitSeconds: '' });
  expect(all.status).toBe(200);
  expect((all.json as { events: { eventName: string }[] }).events.map((e) => e.eventName)).toEqual(['ListKeys']);
  expect(await events({ after: '-1' })).toMatchObject({ status: 400, message: 'after must be a number >= 0, not "-1".' });
  expect(await events({ waitSeconds: '-5' })).toMatchObject({ status: 400, message: 'waitSeconds must be a number >= 0, not "-5".' });
  expect(await events({ waitSeconds: 'Infinity' })).toMatchObject({ status: 400, message: 'waitSeconds must be a number >= 0, not "Infinity".' });
  expect(await events({ after: 'y'.repeat(100) })).toMatchObject({ status: 400, message: `after must be a number >= 0, not "${'y'.repeat(40)}".` });
  expect(await events({ after: '1e300' })).toMatchObject({ status: 400, message: 'after must be a whole number: the `next` of the previous reply.' });
  // No wait asked: the answer comes at once (the wait is capped at 20 s, never raised to it).
  const t0 = Date.now();
  expect((await events({ after: String((all.json as { next: number }).next) })).status).toBe(200);
  expect(Date.now() - t0).toBeLessThan(10_000);
});

test('calls names a learner as learner1 to learnerN exactly; anything else is 404 quoting it', async () => {
  const c = await startClassEngine();
  const instructor = c.instructor.class;
  const calls = (query: Record<string, string>) => send(instructor, CLASS_PATHS.calls, { query });
  expect((await calls({ learner: 'learner2' })).status).toBe(200);
  for (const learner of ['learner01', 'learner1x', 'xlearner1', 'learner3', 'learner0', 'Learner1', 'learner10000'])
    expect(await calls({ learner }), learner).toMatchObject({ status: 404, message: `learner must name a learner of this class, learner1 to learner2, not ${JSON.stringify(learner)}.` });
  expect(await calls({})).toMatchObject({ status: 404, message: 'learner must name a learner of this class, learner1 to learner2, not "".' });
  expect(await calls({ learner: 'z'.repeat(60) })).toMatchObject({ status: 404, message: `learner must name a learner of this class, learner1 to learner2, not "${'z'.repeat(40)}".` });
});

test(`with ${MAX_WAITERS} long polls waiting, another that would wait is 429 (events and calls); one that need not wait is answered`, async () => {
  const c = await startClassEngine();
  const [one] = c.learners;
  const room = classRoomOf(c.running.engine);
  const held = Array.from({ length: MAX_WAITERS }, () => room.waitFor('999999999999', 0, 20_000));
  try {
    expect(await send(one!.class, CLASS_PATHS.events, { query: { waitSeconds: '5' } })).toMatchObject({ status: 429, message: 'Too many requests are waiting for events: try again in a moment.' });
    expect(await send(c.instructor.class, CLASS_PATHS.calls, { query: { learner: 'learner1', waitSeconds: '5' } })).toMatchObject({
      status: 429,
      message: 'Too many requests are waiting for calls: try again in a moment.',
    });
    expect(await send(one!.class, CLASS_PATHS.events, { query: { waitSeconds: '0' } })).toMatchObject({ status: 200, json: { events: [], next: 0 } });
  } finally {
    room.close();
    await Promise.all(held);
  }
});

test('refusals name the path and what it takes: a wrong method, the instructor alone, an unknown path (cut at 100), no lessons served', async () => {
  const c = await startClassEngine();
  const one = c.learners[0]!.class;
  expect(await send(one, CLASS_PATHS.status, { method: 'POST', body: '{}' })).toMatchObject({ status: 405, message: '/_class/status takes GET, not POST.' });
  expect(await send(one, CLASS_PATHS.progress, { method: 'GET' })).toMatchObject({ status: 405, message: '/_class/progress takes POST, not GET.' });
  expect(await send(one, CLASS_PATHS.room)).toMatchObject({ status: 403, message: "/_class/room is the instructor's alone: sign with the instructor profile." });
  expect(await send(one, CLASS_PATHS.calls, { query: { learner: 'learner1' } })).toMatchObject({ status: 403, message: "/_class/calls is the instructor's alone: sign with the instructor profile." });
  const served = Object.values(CLASS_PATHS).join(', ');
  expect(await send(one, '/_class/nothing')).toMatchObject({ status: 404, message: `No class endpoint /_class/nothing: the class engine serves ${served}.` });
  const long = `/_class/${'a'.repeat(300)}`;
  expect(await send(one, long)).toMatchObject({ status: 404, message: `No class endpoint ${long.slice(0, 100)}: the class engine serves ${served}.` });
  expect(await send(one, CLASS_PATHS.lessons)).toMatchObject({
    status: 404,
    message: 'This class engine serves no lessons of its own (the instructor gives them with `kms-workshop serve --learners N --lessons DIR`).',
  });
  // A refusal is JSON with a request id, like every engine reply.
  const res = await fetch(`${c.running.endpoint}${CLASS_PATHS.status}`);
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  const message = ((await res.json()) as { message: string }).message;
  expect(message).toMatch(/^The class engine answers only requests signed with a class member's access key \(the profile the instructor handed out\): \w+: ./);
});

test('progress is answered 204 with no body and no content type', async () => {
  const c = await startClassEngine();
  const res = await send(c.learners[0]!.class, CLASS_PATHS.progress, { body: JSON.stringify(PROGRESS) });
  expect(res).toEqual({ status: 204, json: undefined, message: undefined });
});

test('waitSeconds is seconds: a wait of 1 s with nothing to say answers empty after about 1 s, not at once and not much later', async () => {
  const c = await startClassEngine();
  const [one] = c.learners;
  const t0 = performance.now();
  const waited = await send(one!.class, CLASS_PATHS.events, { query: { waitSeconds: '1' } });
  const elapsed = performance.now() - t0;
  expect(waited).toMatchObject({ status: 200, json: { events: [], next: 0 } });
  expect(elapsed).toBeGreaterThanOrEqual(800); // 1 ms would be seconds read as milliseconds
  expect(elapsed).toBeLessThan(10_000);
  // The instructor's calls wait the same way.
  const t1 = performance.now();
  expect(await send(c.instructor.class, CLASS_PATHS.calls, { query: { learner: 'learner1', waitSeconds: '1' } })).toMatchObject({ status: 200, json: { calls: [], next: 0 } });
  expect(performance.now() - t1).toBeGreaterThanOrEqual(800);
  expect(performance.now() - t1).toBeLessThan(10_000);
});

test('waitSeconds past 20 is held at 20 s (a huge one still waits, until an event comes); fractions are milliseconds; a non-number is refused', async () => {
  const c = await startClassEngine();
  const [one] = c.learners;
  const room = classRoomOf(c.running.engine);
  const events = (query: Record<string, string>) => send(one!.class, CLASS_PATHS.events, { query });
  // What the room is asked to wait, in ms (answered at once here, so nothing really waits).
  const asked = vi.spyOn(room, 'waitFor').mockResolvedValue(true);
  const cases: [string, number][] = [['', 0], ['0', 0], ['0.5', 500], ['1', 1000], ['19.5', 19_500], ['20', 20_000], ['20.001', 20_000], ['1000', 20_000], ['1e9', 20_000]];
  for (const [waitSeconds, ms] of cases) {
    expect((await events({ waitSeconds })).status, waitSeconds).toBe(200);
    expect(asked, waitSeconds).toHaveBeenLastCalledWith(one!.profile.accountId, 0, ms);
  }
  expect((await send(c.instructor.class, CLASS_PATHS.calls, { query: { learner: 'learner2', waitSeconds: '86400' } })).status).toBe(200);
  expect(asked).toHaveBeenLastCalledWith(c.learners[1]!.profile.accountId, 0, 20_000);
  for (const waitSeconds of ['abc', 'NaN', '1s', '1e400', '--1'])
    expect(await events({ waitSeconds }), waitSeconds).toMatchObject({ status: 400, message: `waitSeconds must be a number >= 0, not ${JSON.stringify(waitSeconds)}.` });
  asked.mockRestore();

  // Really waiting: a billion seconds is 20 s (a timer of 10^12 ms would fire at once), ended early by the learner's call.
  const waits = vi.spyOn(room, 'waitFor');
  const t0 = performance.now();
  const polling = events({ waitSeconds: '1e9' });
  await vi.waitFor(() => expect(waits).toHaveBeenCalledTimes(1));
  await new Promise((r) => setTimeout(r, 200));
  await one!.kms.send(new ListKeysCommand({}));
  const woke = await polling;
  expect(woke.status).toBe(200);
  expect((woke.json as { events: { eventName: string }[] }).events.map((e) => e.eventName)).toEqual(['ListKeys']);
  expect(performance.now() - t0).toBeLessThan(10_000);
});

test('learners from learner10 up are named, found and kept apart like learner1 (a class of 11)', async () => {
  const c = await startClassEngine({ learners: 11 });
  const learners = c.learners;
  expect(learners.map((l) => l.profile.profile)).toEqual(Array.from({ length: 11 }, (_, i) => `learner${i + 1}`));
  for (const n of [1, 10, 11]) expect(await learners[n - 1]!.class.status(), `learner${n}`).toMatchObject({ profile: `learner${n}`, accountId: learners[n - 1]!.profile.accountId });
  expect(new Set(learners.map((l) => l.profile.accountId)).size).toBe(11);
  // Each a call of their own: learner1 one key, learner10 two, learner11 three.
  for (const [n, keys] of [[1, 1], [10, 2], [11, 3]] as const) for (let k = 0; k < keys; k++) await learners[n - 1]!.kms.send(new CreateKeyCommand({ Description: `learner${n} key ${k}` }));
  const room = await c.instructor.class.room();
  expect(room.learners.map((l) => [l.profile, l.accountId])).toEqual(learners.map((l, i) => [`learner${i + 1}`, l.profile.accountId])); // in roster order, not learner1, learner10, learner11, learner2
  expect(room.learners.map((l) => l.callsLastMinute)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3]);
  for (const [n, keys] of [[1, 1], [10, 2], [11, 3]] as const) {
    const calls = await c.instructor.class.calls(`learner${n}`);
    expect(calls.calls.map((x) => [x.operation, x.caller]), `learner${n}`).toEqual(Array.from({ length: keys }, () => ['CreateKey', `arn:aws:iam::${learners[n - 1]!.profile.accountId}:user/${learners[n - 1]!.profile.userName}`]));
    const own = await learners[n - 1]!.class.events();
    expect(own.events.map((e) => (e as { requestParameters: { description: string } }).requestParameters.description)).toEqual(Array.from({ length: keys }, (_, k) => `learner${n} key ${k}`));
  }
  const calls = (learner: string) => send(c.instructor.class, CLASS_PATHS.calls, { query: { learner } });
  for (const learner of ['learner12', 'learner100', 'learner010', 'learner1 0'])
    expect(await calls(learner), learner).toMatchObject({ status: 404, message: `learner must name a learner of this class, learner1 to learner11, not ${JSON.stringify(learner)}.` });
});

test('a wrong method is echoed cut at 10 characters: MKACTIVITY whole, UNSUBSCRIBE as UNSUBSCRIB', async () => {
  const c = await startClassEngine();
  const one = c.learners[0]!.class;
  expect(await send(one, CLASS_PATHS.status, { method: 'MKACTIVITY' })).toMatchObject({ status: 405, message: '/_class/status takes GET, not MKACTIVITY.' });
  expect(await send(one, CLASS_PATHS.status, { method: 'UNSUBSCRIBE' })).toMatchObject({ status: 405, message: '/_class/status takes GET, not UNSUBSCRIB.' });
  expect(await send(one, CLASS_PATHS.progress, { method: 'UNSUBSCRIBE', body: JSON.stringify(PROGRESS) })).toMatchObject({ status: 405, message: '/_class/progress takes POST, not UNSUBSCRIB.' });
  expect((await c.instructor.class.room()).learners[0]!.progress).toBeUndefined(); // refused: not kept
});

test(`the largest class (${MAX_LEARNERS} learners): learner100 and learner${MAX_LEARNERS} are named and found by three digits`, async () => {
  const c = await startClassEngine({ learners: MAX_LEARNERS });
  const last = c.learners[MAX_LEARNERS - 1]!;
  for (const n of [100, MAX_LEARNERS]) expect(await c.learners[n - 1]!.class.status(), `learner${n}`).toMatchObject({ profile: `learner${n}`, accountId: c.learners[n - 1]!.profile.accountId });
  await last.kms.send(new ListKeysCommand({}));
  expect((await c.instructor.class.calls(`learner${MAX_LEARNERS}`)).calls.map((x) => x.caller)).toEqual([`arn:aws:iam::${last.profile.accountId}:user/${last.profile.userName}`]);
  expect((await c.instructor.class.calls('learner100')).calls).toEqual([]);
  expect((await c.instructor.class.room()).learners.map((l) => l.profile).slice(98, 101)).toEqual(['learner99', 'learner100', 'learner101']);
  expect(await send(c.instructor.class, CLASS_PATHS.calls, { query: { learner: `learner${MAX_LEARNERS + 1}` } })).toMatchObject({
    status: 404,
    message: `learner must name a learner of this class, learner1 to learner${MAX_LEARNERS}, not "learner${MAX_LEARNERS + 1}".`,
  });
});
