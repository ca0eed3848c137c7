// Multipart uploads in progress, kept through the Store so they survive a restart:
//   s3/uploads/<bucket>/<uploadId>.json        the upload and its parts (no secrets in clear)
//   s3/parts/<bucket>/<uploadId>/<n>-<id>.bin  each part, encrypted with the upload's data key
import { randomUUID } from 'node:crypto';
import type { Store } from '../store.js';
import type { ObjectRecord, StoredEncryption } from './state.js';

export interface PartRecord {
  PartNumber: number;
  ETag: string; // quoted
  Size: number;
  LastModified: number;
  file: string;
}

export interface UploadRecord {
  UploadId: string;
  Bucket: string;
  Key: string;
  Initiated: number;
  ContentType: string;
  Metadata: Record<string, string>;
  Headers: ObjectRecord['Headers'];
  encryption: StoredEncryption;
  Parts: Record<string, PartRecord>;
}

const recordFile = (bucket: string, uploadId: string) => `s3/uploads/${bucket}/${uploadId}.json`;

export class Uploads {
  private readonly uploads = new Map<string, UploadRecord>(); // by upload id

  constructor(private readonly store: Store) {
    const referenced = new Set<string>();
    for (const file of store.listFiles('s3/uploads/')) {
      const upload = store.readJson<UploadRecord>(file);
      if (!upload) continue;
      this.uploads.set(upload.UploadId, upload);
      for (const p of Object.values(upload.Parts)) referenced.add(p.file);
    }
    // A part written by a call that crashed before the upload record named it was never acknowledged.
    for (const file of store.listFiles('s3/parts/')) if (!referenced.has(file)) store.removeFile(file);
  }

  create(upload: Omit<UploadRecord, 'UploadId' | 'Parts'>): UploadRecord {
    const record: UploadRecord = { ...upload, UploadId: randomUUID().replace(/-/g, ''), Parts: {} };
    this.save(record);
    this.uploads.set(record.UploadId, record);
    return record;
  }

  get(bucket: string, key: string, uploadId: string): UploadRecord | undefined {
    const upload = this.uploads.get(uploadId);
    return upload && upload.Bucket === bucket && upload.Key === key ? upload : undefined;
  }

  inBucket(bucket: string): UploadRecord[] {
    return [...this.uploads.values()].filter((u) => u.Bucket === bucket);
  }

  /** Stores a part (replacing one with the same number); the sealed bytes go to disk before the record. */
  putPart(upload: UploadRecord, part: Omit<PartRecord, 'file'>, sealed: Buffer): PartRecord {
    const file = `s3/parts/${upload.Bucket}/${upload.UploadId}/${part.PartNumber}-${randomUUID()}.bin`;
    this.store.writeFile(file, sealed);
    const previous = upload.Parts[part.PartNumber];
    const record = { ...part, file };
    upload.Parts[part.PartNumber] = record;
    this.save(upload);
    if (previous) this.store.removeFile(previous.file);
    return record;
  }

  readPart(part: PartRecord): Buffer {
    const data = this.store.readFile(part.file);
    if (!data) throw new Error(`upload part ${part.file} is missing`);
    return data;
  }

  /** Forgets an upload (completed or aborted) and removes its parts. */
  remove(upload: UploadRecord) {
    this.store.removeFile(recordFile(upload.Bucket, upload.UploadId));
    for (const p of Object.values(upload.Parts)) this.store.removeFile(p.file);
    this.uploads.delete(upload.UploadId);
  }

  private save(upload: UploadRecord) {
    this.store.writeJson(recordFile(upload.Bucket, upload.UploadId), upload);
  }
}
