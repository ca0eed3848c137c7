// Grants through the SDK: CreateGrant's rules (operations a key supports, encryption context
// constraints, principals, Name for retries, DryRun), ListGrants and ListRetirableGrants with
// their filters and paging, RetireGrant and RevokeGrant, grant tokens, grants kept across a
// restart and gone with their key; then what a grant allows, as the authorization decision asks it.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CreateGrantCommand, CreateKeyCommand, DisableKeyCommand, KMSClient, ListGrantsCommand, ListRetirableGrantsCommand, RetireGrantCommand, RevokeGrantCommand,
  ScheduleKeyDeletionCommand, type CreateGrantCommandInput, type GrantListEntry,
} from '@aws-sdk/client-kms';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { grantsAnswer, mayRetire } from '../../src/engine/kms/grants.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeEach(async () => {
  e = await startTestEngine();
  await createPrincipals(e);
});
afterEach(async () => e.stop());

const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/adminRole';

/** The principals these grants name, in the engine's IAM: a grant may name only principals that exist. */
async function createPrincipals(engine: TestEngine) {
  const iam = new IAMClient(engine.clientConfig);
  for (const UserName of ['alice', 'bob']) await iam.send(new CreateUserCommand({ UserName }));
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: 'adminRole', AssumeRolePolicyDocument: trust }));
  iam.destroy();
}

const newKey = async (input: { KeySpec?: 'RSA_2048' | 'HMAC_256' | 'ECC_NIST_P256'; KeyUsage?: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT' } = {}) =>
  (await e.kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const grant = (input: Partial<CreateGrantCommandInput> & { KeyId: string }) => e.kms.send(new CreateGrantCommand({ GranteePrincipal: ALICE, Operations: ['Decrypt'], ...input }));
const listGrants = async (KeyId: string, more: { Limit?: number; Marker?: string; GrantId?: string; GranteePrincipal?: string } = {}) => e.kms.send(new ListGrantsCommand({ KeyId, ...more }));

describe('CreateGrant', () => {
  test('returns a grant id and token; ListGrants shows the grant as AWS does (key ARN, Name "", the issuing account)', async () => {
    const key = await newKey();
    const before = e.clock.now();
    const { GrantId, GrantToken } = await grant({ KeyId: key.KeyId!, Operations: ['Decrypt', 'GenerateDataKey'], RetiringPrincipal: ADMIN_ROLE, Constraints: { EncryptionContextSubset: { Department: 'IT' } } });
    expect(GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(GrantToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const { Grants, Truncated } = await listGrants(key.KeyId!);
    expect(Truncated).toBe(false);
    expect(Grants).toEqual([
      {
        KeyId: key.Arn,
        GrantId,
        Name: '',
        CreationDate: before, // the engine clock stands still in tests
        GranteePrincipal: ALICE,
        RetiringPrincipal: ADMIN_ROLE,
        IssuingAccount: 'arn:aws:iam::111122223333:root',
        Operations: ['Decrypt', 'GenerateDataKey'],
        Constraints: { EncryptionContextSubset: { Department: 'IT' } },
      },
    ]);
  });

  test('with a Name, the same request again is a retry: the same grant id, a new token; anything different is a new grant', async () => {
    const key = await newKey();
    const input = { KeyId: key.KeyId!, Name: 'IT-exampleUser-decrypt', Operations: ['Decrypt' as const, 'Encrypt' as const], Constraints: { EncryptionContextEquals: { a: '1', b: '2' } } };
    const first = await grant(input);
    const again = await grant({ ...input, KeyId: key.Arn!, Operations: ['Encrypt', 'Decrypt'], Constraints: { EncryptionContextEquals: { b: '2', a: '1' } } });
    expect(again.GrantId).toBe(first.GrantId);
    expect(again.GrantToken).not.toBe(first.GrantToken);
    const other = await grant({ ...input, Operations: ['Decrypt'] });
    expect(other.GrantId).not.toBe(first.GrantId);
    const unnamed = [await grant({ KeyId: key.KeyId! }), await grant({ KeyId: key.KeyId! })];
    expect(unnamed[0]!.GrantId).not.toBe(unnamed[1]!.GrantId);
    expect((await listGrants(key.KeyId!)).Grants!.map((g) => g.Name)).toEqual(['IT-exampleUser-decrypt', 'IT-exampleUser-decrypt', '', '']);
  });

  test('operations the key does not support are ValidationException, per kind of key', async () => {
    const symmetric = await newKey();
    const signing = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const rsaEncryption = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const hmac = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const agreement = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const refused: [string, CreateGrantCommandInput['Operations']][] = [
      [symmetric.KeyId!, ['Sign']], [symmetric.KeyId!, ['GetPublicKey']], [signing.KeyId!, ['GenerateDataKey']], [signing.KeyId!, ['Encrypt']],
      [rsaEncryption.KeyId!, ['Sign']], [rsaEncryption.KeyId!, ['GenerateDataKeyPair']], [hmac.KeyId!, ['Encrypt']], [agreement.KeyId!, ['Decrypt']],
    ];
    for (const [KeyId, Operations] of refused) {
      const err = await expectAwsError(grant({ KeyId, Operations }), 'ValidationException');
      expect(err.message).toContain(`Grant operations ${Operations!.join(', ')} are not valid for arn:aws:kms:us-east-1:111122223333:key/${KeyId}`);
    }
    const allowed: [string, CreateGrantCommandInput['Operations']][] = [
      [symmetric.KeyId!, ['Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'DescribeKey', 'CreateGrant', 'RetireGrant']],
      [signing.KeyId!, ['Sign', 'Verify', 'GetPublicKey', 'DescribeKey']], [rsaEncryption.KeyId!, ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey']],
      [hmac.KeyId!, ['GenerateMac', 'VerifyMac', 'RetireGrant']], [agreement.KeyId!, ['DeriveSharedSecret', 'GetPublicKey']],
    ];
    for (const [KeyId, Operations] of allowed) await grant({ KeyId, Operations });
    const unknown = await expectAwsError(grant({ KeyId: symmetric.KeyId!, Operations: ['MakeCoffee' as 'Decrypt'] }), 'ValidationException');
    expect(unknown.message).toContain("at 'operations' failed to satisfy constraint");
  });

  test('encryption context constraints: one kind only, symmetric keys only, 8 pairs and 384 characters at most', async () => {
    const key = await newKey();
    const both = await expectAwsError(grant({ KeyId: key.KeyId!, Constraints: { EncryptionContextSubset: { a: '1' }, EncryptionContextEquals: {} } }), 'ValidationException');
    expect(both.message).toBe('More than one constraint supplied');
    const signing = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const asym = await expectAwsError(grant({ KeyId: signing.KeyId!, Operations: ['Sign'], Constraints: { EncryptionContextSubset: { a: '1' } } }), 'ValidationException');
    expect(asym.message).toContain('supported only for symmetric encryption KMS keys');
    const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    await grant({ KeyId: key.KeyId!, Constraints: { EncryptionContextEquals: pairs(8) } });
    await expectAwsError(grant({ KeyId: key.KeyId!, Constraints: { EncryptionContextEquals: pairs(9) } }), 'ValidationException');
    await grant({ KeyId: key.KeyId!, Constraints: { EncryptionContextSubset: { k: 'v'.repeat(383) } } });
    await expectAwsError(grant({ KeyId: key.KeyId!, Constraints: { EncryptionContextSubset: { k: 'v'.repeat(384) } } }), 'ValidationException');
  });

  test('the key: not by alias, not missing (NotFoundException), not disabled (DisabledException) or pending deletion (KMSInvalidStateException)', async () => {
    const key = await newKey();
    await expectAwsError(grant({ KeyId: 'alias/aws/s3' }), 'NotFoundException');
    await expectAwsError(grant({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }), 'NotFoundException');
    await e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await expectAwsError(grant({ KeyId: key.KeyId! }), 'DisabledException')).message).toBe(`${key.Arn} is disabled.`);
    await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await expectAwsError(grant({ KeyId: key.KeyId! }), 'KMSInvalidStateException');
  });

  test('principals: a grantee is required, principals must be principals that exist in IAM (InvalidArnException), service principals are not modelled', async () => {
    const key = await newKey();
    await expectAwsError(e.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, Operations: ['Decrypt'] })), 'ValidationException');
    for (const GranteePrincipal of ['alice', 'arn:aws:iam::111122223333:group/devs', 'arn:aws:s3:::bucket', 'arn:aws:iam::111122223333:user/nobody', 'arn:aws:iam::111122223333:role/none'])
      await expectAwsError(grant({ KeyId: key.KeyId!, GranteePrincipal }), 'InvalidArnException');
    await expectAwsError(grant({ KeyId: key.KeyId!, RetiringPrincipal: 'nobody' }), 'InvalidArnException');
    for (const GranteePrincipal of ['444455556666', 'arn:aws:iam::444455556666:root', ADMIN_ROLE, 'arn:aws:sts::111122223333:assumed-role/adminRole/session']) await grant({ KeyId: key.KeyId!, GranteePrincipal });
    await expectAwsError(e.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteeServicePrincipal: 'dynamodb.amazonaws.com', Operations: ['Decrypt'] })), 'UnsupportedOperationException');
  });

  test('grant tokens in the request must be grant tokens (InvalidGrantTokenException), at most 10 (ValidationException)', async () => {
    const key = await newKey();
    const { GrantToken } = await grant({ KeyId: key.KeyId!, Operations: ['CreateGrant', 'Decrypt'] });
    await grant({ KeyId: key.KeyId!, GrantTokens: [GrantToken!] });
    for (const bad of ['junk', `${GrantToken!.slice(0, -2)}AA`, GrantToken!.slice(1), `${GrantToken}=`]) {
      expect((await expectAwsError(grant({ KeyId: key.KeyId!, GrantTokens: [GrantToken!, bad] }), 'InvalidGrantTokenException')).message).toContain('not valid');
    }
    await expectAwsError(grant({ KeyId: key.KeyId!, GrantTokens: Array(11).fill(GrantToken!) }), 'ValidationException');
    expect((await listGrants(key.KeyId!)).Grants).toHaveLength(2);
  });

  test('a key has at most 50,000 grants: the next is LimitExceededException', async () => {
    const key = await newKey();
    const { GrantId } = await grant({ KeyId: key.KeyId! });
    const model = e.engine.kms.grants.get(GrantId!)!;
    // Made in the model directly: 50,000 CreateGrant calls would only measure HTTP.
    for (let i = 1; i < 50_000; i++) e.engine.kms.grants.set(`${i}`.padStart(64, '0'), { ...JSON.parse(JSON.stringify(model)), GrantId: `${i}`.padStart(64, '0') });
    const err = await expectAwsError(grant({ KeyId: key.KeyId! }), 'LimitExceededException');
    expect(err.message).toContain('50000 grants');
  });

  test('DryRun: DryRunOperationException and no grant', async () => {
    const key = await newKey();
    await expectAwsError(grant({ KeyId: key.KeyId!, DryRun: true }), 'DryRunOperationException');
    expect((await listGrants(key.KeyId!)).Grants).toEqual([]);
  });
});

describe('listing grants', () => {
  test('ListGrants pages (Limit 1 to 100, 50 by default), filters by grant id and grantee, and refuses forged markers', async () => {
    const key = await newKey();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await grant({ KeyId: key.KeyId!, GranteePrincipal: i % 2 ? BOB : ALICE })).GrantId!);
    const seen: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await listGrants(key.KeyId!, { Limit: 2, Marker });
      expect(page.Grants!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Grants!.map((g) => g.GrantId!));
      Marker = page.NextMarker;
      expect(page.Truncated).toBe(Marker !== undefined);
      pages++;
    } while (Marker);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
    expect((await listGrants(key.Arn!, { GranteePrincipal: BOB })).Grants!.map((g) => g.GrantId)).toEqual([ids[1], ids[3]]);
    expect((await listGrants(key.KeyId!, { GrantId: ids[2] })).Grants!.map((g) => g.GrantId)).toEqual([ids[2]]);
    await expectAwsError(listGrants(key.KeyId!, { GrantId: 'f'.repeat(64) }), 'InvalidGrantIdException');
    await expectAwsError(listGrants(key.KeyId!, { Limit: 101 }), 'ValidationException');
    expect((await expectAwsError(listGrants(key.KeyId!, { Marker: 'forged' }), 'InvalidMarkerException')).message).toBe('Invalid marker: forged');
    const many = await newKey();
    for (let i = 0; i < 51; i++) await grant({ KeyId: many.KeyId! });
    const first = await listGrants(many.KeyId!);
    expect([first.Grants!.length, first.Truncated]).toEqual([50, true]);
    expect((await listGrants(many.KeyId!, { Marker: first.NextMarker })).Grants).toHaveLength(1);
    expect((await listGrants(key.KeyId!)).Grants).toHaveLength(5); // another key's grants are its own
  });

  test('ListRetirableGrants lists the grants a principal may retire, on every key of the Region', async () => {
    const one = await newKey();
    const two = await newKey();
    const a = await grant({ KeyId: one.KeyId!, RetiringPrincipal: ADMIN_ROLE });
    await grant({ KeyId: one.KeyId!, RetiringPrincipal: BOB });
    const c = await grant({ KeyId: two.KeyId!, RetiringPrincipal: ADMIN_ROLE });
    const listed = await e.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ADMIN_ROLE }));
    expect(listed.Grants!.map((g: GrantListEntry) => [g.GrantId, g.KeyId])).toEqual([[a.GrantId, one.Arn], [c.GrantId, two.Arn]]);
    const paged = await e.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ADMIN_ROLE, Limit: 1 }));
    expect([paged.Grants!.length, paged.Truncated]).toEqual([1, true]);
    expect((await e.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ALICE }))).Grants).toEqual([]);
    await expectAwsError(e.kms.send(new ListRetirableGrantsCommand({})), 'ValidationException');
    const elsewhere = await expectAwsError(e.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: 'arn:aws:iam::444455556666:role/adminRole' })), 'AccessDeniedException');
    expect(elsewhere.message).toContain('kms:ListRetirableGrants on resource: arn:aws:iam::444455556666:role/adminRole');
    await expectAwsError(e.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: '444455556666' })), 'AccessDeniedException');
    expect((await e.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: '111122223333' }))).Grants).toEqual([]);
  });
});

describe('retiring and revoking', () => {
  test('RetireGrant by grant token, or by key ARN and grant id; then the grant is gone', async () => {
    const key = await newKey();
    const byToken = await grant({ KeyId: key.KeyId! });
    const byId = await grant({ KeyId: key.KeyId! });
    await e.kms.send(new RetireGrantCommand({ GrantToken: byToken.GrantToken }));
    expect((await listGrants(key.KeyId!)).Grants!.map((g) => g.GrantId)).toEqual([byId.GrantId]);
    const again = await expectAwsError(e.kms.send(new RetireGrantCommand({ GrantToken: byToken.GrantToken })), 'NotFoundException');
    expect(again.message).toContain(byToken.GrantId);
    await e.kms.send(new RetireGrantCommand({ KeyId: key.Arn, GrantId: byId.GrantId }));
    expect((await listGrants(key.KeyId!)).Grants).toEqual([]);
  });

  test('RetireGrant refuses what names no grant: neither token nor key and id (ValidationException), a malformed token, a grant of another key', async () => {
    const key = await newKey();
    const other = await newKey();
    const g = await grant({ KeyId: key.KeyId! });
    expect((await expectAwsError(e.kms.send(new RetireGrantCommand({ GrantId: g.GrantId })), 'ValidationException')).message).toBe('Grant token OR (grant ID, key ID) must be specified');
    await expectAwsError(e.kms.send(new RetireGrantCommand({ GrantToken: 'not-a-token' })), 'InvalidGrantTokenException');
    await expectAwsError(e.kms.send(new RetireGrantCommand({ KeyId: other.Arn, GrantId: g.GrantId })), 'InvalidGrantIdException');
    await expectAwsError(e.kms.send(new RetireGrantCommand({ GrantToken: g.GrantToken, KeyId: other.Arn })), 'InvalidGrantIdException');
    await expectAwsError(e.kms.send(new RetireGrantCommand({ GrantToken: g.GrantToken, DryRun: true })), 'DryRunOperationException');
    expect((await listGrants(key.KeyId!)).Grants).toHaveLength(1); // nothing above retired it
  });

  test('RevokeGrant deletes a grant of the key named; a grant id of another key or none is InvalidGrantIdException', async () => {
    const key = await newKey();
    const other = await newKey();
    const g = await grant({ KeyId: key.KeyId! });
    await expectAwsError(e.kms.send(new RevokeGrantCommand({ KeyId: other.KeyId, GrantId: g.GrantId })), 'InvalidGrantIdException');
    await expectAwsError(e.kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g.GrantId, DryRun: true })), 'DryRunOperationException');
    expect((await listGrants(key.KeyId!)).Grants).toHaveLength(1);
    await e.kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g.GrantId }));
    expect((await listGrants(key.KeyId!)).Grants).toEqual([]);
    await expectAwsError(e.kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g.GrantId })), 'InvalidGrantIdException');
  });
});

describe('who may retire a grant (signed by IAM users of the engine)', () => {
  /** A KMS client acting as an IAM user (no policies of its own) through an access key the engine issued. */
  async function clientOf(UserName: string) {
    const iam = new IAMClient(e.clientConfig);
    const { AccessKeyId, SecretAccessKey } = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    iam.destroy();
    return new KMSClient({ ...e.clientConfig, credentials: { accessKeyId: AccessKeyId!, secretAccessKey: SecretAccessKey! } });
  }

  test('its retiring principal and (if it allows RetireGrant) its grantee may, without any policy; another user is AccessDeniedException', async () => {
    const key = await newKey();
    const [alice, bob] = [await clientOf('alice'), await clientOf('bob')];
    const forBob = await grant({ KeyId: key.KeyId!, RetiringPrincipal: BOB });
    const aliceMayRetire = await grant({ KeyId: key.KeyId!, Operations: ['Decrypt', 'RetireGrant'] });
    const aliceMayNot = await grant({ KeyId: key.KeyId!, Operations: ['Decrypt'] });
    const denied = await expectAwsError(alice.send(new RetireGrantCommand({ GrantToken: forBob.GrantToken })), 'AccessDeniedException');
    expect(denied.message).toBe(`User: ${ALICE} is not authorized to perform: kms:RetireGrant on resource: ${key.Arn} because no identity-based policy allows the kms:RetireGrant action`);
    await expectAwsError(alice.send(new RetireGrantCommand({ KeyId: key.Arn, GrantId: aliceMayNot.GrantId })), 'AccessDeniedException');
    await expectAwsError(bob.send(new RetireGrantCommand({ GrantToken: aliceMayRetire.GrantToken })), 'AccessDeniedException');
    await bob.send(new RetireGrantCommand({ GrantToken: forBob.GrantToken }));
    await alice.send(new RetireGrantCommand({ KeyId: key.Arn, GrantId: aliceMayRetire.GrantId }));
    expect((await listGrants(key.KeyId!)).Grants!.map((g) => g.GrantId)).toEqual([aliceMayNot.GrantId]);
    await e.kms.send(new RetireGrantCommand({ KeyId: key.Arn, GrantId: aliceMayNot.GrantId })); // the account's administrator, through IAM
    alice.destroy();
    bob.destroy();
  });
});

describe('what is kept and what is recorded', () => {
  test('grants outlive a restart, with their tokens', async () => {
    const first = await startTestEngine({ keepHome: true });
    await createPrincipals(first);
    let keyId: string;
    let token: string;
    let grants: GrantListEntry[];
    try {
      keyId = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      token = (await first.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ALICE, Operations: ['Encrypt'], Name: 'kept', Constraints: { EncryptionContextEquals: { a: 'b' } } }))).GrantToken!;
      await first.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: BOB, Operations: ['Decrypt'] }));
      grants = (await first.kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants!;
    } finally {
      await first.stop();
    }
    const second = await startTestEngine({ home: first.home });
    try {
      expect((await second.kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants).toEqual(grants);
      await second.kms.send(new RetireGrantCommand({ GrantToken: token }));
      expect((await second.kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants!.map((g) => g.GranteePrincipal)).toEqual([BOB]);
    } finally {
      await second.stop();
    }
  });

  test("a deleted key's grants go with it, also across a restart", async () => {
    const first = await startTestEngine({ keepHome: true });
    await createPrincipals(first);
    let token: string;
    try {
      const key = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      token = (await first.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: ALICE, Operations: ['Decrypt'], RetiringPrincipal: ADMIN_ROLE }))).GrantToken!;
      await first.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      expect((await first.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ADMIN_ROLE }))).Grants).toHaveLength(1); // still there while pending
      first.clock.advance(8 * 24 * 3600);
      expect((await first.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ADMIN_ROLE }))).Grants).toEqual([]);
    } finally {
      await first.stop();
    }
    const second = await startTestEngine({ home: first.home });
    try {
      expect((await second.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ADMIN_ROLE }))).Grants).toEqual([]);
      await expectAwsError(second.kms.send(new RetireGrantCommand({ GrantToken: token })), 'NotFoundException');
    } finally {
      await second.stop();
    }
  });

  test("CloudTrail: CreateGrant with its key, operations, constraints and grantee, and the grant id; never a grant token (RetireGrant records null)", async () => {
    const key = await newKey();
    const { GrantId, GrantToken } = await grant({ KeyId: key.KeyId!, Operations: ['Encrypt', 'RetireGrant'], Constraints: { EncryptionContextSubset: { ContextKey1: 'Value1' } } });
    await grant({ KeyId: key.KeyId!, GrantTokens: [GrantToken!] });
    await e.kms.send(new RetireGrantCommand({ GrantToken }));
    await e.kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: (await listGrants(key.KeyId!)).Grants![0]!.GrantId }));
    const cloudtrail = new CloudTrailClient(e.clientConfig);
    const events = async (name: string) =>
      (await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }))).Events!.map((ev) => JSON.parse(ev.CloudTrailEvent!)).reverse();
    const [created] = await events('CreateGrant');
    expect(created.requestParameters).toEqual({ keyId: key.KeyId, constraints: { encryptionContextSubset: { ContextKey1: 'Value1' } }, operations: ['Encrypt', 'RetireGrant'], granteePrincipal: ALICE });
    expect(created.responseElements).toEqual({ grantId: GrantId });
    expect(created.resources).toEqual([{ accountId: '111122223333', type: 'AWS::KMS::Key', ARN: key.Arn }]);
    const [retired] = await events('RetireGrant');
    expect(retired.requestParameters).toBeNull();
    expect(retired.readOnly).toBe(false);
    const [revoked] = await events('RevokeGrant');
    expect(revoked.requestParameters).toEqual({ keyId: key.KeyId, grantId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const all = JSON.stringify([...(await events('CreateGrant')), ...(await events('RetireGrant'))]);
    expect(all).not.toContain(GrantToken!);
    cloudtrail.destroy();
  });
});

describe('what a grant allows (for the authorization decision)', () => {
  const alice = makeCaller({ userName: 'alice' });
  const answer = async (keyId: string, caller: Caller, request: Parameters<typeof grantsAnswer>[3]) => grantsAnswer(e.engine.kms, e.engine.kms.resolve(keyId, caller), caller, request);

  test("its operations, to its grantee only; a role's grant to that role's sessions; never to anyone else", async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, Operations: ['Decrypt', 'DescribeKey'] });
    await grant({ KeyId: key.KeyId!, GranteePrincipal: ADMIN_ROLE, Operations: ['Encrypt'] });
    expect(await answer(key.KeyId!, alice, { operation: 'Decrypt' })).toBe('Allow');
    expect(await answer(key.KeyId!, alice, { operation: 'Encrypt' })).toBe('NotApplicable');
    expect(await answer(key.KeyId!, makeCaller({ userName: 'bob' }), { operation: 'Decrypt' })).toBe('NotApplicable');
    const session: Caller = {
      ...makeCaller({ arn: 'arn:aws:sts::111122223333:assumed-role/adminRole/s1' }),
      type: 'AssumedRole',
      sessionIssuer: { arn: ADMIN_ROLE, userName: 'adminRole', principalId: 'AROAEXAMPLE', accountId: '111122223333' },
    };
    expect(await answer(key.KeyId!, session, { operation: 'Encrypt' })).toBe('Allow');
    const other = await newKey();
    expect(await answer(other.KeyId!, alice, { operation: 'Decrypt' })).toBe('NotApplicable'); // a grant is for one key
  });

  test('EncryptionContextSubset and EncryptionContextEquals hold as the developer guide shows; not for DescribeKey', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, Operations: ['Decrypt', 'DescribeKey'], Constraints: { EncryptionContextSubset: { Department: 'Finance', Classification: 'Public' } } });
    const decrypt = (encryptionContext?: Record<string, string>) => answer(key.KeyId!, alice, { operation: 'Decrypt', encryptionContext });
    expect(await decrypt({ Classification: 'Public', Department: 'Finance' })).toBe('Allow');
    expect(await decrypt({ Customer: '12345', Department: 'Finance', Classification: 'Public', Purpose: 'Test' })).toBe('Allow');
    const refused: (Record<string, string> | undefined)[] = [{ Department: 'Finance' }, { department: 'finance', classification: 'public' }, { Classification: 'Public', Customer: '12345' }, undefined];
    for (const ctx of refused) expect(await decrypt(ctx)).toBe('NotApplicable');
    expect(await answer(key.KeyId!, alice, { operation: 'DescribeKey' })).toBe('Allow');
    const equals = await newKey();
    await grant({ KeyId: equals.KeyId!, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { Department: 'IT' } } });
    expect(await answer(equals.KeyId!, alice, { operation: 'Decrypt', encryptionContext: { Department: 'IT' } })).toBe('Allow');
    expect(await answer(equals.KeyId!, alice, { operation: 'Decrypt', encryptionContext: { Department: 'IT', Purpose: 'Test' } })).toBe('NotApplicable');
  });

  test('CreateGrant from a grant: only grants no wider (operations a subset, constraints as strict)', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, Operations: ['GenerateDataKey', 'Decrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { Department: 'IT' } } });
    const child = (Operations: string[], Constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> }) =>
      answer(key.KeyId!, alice, { operation: 'CreateGrant', newGrant: { Operations, Constraints } });
    expect(await child(['Decrypt', 'CreateGrant'], { EncryptionContextEquals: { Department: 'IT' } })).toBe('Allow');
    expect(await child(['Decrypt'], { EncryptionContextSubset: { Department: 'IT', Team: 'a' } })).toBe('Allow');
    expect(await child(['Decrypt', 'Encrypt'], { EncryptionContextSubset: { Department: 'IT' } })).toBe('NotApplicable');
    expect(await child(['Decrypt'])).toBe('NotApplicable');
    expect(await child(['Decrypt'], { EncryptionContextSubset: { Team: 'a' } })).toBe('NotApplicable');
  });

  test("a grant to an account applies to that account's root, and to its identities only where their IAM policies allow; a malformed token is InvalidGrantTokenException", async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, GranteePrincipal: 'arn:aws:iam::111122223333:root', Operations: ['Encrypt'] });
    expect(await answer(key.KeyId!, alice, { operation: 'Encrypt' })).toBe('NotApplicable');
    expect(await answer(key.KeyId!, alice, { operation: 'Encrypt', accountDelegates: () => true })).toBe('Allow');
    expect(await answer(key.KeyId!, { ...makeCaller({ arn: 'arn:aws:iam::111122223333:root' }), type: 'Root' }, { operation: 'Encrypt' })).toBe('Allow');
    await expect(answer(key.KeyId!, alice, { operation: 'Encrypt', grantTokens: ['junk'] })).rejects.toMatchObject({ code: 'InvalidGrantTokenException' });
  });

  test('who a grant lets retire it: its retiring principal, its grantee if it allows RetireGrant, its account root', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, RetiringPrincipal: BOB, Operations: ['Decrypt'] });
    await grant({ KeyId: key.KeyId!, Operations: ['Decrypt', 'RetireGrant'] });
    const [first, second] = [...e.engine.kms.grants.values()];
    expect(mayRetire(first!, makeCaller({ userName: 'bob' }))).toBe(true);
    expect(mayRetire(first!, alice)).toBe(false);
    expect(mayRetire(second!, alice)).toBe(true);
    expect(mayRetire(second!, makeCaller({ userName: 'bob' }))).toBe(false);
    expect(mayRetire(first!, { ...makeCaller({ arn: 'arn:aws:iam::111122223333:root' }), type: 'Root' })).toBe(true);
  });
});
