// Which key a key-policy operation reaches (GetKeyPolicy, ListKeyPolicies): a key of the
// caller's own account, named by key id or ARN: an alias is NotFoundException (the API takes
// no alias), and so is another account's key, even one whose policy shares it with the caller
// (key policies are managed in the key's own account). And ListKeyPolicies' Marker.
import { CreateAliasCommand, CreateKeyCommand, GetKeyPolicyCommand, KMSClient, ListKeyPoliciesCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
let e: TestEngine;
let other: KMSClient;
let otherAccount: string;
beforeAll(async () => {
  e = await startTestEngine();
  const learner = e.engine.directory.createLearnerAccount();
  otherAccount = learner.accountId;
  other = new KMSClient({ ...e.clientConfig, credentials: { accessKeyId: learner.accessKeyId, secretAccessKey: learner.secretAccessKey } });
});
afterAll(async () => {
  other.destroy();
  await e.stop();
});

describe('the key a key-policy operation reaches', () => {
  test('an alias of the key is NotFoundException, for GetKeyPolicy and ListKeyPolicies', async () => {
    const key = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/policy-reach', TargetKeyId: key.KeyId }));
    expect((await e.kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).PolicyName).toBe('default');
    await expectAwsError(e.kms.send(new GetKeyPolicyCommand({ KeyId: 'alias/policy-reach', PolicyName: 'default' })), 'NotFoundException');
    await expectAwsError(e.kms.send(new ListKeyPoliciesCommand({ KeyId: 'alias/policy-reach' })), 'NotFoundException');
  });

  test("another account's key, shared with the caller's account by its policy, is NotFoundException by its ARN", async () => {
    const shared = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Owner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${otherAccount}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Shared', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      ],
    });
    const key = (await other.send(new CreateKeyCommand({ Policy: shared }))).KeyMetadata!;
    expect(key.AWSAccountId).toBe(otherAccount);
    const get = await expectAwsError(e.kms.send(new GetKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default' })), 'NotFoundException');
    expect(get.message).toBe(`Key '${key.Arn}' does not exist`);
    await expectAwsError(e.kms.send(new ListKeyPoliciesCommand({ KeyId: key.Arn })), 'NotFoundException');
    // The owner reads it.
    expect(JSON.parse((await other.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy!).Statement[1].Sid).toBe('Shared');
  });

  test('ListKeyPolicies with a Marker it never gave is InvalidMarkerException naming it', async () => {
    const key = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const err = await expectAwsError(e.kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId, Marker: 'not-a-marker' })), 'InvalidMarkerException');
    expect(err.message).toBe('Invalid marker: not-a-marker');
    expect(await e.kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId, Limit: 1 }))).toMatchObject({ PolicyNames: ['default'], Truncated: false });
  });
});
