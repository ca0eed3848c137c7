// The AWS CLI, unchanged, against `kms-workshop serve`: S3 with SSE-KMS, bucket keys,
// the high-level `aws s3` commands, and CloudTrail lookup-events fed by S3's KMS calls.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsCliEnv, startServe, type Served } from '../helpers/cli.js';
import { tempHome } from '../helpers/engine.js';

let served: Served;
let home: string;
let keyArn = '';
beforeAll(async () => {
  home = tempHome();
  served = await startServe(['--home', home]);
}, 60_000);
afterAll(async () => {
  expect(await served.stop()).toBe(0);
  rmSync(home, { recursive: true, force: true });
});

function aws(...args: string[]) {
  const r = spawnSync('aws', ['--endpoint-url', served.endpoint, '--output', 'json', ...args], { env: awsCliEnv(home), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

function ok(...args: string[]) {
  const r = aws(...args);
  expect(r.status, `aws ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r;
}

test('put-object with SSE-KMS by alias, head-object shows it, get-object returns the bytes, lookup-events shows S3 calling GenerateDataKey', () => {
  keyArn = ok('kms', 'create-key', '--description', 's3 cli test').json().KeyMetadata.Arn as string;
  ok('kms', 'create-alias', '--alias-name', 'alias/cli-s3', '--target-key-id', keyArn);
  ok('s3api', 'create-bucket', '--bucket', 'cli-bucket');
  const file = join(home, 'report.bin');
  const bytes = randomBytes(4096);
  writeFileSync(file, bytes);

  const put = ok('s3api', 'put-object', '--bucket', 'cli-bucket', '--key', 'reports/q1.bin', '--body', file, '--server-side-encryption', 'aws:kms', '--ssekms-key-id', 'alias/cli-s3', '--metadata', 'wrapped-key=AQIDBA==').json();
  expect(put.ServerSideEncryption).toBe('aws:kms');
  expect(put.SSEKMSKeyId).toBe(keyArn);

  const head = ok('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'reports/q1.bin').json();
  expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn, ContentLength: 4096, Metadata: { 'wrapped-key': 'AQIDBA==' } });

  const out = join(home, 'report.out');
  ok('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'reports/q1.bin', out);
  expect(readFileSync(out).equals(bytes)).toBe(true);

  const events = ok('cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=GenerateDataKey').json().Events as { CloudTrailEvent: string; EventSource: string }[];
  expect(events).toHaveLength(1);
  const record = JSON.parse(events[0]!.CloudTrailEvent);
  expect(events[0]!.EventSource).toBe('kms.amazonaws.com');
  expect(record.userIdentity.invokedBy).toBe('s3.amazonaws.com');
  expect(record.requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::cli-bucket/reports/q1.bin' });
  expect(record.resources[0].ARN).toBe(keyArn);
});

test('bucket default encryption with a Bucket Key: three uploads with `aws s3 cp`, one GenerateDataKey', () => {
  ok('s3api', 'create-bucket', '--bucket', 'bucket-key-cli');
  ok('s3api', 'put-bucket-encryption', '--bucket', 'bucket-key-cli', '--server-side-encryption-configuration',
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"alias/cli-s3"},"BucketKeyEnabled":true}]}');
  const rule = ok('s3api', 'get-bucket-encryption', '--bucket', 'bucket-key-cli').json().ServerSideEncryptionConfiguration.Rules[0];
  expect(rule.BucketKeyEnabled).toBe(true);
  const before = ok('cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=GenerateDataKey').json().Events.length as number;
  for (const name of ['a.txt', 'b.txt', 'c.txt']) {
    const file = join(home, name);
    writeFileSync(file, `contents of ${name}\n`);
    ok('s3', 'cp', file, `s3://bucket-key-cli/${name}`);
  }
  const after = ok('cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=GenerateDataKey').json().Events;
  expect(after.length - before).toBe(1);
  expect(JSON.parse(after[0].CloudTrailEvent).requestParameters.encryptionContext).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bucket-key-cli' });
  const head = ok('s3api', 'head-object', '--bucket', 'bucket-key-cli', '--key', 'b.txt').json();
  expect(head.BucketKeyEnabled).toBe(true);

  const listing = ok('s3', 'ls', 's3://bucket-key-cli/').stdout;
  expect(listing).toMatch(/a\.txt[\s\S]*b\.txt[\s\S]*c\.txt/);
  const down = join(home, 'b.down');
  ok('s3', 'cp', 's3://bucket-key-cli/b.txt', down);
  expect(readFileSync(down, 'utf8')).toBe('contents of b.txt\n');
  ok('s3', 'rm', 's3://bucket-key-cli', '--recursive');
  ok('s3', 'rb', 's3://bucket-key-cli');
  expect(ok('s3api', 'list-buckets').json().Buckets.map((b: { Name: string }) => b.Name)).not.toContain('bucket-key-cli');
});

test('errors reach the CLI as S3 reports them: NoSuchKey, BucketNotEmpty, KMS.DisabledException', () => {
  const missing = aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'nothing-here', join(home, 'x'));
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain('NoSuchKey');
  const notEmpty = aws('s3api', 'delete-bucket', '--bucket', 'cli-bucket');
  expect(notEmpty.stderr).toContain('BucketNotEmpty');
  ok('kms', 'disable-key', '--key-id', keyArn); // DisableKey takes a key id or ARN, not an alias
  const disabled = aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'reports/q1.bin', join(home, 'y'));
  expect(disabled.status).not.toBe(0);
  expect(disabled.stderr).toContain('KMS.DisabledException');
  ok('kms', 'enable-key', '--key-id', keyArn);
  ok('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'reports/q1.bin', join(home, 'y'));
});

test('a file over the CLI multipart threshold goes up in parts with `aws s3 cp --sse aws:kms` and comes back whole', () => {
  ok('s3api', 'create-bucket', '--bucket', 'big-files');
  const file = join(home, 'big.bin');
  const bytes = randomBytes(9 * 1024 * 1024); // the CLI uploads files over 8 MiB in parts
  writeFileSync(file, bytes);
  ok('s3', 'cp', file, 's3://big-files/big.bin', '--sse', 'aws:kms', '--sse-kms-key-id', 'alias/cli-s3');
  const head = ok('s3api', 'head-object', '--bucket', 'big-files', '--key', 'big.bin').json();
  expect(head.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
  expect(head.SSEKMSKeyId).toBe(keyArn);
  const out = join(home, 'big.out');
  ok('s3', 'cp', 's3://big-files/big.bin', out);
  expect(readFileSync(out).equals(bytes)).toBe(true);
});
