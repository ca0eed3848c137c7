// What CloudTrail records of each KMS call, per the log entries the AWS KMS Developer Guide
// shows for each operation ("AWS KMS log entry examples"): the request members it names,
// with the defaults KMS fills in (Decrypt and ReEncrypt always show their algorithms,
// CreateKey its key spec, usage and origin), never plaintext, ciphertext or grant tokens,
// never a member the API does not define.
import { recordedParameters, type RecordedMembers } from '../cloudtrail/recorded-parameters.js';
import type { ServiceEventInput } from '../cloudtrail/trail.js';
import { acceptsDryRun } from './dry-run.js';
import type { ServiceEvent } from './model.js';

const KeyId: RecordedMembers = { KeyId: 'string' };
const Tags = { listOf: { TagKey: 'string', TagValue: 'string' } } as const;
const Paging: RecordedMembers = { Limit: 'integer', Marker: 'string' };
const DataKey: RecordedMembers = { KeyId: 'string', KeySpec: 'string', NumberOfBytes: 'integer', EncryptionContext: 'stringMap' };
const Alias: RecordedMembers = { AliasName: 'string', TargetKeyId: 'string' };
const Signing: RecordedMembers = { KeyId: 'string', MessageType: 'string', SigningAlgorithm: 'string' };
const Mac: RecordedMembers = { KeyId: 'string', MacAlgorithm: 'string' };
const DataKeyPair: RecordedMembers = { KeyId: 'string', KeyPairSpec: 'string', EncryptionContext: 'stringMap' };

interface Recording {
  members: RecordedMembers;
  /** Values CloudTrail shows even when the request left them out. */
  defaults?: (params: Record<string, unknown>) => Record<string, unknown>;
}

const KMS_RECORDINGS: Record<string, Recording> = {
  CreateKey: {
    members: {
      Policy: 'string', Description: 'string', KeyUsage: 'string', KeySpec: 'string', CustomerMasterKeySpec: 'string', Origin: 'string',
      CustomKeyStoreId: 'string', BypassPolicyLockoutSafetyCheck: 'boolean', Tags, MultiRegion: 'boolean', XksKeyId: 'string',
    },
    defaults: (p) => {
      const keySpec = p.keySpec ?? p.customerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
      return { description: '', origin: 'AWS_KMS', bypassPolicyLockoutSafetyCheck: false, keyUsage: 'ENCRYPT_DECRYPT', keySpec, customerMasterKeySpec: keySpec };
    },
  },
  DescribeKey: { members: KeyId },
  ListKeys: { members: Paging },
  UpdateKeyDescription: { members: { KeyId: 'string', Description: 'string' } },
  EnableKey: { members: KeyId },
  DisableKey: { members: KeyId },
  ScheduleKeyDeletion: { members: { KeyId: 'string', PendingWindowInDays: 'integer' } },
  CancelKeyDeletion: { members: KeyId },
  CreateAlias: { members: Alias },
  UpdateAlias: { members: Alias },
  DeleteAlias: { members: { AliasName: 'string' } },
  ListAliases: { members: { KeyId: 'string', ...Paging } },
  Encrypt: {
    members: { KeyId: 'string', EncryptionContext: 'stringMap', EncryptionAlgorithm: 'string' },
    defaults: () => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
  },
  Decrypt: {
    members: { KeyId: 'string', EncryptionContext: 'stringMap', EncryptionAlgorithm: 'string' },
    defaults: () => ({ encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
  },
  ReEncrypt: {
    members: {
      SourceKeyId: 'string', SourceEncryptionContext: 'stringMap', SourceEncryptionAlgorithm: 'string',
      DestinationKeyId: 'string', DestinationEncryptionContext: 'stringMap', DestinationEncryptionAlgorithm: 'string',
    },
    defaults: () => ({ sourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', destinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
  },
  GenerateDataKey: { members: DataKey },
  GenerateDataKeyWithoutPlaintext: { members: DataKey },
  GenerateRandom: { members: {} }, // AWS records null: the number of bytes is not shown
  TagResource: { members: { KeyId: 'string', Tags } },
  UntagResource: { members: { KeyId: 'string', TagKeys: 'stringList' } },
  ListResourceTags: { members: { KeyId: 'string', ...Paging } },
  EnableKeyRotation: { members: { KeyId: 'string', RotationPeriodInDays: 'integer' } },
  DisableKeyRotation: { members: KeyId },
  GetKeyRotationStatus: { members: KeyId },
  RotateKeyOnDemand: { members: KeyId },
  ListKeyRotations: { members: { KeyId: 'string', IncludeKeyMaterial: 'string', ...Paging } },
  GetParametersForImport: { members: { KeyId: 'string', WrappingAlgorithm: 'string', WrappingKeySpec: 'string' } },
  // Never the import token or the encrypted key material.
  ImportKeyMaterial: {
    members: { KeyId: 'string', ValidTo: 'timestamp', ExpirationModel: 'string', ImportType: 'string', KeyMaterialDescription: 'string', KeyMaterialId: 'string' },
  },
  DeleteImportedKeyMaterial: { members: { KeyId: 'string', KeyMaterialId: 'string' } },
  GetPublicKey: { members: KeyId },
  // Never the message, the signature or the MAC: only how they were made.
  Sign: { members: Signing, defaults: () => ({ messageType: 'RAW' }) },
  Verify: { members: Signing, defaults: () => ({ messageType: 'RAW' }) },
  GenerateMac: { members: Mac },
  VerifyMac: { members: Mac },
  GenerateDataKeyPair: { members: DataKeyPair },
  GenerateDataKeyPairWithoutPlaintext: { members: DataKeyPair },
  // Never the shared secret; the peer's public key is a blob, which KMS's log entries do not show.
  DeriveSharedSecret: { members: { KeyId: 'string', KeyAgreementAlgorithm: 'string' } },
  ReplicateKey: { members: { KeyId: 'string', ReplicaRegion: 'string', Policy: 'string', BypassPolicyLockoutSafetyCheck: 'boolean', Description: 'string', Tags } },
  UpdatePrimaryRegion: { members: { KeyId: 'string', PrimaryRegion: 'string' } },
  GetKeyPolicy: { members: { KeyId: 'string', PolicyName: 'string' }, defaults: () => ({ policyName: 'default' }) },
  PutKeyPolicy: {
    members: { KeyId: 'string', PolicyName: 'string', Policy: 'string', BypassPolicyLockoutSafetyCheck: 'boolean' },
    defaults: () => ({ policyName: 'default', bypassPolicyLockoutSafetyCheck: false }),
  },
  ListKeyPolicies: { members: { KeyId: 'string', ...Paging } },
  // Never the grant tokens of a request, nor (RetireGrant) the token that names the grant: AWS records RetireGrant with null.
  CreateGrant: {
    members: {
      KeyId: 'string', GranteePrincipal: 'string', RetiringPrincipal: 'string', Operations: 'stringList',
      Constraints: { struct: { EncryptionContextSubset: 'stringMap', EncryptionContextEquals: 'stringMap' } }, Name: 'string', DryRun: 'boolean',
    },
  },
  ListGrants: { members: { KeyId: 'string', GrantId: 'string', GranteePrincipal: 'string', ...Paging } },
  ListRetirableGrants: { members: { RetiringPrincipal: 'string', ...Paging } },
  RetireGrant: { members: {} },
  RevokeGrant: { members: { KeyId: 'string', GrantId: 'string', DryRun: 'boolean' } },
};

const withDryRun = new Map<string, RecordedMembers>();

/** What an operation records: an operation that takes DryRun records it ("dryRun": true in AWS's examples of a dry run). Worked out once per operation. */
function membersOf(operation: string, recording: { members: RecordedMembers }): RecordedMembers {
  if (!acceptsDryRun(operation)) return recording.members;
  let members = withDryRun.get(operation);
  if (!members) {
    members = { ...recording.members, DryRun: 'boolean', ...(operation === 'Decrypt' || operation === 'ReEncrypt' ? { DryRunModifiers: 'stringList' } : {}) };
    withDryRun.set(operation, members);
  }
  return members;
}

/** The requestParameters of a KMS call's event; null for an operation the engine does not know. */
export function kmsRequestParameters(operation: string, input: unknown): Record<string, unknown> | null {
  const recording = Object.hasOwn(KMS_RECORDINGS, operation) ? KMS_RECORDINGS[operation] : undefined; // never Object.prototype's toString
  if (!recording) return null;
  const params = recordedParameters(membersOf(operation, recording), input) ?? {};
  const withDefaults = recording.defaults ? { ...recording.defaults(params), ...params } : params;
  return Object.keys(withDefaults).length > 0 ? withDefaults : null;
}

/** What KMS does on its own on the engine clock, as AWS's log examples show it (RotateKey, DeleteExpiredKeyMaterial). */
export function kmsServiceEvent(e: ServiceEvent): ServiceEventInput {
  return {
    accountId: e.key.AWSAccountId,
    region: e.key.Region,
    eventSource: 'kms.amazonaws.com',
    eventName: e.eventName,
    resources: [{ type: 'AWS::KMS::Key', ARN: e.key.Arn }],
    serviceEventDetails: { keyId: e.key.KeyId },
    time: e.time,
  };
}
