// S3's state and its persistence through the engine's Store:
//   s3/buckets.json                      every bucket and its default encryption
//   s3/objects/<bucket>/<sha256(key)>.json  one object's metadata (no secrets in clear)
//   s3/data/<bucket>/<id>.bin            the object's ciphertext, never the bytes in clear
// An object is written data first, then metadata (atomic), then the old data is
// removed, so a crash at any point leaves either the old or the new object whole.
import { createHash, randomUUID } from 'node:crypto';
import type { Store } from '../store.js';

export type SseAlgorithm = 'AES256' | 'aws:kms' | 'aws:kms:dsse';

export interface EncryptionRule {
  SSEAlgorithm: SseAlgorithm;
  KMSMasterKeyID?: string;
  BucketKeyEnabled: boolean;
}

export interface BucketRecord {
  Name: string;
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

  /** Stores an object's ciphertext and metadata, replacing any object under that key. */
  putObject(bucket: string, record: Omit<ObjectRecord, 'dataFile'>, ciphertext: Buffer): ObjectRecord {
    const objects = this.objects.get(bucket);
    if (!objects) throw new Error(`no bucket ${bucket}`);
    const dataFile = `s3/data/${bucket}/${randomUUID()}.bin`;
    this.store.writeFile(dataFile, ciphertext);
    const full: ObjectRecord = { ...record, dataFile };
    this.store.writeJson(metaFile(bucket, record.Key), full);
    const previous = objects.get(record.Key);
    objects.set(record.Key, full);
    if (previous) this.store.removeFile(previous.dataFile);
    return full;
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

  readData(record: ObjectRecord): Buffer {
    const data = this.store.readFile(record.dataFile);
    if (!data) throw new Error(`object data ${record.dataFile} is missing`);
    return data;
  }
}
