// How KMS authorization (kms/authorization.ts) reads a request's fields, called directly with
// the engine's keys and a directory stub that gives the caller the policy each test names.
// Many of these inputs cannot come over the wire (the JSON layer refuses a body that is not an
// object, a member of the wrong type), but authorization runs before the operation parses its
// input: whatever it is handed, it must read a malformed field as absent, never crash on it
// (a TypeError would be a 500), and never let it widen what a caller may do.
import { CreateGrantCommand, CreateKeyCommand, EncryptCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { NamedPolicy, Directory } from '../../src/engine/auth/types.js';
import { makeCaller, onBehalfOf, type Caller } from '../../src/engine/caller.js';
import { AwsError } from '../../src/engine/errors.js';
import { authorizeKmsCall } from '../../src/engine/kms/authorization.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';

const ACCOUNT = '111122223333';
const TESTER = makeCaller({ userName: 'tester' });
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;

let e: TestEngine;
let key: KeyMetadata;
let policies: NamedPolicy[] = [];
let directory: Directory;

beforeAll(async () => {
  e = await startTestEngine();
  const iam = new IAMClient(e.clientConfig);
  for (const UserName of ['tester', 'bob']) await iam.send(new CreateUserCommand({ UserName })); // grants may name only principals that exist
  iam.destroy();
  key = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
});
afterAll(async () => e.stop());
beforeEach(() => {
  policies = [];
  directory = { identityPolicies: () => policies } as Partial<Directory> as Directory;
});

/** The caller's one identity policy, with these statements (none: the caller may do nothing). */
const policy = (...Statement: unknown[]) => {
  policies = [{ name: 'only', document: JSON.stringify({ Version: '2012-10-17', Statement }) }];
};
const allowIf = (Action: string, Condition: unknown, Resource: string = '*') => ({ Effect: 'Allow', Action, Resource, Condition });
const allow = (Action: string, Resource: string = '*') => ({ Effect: 'Allow', Action, Resource });

/** 'allowed', or the code of the AwsError authorization threw; any other throw (a TypeError) is returned as is, to fail the expectation. */
function outcome(operation: string, input: unknown, caller: Caller = TESTER): string | unknown {
  try {
    authorizeKmsCall({ kms: e.engine.kms, directory, clock: e.clock }, operation, input, caller);
    return 'allowed';
  } catch (err) {
    return err instanceof AwsError ? err.code : err;
  }
}
const DENIED = 'AccessDeniedException';

describe('a body that is not an object carries no fields', () => {
  test('null, an array, a string or a function with a KeyId is asked on no key (resource *), as a request without KeyId', () => {
    policy(allow('kms:DescribeKey', key.Arn!)); // on this key only, so not on resource '*'
    expect(outcome('DescribeKey', { KeyId: key.KeyId })).toBe('allowed');
    expect(outcome('DescribeKey', {})).toBe(DENIED);
    for (const odd of [null, Object.assign([], { KeyId: key.KeyId }), Object.assign(() => undefined, { KeyId: key.KeyId }), 'KeyId', 42])
      expect(outcome('DescribeKey', odd)).toBe(DENIED);
  });

  test('null for an operation on no key (ListKeys) is decided by IAM, not a crash', () => {
    policy(allow('kms:ListKeys'));
    expect(outcome('ListKeys', null)).toBe('allowed');
    expect(outcome('ListKeys', [])).toBe('allowed');
  });
});

describe('fields of the wrong type are read as absent', () => {
  test('an AliasName that is no string is the operation\'s to refuse; the key is still asked', () => {
    policy(allow('kms:CreateAlias', key.Arn!)); // on the key, not on any alias
    expect(outcome('CreateAlias', { AliasName: 42, TargetKeyId: key.KeyId })).toBe('allowed');
    expect(outcome('CreateAlias', { AliasName: 'alias/fields-test', TargetKeyId: key.KeyId })).toBe(DENIED); // a real alias name is asked on the alias
    policy();
    expect(outcome('CreateAlias', { AliasName: 42, TargetKeyId: key.KeyId })).toBe(DENIED);
  });

  test('an EncryptionContext that is null, an array, a string or has a non-string value carries no kms:EncryptionContextKeys', () => {
    policy(allowIf('kms:Encrypt', { Null: { 'kms:EncryptionContextKeys': 'true' } }));
    expect(outcome('Encrypt', { KeyId: key.KeyId })).toBe('allowed');
    expect(outcome('Encrypt', { KeyId: key.KeyId, EncryptionContext: { a: 'b' } })).toBe(DENIED);
    for (const EncryptionContext of [null, ['a'], 'ab', { a: 5 }, { a: 'b', c: null }])
      expect(outcome('Encrypt', { KeyId: key.KeyId, EncryptionContext })).toBe('allowed');
  });

  test("CreateKey's KeySpec that is no string is its default, SYMMETRIC_DEFAULT, as absent", () => {
    policy(allowIf('kms:CreateKey', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } }));
    expect(outcome('CreateKey', {})).toBe('allowed');
    expect(outcome('CreateKey', { KeySpec: 5 })).toBe('allowed');
    expect(outcome('CreateKey', { KeySpec: 'RSA_2048' })).toBe(DENIED);
    expect(outcome('CreateKey', { KeySpec: 5, CustomerMasterKeySpec: 'RSA_2048' })).toBe(DENIED);
  });

  test('CreateGrant Operations that are not all strings carry no kms:GrantOperations', () => {
    policy(allowIf('kms:CreateGrant', { Null: { 'kms:GrantOperations': 'true' } }, key.Arn!));
    const grant = (Operations: unknown) => outcome('CreateGrant', { KeyId: key.KeyId, GranteePrincipal: BOB, Operations });
    expect(grant(['Decrypt'])).toBe(DENIED);
    for (const Operations of ['Decrypt', ['Decrypt', 7], [7], undefined]) expect(grant(Operations)).toBe('allowed');
  });

  test('GrantTokens that are not a list of strings are not read (AccessDenied, not InvalidGrantTokenException or a crash); a list of strings is checked', () => {
    policy(); // denied by policies, so the key's grants are asked
    const encrypt = (GrantTokens: unknown) => outcome('Encrypt', { KeyId: key.KeyId, GrantTokens });
    for (const GrantTokens of ['junk', [7], ['junk', 7]]) expect(encrypt(GrantTokens)).toBe(DENIED);
    expect(encrypt(['junk'])).toBe('InvalidGrantTokenException');
  });
});

describe('what each operation asks', () => {
  test('RetireGrant asks nothing of IAM or the clock: the grant says who may retire it', () => {
    directory = { identityPolicies: () => { throw new Error('RetireGrant read IAM policies'); } } as Partial<Directory> as Directory;
    expect(outcome('RetireGrant', { KeyId: key.Arn, GrantId: 'a'.repeat(64) })).toBe('allowed');
  });

  test('an operation no grant can allow does not ask the grants (its GrantTokens are not read)', () => {
    policy();
    expect(outcome('DisableKey', { KeyId: key.KeyId, GrantTokens: ['junk'] })).toBe(DENIED);
    expect(outcome('DescribeKey', { KeyId: key.KeyId, GrantTokens: ['junk'] })).toBe('InvalidGrantTokenException'); // DescribeKey is a grant operation
  });

  test('Encrypt names its key by KeyId only: a CiphertextBlob it carries names none (the operation refuses the request)', async () => {
    const { CiphertextBlob } = await e.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    policy();
    expect(outcome('Encrypt', { CiphertextBlob: Buffer.from(CiphertextBlob!) })).toBe('allowed');
    expect(outcome('Decrypt', { CiphertextBlob: Buffer.from(CiphertextBlob!) })).toBe(DENIED); // Decrypt's key is the one its ciphertext names
    expect(outcome('Decrypt', { CiphertextBlob: Buffer.from(CiphertextBlob!).toString('base64') })).toBe('allowed'); // not bytes: left to the operation
  });

  test("CreateKey's requested properties (or their defaults) are not asked of other operations on no key", () => {
    const none = { Null: { 'kms:KeySpec': 'true', 'kms:KeyUsage': 'true', 'kms:KeyOrigin': 'true', 'kms:MultiRegion': 'true' } };
    policy(allowIf('kms:ListKeys', none), allowIf('kms:GenerateRandom', none));
    expect(outcome('ListKeys', { KeySpec: 'RSA_2048' })).toBe('allowed');
    expect(outcome('GenerateRandom', {})).toBe('allowed');
    policy(allowIf('kms:CreateKey', {
      StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT', 'kms:KeyOrigin': 'AWS_KMS' },
      Bool: { 'kms:MultiRegion': 'false' },
    }));
    expect(outcome('CreateKey', {})).toBe('allowed');
    expect(outcome('CreateKey', { MultiRegion: 'true' })).toBe('allowed'); // only the boolean true is a multi-Region request
    expect(outcome('CreateKey', { MultiRegion: true })).toBe(DENIED);
  });

  test('kms:KeyAgreementAlgorithm: the one DeriveSharedSecret names', async () => {
    const agreement = (await e.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }))).KeyMetadata!;
    policy(allowIf('kms:DeriveSharedSecret', { StringEquals: { 'kms:KeyAgreementAlgorithm': 'ECDH' } }));
    expect(outcome('DeriveSharedSecret', { KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH' })).toBe('allowed');
    expect(outcome('DeriveSharedSecret', { KeyId: agreement.KeyId })).toBe(DENIED);
    expect(outcome('DeriveSharedSecret', { KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH_OTHER' })).toBe(DENIED);
  });

  test('kms:GrantIsForAWSResource is true when a service asks on the caller\'s behalf', () => {
    policy(allowIf('kms:CreateGrant', { Bool: { 'kms:GrantIsForAWSResource': 'true' } }));
    const input = { KeyId: key.KeyId, GranteePrincipal: BOB, Operations: ['Decrypt'] };
    expect(outcome('CreateGrant', input, onBehalfOf(TESTER, 's3.amazonaws.com'))).toBe('allowed');
    expect(outcome('CreateGrant', input)).toBe(DENIED);
  });

  test('kms:ViaService names the service in the caller\'s Region', () => {
    policy(allowIf('kms:Encrypt', { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }));
    expect(outcome('Encrypt', { KeyId: key.KeyId }, onBehalfOf(TESTER, 's3.amazonaws.com'))).toBe('allowed');
    expect(outcome('Encrypt', { KeyId: key.KeyId })).toBe(DENIED);
  });
});

describe('CreateGrant allowed by a grant: the grant asked for is the one the request describes', () => {
  let parent: KeyMetadata;
  beforeAll(async () => {
    parent = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await e.kms.send(new CreateGrantCommand({
      KeyId: parent.KeyId, GranteePrincipal: TESTER.arn, Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { Department: 'IT' } },
    }));
  });
  const child = (more: Record<string, unknown>) => outcome('CreateGrant', { KeyId: parent.KeyId, GranteePrincipal: BOB, ...more });

  test('its operations and constraints, within the parent grant: allowed', () => {
    policy();
    expect(child({ Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { Department: 'IT' } } })).toBe('allowed');
    expect(child({ Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { Department: 'IT', Team: 'a' } } })).toBe('allowed');
  });

  test('wider than the parent, or described by fields that are no list: AccessDenied', () => {
    policy();
    expect(child({ Operations: ['Decrypt'] })).toBe(DENIED); // no constraint under a constrained parent
    expect(child({ Operations: ['Decrypt'], Constraints: 'Department=IT' })).toBe(DENIED);
    expect(child({ Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextEquals: { Department: 'IT' } } })).toBe(DENIED);
    expect(child({ Operations: 'Decrypt', Constraints: { EncryptionContextEquals: { Department: 'IT' } } })).toBe(DENIED);
  });
});
