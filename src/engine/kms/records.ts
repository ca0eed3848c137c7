// The records the engine's KMS keeps, as they are stored (kms.json and its journal): keys with
// their material (wrapped), aliases, grants. What reads and changes them is model.ts.
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable' | 'PendingReplicaDeletion';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface KeyRecord {
  KeyId: string;
  Arn: string;
  AWSAccountId: string;
  Region: string;
  CreationDate: number; // epoch ms
  Description: string;
  KeyState: KeyState;
  KeyUsage: string;
  KeySpec: string;
  Origin: string;
  KeyManager: 'CUSTOMER' | 'AWS';
  DeletionDate?: number; // epoch ms
  PendingWindowInDays?: number;
  Policy: string;
  Tags: Tag[];
  /** Wrapped key material, oldest first; the last one encrypts. Handles are hex. */
  Materials: MaterialRecord[];
  /** Automatic rotation, while enabled (EnableKeyRotation); AWS managed keys always have it. */
  Rotation?: AutomaticRotation;
  /** Imported material waiting for RotateKeyOnDemand to make it current (Origin EXTERNAL, symmetric keys). */
  PendingMaterial?: MaterialRecord;
  /**
   * Multi-Region keys only (KeyId mrk-...): one key per Region, all with the same id. The primary's
   * material and rotation are shared with its replicas (shareWithReplicas, on every save).
   */
  MultiRegionKeyType?: 'PRIMARY' | 'REPLICA';
}

/** One key material of a key, wrapped under the root key. */
export interface MaterialRecord {
  handle: string;
  /** '' while imported material is deleted or expired: the handle stays, so old ciphertexts decrypt once it is imported again. */
  wrapped: string;
  /** When it became the key's material (for all but the first, its rotation date). */
  created: number;
  /** KeyMaterialId (64 hex digits); material made before ids existed has none: see materialId(). */
  id?: string;
  /** How it became current; absent for a key's first material. */
  rotation?: 'AUTOMATIC' | 'ON_DEMAND';
  /** Imported material (Origin EXTERNAL): whether and when it expires, and its description. */
  imported?: { ExpirationModel: ExpirationModel; ValidTo?: number; Description?: string };
}

export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';

export interface AutomaticRotation {
  PeriodInDays: number;
  /** When the next automatic rotation falls due (epoch ms). */
  NextDate: number;
  /** A rotation fell due while the key was disabled or pending deletion: it runs as soon as the key is enabled. */
  Missed?: boolean;
}

/** Something KMS did on its own, on the engine clock (CloudTrail records it as an AwsServiceEvent). */
export interface ServiceEvent {
  eventName: 'RotateKey' | 'DeleteExpiredKeyMaterial';
  key: KeyRecord;
  time: number; // epoch ms
}

export interface AliasRecord {
  AliasName: string;
  AliasArn: string;
  TargetKeyId: string;
  CreationDate: number;
  LastUpdatedDate: number;
}

/** A grant on one key (grants.ts): who may use it for which operations, under which constraints. */
export interface GrantRecord {
  GrantId: string;
  /** The key's ARN: a grant belongs to one key in one Region (a multi-Region key's replicas have their own). */
  KeyArn: string;
  Name?: string;
  CreationDate: number; // epoch ms
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  /** The account the grant was made in, as ListGrants shows it (arn:aws:iam::<account>:root). */
  IssuingAccount: string;
  Operations: string[];
  Constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
}
