// The AWS CLI, unchanged, against the engine's IAM and STS: create-user, put-user-policy from
// a file, create-access-key, and sts get-caller-identity signed with that key; the CLI reads
// IAM's URL-encoded documents back as JSON, and IAM's errors as its own.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsCliEnv } from '../helpers/cli.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

let te: TestEngine;
beforeAll(async () => {
  te = await startTestEngine();
});
afterAll(async () => te.stop());

/** Runs the CLI without blocking: the engine answers it from this same process. */
function aws(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string; json(): any }> {
  return new Promise((resolve) => {
    execFile('aws', ['--endpoint-url', te.endpoint, '--output', 'json', ...args], { env: { ...awsCliEnv(te.home), ...env }, encoding: 'utf8' }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
}

test('create-user, put-user-policy, create-access-key, then sts get-caller-identity with the new key names the user', async () => {
  const created = await aws(['iam', 'create-user', '--user-name', 'cli-learner']);
  expect(created.status, created.stderr).toBe(0);
  expect(created.json().User).toMatchObject({ UserName: 'cli-learner', Arn: 'arn:aws:iam::111122223333:user/cli-learner' });

  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:GenerateDataKey'], Resource: '*' }] };
  const file = join(te.home, 'policy.json');
  writeFileSync(file, JSON.stringify(policy));
  const put = await aws(['iam', 'put-user-policy', '--user-name', 'cli-learner', '--policy-name', 'kms-use', '--policy-document', `file://${file}`]);
  expect(put.status, put.stderr).toBe(0);
  const got = await aws(['iam', 'get-user-policy', '--user-name', 'cli-learner', '--policy-name', 'kms-use']);
  expect(got.status, got.stderr).toBe(0);
  expect(got.json().PolicyDocument).toEqual(policy); // the CLI decodes IAM's URL-encoded document

  const key = await aws(['iam', 'create-access-key', '--user-name', 'cli-learner']);
  expect(key.status, key.stderr).toBe(0);
  const { AccessKeyId, SecretAccessKey } = key.json().AccessKey;
  expect(AccessKeyId).toMatch(/^AKIA/);

  const learner = await aws(['sts', 'get-caller-identity']);
  expect(learner.status, learner.stderr).toBe(0);
  expect(learner.json().Arn).toBe('arn:aws:iam::111122223333:user/workshop-learner');
  const me = await aws(['sts', 'get-caller-identity'], { AWS_ACCESS_KEY_ID: AccessKeyId, AWS_SECRET_ACCESS_KEY: SecretAccessKey });
  expect(me.status, me.stderr).toBe(0);
  expect(me.json()).toMatchObject({ Account: '111122223333', Arn: 'arn:aws:iam::111122223333:user/cli-learner' });
}, 60_000);

test('IAM errors reach the CLI with their codes; list-policies --scope AWS shows the AWS managed policies', async () => {
  const missing = await aws(['iam', 'get-user', '--user-name', 'nobody']);
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain('(NoSuchEntity) when calling the GetUser operation: The user with name nobody cannot be found.');
  const listed = await aws(['iam', 'list-policies', '--scope', 'AWS']);
  expect(listed.status, listed.stderr).toBe(0);
  expect(listed.json().Policies.map((p: { PolicyName: string }) => p.PolicyName)).toContain('AWSKeyManagementServicePowerUser');
}, 60_000);
