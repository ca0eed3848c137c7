// Multipart uploads in progress, kept through the Store so they survive a restart:
//   s3/uploads/<bucket>/<uploadId>.json        the upload and its parts (no secrets in clear)
//   s3/parts/<bucket>/<uploadId>/<n>-<id>.bin  each part, encrypted with the upload's data key
import { randomUUID } from 'node:crypto';
import type { Store } from '../store.js';
import type { StreamedRead } from '../streamed-file.js';
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
  /** Uploads a CompleteMultipartUpload is assembling: no longer in progress for any other call. */
  private readonly completing = new Set<string>();

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
    return upload && upload.Bucket === bucket && upload.Key === key && !this.completing.has(uploadId) ? upload : undefined;
  }

  inBucket(bucket: string): UploadRecord[] {
    return [...this.uploads.values()].filter((u) => u.Bucket === bucket);
  }

  /** A fresh name for a part's data, not yet referenced by the upload. */
  newPartFile(upload: UploadRecord, partNumber: number): string {
    return `s3/parts/${upload.Bucket}/${upload.UploadId}/${partNumber}-${randomUUID()}.bin`;
  }

  /** Records a part whose sealed bytes are already on disk, replacing one with the same number. */
  commitPart(upload: UploadRecord, record: PartRecord): PartRecord {
    const previous = upload.Parts[record.PartNumber];
    upload.Parts[record.PartNumber] = record;
    this.save(upload);
    if (previous) this.store.removeFile(previous.file);
    return record;
  }

  /** A part's data, open for reading; undefined if it is gone (its upload aborted, its bucket deleted). */
  openPart(part: PartRecord): Promise<StreamedRead | undefined> {
    return this.store.openRead(part.file);
  }

  /** Whether the upload is still in progress (not completed, being completed or aborted meanwhile). */
  isOpen(upload: UploadRecord): boolean {
    return this.uploads.get(upload.UploadId) === upload && !this.completing.has(upload.UploadId);
  }

  beginCompletion(upload: UploadRecord) {
    this.completing.add(upload.UploadId);
  }

  /** The completion ended: the upload is gone (completed) or in progress again (it failed). */
  endCompletion(upload: UploadRecord) {
    this.completing.delete(upload.UploadId);
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
