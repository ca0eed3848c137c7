// The AWS CLI, unchanged, with a restricted user's profile (its own access key in a shared
// credentials file): S3 and IAM refuse it in AWS's words, and AmazonS3ReadOnlyAccess lets it
// read but still not write.
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsCliEnv } from '../helpers/cli.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let te: TestEngine;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  te = await startTestEngine();
  const iam = new IAMClient(te.clientConfig);
  const s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'shared' }));
  await s3.send(new PutObjectCommand({ Bucket: 'shared', Key: 'notes.txt', Body: 'hello' }));
  await iam.send(new CreateUserCommand({ UserName: 'restricted' }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'restricted' }))).AccessKey!;
  const credentials = join(te.home, 'credentials');
  writeFileSync(credentials, `[restricted]\naws_access_key_id = ${key.AccessKeyId}\naws_secret_access_key = ${key.SecretAccessKey}\n`, { mode: 0o600 });
  const base = awsCliEnv(te.home);
  delete base.AWS_ACCESS_KEY_ID;
  delete base.AWS_SECRET_ACCESS_KEY;
  env = { ...base, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: 'restricted' };
  iam.destroy();
  s3.destroy();
});
afterAll(async () => te.stop());

function aws(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('aws', ['--endpoint-url', te.endpoint, '--output', 'json', ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

test('a restricted profile is refused by S3 and IAM in AWS words; AmazonS3ReadOnlyAccess lets it read, not write', async () => {
  const arn = 'arn:aws:iam::111122223333:user/restricted';
  const who = await aws(['sts', 'get-caller-identity']);
  expect(who.status, who.stderr).toBe(0);
  expect(JSON.parse(who.stdout).Arn).toBe(arn);

  const read = await aws(['s3api', 'get-object', '--bucket', 'shared', '--key', 'notes.txt', join(te.home, 'out.txt')]);
  expect(read.status).not.toBe(0);
  expect(read.stderr).toContain(
    `An error occurred (AccessDenied) when calling the GetObject operation: User: ${arn} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::shared/notes.txt" because no identity-based policy allows the s3:GetObject action`,
  );
  const create = await aws(['iam', 'create-user', '--user-name', 'other']);
  expect(create.stderr).toContain(`(AccessDenied) when calling the CreateUser operation: User: ${arn} is not authorized to perform: iam:CreateUser`);

  const iam = new IAMClient(te.clientConfig);
  await iam.send(new AttachUserPolicyCommand({ UserName: 'restricted', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
  iam.destroy();
  const cat = await aws(['s3', 'cp', 's3://shared/notes.txt', '-']);
  expect(cat.status, cat.stderr).toBe(0);
  expect(cat.stdout).toBe('hello');
  const file = join(te.home, 'upload.txt');
  writeFileSync(file, 'new');
  const upload = await aws(['s3', 'cp', file, 's3://shared/upload.txt']);
  expect(upload.status).not.toBe(0);
  expect(upload.stderr).toContain('because no identity-based policy allows the s3:PutObject action');
}, 90_000);
