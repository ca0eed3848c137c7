// Lesson 9: who may use a key. Each exported function is one step; its
// source is what the learner sees as "the code" on screen.
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListUserPoliciesCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  RetireGrantCommand,
  ScheduleKeyDeletionCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { StepContext } from '../../src/runtime/context.js';

/** An access key saved by the lesson: the user it signs as, and the key. */
interface SavedKey {
  UserName: string;
  AccessKeyId: string;
  SecretAccessKey: string;
}

/** On AWS, IAM changes take a while to work everywhere; locally none. */
function iamSettles(target: string) {
  return new Promise((r) => setTimeout(r, target === 'aws' ? 10_000 : 0));
}

export async function makeALearner(
  { iam, sts, as, names, path, show, target }: StepContext,
) {
  // 'kms-workshop-novice'; on AWS with your prefix
  const UserName = names.iam('kms-workshop-novice');
  try {
    await iam.send(new CreateUserCommand({ UserName }));
  } catch (e) {
    if ((e as Error).name !== 'EntityAlreadyExistsException') throw e;
    throw new Error(
      `${UserName} is there already (this step ran, or a run ` +
        'stopped before its clean-up): run the last step ' +
        '(clean-up), then the lesson from its start.',
    );
  }
  const { AccessKey } = await iam.send(
    new CreateAccessKeyCommand({ UserName }),
  );
  // For the next steps, readable by you only (as ~/.aws/credentials)
  await writeFile(path('novice-key.json'), JSON.stringify(AccessKey), {
    mode: 0o600,
  });
  await iamSettles(target);
  // Who does AWS say signs with this key?
  const novice = as(AccessKey!, UserName);
  const { Arn, Account } = await novice.sts.send(
    new GetCallerIdentityCommand({}),
  );
  const you = await sts.send(new GetCallerIdentityCommand({}));
  return show.table(['', 'signs as', 'account'], [
    ['you', you.Arn!, you.Account!],
    ['the novice', Arn!, Account!],
  ], 'Two identities');
}

export async function createKeyDenied(
  { as, path, expectError }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('novice-key.json'), 'utf8'),
  );
  const novice = as(key, key.UserName);
  return expectError(
    novice.kms.send(new CreateKeyCommand({
      Description: 'kms-workshop: made by the novice',
    })),
    {
      code: 'AccessDeniedException',
      why: 'A new IAM user has no permission at all: no policy ' +
        'attached to it allows kms:CreateKey.',
      fix: 'Attach a policy that allows kms:CreateKey to the user.',
    },
  );
}

export async function attachPowerUser(
  { iam, as, names, path, show, target }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('novice-key.json'), 'utf8'),
  );
  // An AWS managed policy: the same in every account
  const PolicyArn =
    'arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser';
  await iam.send(new AttachUserPolicyCommand({
    UserName: key.UserName,
    PolicyArn,
  }));
  const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn }));
  const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({
    PolicyArn,
    VersionId: Policy!.DefaultVersionId,
  }));
  // IAM answers with the document URL-encoded
  show.json(
    JSON.parse(decodeURIComponent(PolicyVersion!.Document!)),
    `${Policy!.PolicyName} (${Policy!.DefaultVersionId})`,
  );
  await iamSettles(target);
  const novice = as(key, key.UserName);
  const { KeyMetadata } = await novice.kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: made by the novice',
  }));
  const alias = {
    AliasName: names.alias('kms-workshop-novice'),
    TargetKeyId: KeyMetadata!.KeyId,
  };
  try {
    await novice.kms.send(new CreateAliasCommand(alias));
  } catch (e) {
    // The step ran before: the alias moves to the new key
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await novice.kms.send(new UpdateAliasCommand(alias));
  }
  const { KeyId, Arn } = KeyMetadata!;
  return show.json({ KeyId, Arn }, 'The novice\'s key');
}

export async function generateDataKeyDenied(
  { as, names, path, expectError }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('novice-key.json'), 'utf8'),
  );
  const novice = as(key, key.UserName);
  return expectError(
    novice.kms.send(new GenerateDataKeyCommand({
      KeyId: names.alias('kms-workshop-novice'),
      KeySpec: 'AES_256',
      EncryptionContext: { project: 'workshop' },
    })),
    {
      code: 'AccessDeniedException',
      why: 'AWSKeyManagementServicePowerUser manages keys (create, ' +
        'describe, list, tag, alias) but allows no cryptographic ' +
        'operation: kms:GenerateDataKey is not in it.',
      fix: 'Attach a policy that allows kms:GenerateDataKey.',
    },
  );
}

export async function additionalPermissions(
  { iam, as, names, path, show, target }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('novice-key.json'), 'utf8'),
  );
  // The workshop's policy: the three operations envelope encryption uses
  const { Policy } = await iam.send(new CreatePolicyCommand({
    PolicyName: names.iam('KMSWorkshop-AdditionalPermissions'),
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: [
          'kms:GenerateDataKey',
          'kms:Encrypt',
          'kms:Decrypt',
        ],
        Resource: '*',
      }],
    }),
  }));
  await iam.send(new AttachUserPolicyCommand({
    UserName: key.UserName,
    PolicyArn: Policy!.Arn,
  }));
  await iamSettles(target);
  const novice = as(key, key.UserName);
  const { Plaintext, CiphertextBlob, KeyId } = await novice.kms.send(
    new GenerateDataKeyCommand({
      KeyId: names.alias('kms-workshop-novice'),
      KeySpec: 'AES_256',
      EncryptionContext: { project: 'workshop' },
    }),
  );
  // show.json masks the plaintext key
  return show.json({ Plaintext, CiphertextBlob, KeyId });
}

export async function defaultKeyPolicy(
  { kms, names, show }: StepContext,
) {
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-novice'),
  }));
  // GetKeyPolicy takes the key's id or ARN, not an alias
  const { Policy } = await kms.send(new GetKeyPolicyCommand({
    KeyId: KeyMetadata!.KeyId,
    PolicyName: 'default',
  }));
  return show.json(JSON.parse(Policy!), 'The key policy CreateKey made');
}

export async function adminsAndUsers(
  { kms, iam, sts, as, names, path, show, expectError }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('novice-key.json'), 'utf8'),
  );
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  const { User } = await iam.send(
    new GetUserCommand({ UserName: key.UserName }),
  );
  const Policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      // The account (its IAM policies) may manage the key, not use it
      Sid: 'Key administrators',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${Account}:root` },
      Action: [
        'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*',
        'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*',
        'kms:Get*', 'kms:Delete*', 'kms:TagResource',
        'kms:UntagResource', 'kms:ScheduleKeyDeletion',
        'kms:CancelKeyDeletion',
      ],
      Resource: '*',
    }, {
      // Only the novice may use it
      Sid: 'Key users',
      Effect: 'Allow',
      Principal: { AWS: User!.Arn },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
    }],
  });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({
    Description: 'kms-workshop: admins and users',
    Policy,
  }));
  const alias = {
    AliasName: names.alias('kms-workshop-shared'),
    TargetKeyId: KeyMetadata!.KeyId,
  };
  try {
    await kms.send(new CreateAliasCommand(alias));
  } catch (e) {
    // The step ran before: the alias moves to the new key
    if ((e as Error).name !== 'AlreadyExistsException') throw e;
    await kms.send(new UpdateAliasCommand(alias));
  }
  const novice = as(key, key.UserName);
  await novice.kms.send(new GenerateDataKeyCommand({
    KeyId: KeyMetadata!.Arn,
    KeySpec: 'AES_256',
  }));
  show.text('The novice generated a data key with it.', 'ok');
  // You have AdministratorAccess: kms:* on every resource
  return expectError(
    kms.send(new GenerateDataKeyCommand({
      KeyId: KeyMetadata!.Arn,
      KeySpec: 'AES_256',
    })),
    {
      code: 'AccessDeniedException',
      why: 'This key policy lets the account (and so your IAM ' +
        'policies) manage the key, but only the novice use it: your ' +
        'AdministratorAccess counts for no action the key policy ' +
        'does not give the account.',
      fix: 'Name yourself in "Key users", or give the account the ' +
        'cryptographic actions too.',
    },
  );
}

export async function contextCondition(
  { kms, as, names, path, show, expectError }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('novice-key.json'), 'utf8'),
  );
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-shared'),
  }));
  const { Policy } = await kms.send(new GetKeyPolicyCommand({
    KeyId: KeyMetadata!.KeyId,
    PolicyName: 'default',
  }));
  const policy = JSON.parse(Policy!);
  const users = policy.Statement.find(
    (s: { Sid?: string }) => s.Sid === 'Key users',
  );
  // Only for data of the project "workshop"
  users.Condition = {
    StringEquals: { 'kms:EncryptionContext:project': 'workshop' },
  };
  await kms.send(new PutKeyPolicyCommand({
    KeyId: KeyMetadata!.KeyId,
    PolicyName: 'default',
    Policy: JSON.stringify(policy),
  }));
  show.json(users, 'The "Key users" statement now');
  const novice = as(key, key.UserName);
  await novice.kms.send(new GenerateDataKeyCommand({
    KeyId: KeyMetadata!.Arn,
    KeySpec: 'AES_256',
    EncryptionContext: { project: 'workshop' },
  }));
  show.text('project=workshop: a data key.', 'ok');
  return expectError(
    novice.kms.send(new GenerateDataKeyCommand({
      KeyId: KeyMetadata!.Arn,
      KeySpec: 'AES_256',
      EncryptionContext: { project: 'payroll' },
    })),
    {
      code: 'AccessDeniedException',
      why: 'The "Key users" statement now allows only requests whose ' +
        'encryption context has project=workshop; this one says payroll.',
      fix: 'Use project=workshop, or widen the condition.',
    },
  );
}

export async function grantForAnApp(
  { kms, iam, as, names, path, show, target, expectError }: StepContext,
) {
  // A second identity with no policy at all: an application
  const UserName = names.iam('kms-workshop-app');
  const { User } = await iam.send(new CreateUserCommand({ UserName }));
  const { AccessKey } = await iam.send(
    new CreateAccessKeyCommand({ UserName }),
  );
  await writeFile(path('app-key.json'), JSON.stringify(AccessKey), {
    mode: 0o600,
  });
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-shared'),
  }));
  const { GrantId, GrantToken } = await kms.send(new CreateGrantCommand({
    KeyId: KeyMetadata!.KeyId,
    GranteePrincipal: User!.Arn,
    RetiringPrincipal: User!.Arn,
    Operations: ['GenerateDataKey', 'Decrypt'],
    Constraints: {
      EncryptionContextSubset: { project: 'workshop' },
    },
  }));
  await writeFile(path('grant-id.txt'), GrantId!);
  await iamSettles(target);
  const app = as(AccessKey!, UserName);
  // The token: the grant works at once, before KMS has spread it
  const { KeyId } = await app.kms.send(new GenerateDataKeyCommand({
    KeyId: KeyMetadata!.Arn,
    KeySpec: 'AES_256',
    EncryptionContext: { project: 'workshop', team: 'blue' },
    GrantTokens: [GrantToken!],
  }));
  show.text(`The app generated a data key under ${KeyId}.`, 'ok');
  return expectError(
    app.kms.send(new GenerateDataKeyCommand({
      KeyId: KeyMetadata!.Arn,
      KeySpec: 'AES_256',
      EncryptionContext: { team: 'blue' },
      GrantTokens: [GrantToken!],
    })),
    {
      code: 'AccessDeniedException',
      why: 'The grant allows only requests whose encryption context ' +
        'includes project=workshop; this one has team=blue alone.',
      fix: 'Add project=workshop to the encryption context.',
    },
  );
}

export async function retireTheGrant(
  { kms, as, names, path, expectError }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('app-key.json'), 'utf8'),
  );
  const GrantId = await readFile(path('grant-id.txt'), 'utf8');
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-shared'),
  }));
  const app = as(key, key.UserName);
  // The app is the grant's retiring principal: done with the key
  await app.kms.send(new RetireGrantCommand({
    KeyId: KeyMetadata!.Arn,
    GrantId,
  }));
  return expectError(
    app.kms.send(new GenerateDataKeyCommand({
      KeyId: KeyMetadata!.Arn,
      KeySpec: 'AES_256',
      EncryptionContext: { project: 'workshop' },
    })),
    {
      code: 'AccessDeniedException',
      why: 'The grant was the app\'s only permission, and it is gone.',
      fix: 'A new grant (CreateGrant) for the next piece of work.',
    },
  );
}

export async function denyBeatsAllow(
  { iam, as, names, path, show, target, expectError }: StepContext,
) {
  const key: SavedKey = JSON.parse(
    await readFile(path('novice-key.json'), 'utf8'),
  );
  // An inline policy: part of the user, not shared
  const document = {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Deny',
      Action: 'kms:GenerateDataKey',
      Resource: '*',
    }],
  };
  await iam.send(new PutUserPolicyCommand({
    UserName: key.UserName,
    PolicyName: 'DenyGenerateDataKey',
    PolicyDocument: JSON.stringify(document),
  }));
  show.json(document, 'DenyGenerateDataKey, on the novice');
  await iamSettles(target);
  const novice = as(key, key.UserName);
  return expectError(
    novice.kms.send(new GenerateDataKeyCommand({
      KeyId: names.alias('kms-workshop-shared'),
      KeySpec: 'AES_256',
      EncryptionContext: { project: 'workshop' },
    })),
    {
      code: 'AccessDeniedException',
      why: 'The key policy and KMSWorkshop-AdditionalPermissions ' +
        'allow it, but an explicit Deny in any policy wins over ' +
        'every Allow.',
      fix: 'Remove the Deny (DeleteUserPolicy); no Allow can ' +
        'outweigh it.',
    },
  );
}

export async function crossAccount(
  { kms, as, otherAccount, names, show, expectError }: StepContext,
) {
  const other = await otherAccount();
  // On AWS: no second account to sign as
  if (!other.applied) return;
  const admin = as(other.credentials, `account ${other.accountId}`);
  const { KeyMetadata } = await kms.send(new DescribeKeyCommand({
    KeyId: names.alias('kms-workshop-shared'),
  }));
  // Another account names the key by its ARN: an alias is per account
  const request = {
    KeyId: KeyMetadata!.Arn,
    KeySpec: 'AES_256' as const,
    EncryptionContext: { project: 'workshop' },
  };
  await expectError(
    admin.kms.send(new GenerateDataKeyCommand(request)),
    {
      code: 'AccessDeniedException',
      why: `The key policy names no principal of ${other.accountId}: ` +
        'its administrator\'s own IAM policies cannot reach the key.',
      fix: 'Name the other account in the key policy.',
    },
  );
  const { Policy } = await kms.send(new GetKeyPolicyCommand({
    KeyId: KeyMetadata!.KeyId,
    PolicyName: 'default',
  }));
  const policy = JSON.parse(Policy!);
  policy.Statement.push({
    // The other account's IAM policies decide who there may use it
    Sid: 'Another account',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${other.accountId}:root` },
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: '*',
  });
  await kms.send(new PutKeyPolicyCommand({
    KeyId: KeyMetadata!.KeyId,
    PolicyName: 'default',
    Policy: JSON.stringify(policy),
  }));
  const { KeyId } = await admin.kms.send(
    new GenerateDataKeyCommand(request),
  );
  return show.text(
    `Account ${other.accountId} generated a data key under ${KeyId}.`,
    'ok',
  );
}

export async function cleanUp(
  { kms, iam, sts, names, path, show }: StepContext,
) {
  const removed: string[] = [];
  for (const name of ['kms-workshop-novice', 'kms-workshop-app']) {
    const UserName = names.iam(name);
    try {
      // IAM deletes a user only once it holds nothing
      const { AccessKeyMetadata } = await iam.send(
        new ListAccessKeysCommand({ UserName }),
      );
      for (const { AccessKeyId } of AccessKeyMetadata ?? [])
        await iam.send(
          new DeleteAccessKeyCommand({ UserName, AccessKeyId }),
        );
      const { AttachedPolicies } = await iam.send(
        new ListAttachedUserPoliciesCommand({ UserName }),
      );
      for (const { PolicyArn } of AttachedPolicies ?? [])
        await iam.send(
          new DetachUserPolicyCommand({ UserName, PolicyArn }),
        );
      const { PolicyNames } = await iam.send(
        new ListUserPoliciesCommand({ UserName }),
      );
      for (const PolicyName of PolicyNames ?? [])
        await iam.send(
          new DeleteUserPolicyCommand({ UserName, PolicyName }),
        );
      await iam.send(new DeleteUserCommand({ UserName }));
      removed.push(`IAM user ${UserName}`);
    } catch (e) {
      // Not made: the lesson stopped before that step
      if ((e as Error).name !== 'NoSuchEntityException') throw e;
    }
  }
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  const policy = names.iam('KMSWorkshop-AdditionalPermissions');
  try {
    await iam.send(new DeletePolicyCommand({
      PolicyArn: `arn:aws:iam::${Account}:policy/${policy}`,
    }));
    removed.push(`IAM policy ${policy}`);
  } catch (e) {
    if ((e as Error).name !== 'NoSuchEntityException') throw e;
  }
  for (const name of ['kms-workshop-novice', 'kms-workshop-shared']) {
    const alias = names.alias(name);
    try {
      const { KeyMetadata } = await kms.send(
        new DescribeKeyCommand({ KeyId: alias }),
      );
      await kms.send(new DeleteAliasCommand({ AliasName: alias }));
      await kms.send(new ScheduleKeyDeletionCommand({
        KeyId: KeyMetadata!.KeyId,
        PendingWindowInDays: 7,
      }));
      removed.push(`${alias} (key scheduled for deletion in 7 days)`);
    } catch (e) {
      if ((e as Error).name !== 'NotFoundException') throw e;
    }
  }
  for (const file of ['novice-key.json', 'app-key.json', 'grant-id.txt'])
    await rm(path(file), { force: true });
  show.table(['removed'], removed.map((r) => [r]));
  return show.text('Cleanup Successful', 'ok');
}
