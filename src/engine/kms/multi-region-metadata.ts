// What DescribeKey shows of a multi-Region key (the KeyMetadata fields of the AWS KMS API
// reference): MultiRegion for every key, and for a multi-Region one its configuration: whether
// it is the primary or a replica, the primary's ARN and Region, and every replica's.
import type { KeyRecord, Kms } from './model.js';

export function multiRegionMetadata(kms: Kms, key: KeyRecord) {
  if (!key.MultiRegionKeyType) return { MultiRegion: false };
  const related = kms.multiRegionKeys(key.KeyId);
  const primary = related.find((k) => k.MultiRegionKeyType === 'PRIMARY');
  const entry = (k: KeyRecord) => ({ Arn: k.Arn, Region: k.Region });
  return {
    MultiRegion: true,
    MultiRegionConfiguration: {
      MultiRegionKeyType: key.MultiRegionKeyType,
      ...(primary ? { PrimaryKey: entry(primary) } : {}),
      // "This field includes the current KMS key if it is a replica key."
      ReplicaKeys: related.filter((k) => k.MultiRegionKeyType === 'REPLICA').map(entry),
    },
  };
}
