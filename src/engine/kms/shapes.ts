// Input members shared by several KMS operations, with AWS's constraints.
import type { FieldSpec } from '../validate.js';

export const KeyIdField = { type: 'string', required: true, min: 1, max: 2048 } as const satisfies FieldSpec;
export const OptionalKeyId = { type: 'string', min: 1, max: 2048 } as const satisfies FieldSpec;
export const EncryptionContext = { type: 'stringMap' } as const satisfies FieldSpec;
export const GrantTokens = { type: 'stringList', min: 0, max: 10 } as const satisfies FieldSpec;
export const DryRun = { type: 'boolean' } as const satisfies FieldSpec;
export const EncryptionAlgorithm = {
  type: 'string',
  enum: ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'],
} as const satisfies FieldSpec;
/** Plaintext and messages: 1 to 4096 bytes, and (PlaintextType is sensitive) never quoted in an error. */
export const PlaintextField = { type: 'blob', required: true, min: 1, max: 4096, sensitive: true } as const satisfies FieldSpec;
/** Ciphertexts, signatures and MACs (CiphertextType). */
export const CiphertextField = { type: 'blob', required: true, min: 1, max: 6144 } as const satisfies FieldSpec;
export const SigningAlgorithm = {
  type: 'string',
  required: true,
  enum: [
    'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
    'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512', 'SM2DSA', 'ML_DSA_SHAKE_256', 'ED25519_SHA_512', 'ED25519_PH_SHA_512',
  ],
} as const satisfies FieldSpec;
export const MessageType = { type: 'string', enum: ['RAW', 'DIGEST', 'EXTERNAL_MU'] } as const satisfies FieldSpec;
export const MacAlgorithm = { type: 'string', required: true, enum: ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] } as const satisfies FieldSpec;
export const DataKeyPairSpec = {
  type: 'string',
  required: true,
  enum: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SM2', 'ECC_NIST_EDWARDS25519'],
} as const satisfies FieldSpec;
export const Limit = { type: 'integer', min: 1, max: 1000 } as const satisfies FieldSpec;
export const Marker = { type: 'string', min: 1, max: 1024 } as const satisfies FieldSpec;
export const DataKeySpec = { type: 'string', enum: ['AES_256', 'AES_128'] } as const satisfies FieldSpec;
export const NumberOfBytes = { type: 'integer', min: 1, max: 1024 } as const satisfies FieldSpec;
export const Tags = {
  type: 'list',
  of: { TagKey: { type: 'string', required: true, min: 1, max: 128 }, TagValue: { type: 'string', required: true, min: 0, max: 256 } },
} as const satisfies FieldSpec;

/** Opaque paging markers: the index of the next item, so they survive restarts. */
export function page<T>(items: T[], limit: number | undefined, marker: string | undefined, invalid: (m: string) => Error) {
  let start = 0;
  if (marker !== undefined) {
    const decoded = /^p(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
    if (!decoded) throw invalid(marker);
    start = Number(decoded[1]);
  }
  const size = limit ?? 100;
  const slice = items.slice(start, start + size);
  const truncated = start + size < items.length;
  return {
    items: slice,
    Truncated: truncated,
    NextMarker: truncated ? Buffer.from(`p${start + size}`).toString('base64url') : undefined,
  };
}
