// Fixture steps for test/lessons/lesson-9-identities.test.ts: as() with a role's session, its refusals, otherAccount().
import { AttachRolePolicyCommand, CreateRoleCommand, DeleteRoleCommand, DetachRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, GenerateDataKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { StepContext } from '../../../../src/runtime/context.js';

const POWER_USER = 'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser';

export async function roleSession({ iam, sts, kms, as, show, expectError }: StepContext) {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] };
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'kms-workshop-role', AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await iam.send(new AttachRolePolicyCommand({ RoleName: 'kms-workshop-role', PolicyArn: POWER_USER }));
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: 'fixture' }));
  const role = as(Credentials!, 'kms-workshop-role');
  const { Arn } = await role.sts.send(new GetCallerIdentityCommand({}));
  show.text(`signs as ${Arn}`);
  const { KeyMetadata } = await role.kms.send(new CreateKeyCommand({}));
  await expectError(role.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256' })), { code: 'AccessDeniedException', why: 'PowerUser has no GenerateDataKey', fix: 'a policy that allows it' });
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
  await iam.send(new DetachRolePolicyCommand({ RoleName: 'kms-workshop-role', PolicyArn: POWER_USER }));
  await iam.send(new DeleteRoleCommand({ RoleName: 'kms-workshop-role' }));
}

export async function refused({ as, show }: StepContext) {
  for (const [credentials, who] of [[{ AccessKeyId: 'AKIAX' }, 'someone'], [{ accessKeyId: 'AKIAX', secretAccessKey: 's' }, 'you'], [{ accessKeyId: 'AKIAX', secretAccessKey: 's' }, ' ']] as const) {
    try {
      as(credentials, who);
      show.text('accepted');
    } catch (e) {
      show.text(`refused: ${(e as Error).message}`);
    }
  }
}

export async function otherAccountTwice({ otherAccount, as, show }: StepContext) {
  const first = await otherAccount();
  const second = await otherAccount();
  if (!first.applied || !second.applied) return show.text('not applied');
  show.text(`same key: ${first.credentials.accessKeyId === second.credentials.accessKeyId}`);
  const { Account, Arn } = await as(first.credentials, `account ${first.accountId}`).sts.send(new GetCallerIdentityCommand({}));
  return show.text(`${Account} ${Arn}`);
}
