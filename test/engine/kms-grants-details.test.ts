// Grants, the details kms-grants.test.ts leaves out (found by mutation testing, issue 16):
// what CreateGrant refuses and keeps (service principals, aliases, repeated operations, an
// empty constraint, what makes a named request a retry), ListGrants' and ListRetirableGrants'
// other filters and Regions, RetireGrant's other ways of naming a grant, retiring and
// revoking kept across a restart, a forged token; and what a grant allows for an account
// grantee and for a CreateGrant under an EncryptionContextEquals parent.
import { createHash } from 'node:crypto';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, KMSClient, ListGrantsCommand, ListRetirableGrantsCommand, RetireGrantCommand, RevokeGrantCommand,
  type CreateGrantCommandInput,
} from '@aws-sdk/client-kms';
import { CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeCaller, type Caller } from '../../src/engine/caller.js';
import { grantsAnswer, mayRetire } from '../../src/engine/kms/grants.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/adminRole`;

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine();
  await createPrincipals(e);
});
afterAll(async () => e.stop());

/** The principals these grants name, in the engine's IAM: a grant may name only principals that exist. */
async function createPrincipals(engine: TestEngine) {
  const iam = new IAMClient(engine.clientConfig);
  for (const UserName of ['alice', 'bob']) await iam.send(new CreateUserCommand({ UserName }));
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] });
  await iam.send(new CreateRoleCommand({ RoleName: 'adminRole', AssumeRolePolicyDocument: trust }));
  iam.destroy();
}

const newKey = async (kms: KMSClient = e.kms, input: { KeySpec?: 'RSA_2048'; KeyUsage?: 'ENCRYPT_DECRYPT' } = {}) => (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;
const grant = (input: Partial<CreateGrantCommandInput> & { KeyId: string }, kms: KMSClient = e.kms) =>
  kms.send(new CreateGrantCommand({ GranteePrincipal: ALICE, Operations: ['Decrypt'], ...input }));
const grantsOn = async (KeyId: string, kms: KMSClient = e.kms) => (await kms.send(new ListGrantsCommand({ KeyId }))).Grants!;
const retirable = (input: { RetiringPrincipal?: string; RetiringServicePrincipal?: string }) => e.kms.send(new ListRetirableGrantsCommand(input));

describe('CreateGrant', () => {
  test('service principals are not modelled: RetiringServicePrincipal and a SourceArn constraint are UnsupportedOperationException too', async () => {
    const key = await newKey();
    const message = 'The local engine does not model grants for AWS service principals (GranteeServicePrincipal, RetiringServicePrincipal, SourceArn).';
    expect((await expectAwsError(grant({ KeyId: key.KeyId!, RetiringServicePrincipal: 'dynamodb.amazonaws.com' }), 'UnsupportedOperationException')).message).toBe(message);
    expect((await expectAwsError(grant({ KeyId: key.KeyId!, Constraints: { SourceArn: 'arn:aws:dynamodb:us-east-1:111122223333:table/t' } }), 'UnsupportedOperationException')).message).toBe(message);
    const noGrantee = await expectAwsError(e.kms.send(new CreateGrantCommand({ KeyId: key.KeyId, Operations: ['Decrypt'] })), 'ValidationException');
    expect(noGrantee.message).toBe('You must specify either GranteePrincipal or GranteeServicePrincipal.');
    expect(await grantsOn(key.KeyId!)).toEqual([]);
  });

  test('the key is named by id or ARN, never by alias (NotFoundException), in CreateGrant, ListGrants, RevokeGrant and RetireGrant', async () => {
    const key = await newKey();
    await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/grants-details', TargetKeyId: key.KeyId }));
    const { GrantId } = await grant({ KeyId: key.KeyId! });
    await expectAwsError(grant({ KeyId: 'alias/grants-details' }), 'NotFoundException');
    await expectAwsError(e.kms.send(new ListGrantsCommand({ KeyId: 'alias/grants-details' })), 'NotFoundException');
    await expectAwsError(e.kms.send(new RevokeGrantCommand({ KeyId: 'alias/grants-details', GrantId })), 'NotFoundException');
    await expectAwsError(e.kms.send(new RetireGrantCommand({ KeyId: 'alias/grants-details', GrantId })), 'NotFoundException');
    expect((await grantsOn(key.Arn!)).map((g) => g.GrantId)).toEqual([GrantId]);
  });

  test('an operation named twice is kept once; an empty Constraints is no constraint, on any key', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, Operations: ['Decrypt', 'Encrypt', 'Decrypt'], Constraints: {} });
    const [g] = await grantsOn(key.KeyId!);
    expect(g!.Operations).toEqual(['Decrypt', 'Encrypt']);
    expect(g!.Constraints).toBeUndefined();
    const rsa = await newKey(e.kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await grant({ KeyId: rsa.KeyId!, Constraints: {} });
    expect((await grantsOn(rsa.KeyId!))[0]!.Constraints).toBeUndefined();
  });

  test('the constraint limits say what was exceeded', async () => {
    const key = await newKey();
    const pairs = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));
    expect((await expectAwsError(grant({ KeyId: key.KeyId!, Constraints: { EncryptionContextSubset: pairs } }), 'ValidationException')).message).toBe(
      'A grant constraint can include at most 8 encryption context pairs, not 9.',
    );
    expect((await expectAwsError(grant({ KeyId: key.KeyId!, Constraints: { EncryptionContextEquals: { key: 'v'.repeat(382) } } }), 'ValidationException')).message).toBe(
      'The encryption context in a grant constraint cannot exceed 384 characters; this one has 385.',
    );
  });

  test('a named request is a retry only if everything is the same: another name, grantee, retiring principal, operation set or constraint is a new grant', async () => {
    const key = await newKey();
    const base = { KeyId: key.KeyId!, Name: 'n1', RetiringPrincipal: BOB, Operations: ['Decrypt' as const], Constraints: { EncryptionContextSubset: { a: '1' } } };
    const first = (await grant(base)).GrantId;
    expect((await grant(base)).GrantId).toBe(first);
    const variants: Partial<CreateGrantCommandInput>[] = [
      { Name: 'n2' },
      { GranteePrincipal: BOB },
      { RetiringPrincipal: ADMIN_ROLE },
      { Operations: ['Decrypt', 'Encrypt'] }, // wider than the existing grant's
      { Constraints: { EncryptionContextSubset: { a: '2' } } },
      { Constraints: { EncryptionContextEquals: { a: '1' } } },
    ];
    for (const v of variants) expect((await grant({ ...base, ...v })).GrantId, JSON.stringify(v)).not.toBe(first);
    expect(await grantsOn(key.KeyId!)).toHaveLength(1 + variants.length);
  });
});

describe('listing grants', () => {
  test('ListGrants: a GranteeServicePrincipal filter finds nothing; an unknown GrantId says which key', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId! });
    expect((await e.kms.send(new ListGrantsCommand({ KeyId: key.KeyId, GranteeServicePrincipal: 'dynamodb.amazonaws.com' }))).Grants).toEqual([]);
    const unknown = await expectAwsError(e.kms.send(new ListGrantsCommand({ KeyId: key.KeyId, GrantId: 'f'.repeat(64) })), 'InvalidGrantIdException');
    expect(unknown.message).toBe(`Grant ID ${'f'.repeat(64)} is not a grant of ${key.Arn}.`);
  });

  test('ListRetirableGrants: not both principals; a service principal matches none of the grants without a retiring principal; grants of other Regions are not listed', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId! }); // no retiring principal
    const both = await expectAwsError(retirable({ RetiringPrincipal: ADMIN_ROLE, RetiringServicePrincipal: 'dynamodb.amazonaws.com' }), 'ValidationException');
    expect(both.message).toBe('You must specify either RetiringPrincipal or RetiringServicePrincipal, but not both.');
    expect((await retirable({ RetiringServicePrincipal: 'dynamodb.amazonaws.com' })).Grants).toEqual([]);
    const west = new KMSClient({ ...e.clientConfig, region: 'us-west-2' });
    try {
      const westKey = await newKey(west);
      const { GrantId } = await grant({ KeyId: westKey.KeyId!, RetiringPrincipal: ADMIN_ROLE }, west);
      expect((await retirable({ RetiringPrincipal: ADMIN_ROLE })).Grants!.map((g) => g.GrantId)).not.toContain(GrantId);
      expect((await west.send(new ListRetirableGrantsCommand({ RetiringPrincipal: ADMIN_ROLE }))).Grants!.map((g) => g.GrantId)).toEqual([GrantId]);
    } finally {
      west.destroy();
    }
  });
});

describe('RetireGrant', () => {
  test('a grant token with a GrantId must name the same grant (InvalidGrantIdException); with its own id and key, it retires it', async () => {
    const key = await newKey();
    const g = await grant({ KeyId: key.KeyId! });
    const other = await grant({ KeyId: key.KeyId! });
    const mismatch = await expectAwsError(e.kms.send(new RetireGrantCommand({ GrantToken: g.GrantToken, GrantId: other.GrantId })), 'InvalidGrantIdException');
    expect(mismatch.message).toBe(`Grant ID ${other.GrantId} is not a grant of the key the grant token names.`);
    await e.kms.send(new RetireGrantCommand({ GrantToken: g.GrantToken, GrantId: g.GrantId, KeyId: key.Arn }));
    expect((await grantsOn(key.KeyId!)).map((x) => x.GrantId)).toEqual([other.GrantId]);
  });

  test('a KeyId without a GrantId or token is ValidationException', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId! });
    const err = await expectAwsError(e.kms.send(new RetireGrantCommand({ KeyId: key.Arn })), 'ValidationException');
    expect(err.message).toBe('Grant token OR (grant ID, key ID) must be specified');
    expect(await grantsOn(key.KeyId!)).toHaveLength(1);
  });

  test('a token that is well formed, with a valid check, but of another version is InvalidGrantTokenException', async () => {
    const key = await newKey();
    const { GrantId } = await grant({ KeyId: key.KeyId! });
    const token = (version: number) => {
      const body = Buffer.concat([Buffer.from([version]), Buffer.from(GrantId!, 'hex'), Buffer.alloc(16, 7)]);
      const check = createHash('sha256').update('kms-workshop grant token\0').update(body).digest().subarray(0, 4);
      return Buffer.concat([body, check]).toString('base64url');
    };
    await expectAwsError(e.kms.send(new RetireGrantCommand({ GrantToken: token(2) })), 'InvalidGrantTokenException');
    expect(await grantsOn(key.KeyId!)).toHaveLength(1);
    await e.kms.send(new RetireGrantCommand({ GrantToken: token(1) })); // the same form, version 1: a token of this grant
    expect(await grantsOn(key.KeyId!)).toEqual([]);
  });
});

test('a retired and a revoked grant stay gone after a restart (each saved by its own call)', async () => {
  const first = await startTestEngine({ keepHome: true });
  let keyId = '';
  let [revoked, kept] = ['', ''];
  try {
    await createPrincipals(first);
    keyId = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const send = (Operations: CreateGrantCommandInput['Operations']) => first.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: ALICE, Operations }));
    const token = (await send(['Decrypt'])).GrantToken!;
    revoked = (await send(['Encrypt'])).GrantId!;
    kept = (await send(['DescribeKey'])).GrantId!;
    await first.kms.send(new RetireGrantCommand({ GrantToken: token })); // the last change before this engine stops
  } finally {
    await first.stop();
  }
  const second = await startTestEngine({ home: first.home, keepHome: true });
  try {
    expect((await grantsOn(keyId, second.kms)).map((g) => g.GrantId)).toEqual([revoked, kept]);
    await second.kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: revoked }));
  } finally {
    await second.stop();
  }
  const third = await startTestEngine({ home: first.home });
  try {
    expect((await grantsOn(keyId, third.kms)).map((g) => g.GrantId)).toEqual([kept]);
  } finally {
    await third.stop();
  }
});

describe('what a grant allows (for the authorization decision)', () => {
  const alice = makeCaller({ userName: 'alice' });
  const root = (accountId = ACCOUNT): Caller => ({ ...makeCaller({ accountId, arn: `arn:aws:iam::${accountId}:root` }), type: 'Root' });
  const answer = (keyId: string, caller: Caller, request: Parameters<typeof grantsAnswer>[3]) => grantsAnswer(e.engine.kms, e.engine.kms.resolve(keyId, makeCaller()), caller, request);

  test('a grant to an account by its id applies to its root; a grant to another account does not apply to this one', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, GranteePrincipal: ACCOUNT, Operations: ['Encrypt'] });
    await grant({ KeyId: key.KeyId!, GranteePrincipal: 'arn:aws:iam::444455556666:root', Operations: ['Decrypt'] });
    expect(answer(key.KeyId!, root(), { operation: 'Encrypt' })).toBe('Allow');
    expect(answer(key.KeyId!, alice, { operation: 'Encrypt', accountDelegates: () => true })).toBe('Allow');
    expect(answer(key.KeyId!, alice, { operation: 'Encrypt', accountDelegates: () => false })).toBe('NotApplicable');
    expect(answer(key.KeyId!, root(), { operation: 'Decrypt' })).toBe('NotApplicable');
    expect(answer(key.KeyId!, alice, { operation: 'Decrypt', accountDelegates: () => true })).toBe('NotApplicable');
  });

  test('CreateGrant under an EncryptionContextEquals parent: only the same Equals; under an unconstrained parent, any constraint', async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextEquals: { Department: 'IT', Team: 'a' } } });
    type Constraints = { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
    const child = (Constraints?: Constraints) => answer(key.KeyId!, alice, { operation: 'CreateGrant', newGrant: { Operations: ['Decrypt'], Constraints } });
    expect(child({ EncryptionContextEquals: { Team: 'a', Department: 'IT' } })).toBe('Allow');
    const refusedChildren: (Constraints | undefined)[] = [undefined, { EncryptionContextSubset: { Department: 'IT', Team: 'a' } }, { EncryptionContextEquals: { Department: 'IT' } }, { EncryptionContextEquals: { Department: 'IT', Team: 'a', More: 'x' } }, { EncryptionContextEquals: { Department: 'IT', Team: 'b' } }];
    for (const refused of refusedChildren) expect(child(refused), JSON.stringify(refused)).toBe('NotApplicable');
    const open = await newKey();
    await grant({ KeyId: open.KeyId!, Operations: ['Decrypt', 'CreateGrant'] });
    expect(answer(open.KeyId!, alice, { operation: 'CreateGrant', newGrant: { Operations: ['Decrypt'] } })).toBe('Allow');
    expect(answer(open.KeyId!, alice, { operation: 'CreateGrant', newGrant: { Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { x: 'y' } } } })).toBe('Allow');
    expect(answer(open.KeyId!, alice, { operation: 'CreateGrant', newGrant: { Operations: ['Decrypt', 'Encrypt'] } })).toBe('NotApplicable');
    expect(answer(open.KeyId!, alice, { operation: 'CreateGrant' })).toBe('NotApplicable'); // no grant described
  });

  test("another account's root may not retire a grant of this account by being a root", async () => {
    const key = await newKey();
    await grant({ KeyId: key.KeyId!, Operations: ['Decrypt'] });
    const g = [...e.engine.kms.grants.values()].find((x) => x.KeyArn === key.Arn)!;
    expect(mayRetire(g, root())).toBe(true);
    expect(mayRetire(g, root('444455556666'))).toBe(false);
    expect(mayRetire(g, { ...makeCaller({ arn: `arn:aws:iam::${ACCOUNT}:root` }), type: 'IAMUser' })).toBe(false);
  });
});
