// The AWS CLI, unchanged, against `kms-workshop serve`.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tempHome } from '../helpers/engine.js';
import { awsCliEnv, startServe, type Served } from '../helpers/cli.js';

let served: Served;
let home: string;
beforeAll(async () => {
  home = tempHome();
  served = await startServe(['--home', home]);
}, 60_000);
afterAll(async () => {
  const code = await served.stop();
  expect(code).toBe(0);
  expect(served.output()).toContain('stopped.');
  rmSync(home, { recursive: true, force: true });
});

function aws(...args: string[]) {
  const r = spawnSync('aws', ['--endpoint-url', served.endpoint, '--output', 'json', ...args], { env: awsCliEnv(home), encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

test('serve prints the endpoint and a ready-to-paste AWS CLI example', () => {
  expect(served.output()).toContain(`aws --endpoint-url ${served.endpoint} kms create-key`);
});

test('create-key, create-alias, generate-data-key with a context, decrypt without and with it', () => {
  const created = aws('kms', 'create-key', '--description', 'cli test');
  expect(created.status, created.stderr).toBe(0);
  const keyId = created.json().KeyMetadata.KeyId as string;
  const keyArn = created.json().KeyMetadata.Arn as string;

  const alias = aws('kms', 'create-alias', '--alias-name', 'alias/cli-workshop', '--target-key-id', keyId);
  expect(alias.status, alias.stderr).toBe(0);

  const dk = aws('kms', 'generate-data-key', '--key-id', 'alias/cli-workshop', '--key-spec', 'AES_256', '--encryption-context', 'project=workshop');
  expect(dk.status, dk.stderr).toBe(0);
  const { Plaintext, CiphertextBlob, KeyId } = dk.json();
  expect(KeyId).toBe(keyArn);
  expect(Buffer.from(Plaintext, 'base64')).toHaveLength(32);
  const blobFile = join(home, 'datakey.enc');
  writeFileSync(blobFile, Buffer.from(CiphertextBlob, 'base64'));

  const without = aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${blobFile}`);
  expect(without.status).not.toBe(0);
  expect(without.stderr).toContain('InvalidCiphertextException');

  const withCtx = aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${blobFile}`, '--encryption-context', 'project=workshop');
  expect(withCtx.status, withCtx.stderr).toBe(0);
  expect(withCtx.json().Plaintext).toBe(Plaintext);
  expect(withCtx.json().KeyId).toBe(keyArn);
});

test('list-keys and describe-key by alias work, and an unknown key is NotFoundException', () => {
  const created = aws('kms', 'create-key', '--description', 'described by alias');
  expect(created.status, created.stderr).toBe(0);
  const { KeyId, Arn } = created.json().KeyMetadata as { KeyId: string; Arn: string };
  expect(aws('kms', 'create-alias', '--alias-name', 'alias/cli-described', '--target-key-id', KeyId).status).toBe(0);
  const listed = aws('kms', 'list-keys');
  expect(listed.status, listed.stderr).toBe(0);
  expect(listed.json().Keys).toContainEqual({ KeyId, KeyArn: Arn });
  for (const name of ['alias/cli-described', Arn.replace(/:key\/.*/, ':alias/cli-described')]) {
    const described = aws('kms', 'describe-key', '--key-id', name);
    expect(described.status, described.stderr).toBe(0);
    expect(described.json().KeyMetadata).toMatchObject({ KeyId, Arn, Description: 'described by alias', KeyState: 'Enabled' });
  }
  const missing = aws('kms', 'describe-key', '--key-id', 'alias/nothing-here');
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain('NotFoundException');
});
