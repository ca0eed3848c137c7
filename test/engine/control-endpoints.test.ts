// The engine's control plane (/_engine/*) answers only the holder of its per-process
// secret: a web page (any site the learner visits can POST to localhost) is refused and
// changes nothing. Clock and CloudTrail-delay values that would break the engine are
// refused, and a saved clock that cannot be used is set aside and reported at start-up.
import { CreateKeyCommand, DescribeKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { mkdirSync, readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ClockRangeError } from '../../src/engine/clock.js';
import { CONTROL_SECRET_HEADER } from '../../src/engine/control.js';
import { startEngine, type RunningEngine } from '../../src/engine/index.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';
import { rawRequest } from '../helpers/raw-http.js';

const started: TestEngine[] = [];
afterEach(async () => {
  for (const te of started.splice(0)) await te.stop();
});
async function start(opts: Parameters<typeof startTestEngine>[0] = {}) {
  const te = await startTestEngine(opts);
  started.push(te);
  return te;
}

const ENDPOINTS = [
  { method: 'POST', path: '/_engine/advance-clock?seconds=691200' },
  { method: 'POST', path: '/_engine/cloudtrail-delay?seconds=1000' },
  { method: 'GET', path: '/_engine/status' },
] as const;

async function status(te: TestEngine) {
  const res = await fetch(`${te.endpoint}/_engine/status`, { headers: { [CONTROL_SECRET_HEADER]: te.engine.controlSecret } });
  expect(res.status).toBe(200);
  return (await res.json()) as { now: string; aheadSeconds: number; cloudTrailDelaySeconds: number };
}

async function keyPendingDeletion(te: TestEngine) {
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  return key.KeyId!;
}

test('a web page posting to each control endpoint (no secret, text/plain, another Origin) is refused with 403 and changes nothing', async () => {
  const te = await start({ cloudTrailDelaySeconds: 120 });
  const keyId = await keyPendingDeletion(te);
  for (const { method, path } of ENDPOINTS) {
    const res = await fetch(`${te.endpoint}${path}`, {
      method,
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      ...(method === 'POST' ? { body: 'x' } : {}),
    });
    expect(res.status, path).toBe(403);
    expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    expect(((await res.json()) as { message: string }).message, path).toMatch(/^Missing x-kms-workshop-secret header: .*control\.secret/);
  }
  const after = await status(te);
  expect(after.aheadSeconds).toBe(0);
  expect(after.cloudTrailDelaySeconds).toBe(120);
  expect((await te.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
});

test('a wrong secret is refused, and the CORS preflight a custom header needs is never approved', async () => {
  const te = await start();
  for (const { method, path } of ENDPOINTS) {
    const wrong = await fetch(`${te.endpoint}${path}`, { method, headers: { [CONTROL_SECRET_HEADER]: `${te.engine.controlSecret}x` } });
    expect(wrong.status, path).toBe(403);
    expect(((await wrong.json()) as { message: string }).message).toMatch(/^Wrong x-kms-workshop-secret header/);
    const preflight = await fetch(`${te.endpoint}${path}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': method, 'access-control-request-headers': CONTROL_SECRET_HEADER },
    });
    expect(preflight.status, path).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
  }
  expect((await status(te)).aheadSeconds).toBe(0);
});

test('with a foreign Host header (DNS rebinding) every control endpoint is refused even with the secret', async () => {
  const te = await start({ cloudTrailDelaySeconds: 120 });
  const keyId = await keyPendingDeletion(te);
  const port = new URL(te.endpoint).port;
  for (const { method, path } of ENDPOINTS) {
    const res = await rawRequest(te.endpoint, {
      method,
      path,
      headers: { host: `evil.example:${port}`, 'content-type': 'text/plain', origin: `http://evil.example:${port}`, [CONTROL_SECRET_HEADER]: te.engine.controlSecret },
    });
    expect(res.status, path).toBe(403);
    expect(JSON.parse(res.body).message).toContain('answers only requests addressed to 127.0.0.1, [::1] or localhost');
  }
  const after = await status(te);
  expect(after.aheadSeconds).toBe(0);
  expect(after.cloudTrailDelaySeconds).toBe(120);
  expect((await te.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
});

test('with the secret the control endpoints work: the clock moves, the delay changes, a key past its deletion date is gone', async () => {
  const te = await start({ cloudTrailDelaySeconds: 120 });
  const keyId = await keyPendingDeletion(te);
  const headers = { [CONTROL_SECRET_HEADER]: te.engine.controlSecret };
  const advanced = await fetch(`${te.endpoint}/_engine/advance-clock?seconds=691200`, { method: 'POST', headers });
  expect(advanced.status).toBe(200);
  expect(((await advanced.json()) as { aheadSeconds: number }).aheadSeconds).toBe(691200);
  const delay = await fetch(`${te.endpoint}/_engine/cloudtrail-delay?seconds=300`, { method: 'POST', headers });
  expect(delay.status).toBe(200);
  expect((await status(te)).cloudTrailDelaySeconds).toBe(300);
  await expectAwsError(te.kms.send(new DescribeKeyCommand({ KeyId: keyId })), 'NotFoundException');
});

test('the secret is in <home>/engine/control.secret, readable by its owner only, and removed when the engine stops', async () => {
  const home = tempHome();
  const te = await start({ home });
  const file = join(home, 'engine', 'control.secret');
  expect(readFileSync(file, 'utf8')).toBe(te.engine.controlSecret);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(te.engine.controlSecret.length).toBeGreaterThanOrEqual(40);
  await te.close();
  expect(existsSync(file)).toBe(false);
});

test('each engine process has its own secret; one kept in memory writes no file', async () => {
  const memory: RunningEngine = await startEngine({ home: null });
  try {
    const te = await start();
    expect(memory.engine.controlSecret).not.toBe(te.engine.controlSecret);
    const res = await fetch(`${memory.endpoint}/_engine/status`, { headers: { [CONTROL_SECRET_HEADER]: te.engine.controlSecret } });
    expect(res.status).toBe(403);
    expect((await fetch(`${memory.endpoint}/_engine/status`, { headers: { [CONTROL_SECRET_HEADER]: memory.engine.controlSecret } })).status).toBe(200);
  } finally {
    await memory.close();
  }
});

test('advancing the clock past year 9999 is refused with 400, changes nothing, and the engine keeps answering', async () => {
  const te = await start();
  const headers = { [CONTROL_SECRET_HEADER]: te.engine.controlSecret };
  for (const seconds of ['1e13', '253402300800', 'Infinity', '-1', 'abc', '']) {
    const res = await fetch(`${te.endpoint}/_engine/advance-clock?seconds=${seconds}`, { method: 'POST', headers });
    expect(res.status, seconds).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/seconds/);
  }
  expect((await fetch(`${te.endpoint}/_engine/advance-clock`, { method: 'POST', headers })).status).toBe(400);
  expect(() => te.engine.advanceClock(1e13)).toThrow(ClockRangeError);
  expect((await status(te)).aheadSeconds).toBe(0);
  expect(existsSync(join(te.home, 'engine', 'clock.json'))).toBe(false);
  // Up to the bound is fine: 7,000 years ahead still renders as an AWS timestamp.
  expect((await fetch(`${te.endpoint}/_engine/advance-clock?seconds=${7000 * 365 * 86400}`, { method: 'POST', headers })).status).toBe(200);
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  expect(key.CreationDate!.getUTCFullYear()).toBeGreaterThan(9000);
  await te.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 30 }));
});

test('a CloudTrail delay over an hour is refused with 400 (CloudTrail delivers within minutes) and changes nothing', async () => {
  const te = await start({ cloudTrailDelaySeconds: 120 });
  const headers = { [CONTROL_SECRET_HEADER]: te.engine.controlSecret };
  for (const seconds of ['1e9', '3601', '-1', 'NaN', '']) {
    const res = await fetch(`${te.endpoint}/_engine/cloudtrail-delay?seconds=${seconds}`, { method: 'POST', headers });
    expect(res.status, seconds).toBe(400);
  }
  expect((await status(te)).cloudTrailDelaySeconds).toBe(120);
  expect((await fetch(`${te.endpoint}/_engine/cloudtrail-delay?seconds=3600`, { method: 'POST', headers })).status).toBe(200);
  expect(() => te.engine.setCloudTrailDelay(1e9)).toThrow(RangeError);
  expect((await status(te)).cloudTrailDelaySeconds).toBe(3600);
});

test.each([
  ['past year 9999', '{"aheadSeconds":1e13}', /puts the clock past 9999-01-01/],
  ['negative', '{"aheadSeconds":-5}', /negative/],
  ['not a number', '{"aheadSeconds":"soon"}', /not a finite number/],
  ['overflowing', '{"aheadSeconds":1e400}', /not a finite number/],
  ['not JSON', 'garbage{', /not of the form/],
  ['null', 'null', /not of the form/],
])('a saved clock.json %s is set aside and reported at start-up, and the engine runs on real time', async (_, saved, problem) => {
  const home = tempHome();
  mkdirSync(join(home, 'engine'), { recursive: true });
  writeFileSync(join(home, 'engine', 'clock.json'), saved);
  const te = await start({ home, clock: undefined });
  expect(te.engine.warnings).toHaveLength(1);
  expect(te.engine.warnings[0]).toMatch(problem);
  expect(te.engine.warnings[0]).toContain(join(home, 'engine', 'clock.json'));
  expect(te.engine.warnings[0]).not.toContain('\n');
  expect(existsSync(join(home, 'engine', 'clock.json'))).toBe(false);
  expect(readFileSync(join(home, 'engine', 'clock.json.unusable'), 'utf8')).toBe(saved);
  expect((await status(te)).aheadSeconds).toBe(0);
  expect((await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyState).toBe('Enabled');
});

test('a usable saved clock is obeyed with no warning', async () => {
  const home = tempHome();
  mkdirSync(join(home, 'engine'), { recursive: true });
  writeFileSync(join(home, 'engine', 'clock.json'), '{"aheadSeconds":86400}');
  const te = await start({ home });
  expect(te.engine.warnings).toEqual([]);
  expect((await status(te)).aheadSeconds).toBe(86400);
});
