// What a grant lets its grantee do through the authorization decision, over the SDK: a grant
// to the caller's account counts only as far as the caller's IAM policies allow (as a key
// policy naming the account does); a grantee with CreateGrant may pass on no more than its
// grant has: its operations, and its encryption context constraint or a stricter one.
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateGrantCommand, CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
let e: TestEngine;
let iam: IAMClient;
const clients: { destroy(): void }[] = [];
beforeAll(async () => {
  e = await startTestEngine();
  iam = new IAMClient(e.clientConfig);
  clients.push(iam);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await e.stop();
});

const arnOf = (user: string) => `arn:aws:iam::${ACCOUNT}:user/${user}`;
async function user(name: string, ...Statement: unknown[]): Promise<KMSClient> {
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (Statement.length) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  const kms = new KMSClient({ ...e.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
  clients.push(kms);
  return kms;
}
// A key whose policy names only the learner: the account's IAM policies count for nothing on it.
const learnerOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: arnOf('workshop-learner') }, Action: 'kms:*', Resource: '*' }] });

test("a grant to the caller's account allows those whose IAM policies allow the operation, and no one else", async () => {
  const key = (await e.kms.send(new CreateKeyCommand({ Policy: learnerOnly, BypassPolicyLockoutSafetyCheck: true }))).KeyMetadata!;
  const allowed = await user('delegated', { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' });
  const bare = await user('bare');
  const encrypt = (kms: KMSClient) => kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
  await expectAwsError(encrypt(allowed), 'AccessDeniedException');
  await e.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:root`, Operations: ['Encrypt'] }));
  await encrypt(allowed);
  await expectAwsError(encrypt(bare), 'AccessDeniedException');
});

test('a grantee with CreateGrant passes on only its operations, under its constraint or a stricter one', async () => {
  const key = (await e.kms.send(new CreateKeyCommand({ Policy: learnerOnly, BypassPolicyLockoutSafetyCheck: true }))).KeyMetadata!;
  const parent = await user('parent');
  await user('child');
  await e.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arnOf('parent'), Operations: ['Encrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { project: 'x' } } }));
  const pass = (Operations: ('Encrypt' | 'Decrypt')[], Constraints?: Record<string, Record<string, string>>) =>
    parent.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arnOf('child'), Operations, ...(Constraints ? { Constraints } : {}) }));
  expect((await pass(['Encrypt'], { EncryptionContextSubset: { project: 'x', team: 'y' } })).GrantId).toMatch(/^[0-9a-f]{64}$/);
  await pass(['Encrypt'], { EncryptionContextEquals: { project: 'x' } });
  await expectAwsError(pass(['Decrypt'], { EncryptionContextSubset: { project: 'x' } }), 'AccessDeniedException');
  await expectAwsError(pass(['Encrypt']), 'AccessDeniedException');
  await expectAwsError(pass(['Encrypt'], { EncryptionContextSubset: { project: 'other' } }), 'AccessDeniedException');
});
