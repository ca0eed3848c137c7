// A grant at work, as issue 10 asks for: an IAM user with no policy of their own may not use a
// key whose policy leaves it to IAM; a grant with an EncryptionContextSubset constraint lets
// them, used through its grant token, only with that context; retired, it lets them no more.
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, RetireGrantCommand } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
let alice: KMSClient;
beforeEach(async () => {
  e = await startTestEngine();
  const iam = new IAMClient(e.clientConfig);
  await iam.send(new CreateUserCommand({ UserName: 'alice' }));
  const { AccessKeyId, SecretAccessKey } = (await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
  iam.destroy();
  alice = new KMSClient({ ...e.clientConfig, credentials: { accessKeyId: AccessKeyId!, secretAccessKey: SecretAccessKey! } });
});
afterEach(async () => {
  alice.destroy();
  await e.stop();
});

const ALICE = 'arn:aws:iam::111122223333:user/alice';

test('a grant with an EncryptionContextSubset constraint, used via its grant token, then retired', async () => {
  const key = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!; // the default key policy: the account's IAM decides
  const encrypt = (EncryptionContext: Record<string, string>, GrantTokens?: string[]) =>
    alice.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('payroll'), EncryptionContext, GrantTokens }));
  const before = await expectAwsError(encrypt({ project: 'workshop' }), 'AccessDeniedException');
  expect(before.message).toContain(`User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${key.Arn}`);

  const { GrantToken } = await e.kms.send(new CreateGrantCommand({
    KeyId: key.KeyId, GranteePrincipal: ALICE, Operations: ['Encrypt', 'Decrypt', 'RetireGrant'], Constraints: { EncryptionContextSubset: { project: 'workshop' } },
  }));
  const context = { project: 'workshop', file: 'payroll.csv' };
  const { CiphertextBlob } = await encrypt(context, [GrantToken!]); // usable at once with its token (and, the engine being consistent, without)
  expect(Buffer.from((await alice.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context, GrantTokens: [GrantToken!] }))).Plaintext!).toString()).toBe('payroll');
  await expectAwsError(encrypt({ project: 'other' }, [GrantToken!]), 'AccessDeniedException'); // the constraint does not hold
  await expectAwsError(encrypt({}, [GrantToken!]), 'AccessDeniedException');
  await expectAwsError(encrypt(context, ['not-a-grant-token']), 'InvalidGrantTokenException');

  await alice.send(new RetireGrantCommand({ GrantToken })); // the grantee may: the grant allows RetireGrant
  await expectAwsError(encrypt(context, [GrantToken!]), 'AccessDeniedException');
});
