// SigV4 with the AWS CLI (botocore signs, not the JS SDK): a key made by `aws iam
// create-access-key` signs kms, s3 and s3 presign requests the engine verifies; the same
// key with a wrong secret is refused in KMS's words; `serve --strict` refuses keys it never issued.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServe } from '../helpers/cli.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}
const ANY: Credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** `aws --endpoint-url <endpoint> --output json ...args` with these credentials only (no profile, no metadata service). */
function aws(endpoint: string, credentials: Credentials, cwd: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: join(cwd, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  return new Promise((resolve) => {
    execFile('aws', ['--endpoint-url', endpoint, '--output', 'json', ...args], { env, cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('the AWS CLI against the engine', () => {
  let e: TestEngine;
  let work: string;
  let key: Credentials;
  beforeAll(async () => {
    e = await startTestEngine();
    work = mkdtempSync(join(tmpdir(), 'sigv4-cli-'));
    // Any credentials act as the default learner in the local mode, who makes a key of its own.
    const made = await aws(e.endpoint, ANY, work, 'iam', 'create-access-key', '--user-name', 'workshop-learner');
    expect(made.code, made.stderr).toBe(0);
    const { AccessKeyId, SecretAccessKey } = JSON.parse(made.stdout).AccessKey;
    key = { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey };
  }, 60_000);
  afterAll(async () => {
    await e.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('a key from iam create-access-key signs kms and s3 calls, and s3 presign URLs, that the engine verifies', async () => {
    const created = await aws(e.endpoint, key, work, 'kms', 'create-key', '--description', 'signed by botocore');
    expect(created.code, created.stderr).toBe(0);
    expect((await aws(e.endpoint, key, work, 's3', 'mb', 's3://cli-signed')).code).toBe(0);
    writeFileSync(join(work, 'hello.txt'), 'hello from the CLI');
    const copied = await aws(e.endpoint, key, work, 's3', 'cp', 'hello.txt', 's3://cli-signed/hello.txt');
    expect(copied.code, copied.stderr).toBe(0);
    const presigned = await aws(e.endpoint, key, work, 's3', 'presign', 's3://cli-signed/hello.txt', '--expires-in', '300');
    expect(presigned.code, presigned.stderr).toBe(0);
    const res = await fetch(presigned.stdout.trim());
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello from the CLI');
  }, 60_000);

  test('the same key with a wrong secret is refused: InvalidSignatureException in KMS words', async () => {
    const wrong = await aws(e.endpoint, { ...key, secretAccessKey: `${key.secretAccessKey.slice(0, -1)}${key.secretAccessKey.endsWith('A') ? 'B' : 'A'}` }, work, 'kms', 'list-keys');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('An error occurred (InvalidSignatureException) when calling the ListKeys operation: The request signature we calculated does not match');
  }, 60_000);
});

describe('serve --strict', () => {
  test('refuses an access key it never issued (UnrecognizedClientException), and says it is strict', async () => {
    const home = tempHome();
    const work = mkdtempSync(join(tmpdir(), 'sigv4-cli-strict-'));
    const served = await startServe(['--home', home, '--strict']);
    try {
      expect(served.output()).toContain('strict: only keys this engine issued are accepted');
      const refused = await aws(served.endpoint, ANY, work, 'kms', 'list-keys');
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('An error occurred (UnrecognizedClientException) when calling the ListKeys operation: The security token included in the request is invalid.');
    } finally {
      expect(await served.stop()).toBe(0);
      rmSync(home, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
