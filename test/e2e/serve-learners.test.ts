// `kms-workshop serve --learners 2` in a process of its own: the credentials and config files it
// writes work, unchanged, for the SDKs (fromIni) and for the AWS CLI (--profile learner1); two
// learners cannot see or use each other's keys, buckets or events; strict mode refuses unsigned
// requests and unknown keys; the instructor reads every account's events; a restart on the
// same home hands out the same class.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tempHome, TEST_CREDENTIALS } from '../helpers/engine.js';
import { CLI, startServe, type Served } from '../helpers/cli.js';
import { expectAwsError } from '../helpers/errors.js';

let served: Served;
let home: string;
const clients: { destroy(): void }[] = [];
beforeAll(async () => {
  home = tempHome();
  // CloudTrail's delay off: these tests look up events at once (a class has 120 s by default, below)
  served = await startServe(['--home', home, '--learners', '2', '--cloudtrail-delay', '0']);
}, 60_000);
afterAll(async () => {
  for (const c of clients.splice(0)) c.destroy();
  expect(await served.stop()).toBe(0);
  rmSync(home, { recursive: true, force: true });
});

const classFile = (name: 'credentials' | 'config') => join(home, 'class', name);

/** The SDK clients of one profile: credentials from the written files (fromIni), endpoint and Region from its config section. */
function clientsOf(profile: string) {
  const section = new RegExp(`\\[profile ${profile}\\]\\n([^[]*)`).exec(readFileSync(classFile('config'), 'utf8'))![1]!;
  const endpoint = /endpoint_url = (\S+)/.exec(section)![1]!;
  const region = /region = (\S+)/.exec(section)![1]!;
  const credentials = fromIni({ profile, filepath: classFile('credentials'), configFilepath: classFile('config') });
  const config = { endpoint, region, credentials, maxAttempts: 1 };
  const c = { endpoint, kms: new KMSClient(config), s3: new S3Client({ ...config, forcePathStyle: true }), trail: new CloudTrailClient(config) };
  clients.push(c.kms, c.s3, c.trail);
  return c;
}

/** The AWS CLI with the class's files and nothing else: the profile's endpoint_url and Region come from the config. */
function aws(profile: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_CONFIG_FILE: classFile('config'), AWS_SHARED_CREDENTIALS_FILE: classFile('credentials'), AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '' };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_ENDPOINT_URL']) delete env[name];
  const r = spawnSync('aws', ['--profile', profile, '--output', 'json', ...args], { env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

const accountOf = (profile: string) => new RegExp(`# ${profile}: user \\S+ of account (\\d{12})`).exec(readFileSync(classFile('credentials'), 'utf8'))![1]!;

test('serve --learners 2 writes one profile per learner and the instructor, secrets readable by the owner only, and prints the line to run', () => {
  expect(statSync(join(home, 'class')).mode & 0o777).toBe(0o700);
  expect(statSync(classFile('credentials')).mode & 0o777).toBe(0o600);
  expect(statSync(classFile('config')).mode & 0o777).toBe(0o600);
  const credentials = readFileSync(classFile('credentials'), 'utf8');
  expect([...credentials.matchAll(/^\[(\w+)\]$/gm)].map((m) => m[1])).toEqual(['instructor', 'learner1', 'learner2']);
  expect([...readFileSync(classFile('config'), 'utf8').matchAll(/^endpoint_url = (\S+)$/gm)].map((m) => m[1])).toEqual([served.endpoint, served.endpoint, served.endpoint]);
  expect(new Set(['instructor', 'learner1', 'learner2'].map(accountOf)).size).toBe(3);
  const out = served.output();
  expect(out).toContain('strict');
  expect(out).toContain(classFile('credentials'));
  expect(out).toContain(`AWS_CONFIG_FILE=${classFile('config')} AWS_SHARED_CREDENTIALS_FILE=${classFile('credentials')} aws --profile learnerN kms list-keys`);
});

test("through the SDKs: learner2 cannot see or use learner1's key, bucket or events", async () => {
  const one = clientsOf('learner1');
  const two = clientsOf('learner2');
  const key = (await one.kms.send(new CreateKeyCommand({ Description: 'learner1 sdk' }))).KeyMetadata!;
  await one.s3.send(new CreateBucketCommand({ Bucket: 'learner1-sdk' }));
  await one.s3.send(new PutObjectCommand({ Bucket: 'learner1-sdk', Key: 'notes.txt', Body: 'mine' }));
  expect((await two.kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).not.toContain(key.KeyId);
  await expectAwsError(two.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
  await expectAwsError(two.kms.send(new DescribeKeyCommand({ KeyId: key.Arn })), 'AccessDeniedException');
  expect((await two.s3.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name)).not.toContain('learner1-sdk');
  await expectAwsError(two.s3.send(new GetObjectCommand({ Bucket: 'learner1-sdk', Key: 'notes.txt' })), 'AccessDenied', 403);
  const events = (await two.trail.send(new LookupEventsCommand({}))).Events!;
  const learner1 = accountOf('learner1');
  expect(events.length).toBeGreaterThan(0); // learner2's own calls
  for (const ev of events) expect(JSON.parse(ev.CloudTrailEvent!).recipientAccountId).toBe(accountOf('learner2'));
  expect(events.filter((ev) => JSON.parse(ev.CloudTrailEvent!).userIdentity.accountId === learner1)).toEqual([]);
  expect(events.map((ev) => ev.EventName)).not.toContain('CreateKey');
});

test("through the AWS CLI with --profile: learner1's key is listed for learner1 only, learner2 is refused it and their bucket", () => {
  const created = aws('learner1', 'kms', 'create-key', '--description', 'learner1 cli');
  expect(created.status, created.stderr).toBe(0);
  const { KeyId: keyId, Arn: arn } = created.json().KeyMetadata as { KeyId: string; Arn: string };
  expect(arn).toContain(`:${accountOf('learner1')}:key/`);
  expect(aws('learner1', 'kms', 'list-keys').json().Keys.map((k: { KeyId: string }) => k.KeyId)).toContain(keyId);
  expect(aws('learner2', 'kms', 'list-keys').json().Keys.map((k: { KeyId: string }) => k.KeyId)).not.toContain(keyId);
  const byId = aws('learner2', 'kms', 'describe-key', '--key-id', keyId);
  expect(byId.status).not.toBe(0);
  expect(byId.stderr).toContain('NotFoundException');
  const byArn = aws('learner2', 'kms', 'describe-key', '--key-id', arn);
  expect(byArn.stderr).toContain('AccessDeniedException');
  expect(aws('learner1', 's3api', 'create-bucket', '--bucket', 'learner1-cli').status).toBe(0);
  const taken = aws('learner2', 's3api', 'create-bucket', '--bucket', 'learner1-cli');
  expect(taken.stderr).toContain('BucketAlreadyExists');
  const listed = aws('learner2', 's3api', 'list-objects-v2', '--bucket', 'learner1-cli');
  expect(listed.stderr).toContain('AccessDenied');
});

test('strict: an unsigned request and a key the engine never issued are refused as AWS refuses them', async () => {
  const unsigned = await fetch(served.endpoint, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
  expect(unsigned.status).toBe(400);
  expect(((await unsigned.json()) as { __type: string }).__type).toBe('MissingAuthenticationTokenException');
  const stranger = { endpoint: served.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 };
  const kms = new KMSClient(stranger);
  const s3 = new S3Client({ ...stranger, forcePathStyle: true });
  clients.push(kms, s3);
  await expectAwsError(kms.send(new ListKeysCommand({})), 'UnrecognizedClientException');
  await expectAwsError(s3.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
});

test("the instructor's LookupEvents shows both learners' events", async () => {
  await clientsOf('learner2').kms.send(new ListKeysCommand({}));
  const cli = aws('instructor', 'cloudtrail', 'lookup-events', '--max-results', '50');
  expect(cli.status, cli.stderr).toBe(0);
  const accounts = new Set((cli.json().Events as { CloudTrailEvent: string }[]).map((ev) => JSON.parse(ev.CloudTrailEvent).recipientAccountId as string));
  expect(accounts).toEqual(new Set([accountOf('learner1'), accountOf('learner2')]));
  const byLearner = await clientsOf('learner1').trail.send(new LookupEventsCommand({ MaxResults: 50 }));
  expect(new Set(byLearner.Events!.map((ev) => JSON.parse(ev.CloudTrailEvent!).recipientAccountId))).toEqual(new Set([accountOf('learner1')]));
});

test('serving the same home again hands out the same class: the same files, and learner1 still has their keys; CloudTrail delays events 120 s by default', async () => {
  const before = readFileSync(classFile('credentials'), 'utf8');
  const keys = aws('learner1', 'kms', 'list-keys').json().Keys as unknown[];
  for (const c of clients.splice(0)) c.destroy();
  expect(await served.stop()).toBe(0);
  served = await startServe(['--home', home, '--learners', '2']);
  // a class gets CloudTrail's delay as the tutorial's own engine has it, unless told otherwise
  expect(served.output()).toContain('cloudtrail: events delivered 120s after each call');
  expect(readFileSync(classFile('credentials'), 'utf8')).toBe(before);
  expect(readFileSync(classFile('config'), 'utf8')).toContain(`endpoint_url = ${served.endpoint}`); // a new port, written anew
  expect(aws('learner1', 'kms', 'list-keys').json().Keys).toEqual(keys);
}, 60_000);

test('--learners outside 1..200, or not a number, is a usage error (exit 2) naming the range', () => {
  for (const bad of ['0', '201', 'two', '']) {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--home', join(home, 'unused'), '--learners', bad], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('--learners must be a whole number from 1 to 200');
  }
});
