// The KMS condition keys a request carries into the authorization decision
// (kms/authorization.ts), each seen through @aws-sdk/client-kms by an IAM user whose only
// permission is conditioned on it: the key's properties (kms:KeySpec, kms:KeyUsage,
// kms:KeyOrigin, kms:MultiRegion), CreateKey's requested ones, the request's algorithms and
// specs, kms:RequestAlias, CreateGrant's kms:GrantOperations / GranteePrincipal /
// RetiringPrincipal / GrantIsForAWSResource; and the operations' needs: aliases (reserved
// aws/ names left to the operation), grants for operations other than the cryptographic ones.
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DeleteAliasCommand, DescribeCustomKeyStoresCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyPairCommand, GenerateMacCommand,
  KMSClient, ListGrantsCommand, ScheduleKeyDeletionCommand, SignCommand, UpdateAliasCommand, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
let e: TestEngine;
let iam: IAMClient;
const clients: { destroy(): void }[] = [];
let users = 0;
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

/** A new IAM user whose one inline policy has these statements, and a KMS client signing as them. */
async function userWith(...Statement: unknown[]): Promise<{ kms: KMSClient; arn: string }> {
  const name = `user${++users}`;
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'only', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement }) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  const kms = new KMSClient({ ...e.clientConfig, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
  clients.push(kms);
  return { kms, arn: arnOf(name) };
}
const allowIf = (Action: string | string[], Condition: unknown) => ({ Effect: 'Allow', Action, Resource: '*', Condition });
const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}): Promise<KeyMetadata> => (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const describe_ = (kms: KMSClient, key: KeyMetadata) => kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
const denied = (p: Promise<unknown>) => expectAwsError(p, 'AccessDeniedException');

describe("a key's properties", () => {
  let symmetric: KeyMetadata;
  let hmac: KeyMetadata;
  let external: KeyMetadata;
  let multiRegion: KeyMetadata;
  beforeAll(async () => {
    symmetric = await newKey();
    hmac = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    external = await newKey({ Origin: 'EXTERNAL' });
    multiRegion = await newKey({ MultiRegion: true });
  });

  test('kms:KeySpec and kms:KeyUsage', async () => {
    const { kms } = await userWith(allowIf('kms:DescribeKey', { StringEquals: { 'kms:KeySpec': 'HMAC_256', 'kms:KeyUsage': 'GENERATE_VERIFY_MAC' } }));
    expect((await describe_(kms, hmac)).KeyMetadata?.KeySpec).toBe('HMAC_256');
    const err = await denied(describe_(kms, symmetric));
    expect(err.message).toBe(`User: ${arnOf(`user${users}`)} is not authorized to perform: kms:DescribeKey on resource: ${symmetric.Arn} because no identity-based policy allows the kms:DescribeKey action`);
  });

  test('kms:KeyOrigin', async () => {
    const { kms } = await userWith(allowIf('kms:DescribeKey', { StringEquals: { 'kms:KeyOrigin': 'EXTERNAL' } }));
    await describe_(kms, external);
    await denied(describe_(kms, symmetric));
  });

  test('kms:MultiRegion', async () => {
    const { kms } = await userWith(allowIf('kms:DescribeKey', { Bool: { 'kms:MultiRegion': 'true' } }));
    await describe_(kms, multiRegion);
    await denied(describe_(kms, symmetric));
    const single = await userWith(allowIf('kms:DescribeKey', { Bool: { 'kms:MultiRegion': 'false' } }));
    await describe_(single.kms, symmetric);
    await denied(describe_(single.kms, multiRegion));
  });
});

describe('CreateKey: the properties asked for, their defaults when absent', () => {
  test('kms:KeySpec (or the older CustomerMasterKeySpec), kms:KeyUsage, kms:KeyOrigin and kms:MultiRegion', async () => {
    const { kms } = await userWith(
      allowIf('kms:CreateKey', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT', 'kms:KeyOrigin': 'AWS_KMS' }, Bool: { 'kms:MultiRegion': 'false' } }),
    );
    expect((await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeySpec).toBe('SYMMETRIC_DEFAULT');
    await kms.send(new CreateKeyCommand({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS', MultiRegion: false }));
    const err = await denied(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })));
    expect(err.message).toMatch(/kms:CreateKey on resource: \* because no identity-based policy allows the kms:CreateKey action$/);
    await denied(kms.send(new CreateKeyCommand({ CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })));
    await denied(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })));
    await denied(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })));
    await denied(kms.send(new CreateKeyCommand({ MultiRegion: true })));
    const hmacOnly = await userWith(allowIf('kms:CreateKey', { StringEquals: { 'kms:KeySpec': 'HMAC_256' } }));
    await hmacOnly.kms.send(new CreateKeyCommand({ CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }));
  });

  test('a usage asked for alone is compared as asked', async () => {
    const { kms } = await userWith(allowIf('kms:CreateKey', { StringEquals: { 'kms:KeyUsage': 'GENERATE_VERIFY_MAC', 'kms:KeyOrigin': 'EXTERNAL' } }));
    await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Origin: 'EXTERNAL' }));
    await denied(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })));
  });
});

describe("the request's algorithms and specs", () => {
  test('kms:EncryptionAlgorithm: present only when the request names one', async () => {
    const key = await newKey();
    const { kms } = await userWith(allowIf('kms:Encrypt', { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } }));
    await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }));
    await denied(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })));
  });

  test('kms:MacAlgorithm', async () => {
    const key = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { kms } = await userWith(allowIf('kms:GenerateMac', { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } }));
    await kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    const other = await userWith(allowIf('kms:GenerateMac', { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_512' } }));
    await denied(other.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' })));
  });

  test('kms:SigningAlgorithm', async () => {
    const key = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const { kms } = await userWith(allowIf('kms:Sign', { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } }));
    await kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    const other = await userWith(allowIf('kms:Sign', { StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PSS_SHA_256' } }));
    await denied(other.kms.send(new SignCommand({ KeyId: key.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' })));
  });

  test('kms:DataKeyPairSpec', async () => {
    const key = await newKey();
    const { kms } = await userWith(allowIf('kms:GenerateDataKeyPair', { StringEquals: { 'kms:DataKeyPairSpec': 'ECC_NIST_P256' } }));
    await kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    await denied(kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P384' })));
  });

  test('kms:RequestAlias: the alias the request named the key by, not its id', async () => {
    const key = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/by-name', TargetKeyId: key.KeyId }));
    const { kms } = await userWith(allowIf('kms:Encrypt', { StringEquals: { 'kms:RequestAlias': 'alias/by-name' } }));
    await kms.send(new EncryptCommand({ KeyId: 'alias/by-name', Plaintext: Buffer.from('x') }));
    await denied(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })));
    await denied(kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x') })));
    const noAlias = await userWith(allowIf('kms:Encrypt', { Null: { 'kms:RequestAlias': 'true' } }));
    await noAlias.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    await denied(noAlias.kms.send(new EncryptCommand({ KeyId: 'alias/by-name', Plaintext: Buffer.from('x') })));
  });
});

describe('CreateGrant', () => {
  test('kms:GrantOperations (ForAllValues), kms:GranteePrincipal and kms:RetiringPrincipal', async () => {
    const key = await newKey();
    const grantee = arnOf('workshop-learner');
    const { kms } = await userWith(
      allowIf('kms:CreateGrant', { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'Decrypt'] }, StringEquals: { 'kms:GranteePrincipal': grantee, 'kms:RetiringPrincipal': grantee } }),
    );
    await kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, RetiringPrincipal: grantee, Operations: ['Encrypt'] }));
    await denied(kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, RetiringPrincipal: grantee, Operations: ['Encrypt', 'ReEncryptFrom'] })));
    await denied(kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:root`, RetiringPrincipal: grantee, Operations: ['Encrypt'] })));
    await denied(kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ['Encrypt'] })));
  });

  test('kms:GrantIsForAWSResource is false for a call made directly', async () => {
    const key = await newKey();
    const { kms } = await userWith(allowIf('kms:CreateGrant', { Bool: { 'kms:GrantIsForAWSResource': 'false' } }));
    await kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arnOf('workshop-learner'), Operations: ['Decrypt'] }));
    const onlyServices = await userWith(allowIf('kms:CreateGrant', { Bool: { 'kms:GrantIsForAWSResource': 'true' } }));
    await denied(onlyServices.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arnOf('workshop-learner'), Operations: ['Decrypt'] })));
  });

  test('the grant operations a CreateGrant carries are not read from any other operation', async () => {
    const key = await newKey();
    const { kms } = await userWith(allowIf('kms:ListGrants', { Null: { 'kms:GrantOperations': 'true', 'kms:GrantIsForAWSResource': 'true' } }));
    await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }));
  });
});

describe('what each operation needs', () => {
  test('an operation with no KeyId and no rule of its own is IAM\'s alone to allow, on no resource', async () => {
    const { kms } = await userWith({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' });
    const err = await denied(kms.send(new DescribeCustomKeyStoresCommand({})));
    expect(err.message).toBe(`User: ${arnOf(`user${users}`)} is not authorized to perform: kms:DescribeCustomKeyStores on resource: * because no identity-based policy allows the kms:DescribeCustomKeyStores action`);
  });

  test('a grant allows DescribeKey (a grant operation) but never ScheduleKeyDeletion', async () => {
    const key = await newKey();
    const { kms, arn } = await userWith({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' });
    await denied(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })));
    await e.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: arn, Operations: ['DescribeKey', 'Decrypt'] }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata?.Arn).toBe(key.Arn);
    await denied(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 })));
  });

  test('UpdateAlias needs the permission on the alias, on the key it points to now, and on the new key', async () => {
    const from = await newKey();
    const to = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: from.KeyId }));
    const alias = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/moving`;
    const onlyAliasAndNew = await userWith({ Effect: 'Allow', Action: 'kms:UpdateAlias', Resource: [alias, to.Arn!] });
    const err = await denied(onlyAliasAndNew.kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: to.KeyId })));
    expect(err.message).toContain(`kms:UpdateAlias on resource: ${from.Arn} because`);
    const onlyAliasAndOld = await userWith({ Effect: 'Allow', Action: 'kms:UpdateAlias', Resource: [alias, from.Arn!] });
    expect((await denied(onlyAliasAndOld.kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: to.KeyId })))).message).toContain(`kms:UpdateAlias on resource: ${to.Arn} because`);
    const keysOnly = await userWith({ Effect: 'Allow', Action: 'kms:UpdateAlias', Resource: [from.Arn!, to.Arn!] });
    expect((await denied(keysOnly.kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: to.KeyId })))).message).toContain(`kms:UpdateAlias on resource: ${alias} because`);
    const all = await userWith({ Effect: 'Allow', Action: 'kms:UpdateAlias', Resource: [alias, from.Arn!, to.Arn!] });
    await all.kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: to.KeyId }));
  });

  test('DeleteAlias needs the permission on the alias and on its key', async () => {
    const key = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/going', TargetKeyId: key.KeyId }));
    const alias = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/going`;
    const aliasOnly = await userWith({ Effect: 'Allow', Action: 'kms:DeleteAlias', Resource: alias });
    expect((await denied(aliasOnly.kms.send(new DeleteAliasCommand({ AliasName: 'alias/going' })))).message).toContain(`kms:DeleteAlias on resource: ${key.Arn} because`);
    const both = await userWith({ Effect: 'Allow', Action: 'kms:DeleteAlias', Resource: [alias, key.Arn!] });
    await both.kms.send(new DeleteAliasCommand({ AliasName: 'alias/going' }));
  });

  test('an alias name under aws/ is the operation\'s to refuse, whoever asks; a name that is no alias too', async () => {
    const key = await newKey();
    const { kms } = await userWith({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' });
    await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId })), 'NotAuthorizedException');
    const notAlias = await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: 'mine', TargetKeyId: key.KeyId })), 'AccessDeniedException');
    expect(notAlias.message).toContain(`kms:CreateAlias on resource: ${key.Arn} because`);
  });
});
