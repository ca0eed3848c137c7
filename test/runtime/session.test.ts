// The step runtime through a real session on a fresh local engine: what a
// step shows, how it ends (expected errors are results; unexpected ones stop
// the step with message and request id, never a stack), the calls it made
// (live, numbered, with the caller), the workspace and the CloudTrail wait.
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadLesson } from '../../src/lessons/loader.js';
import { readProgress } from '../../src/runtime/progress.js';
import { openSession } from '../../src/runtime/session.js';
import type { ApiCall, Lesson, RuntimeSession, StepEvent, StepOutcome } from '../../src/runtime/types.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/01-behaviours', import.meta.url));
let home: string;
let session: RuntimeSession;
let lesson: Lesson;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-runtime-'));
  const loaded = loadLesson(FIXTURE);
  expect(loaded.problems).toEqual([]);
  lesson = loaded.lesson!;
  session = await openSession({ home, freshEngine: true });
});
afterAll(async () => {
  await session.close();
  rmSync(home, { recursive: true, force: true });
});

async function run(stepId: string, events?: StepEvent[]): Promise<StepOutcome> {
  const step = lesson.steps.find((s) => s.id === stepId)!;
  return session.runStep(lesson, step, events ? (e) => events.push(e) : undefined);
}

function texts(outcome: StepOutcome) {
  return outcome.results.flatMap((r) => (r.kind === 'text' ? [r.text] : []));
}

describe('workspace', () => {
  test('the first step starts from an empty workspace with the lesson samples copied in', async () => {
    const dir = session.workspace(lesson);
    expect(dir).toBe(join(home, 'workspace', '01-behaviours'));
    await run('differing-files'); // leaves a.txt and b.txt behind
    const outcome = await run('starts-clean');
    expect(outcome.status).toBe('passed');
    expect(texts(outcome)).toEqual(['plaintext_u.txt']);
    expect(readFileSync(join(dir, 'plaintext_u.txt'), 'utf8')).toContain('This is plaintext_u.txt');
  });
});

describe('results', () => {
  test('JSON masks a data key plaintext as first 2 and last 3 base64 characters, wherever it is', async () => {
    const outcome = await run('masked-json');
    expect(outcome.status).toBe('passed');
    const mask = texts(outcome)[0]!.replace('expected mask ', '');
    expect(mask).toMatch(/^.{2}\*\*\.\.\.\*\*.{3}$/);
    const json = outcome.results.find((r) => r.kind === 'json');
    expect(json).toMatchObject({ kind: 'json', value: { Plaintext: mask, Nested: { Plaintext: mask } } });
    expect((json as unknown as { value: { CiphertextBlob: string } }).value.CiphertextBlob).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(JSON.stringify(outcome)).not.toContain(mask.replace('**...**', '')); // the halves never appear joined
  });

  test('the data key plaintext appears nowhere in what the step gives back, calls and streamed events included', async () => {
    const events: StepEvent[] = [];
    const outcome = await run('masked-json', events);
    expect(outcome.status).toBe('passed');
    // The plaintext, as KMS gives it back for the blob the step shows (the blob is not secret).
    const json = outcome.results.find((r) => r.kind === 'json') as unknown as { value: { CiphertextBlob: string } };
    const endpoint = /http:\/\/[^\s]+/.exec(session.targetLabel)![0];
    const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(json.value.CiphertextBlob, 'base64'), EncryptionContext: { project: 'tests' } }));
    kms.destroy();
    const secret = Buffer.from(Plaintext!);
    expect(secret).toHaveLength(32);
    expect(outcome.calls.map((c) => c.operation)).toEqual(['CreateKey', 'GenerateDataKey']);
    expect(placesHolding(outcome, secret)).toEqual([]);
    expect(placesHolding(events, secret)).toEqual([]);
    expect(placesHolding(session.calls, secret)).toEqual([]);
  });

  test('results returned by the step are added once; values that are not results are ignored', async () => {
    const outcome = await run('returned-results');
    expect(outcome.status).toBe('passed');
    expect(texts(outcome)).toEqual(['shown', 'returned only']);
  });

  test('a diff of two different files lists the changed lines', async () => {
    const outcome = await run('differing-files');
    expect(outcome.results).toEqual([
      {
        kind: 'diff',
        before: 'a.txt',
        after: 'b.txt',
        identical: false,
        lines: [
          { kind: 'same', text: 'one' },
          { kind: 'removed', text: 'two' },
          { kind: 'added', text: '2' },
          { kind: 'same', text: 'three' },
        ],
      },
    ]);
  });
});

describe('how a step ends', () => {
  test('an unexpected AWS error stops the step with the operation, the error, and its request id', async () => {
    const outcome = await run('unexpected-aws-error');
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error).toMatchObject({ code: 'InvalidCiphertextException', operation: 'Decrypt', message: 'Decrypt failed with InvalidCiphertextException' });
    expect(outcome.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(outcome.error.requestId).toBe(outcome.calls[0]!.requestId);
    expect(JSON.stringify(outcome.error)).not.toMatch(/\n\s+at /);
  });

  test('an expected error that does not happen fails the step', async () => {
    const outcome = await run('expected-error-missing');
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error.message).toBe('GenerateRandom succeeded, but the lesson expected it to fail with NotFoundException.');
  });

  test('an error other than the expected one fails the step with that error', async () => {
    const outcome = await run('expected-error-other-code');
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error.code).toBe('InvalidCiphertextException');
    expect(outcome.results.some((r) => r.kind === 'expectedError')).toBe(false);
  });

  test('a false check fails the step and says what was expected', async () => {
    const outcome = await run('failed-check');
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error.message).toBe('The lesson expects: two equals three (2 !== 3), but it is not so.');
    expect(outcome.results.map((r) => r.kind === 'check' && r.ok)).toEqual([true, false]);
  });

  test('a plain exception fails the step with its message, no stack', async () => {
    const outcome = await run('plain-exception');
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.error.message).toMatch(/^TypeError: Cannot read properties of undefined/);
    expect(outcome.error.message).not.toContain('\n');
  });

  test('only passed steps are recorded in progress.json', async () => {
    const progress = readProgress(home).lessons['behaviours']!;
    expect(Object.keys(progress.steps)).toContain('returned-results');
    expect(Object.keys(progress.steps)).not.toContain('failed-check');
    expect(progress.completedAt).toBeUndefined();
  });
});

describe('calls', () => {
  test('each call is streamed as it happens, numbered, with the step, key, context, caller and outcome', async () => {
    const events: StepEvent[] = [];
    const live: ApiCall[] = [];
    const stop = session.onCall((c) => live.push(c));
    const outcome = await run('masked-json', events);
    stop();
    expect(events[0]).toEqual({ type: 'start', lessonId: 'behaviours', stepId: 'masked-json' });
    expect(events.at(-1)).toEqual({ type: 'end', outcome });
    const streamed = events.flatMap((e) => (e.type === 'call' ? [e.call] : []));
    expect(streamed.map((c) => c.operation)).toEqual(['CreateKey', 'GenerateDataKey']);
    expect(live).toEqual(streamed);
    expect(outcome.calls).toEqual(streamed);
    const [create, generate] = streamed;
    expect(generate!.seq).toBe(create!.seq + 1);
    expect(generate).toMatchObject({
      service: 'kms',
      operation: 'GenerateDataKey',
      stepId: 'masked-json',
      caller: 'you',
      encryptionContext: { project: 'tests' },
      outcome: { ok: true },
    });
    expect(generate!.keyId).toBe(create!.keyId!.split('/')[1]);
    expect(generate!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // results are streamed while the step runs, before its end
    const firstResult = events.findIndex((e) => e.type === 'result');
    expect(firstResult).toBeGreaterThan(events.findIndex((e) => e.type === 'call' && e.call.operation === 'GenerateDataKey'));
    expect(session.calls.at(-1)).toEqual(generate);
  });

  test('a failed call records its error code', async () => {
    const outcome = await run('unexpected-aws-error');
    expect(outcome.calls).toHaveLength(1);
    expect(outcome.calls[0]!.outcome).toEqual({ ok: false, code: 'InvalidCiphertextException', message: '' });
  });

  test('one step at a time', async () => {
    const first = run('masked-json');
    await expect(run('returned-results')).rejects.toThrow(/still running/);
    await first;
  });
});

describe('waiting for CloudTrail', () => {
  test('locally the engine clock is fast-forwarded past the delivery delay, and says so', async () => {
    const outcome = await run('wait-for-cloudtrail');
    expect(outcome.status).toBe('passed');
    expect(outcome.results).toContainEqual({ kind: 'wait', label: expect.stringMatching(/CloudTrail/), seconds: 120, fastForwarded: true });
    expect(texts(outcome)).toEqual(['listed before the wait: false, after: true']);
  });
});

test('a session on a home another process holds says so clearly, naming that process; once it is gone the home opens', async () => {
  const other = mkdtempSync(join(tmpdir(), 'kms-workshop-runtime-lock-'));
  const sessionModule = fileURLToPath(new URL('../../src/runtime/session.ts', import.meta.url));
  // The other process opens a session on the home and keeps it until its stdin closes.
  const script = `const { openSession } = await import(${JSON.stringify(sessionModule)});
const s = await openSession({ home: ${JSON.stringify(other)} });
console.log('holding');
process.stdin.resume();
process.stdin.on('end', async () => { await s.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    for (const deadline = Date.now() + 20_000; !out.includes('holding'); ) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the other process did not open its session:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await expect(openSession({ home: other })).rejects.toThrow(`in use by another kms-workshop process (pid ${child.pid})`);
    child.stdin.end();
    expect(await exited).toBe(0);
    const mine = await openSession({ home: other });
    await mine.close();
  } finally {
    child.kill();
    rmSync(other, { recursive: true, force: true });
  }
  expect(existsSync(other)).toBe(false);
}, 60_000);

/** Where in `value` the secret shows: as bytes, base64, base64url, hex, or a list of byte values. */
function placesHolding(value: unknown, secret: Buffer, path = '$'): string[] {
  const texts = [secret.toString('base64'), secret.toString('base64url'), secret.toString('hex'), secret.toString('latin1'), Array.from(secret).join(',')];
  if (value instanceof Uint8Array) return Buffer.from(value).includes(secret) ? [path] : [];
  if (typeof value === 'string') return texts.some((t) => value.toLowerCase().includes(t.toLowerCase())) ? [path] : [];
  if (Array.isArray(value) && value.length >= secret.length && value.every((v) => typeof v === 'number') && Buffer.from(value as number[]).includes(secret)) return [path];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => placesHolding(v, secret, `${path}.${k}`));
  return [];
}
