// The AWS CLI, unchanged, creating and listing grants and reading and replacing a key policy,
// against a test engine (run asynchronously: the engine answers on this process's event loop).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { awsCliEnv } from '../helpers/cli.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

const run = promisify(execFile);
let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
  // The principals below, in the engine's IAM: grants and key policies name only principals that exist.
  const iam = new IAMClient(e.clientConfig);
  await iam.send(new CreateUserCommand({ UserName: 'exampleUser' }));
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] });
  for (const RoleName of ['adminRole', 'Other']) await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
  iam.destroy();
});
afterAll(async () => e.stop());

async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('aws', ['--endpoint-url', e.endpoint, '--output', 'json', 'kms', ...args], { env: awsCliEnv(e.home), cwd: e.home });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

test('create-grant with a constraint and a retiring principal, list-grants shows it, retire-grant by token', async () => {
  const key = JSON.parse((await aws('create-key')).stdout).KeyMetadata;
  const created = await aws(
    'create-grant', '--key-id', key.KeyId, '--grantee-principal', 'arn:aws:iam::111122223333:user/exampleUser', '--operations', 'Decrypt',
    '--retiring-principal', 'arn:aws:iam::111122223333:role/adminRole', '--constraints', 'EncryptionContextSubset={Department=IT}', '--name', 'IT-decrypt',
  );
  expect(created.code, created.stderr).toBe(0);
  const { GrantId, GrantToken } = JSON.parse(created.stdout);
  expect(GrantId).toMatch(/^[0-9a-f]{64}$/);

  const listed = await aws('list-grants', '--key-id', key.KeyId);
  expect(listed.code, listed.stderr).toBe(0);
  const [grant, ...others] = JSON.parse(listed.stdout).Grants;
  expect(others).toEqual([]);
  expect(grant).toMatchObject({
    KeyId: key.Arn, GrantId, Name: 'IT-decrypt', IssuingAccount: 'arn:aws:iam::111122223333:root', Operations: ['Decrypt'],
    GranteePrincipal: 'arn:aws:iam::111122223333:user/exampleUser', RetiringPrincipal: 'arn:aws:iam::111122223333:role/adminRole',
    Constraints: { EncryptionContextSubset: { Department: 'IT' } },
  });

  const refused = await aws('create-grant', '--key-id', key.KeyId, '--grantee-principal', 'arn:aws:iam::111122223333:user/exampleUser', '--operations', 'Sign');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('ValidationException');

  expect((await aws('retire-grant', '--grant-token', GrantToken)).code).toBe(0);
  expect(JSON.parse((await aws('list-grants', '--key-id', key.KeyId)).stdout).Grants).toEqual([]);
}, 120_000); // each aws process takes seconds to start on a busy machine

test('get-key-policy shows the default key policy; put-key-policy from a file replaces it; the lockout check speaks as AWS does', async () => {
  const key = JSON.parse((await aws('create-key')).stdout).KeyMetadata;
  const got = await aws('get-key-policy', '--key-id', key.KeyId, '--policy-name', 'default');
  expect(got.code, got.stderr).toBe(0);
  const original = JSON.parse(got.stdout);
  expect(original.PolicyName).toBe('default');
  expect(JSON.parse(original.Policy).Statement[0].Sid).toBe('Enable IAM User Permissions');

  const policy = { Version: '2012-10-17', Statement: [{ Sid: 'Admins', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/workshop-learner' }, Action: 'kms:*', Resource: '*' }] };
  const file = join(e.home, 'policy.json');
  writeFileSync(file, JSON.stringify(policy, null, 2));
  const put = await aws('put-key-policy', '--key-id', key.KeyId, '--policy-name', 'default', '--policy', `file://${file}`);
  expect(put.code, put.stderr).toBe(0);
  expect(JSON.parse(JSON.parse((await aws('get-key-policy', '--key-id', key.KeyId)).stdout).Policy)).toEqual(policy);

  // Another role administers the key; the caller may still list its policies, but not change them.
  const reader = { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/workshop-learner' }, Action: 'kms:ListKeyPolicies', Resource: '*' };
  writeFileSync(file, JSON.stringify({ ...policy, Statement: [{ ...policy.Statement[0], Principal: { AWS: 'arn:aws:iam::111122223333:role/Other' } }, reader] }));
  const locked = await aws('put-key-policy', '--key-id', key.KeyId, '--policy', `file://${file}`);
  expect(locked.code).not.toBe(0);
  expect(locked.stderr).toContain('MalformedPolicyDocumentException');
  expect(locked.stderr).toContain('The new key policy will not allow you to update the key policy in the future.');
  expect((await aws('put-key-policy', '--key-id', key.KeyId, '--policy', `file://${file}`, '--bypass-policy-lockout-safety-check')).code).toBe(0);
  expect(JSON.parse((await aws('list-key-policies', '--key-id', key.KeyId)).stdout).PolicyNames).toEqual(['default']);
}, 120_000);
