// S3's state and its persistence through the engine's Store:
//   s3/buckets.json                      every bucket and its default encryption
//   s3/objects/<bucket>/<sha256(key)>.json  one object's metadata (no secrets in clear)
//   s3/data/<bucket>/<id>.bin            the object's ciphertext, never the bytes in clear
//                                        (sealed-data.ts: AES-GCM segments bound to the object)
// An object is written data first (streamed to a temporary file, checked, fsynced, renamed),
// then metadata (atomic), then the old data is removed, so a crash at any point leaves
// either the old or the new object whole; nothing is acknowledged before it is on disk.
import { createHash, randomUUID } from 'node:crypto';
import type { Store } from '../store.js';
import type { StreamedRead } from '../streamed-file.js';

export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

export interface EncryptionRule {
  SSEAlgorithm: SseAlgorithm;
  KMSMasterKeyID?: string;
  BucketKeyEnabled: boolean;
}

export interface BucketRecord {
  Name: string;
  /** The account that owns the bucket (absent in homes from before accounts: the engine's default account). */
  Owner?: string;
  Region: string;
  CreationDate: number; // epoch ms
  /** The bucket's default encryption; undefined means S3's base level, SSE-S3. */
  Encryption?: EncryptionRule;
}

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

/** How an object's bytes are encrypted: every secret here is itself encrypted. */
export interface StoredEncryption {
  algorithm: 'AES256' | 'aws:kms';
  /** KMS key ARN (SSE-KMS). */
  kmsKeyArn?: string;
  /** Encryption context the caller gave (SSE-KMS), without aws:s3:arn. */
  userContext?: Record<string, string>;
  bucketKey?: boolean;
  /** The object's data key, encrypted: by KMS, by the bucket key, or by the engine's SSE-S3 key. Base64. */
  encryptedDataKey: string;
  /** With a bucket key: the bucket key as KMS encrypted it. Base64. */
  bucketKeyBlob?: string;
}

export const STORED_HEADERS = ['CacheControl', 'ContentDisposition', 'ContentEncoding', 'ContentLanguage', 'Expires'] as const;
export type StoredHeader = (typeof STORED_HEADERS)[number];

export interface ObjectRecord {
  Key: string;
  Size: number;
  ETag: string; // with quotes, as S3 sends it
  LastModified: number; // epoch ms
  ContentType: string;
  Metadata: Record<string, string>;
  Headers: Partial<Record<StoredHeader, string>>;
  Checksum?: { algorithm: ChecksumAlgorithm; value: string };
  dataFile: string;
  encryption: StoredEncryption;
}

const BUCKETS_FILE = 's3/buckets.json';
const metaFile = (bucket: string, key: string) => `s3/objects/${bucket}/${createHash('sha256').update(key, 'utf8').digest('hex')}.json`;

export class S3State {
  readonly buckets = new Map<string, BucketRecord>();
  private readonly objects = new Map<string, Map<string, ObjectRecord>>();

  constructor(private readonly store: Store) {
    for (const b of store.readJson<BucketRecord[]>(BUCKETS_FILE) ?? []) {
      this.buckets.set(b.Name, b);
      this.objects.set(b.Name, new Map());
    }
    const referenced = new Set<string>();
    for (const file of store.listFiles('s3/objects/')) {
      const bucket = file.split('/')[2]!;
      const record = store.readJson<ObjectRecord>(file);
      const objects = this.objects.get(bucket);
      if (!record || !objects) continue;
      objects.set(record.Key, record);
      referenced.add(record.dataFile);
    }
    // Data written by a call that crashed before its metadata: never acknowledged, so removed.
    for (const file of store.listFiles('s3/data/')) if (!referenced.has(file)) store.removeFile(file);
  }

  private saveBuckets() {
    this.store.writeJson(BUCKETS_FILE, [...this.buckets.values()]);
  }

  addBucket(bucket: BucketRecord) {
    this.buckets.set(bucket.Name, bucket);
    this.objects.set(bucket.Name, new Map());
    this.saveBuckets();
  }

  updateBucket(bucket: BucketRecord) {
    this.buckets.set(bucket.Name, bucket);
    this.saveBuckets();
  }

  removeBucket(name: string) {
    this.buckets.delete(name);
    this.objects.delete(name);
    this.saveBuckets();
  }

  objectsIn(bucket: string): Map<string, ObjectRecord> {
    return this.objects.get(bucket) ?? new Map();
  }

  getObject(bucket: string, key: string): ObjectRecord | undefined {
    return this.objects.get(bucket)?.get(key);
  }

  /** A fresh name for an object's data in `bucket`, not yet referenced by any object. */
  newDataFile(bucket: string): string {
    return `s3/data/${bucket}/${randomUUID()}.bin`;
  }

  /**
   * Makes an object visible, replacing any object under its key: its data file is already
   * durable (written and committed), its metadata is written now, then the old data removed.
   */
  commitObject(bucket: string, record: ObjectRecord): ObjectRecord {
    const objects = this.objects.get(bucket);
    if (!objects) throw new Error(`no bucket ${bucket}`);
    this.store.writeJson(metaFile(bucket, record.Key), record);
    const previous = objects.get(record.Key);
    objects.set(record.Key, record);
    if (previous && previous.dataFile !== record.dataFile) this.store.removeFile(previous.dataFile);
    return record;
  }

  deleteObject(bucket: string, key: string): boolean {
    const objects = this.objects.get(bucket);
    const record = objects?.get(key);
    if (!objects || !record) return false;
    this.store.removeFile(metaFile(bucket, key));
    objects.delete(key);
    this.store.removeFile(record.dataFile);
    return true;
  }

  /** The object's data file, open for reading: it stays readable if the object is replaced meanwhile. */
  async openData(record: ObjectRecord): Promise<StreamedRead> {
    const reader = await this.store.openRead(record.dataFile);
    if (!reader) throw new Error(`object data ${record.dataFile} is missing`);
    return reader;
  }
}
