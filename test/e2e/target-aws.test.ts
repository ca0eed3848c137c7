// `--target aws` without AWS: `kms-workshop serve` plays the account, reached
// through AWS_ENDPOINT_URL by the SDK's own endpoint resolution, with static
// credentials found by the SDK's default chain in the environment. So the aws
// code path runs for real (credential chain, plan and cost, --yes, real
// CloudTrail polling shortened by --cloudtrail-delay, clean-up), over HTTP.
// Problems a newcomer meets (no credentials, no Region, an expired session,
// AccessDenied) are reproduced locally too: never a real AWS endpoint.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, KMSClient, ListAliasesCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { planLessons } from '../../src/runtime/cost.js';
import { CLI, ensureBuilt, startServe, type Served } from '../helpers/cli.js';
import { hasTmux, Terminal } from '../tui/tmux.js';

const REGION = 'eu-west-1'; // not us-east-1: S3 then needs the LocationConstraint, as on AWS
const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const DAY_MS = 24 * 3600 * 1000;

const temp: string[] = [];
function tempDir(prefix = 'kms-workshop-aws-') {
  const d = mkdtempSync(join(tmpdir(), prefix));
  temp.push(d);
  return d;
}

/** An environment with nothing from the developer's own AWS set-up: no profile, no config files, no instance metadata. */
function bareEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const dir = tempDir('kms-workshop-aws-env-');
  writeFileSync(join(dir, 'empty'), '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'empty'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'empty'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

function awsEnv(endpoint: string, extra: Record<string, string> = {}) {
  return bareEnv({ AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_REGION: REGION, ...extra });
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, output: () => stdout + stderr };
}

const cli = (args: string[], env: NodeJS.ProcessEnv) => startCli(args, env).done;

function clients(endpoint: string) {
  const config = { endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
  return { kms: new KMSClient(config), s3: new S3Client({ ...config, forcePathStyle: true }) };
}

/** What the engine holds: customer keys with their state, aliases (not AWS's own), buckets. */
async function accountContents(endpoint: string) {
  const { kms, s3 } = clients(endpoint);
  try {
    const keys: { id: string; state: string; deletion?: Date }[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.send(new ListKeysCommand({ Marker: marker }));
      for (const k of page.Keys ?? []) {
        const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId! }));
        if (KeyMetadata!.KeyManager === 'CUSTOMER') keys.push({ id: k.KeyId!, state: KeyMetadata!.KeyState!, ...(KeyMetadata!.DeletionDate ? { deletion: KeyMetadata!.DeletionDate } : {}) });
      }
      marker = page.Truncated ? page.NextMarker : undefined;
    } while (marker);
    const aliases = ((await kms.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName!).filter((a) => !a.startsWith('alias/aws/'));
    const buckets = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!);
    return { keys, aliases, buckets };
  } finally {
    kms.destroy();
    s3.destroy();
  }
}

/** Nothing left but keys pending deletion, each after the 7-day minimum. */
async function expectNothingLeft(endpoint: string, minKeys: number) {
  const left = await accountContents(endpoint);
  expect(left.aliases).toEqual([]);
  expect(left.buckets).toEqual([]);
  expect(left.keys.length).toBeGreaterThanOrEqual(minKeys);
  for (const key of left.keys) {
    expect(key.state).toBe('PendingDeletion');
    const days = (key.deletion!.getTime() - Date.now()) / DAY_MS;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.01);
  }
}

// The packaged lessons, counted as the CLI counts them: a new lesson needs no edit here.
const packaged = loadLessons().lessons;
const LESSONS = packaged.length;
const STEPS = packaged.reduce((n, l) => n + l.steps.length, 0);
const KEYS = planLessons(packaged).reduce((n, p) => n + p.keys, 0);
/** Steps of one packaged lesson (exercises add steps: counted, not written in). */
const stepsOf = (id: string) => packaged.find((l) => l.id === id)!.steps.length;
const DIRECT = stepsOf('direct-encryption');
const SSE = stepsOf('sse-s3');

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+/);

beforeAll(() => ensureBuilt());
afterAll(() => temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('kms-workshop run --target aws, against serve as the account', () => {
  let served: Served;
  beforeAll(async () => {
    served = await startServe(['--cloudtrail-delay', '2', '--home', tempDir()]);
  });
  afterAll(() => served?.stop());

  test('run all --yes: every step passes through the aws code path, with names prefixed, real CloudTrail waits, and nothing left but keys pending deletion', async () => {
    const home = tempDir();
    const r = await cli(['run', 'all', '--target', 'aws', '--yes', '--home', home], awsEnv(served.endpoint));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${LESSONS} lessons, ${STEPS} steps: ${STEPS} passed, 0 failed in \\d+\\.\\d\\d s$`, 'm'));
    expect(r.stdout).toContain(`running ${LESSONS} lessons against the AWS APIs at ${served.endpoint} (AWS_ENDPOINT_URL), Region ${REGION}`);

    // the plan and the estimate, before anything was created, and --yes taking the place of the question
    expect(r.stderr).toMatch(/What the lessons create:\n\s+direct-encryption\s+1 KMS key, 1 alias\n/);
    expect(r.stderr).toMatch(/sse-s3\s+1 KMS key, 1 alias, 1 S3 bucket \(2 objects\)/);
    expect(r.stderr).toMatch(new RegExp(`Estimated cost: at most \\$0\\.\\d\\d\n\\s+KMS keys\\s+${KEYS} x \\$1 per key-month`));
    expect(r.stderr).toContain('Proceeding without asking (--yes).');
    expect(r.stderr.indexOf('Estimated cost')).toBeLessThan(r.stderr.search(/waiting \d+ s/));

    // the learner's prefix, kept in the home, on every alias and on the bucket; no unprefixed name used
    const { prefix } = JSON.parse(readFileSync(join(home, 'aws-learner.json'), 'utf8')) as { prefix: string };
    expect(prefix).toMatch(/^kms-workshop-[0-9a-f]{6}$/);
    const aliasCalls = r.stdout.split('\n').filter((l) => /call {2}kms:(CreateAlias|DeleteAlias)/.test(l));
    // every alias a lesson creates, it deletes
    const created = aliasCalls.filter((l) => l.includes('kms:CreateAlias')).length;
    expect(created).toBeGreaterThanOrEqual(LESSONS);
    expect(aliasCalls).toHaveLength(2 * created);
    for (const line of aliasCalls) expect(line).toContain(`alias/${prefix}/`);
    expect(r.stdout).toContain(`call  s3:CreateBucket  you  s3://${prefix}-reinvent-builder-111122223333  ok`);
    expect(r.stdout).not.toMatch(/key alias\/(kms-workshop-direct|kms-workshop-envelope|kms_key_sse_usecase_1|kms_key_cse_usecase_4)\s/);

    // real CloudTrail waits: polled, with progress, not fast-forwarded; S3's calls found there, not live
    expect(r.stdout).not.toContain('fast-forwarded');
    expect(r.stdout).toMatch(/CloudTrail delivers events minutes after the call: waited \d+ s/);
    expect(r.stdout).toMatch(/Waited \d+ s for CloudTrail to deliver the \d+ events of your calls\. AWS delivers an event .* about 5 minutes/);
    expect(r.stderr).toMatch(/waiting \d+ s \(at most 900 s\): CloudTrail delivers events minutes after the call: 0 of \d+ events delivered/);
    expect(r.stderr).toMatch(/waiting [1-9]\d* s \(at most 900 s\): CloudTrail delivers events minutes after the call: (\d+) of \1 events delivered/);
    expect(r.stdout).toContain('cannot be seen as they happen');
    expect(r.stdout).toMatch(/call {2}kms:GenerateDataKey {2}s3\.amazonaws\.com on your behalf/);
    expect(r.stdout).toContain('✔ CloudTrail shows exactly one GenerateDataKey for the two cached encryptions');
    noStack(r.stdout + r.stderr);

    // the lessons' own clean-up removed everything: nothing for the end of the run to do
    expect(r.stderr).not.toContain('Cleaning up what the lessons left');
    await expectNothingLeft(served.endpoint, KEYS);
    const ledger = JSON.parse(readFileSync(join(home, 'aws-resources.json'), 'utf8')) as { entries: unknown[] };
    expect(ledger.entries).toEqual([]);
  }, 120_000);

  test('on a terminal it asks: n creates nothing, y runs the lesson', async () => {
    expect(hasTmux, 'tmux is needed for this test (apt-get install tmux)').toBe(true);
    const t = new Terminal({ columns: 80, rows: 40 });
    try {
      const env = Object.entries(awsEnv(served.endpoint)).map(([k, v]) => `${k}='${v}'`).join(' ');
      const command = `env -i ${env} ${process.execPath} ${CLI} run direct-encryption --target aws --home ${join(t.dir, 'home')}; echo "exit=$?"`;
      await t.waitFor(/^ready\$/m);
      const before = await accountContents(served.endpoint);
      t.type(command);
      let screen = await t.waitFor('Create these in your AWS account? [y/N]');
      // One key, billed by the hour until clean-up schedules it for deletion (free while pending): under a cent.
      expect(screen).toContain('Estimated cost: under $0.01');
      t.type('n');
      screen = await t.waitFor(/exit=\d+/);
      expect(screen).toContain('kms-workshop run: nothing was created in your AWS account.');
      expect(screen).toMatch(/exit=1/);
      expect(await accountContents(served.endpoint)).toEqual(before);

      t.type('clear');
      t.type(command);
      await t.waitFor('Create these in your AWS account? [y/N]');
      t.type('y');
      screen = await t.waitFor(/exit=\d+/, 30_000);
      expect(screen).toContain(`1 lesson, ${DIRECT} steps: ${DIRECT} passed, 0 failed`);
      expect(screen).toMatch(/exit=0/);
      await expectNothingLeft(served.endpoint, before.keys.length + 1);
    } finally {
      await t.close();
    }
  }, 60_000);

  test('without --yes and without a terminal it shows the plan, refuses plainly with exit 2, and creates nothing', async () => {
    const before = await accountContents(served.endpoint);
    const r = await cli(['run', 'direct-encryption', '--target', 'aws', '--home', tempDir()], awsEnv(served.endpoint));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Estimated cost: under $0.01');
    expect(r.stderr).toContain('needs your go-ahead first, but there is no terminal to ask on');
    expect(r.stderr).toContain('Run it again with --yes');
    noStack(r.stderr);
    expect(await accountContents(served.endpoint)).toEqual(before);
  });
});

describe('a run that stops half-way leaves nothing behind', () => {
  let served: Served;
  beforeAll(async () => {
    // CloudTrail that never delivers within the test: the lesson's CloudTrail step cannot pass
    served = await startServe(['--cloudtrail-delay', '3600', '--home', tempDir()]);
  });
  afterAll(() => served?.stop());

  test('a CloudTrail wait gives up at its time limit, the step fails, and the end of the run removes the bucket, object, alias and key', async () => {
    const r = await cli(['run', 'sse-s3', '--target', 'aws', '--yes', '--home', tempDir()], awsEnv(served.endpoint, { KMS_WORKSHOP_CLOUDTRAIL_TIMEOUT: '2' }));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Stopped waiting after \d+ s with 0 of \d+ events delivered\. AWS delivers an event/);
    expect(r.stdout).toContain('✘ S3 called GenerateDataKey on your behalf for the upload');
    expect(r.stdout).toMatch(new RegExp(`\\[${SSE}/${SSE}\\] Clean up\\n\\s+skipped: an earlier step failed`));
    expect(r.stderr).toContain('Cleaning up what the lessons left in AWS');
    expect(r.stderr).toMatch(/removed S3 bucket kms-workshop-[0-9a-f]{6}-reinvent-builder-111122223333/);
    expect(r.stderr).toMatch(/removed alias alias\/kms-workshop-[0-9a-f]{6}\/kms_key_sse_usecase_1/);
    expect(r.stderr).toMatch(/removed KMS key arn:aws:kms:eu-west-1:111122223333:key\//);
    noStack(r.stdout + r.stderr);
    await expectNothingLeft(served.endpoint, 1);
  }, 60_000);

  test('Ctrl-C in the middle removes what the lessons created, then stops with 130', async () => {
    const run = startCli(['run', 'sse-s3', '--target', 'aws', '--yes', '--home', tempDir()], awsEnv(served.endpoint));
    await until(() => /waiting \d+ s/.test(run.output()), 30_000);
    expect((await accountContents(served.endpoint)).buckets).toHaveLength(1);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted; removing what the lessons created in AWS first');
    expect(r.stderr).toMatch(/removed S3 bucket .*\n\s+removed alias .*kms_key_sse_usecase_1\n\s+removed KMS key arn:/);
    noStack(r.stderr);
    await expectNothingLeft(served.endpoint, 1);
  }, 60_000);

  test('a run killed in the middle is cleaned up by the next run, before it starts its lessons', async () => {
    const home = tempDir();
    const env = awsEnv(served.endpoint);
    const killed = startCli(['run', 'sse-s3', '--target', 'aws', '--yes', '--home', home], env);
    // the CloudTrail step is waiting: key, alias, bucket and object exist
    await until(() => /waiting \d+ s/.test(killed.output()), 30_000);
    const during = await accountContents(served.endpoint);
    expect(during.buckets).toHaveLength(1);
    expect(during.aliases).toHaveLength(1);
    killed.child.kill('SIGKILL');
    await killed.done;

    const next = await cli(['run', 'direct-encryption', '--target', 'aws', '--yes', '--home', home], env);
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stderr).toMatch(/Left by an earlier run that stopped before its clean-up, and removed first:\n\s+S3 bucket kms-workshop-/);
    expect(next.stderr).toContain('Removing what an earlier run left in AWS');
    expect(next.stderr).toMatch(/removed S3 bucket .*\n\s+removed alias .*kms_key_sse_usecase_1\n\s+removed KMS key arn:/);
    await expectNothingLeft(served.endpoint, 2);
  }, 60_000);
});

describe('--target aws problems a newcomer meets, explained without a trace', () => {
  test('no credentials anywhere: what the SDK looked for, and what to do', async () => {
    const r = await cli(['run', 'direct-encryption', '--target', 'aws', '--yes', '--home', tempDir()], bareEnv({ AWS_REGION: REGION }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('kms-workshop run: --target aws cannot start. No AWS credentials were found.');
    expect(r.stderr).toMatch(/What to do: Set up credentials \(aws configure, or aws sso login/);
    expect(r.stderr).toContain('the local engine needs no account');
    expect(r.stderr).not.toContain('Estimated cost'); // stopped before the plan: nothing to agree to
    noStack(r.stderr);
  });

  test('no Region: how to set one', async () => {
    const r = await cli(['run', 'direct-encryption', '--target', 'aws', '--yes', '--home', tempDir()], bareEnv({ AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: 'x' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No AWS Region is chosen');
    expect(r.stderr).toContain('What to do: Set one: AWS_REGION=eu-west-1');
    noStack(r.stderr);
  });

  test('a Region name that is not one, and a Region that does not exist', async () => {
    const creds = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: 'x' };
    const bad = await cli(['run', 'direct-encryption', '--target', 'aws', '--yes', '--home', tempDir()], bareEnv({ ...creds, AWS_REGION: 'Frankfurt' }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("'Frankfurt' is not an AWS Region name.");
    // a well-formed name no endpoint answers to: the host name does not resolve (no network needed to find that out)
    const none = await cli(['run', 'direct-encryption', '--target', 'aws', '--yes', '--home', tempDir()], bareEnv({ ...creds, AWS_REGION: 'xx-nowhere-1' }));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/Could not reach kms\.xx-nowhere-1\.amazonaws\.com|Could not connect to the AWS endpoint/);
    expect(none.stderr).toContain('What to do: Check');
    noStack(bad.stderr + none.stderr);
  });

  describe('answers from AWS, played by a stand-in KMS endpoint', () => {
    let server: Server;
    let endpoint: string;
    const answers = new Map<string, { type: string; message: string }>();
    beforeAll(async () => {
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const operation = String(req.headers['x-amz-target'] ?? '').replace('TrentService.', '');
          const answer = answers.get(operation) ?? answers.get('*') ?? { type: 'InternalFailure', message: 'not played' };
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
          res.end(JSON.stringify({ __type: answer.type, message: answer.message }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('an expired session: get fresh credentials', async () => {
      answers.clear();
      answers.set('*', { type: 'ExpiredTokenException', message: 'The security token included in the request is expired' });
      const r = await cli(['run', 'direct-encryption', '--target', 'aws', '--yes', '--home', tempDir()], awsEnv(endpoint, { AWS_SESSION_TOKEN: 'expired-session' }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('--target aws cannot start. Your AWS session has expired');
      expect(r.stderr).toContain('What to do: Get fresh credentials (aws sso login');
      noStack(r.stderr);
    });

    test('AccessDenied: a note before the run, then the step stops with what is missing and what to do', async () => {
      answers.clear();
      answers.set('ListAliases', { type: 'AccessDeniedException', message: 'User: arn:aws:iam::111122223333:user/learner is not authorized to perform: kms:ListAliases' });
      answers.set('CreateKey', {
        type: 'AccessDeniedException',
        message: 'User: arn:aws:iam::111122223333:user/learner is not authorized to perform: kms:CreateKey because no identity-based policy allows the kms:CreateKey action',
      });
      const r = await cli(['run', 'direct-encryption', '--target', 'aws', '--yes', '--home', tempDir()], awsEnv(endpoint));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('note: Checking access with ListAliases was denied; the lessons may be denied too.');
      expect(r.stdout).toMatch(/FAILED|failed/);
      expect(r.stdout).toContain('CreateKey failed with AccessDeniedException. Your AWS identity is not allowed to call CreateKey');
      expect(r.stdout).toContain('is not authorized to perform: kms:CreateKey');
      expect(r.stdout).toMatch(/What to do: Use an identity allowed to: kms:CreateKey, /);
      expect(r.stdout).toMatch(new RegExp(`^1 lesson, ${DIRECT} steps: 0 passed, 1 failed, ${DIRECT - 1} skipped`, 'm'));
      noStack(r.stdout + r.stderr);
    });
  });
});

async function until(condition: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
