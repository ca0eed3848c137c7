// The keys that encrypt object bytes at rest, as S3 keeps them, with honest cryptography
// (the bytes themselves are sealed as they stream, in sealed-data.ts):
// - SSE-KMS: S3 asks the engine's KMS for a data key (GenerateDataKey, recorded in
//   CloudTrail as invoked by s3.amazonaws.com) under encryption context
//   {"aws:s3:arn": object ARN, ...caller's context}, encrypts with AES-256-GCM and keeps
//   only the encrypted data key. Reading calls KMS Decrypt.
// - With an S3 Bucket Key: one data key per bucket (context: the bucket ARN) encrypts a
//   fresh key per object, so KMS sees one call for many objects. Its plaintext is kept in
//   memory only, and used only while the KMS key is usable.
// - SSE-S3 (AES256): a per-object data key encrypted under an engine-held S3 key, which
//   the Store keeps wrapped under its root key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { secureRandomBytes } from '../random.js';
import { onBehalfOf, type Caller } from '../caller.js';
import type { Engine } from '../engine.js';
import { isAwsError } from '../errors.js';
import { canonicalContext } from '../kms/ciphertext.js';
import { callKms } from '../kms/index.js';
import { fromKmsError, s3Errors } from './errors.js';
import { ensureS3ManagedKey, S3_MANAGED_ALIAS } from './managed-key.js';
import { bucketArn, objectArn } from './names.js';
import type { SseRequest } from './sse.js';
import type { StoredEncryption } from './state.js';

const SEALED_VERSION = 1;
const SSE_S3_KEY_FILE = 's3/sse-s3.key';
const S3_SERVICE = 's3.amazonaws.com';

/** AES-256-GCM: version(1) | iv(12) | tag(16) | ciphertext; the AAD binds it to one object. For data keys (and objects stored before format 2). */
export function sealBytes(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = secureRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([SEALED_VERSION]), iv, cipher.getAuthTag(), body]);
}

export function openBytes(key: Buffer, sealed: Buffer, aad: string): Buffer {
  try {
    if (sealed[0] !== SEALED_VERSION) throw new Error('unknown format');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
  } catch {
    // Stored bytes that do not authenticate: damaged on disk, never a client error.
    throw s3Errors.internal();
  }
}

/** Bucket keys held in memory at most, per map: callers and encryption contexts are the requester's to vary, memory is not. */
export const MAX_CACHED_BUCKET_KEYS = 1000;

/**
 * Remembers a bucket key, forgetting the oldest once the map holds MAX_CACHED_BUCKET_KEYS. The one
 * forgotten is not zeroed: an upload still streaming may hold it (close() zeroes what is held).
 */
export function remember<V>(map: Map<string, V>, slot: string, value: V) {
  map.delete(slot);
  map.set(slot, value);
  while (map.size > MAX_CACHED_BUCKET_KEYS) map.delete(map.keys().next().value as string);
}

export class ObjectCrypto {
  private readonly sseS3Key: Buffer;
  /** Bucket keys in use for writes, by bucket, KMS key ARN, caller context and caller: one caller's key is never another's way around KMS's decision. */
  private readonly writeBucketKeys = new Map<string, { plaintext: Buffer; blob: Buffer; keyArn: string }>();
  /** Bucket keys already decrypted, by caller and their KMS ciphertext (base64). */
  private readonly readBucketKeys = new Map<string, Buffer>();

  constructor(private readonly engine: Engine) {
    const wrapped = engine.store.readFile(SSE_S3_KEY_FILE);
    if (wrapped) {
      this.sseS3Key = engine.store.unwrap(wrapped);
    } else {
      this.sseS3Key = randomBytes(32);
      engine.store.writeFile(SSE_S3_KEY_FILE, engine.store.wrap(this.sseS3Key));
    }
  }

  /** A data key for one object, and how it is kept (encrypted); the caller wipes the plaintext after use. */
  newDataKey(sse: SseRequest, bucket: string, key: string, caller: Caller, requestId: string): { dataKey: Buffer; encryption: StoredEncryption } {
    const arn = objectArn(bucket, key);
    if (sse.algorithm === 'AES256') {
      const dataKey = secureRandomBytes(32);
      return { dataKey, encryption: { algorithm: 'AES256', encryptedDataKey: sealBytes(this.sseS3Key, dataKey, arn).toString('base64') } };
    }
    const keyRef = sse.keyRef ?? this.managedKey(caller);
    const base = { algorithm: 'aws:kms' as const, ...(sse.userContext ? { userContext: sse.userContext } : {}) };
    if (sse.bucketKey) {
      const bucketKey = this.bucketKeyForWrite(bucket, keyRef, sse.userContext, caller, requestId);
      const dataKey = secureRandomBytes(32);
      return {
        dataKey,
        encryption: {
          ...base,
          kmsKeyArn: bucketKey.keyArn,
          bucketKey: true,
          encryptedDataKey: sealBytes(bucketKey.plaintext, dataKey, arn).toString('base64'),
          bucketKeyBlob: bucketKey.blob.toString('base64'),
        },
      };
    }
    const out = this.callKms('GenerateDataKey', { KeyId: keyRef, KeySpec: 'AES_256', EncryptionContext: { ...sse.userContext, 'aws:s3:arn': arn } }, caller, requestId);
    return {
      dataKey: out.Plaintext as Buffer,
      encryption: { ...base, kmsKeyArn: out.KeyId as string, bucketKey: false, encryptedDataKey: (out.CiphertextBlob as Buffer).toString('base64') },
    };
  }

  /** The plaintext data key of an object (through KMS Decrypt for SSE-KMS); the caller wipes it after use. */
  openDataKey(enc: StoredEncryption, bucket: string, key: string, caller: Caller, requestId: string): Buffer {
    const arn = objectArn(bucket, key);
    const sealedKey = Buffer.from(enc.encryptedDataKey, 'base64');
    if (enc.algorithm === 'AES256') return openBytes(this.sseS3Key, sealedKey, arn);
    if (enc.bucketKey) return openBytes(this.bucketKeyForRead(enc, bucket, caller, requestId), sealedKey, arn);
    const out = this.callKms('Decrypt', { CiphertextBlob: sealedKey, EncryptionContext: { ...enc.userContext, 'aws:s3:arn': arn } }, caller, requestId);
    return out.Plaintext as Buffer;
  }

  /** Bucket keys of a deleted bucket are never reused by a new bucket of the same name. */
  forgetBucket(bucket: string) {
    for (const [slot, entry] of this.writeBucketKeys) if (slot.startsWith(`${bucket}\0`)) {
      this.writeBucketKeys.delete(slot);
      entry.plaintext.fill(0);
    }
  }

  close() {
    for (const k of this.writeBucketKeys.values()) k.plaintext.fill(0);
    for (const k of this.readBucketKeys.values()) k.fill(0);
    this.writeBucketKeys.clear();
    this.readBucketKeys.clear();
  }

  private managedKey(caller: Caller): string {
    ensureS3ManagedKey(this.engine.kms, caller);
    return S3_MANAGED_ALIAS;
  }

  private bucketKeyForWrite(bucket: string, keyRef: string, userContext: Record<string, string> | undefined, caller: Caller, requestId: string) {
    const contextId = canonicalContext(userContext).toString('hex');
    const usable = this.usableKeyArn(keyRef, caller);
    const cached = usable && this.writeBucketKeys.get(`${bucket}\0${usable}\0${contextId}\0${caller.arn}`);
    if (cached) return cached;
    const out = this.callKms('GenerateDataKey', { KeyId: keyRef, KeySpec: 'AES_256', EncryptionContext: { ...userContext, 'aws:s3:arn': bucketArn(bucket) } }, caller, requestId);
    const entry = { plaintext: out.Plaintext as Buffer, blob: out.CiphertextBlob as Buffer, keyArn: out.KeyId as string };
    remember(this.writeBucketKeys, `${bucket}\0${entry.keyArn}\0${contextId}\0${caller.arn}`, entry);
    remember(this.readBucketKeys, `${caller.arn}\0${entry.blob.toString('base64')}`, Buffer.from(entry.plaintext));
    return entry;
  }

  private bucketKeyForRead(enc: StoredEncryption, bucket: string, caller: Caller, requestId: string): Buffer {
    const cached = this.readBucketKeys.get(`${caller.arn}\0${enc.bucketKeyBlob!}`);
    if (cached && this.usableKeyArn(enc.kmsKeyArn!, caller)) return cached;
    const out = this.callKms(
      'Decrypt',
      { CiphertextBlob: Buffer.from(enc.bucketKeyBlob!, 'base64'), EncryptionContext: { ...enc.userContext, 'aws:s3:arn': bucketArn(bucket) } },
      caller,
      requestId,
    );
    const plaintext = out.Plaintext as Buffer;
    remember(this.readBucketKeys, `${caller.arn}\0${enc.bucketKeyBlob!}`, plaintext);
    return plaintext;
  }

  /** The key's ARN if it exists and may be used now: a cached bucket key is only used while this holds. */
  private usableKeyArn(keyRef: string, caller: Caller): string | undefined {
    try {
      const key = this.engine.kms.resolve(keyRef, caller);
      this.engine.kms.assertUsable(key);
      return key.Arn;
    } catch {
      return undefined;
    }
  }

  /** KMS through the engine's own call path, so CloudTrail records it as S3 acting for the caller. */
  private callKms(operation: string, input: Record<string, unknown>, caller: Caller, requestId: string): Record<string, unknown> {
    try {
      return callKms(this.engine, operation, input, onBehalfOf(caller, S3_SERVICE), requestId);
    } catch (e) {
      if (isAwsError(e)) throw fromKmsError(e);
      throw e;
    }
  }
}
