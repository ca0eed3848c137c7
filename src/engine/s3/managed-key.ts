// The AWS managed key aws/s3: what S3 uses for SSE-KMS when no key is named.
// AWS creates it in the account and Region the first time it is needed.
import type { Caller } from '../caller.js';
import type { Kms } from '../kms/model.js';

export const S3_MANAGED_ALIAS = 'alias/aws/s3';
const DESCRIPTION = 'Default key that protects my S3 objects when no other key is defined';

/** Makes sure alias/aws/s3 exists in the caller's Region (no KMS call is recorded: AWS creates it itself). */
export function ensureS3ManagedKey(kms: Kms, caller: Caller): void {
  if (kms.findAlias(S3_MANAGED_ALIAS, caller)) return;
  const key = kms.newKey(caller, { Description: DESCRIPTION, Policy: managedKeyPolicy(caller), KeyManager: 'AWS' });
  const now = kms.clock.now().getTime();
  kms.putAlias({ AliasName: S3_MANAGED_ALIAS, AliasArn: kms.aliasArn(caller, S3_MANAGED_ALIAS), TargetKeyId: key.KeyId, CreationDate: now, LastUpdatedDate: now });
  kms.save();
}

/** The key policy AWS gives aws/s3: principals of this account may use it through S3 only. */
function managedKeyPolicy(caller: Caller): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'auto-s3-2',
      Statement: [
        {
          Sid: 'Allow access through S3 for all principals in the account that are authorized to use S3',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': caller.accountId, 'kms:ViaService': `s3.${caller.region}.amazonaws.com` } },
        },
        {
          Sid: 'Allow direct access to key metadata to the account',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${caller.accountId}:root` },
          Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}
