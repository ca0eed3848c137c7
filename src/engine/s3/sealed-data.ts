// An object's bytes at rest, streamed in and out in bounded memory (format 2):
//   header: version 2 (1 byte) | segment size (u32 BE) | nonce prefix (8 random bytes)
//   then segments of `segment size` plaintext bytes (the last may be shorter), each
//   AES-256-GCM ciphertext followed by its 16-byte tag.
// Each segment has its own nonce (prefix | index) and is authenticated with
// header | index | final flag | the object's ARN (or its upload part's name) as AAD, so a
// segment cannot be moved, reordered or dropped, the file cannot be cut short (the last
// segment is the one marked final), and a file moved under another object does not decrypt.
// A range is served by reading and opening only the segments that cover it.
// Format 1 (one AES-GCM message: 1 | iv | tag | ciphertext), written by earlier versions,
// is still read, whole, as it always was.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store.js';
import type { StreamedRead } from '../streamed-file.js';
import { openBytes } from './encryption.js';
import { s3Errors } from './errors.js';

const VERSION = 2;
export const SEGMENT_BYTES = 64 * 1024;
const HEADER_BYTES = 1 + 4 + 8;
const TAG_BYTES = 16;
/** Segments read from disk in one go when streaming an object out. */
const SEGMENTS_PER_READ = 16;
/** A header claiming larger segments is damaged (and would ask for a large allocation). */
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

function segmentCrypto(header: Buffer, index: number, final: boolean, aad: Buffer) {
  return {
    iv: Buffer.concat([header.subarray(5, 13), u32(index)]),
    aad: Buffer.concat([header, u32(index), Buffer.from([final ? 1 : 0]), aad]),
  };
}

/** Turns plaintext, pushed in pieces of any size, into format-2 bytes. */
class SegmentSealer {
  readonly header: Buffer;
  private readonly aad: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;

  constructor(private readonly key: Buffer, aad: string) {
    this.aad = Buffer.from(aad, 'utf8');
    this.header = Buffer.concat([Buffer.from([VERSION]), u32(SEGMENT_BYTES), randomBytes(8)]);
  }

  /** Sealed segments for what was pushed; a segment is held back until more follows, as only the last is final. */
  push(plain: Buffer): Buffer[] {
    this.pending.push(plain);
    this.pendingBytes += plain.length;
    if (this.pendingBytes <= SEGMENT_BYTES) return [];
    const all = Buffer.concat(this.pending);
    const out: Buffer[] = [];
    let pos = 0;
    while (all.length - pos > SEGMENT_BYTES) {
      out.push(this.seal(all.subarray(pos, pos + SEGMENT_BYTES), false));
      pos += SEGMENT_BYTES;
    }
    this.pending = [all.subarray(pos)];
    this.pendingBytes = all.length - pos;
    return out;
  }

  /** The last segment (empty for an empty object). */
  final(): Buffer {
    const last = this.seal(Buffer.concat(this.pending), true);
    this.pending = [];
    return last;
  }

  private seal(plain: Buffer, final: boolean): Buffer {
    const { iv, aad } = segmentCrypto(this.header, this.index++, final, this.aad);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }
}

export interface SealedFile {
  /** The store name the file will have. */
  file: string;
  size: number;
  /** MD5 of the bytes on disk (the ETag of an SSE-KMS object). */
  sealedMd5: Buffer;
  /**
   * Makes the file durable under its name (fsync, rename), then runs `publish` (the last
   * checks and the metadata that makes the data visible) with no await in between, so no
   * other request slips in; if either fails, the file is removed and the error rethrown.
   */
  publish<T>(publish: () => T): Promise<T>;
}

/**
 * Encrypts `plaintext` as it arrives into a new file `name`, not yet visible. If the source
 * throws (a failed check, a client gone), the partial file is removed and the error rethrown.
 */
export async function writeSealedFile(store: Store, name: string, key: Buffer, aad: string, plaintext: AsyncIterable<Buffer>): Promise<SealedFile> {
  const writer = await store.openWrite(name);
  const sealer = new SegmentSealer(key, aad);
  const md5 = createHash('md5');
  const write = async (bytes: Buffer) => {
    md5.update(bytes);
    await writer.write(bytes);
  };
  let size = 0;
  try {
    await write(sealer.header);
    for await (const piece of plaintext) {
      size += piece.length;
      for (const segment of sealer.push(piece)) await write(segment);
    }
    await write(sealer.final());
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return {
    file: name,
    size,
    sealedMd5: md5.digest(),
    publish: async (publish) => {
      try {
        await writer.commit();
        return publish();
      } catch (e) {
        await writer.abort();
        store.removeFile(name);
        throw e;
      }
    },
  };
}

/**
 * The plaintext of a stored file (format 1 or 2), or of `range` of it, as it is read.
 * Takes the reader and the key: the reader is closed and the key wiped when the stream
 * ends, fails or is abandoned (return()), even unstarted.
 */
export function readSealedFile(reader: StreamedRead, key: Buffer, aad: string, size: number, range?: { start: number; end: number }): AsyncIterable<Buffer> {
  return closing(openSegments(reader, key, Buffer.from(aad, 'utf8'), size, range), async () => {
    key.fill(0);
    await reader.close();
  });
}

async function* openSegments(reader: StreamedRead, key: Buffer, aad: Buffer, size: number, range?: { start: number; end: number }): AsyncGenerator<Buffer> {
  const first = await reader.read(0, HEADER_BYTES);
  if (first[0] !== VERSION) {
    // Format 1: one message, authenticated as a whole before any byte of it is used.
    const plain = openBytes(key, await reader.read(0, reader.size), aad.toString('utf8'));
    yield range ? plain.subarray(range.start, range.end + 1) : plain;
    return;
  }
  const header = first;
  const segmentBytes = header.length === HEADER_BYTES ? header.readUInt32BE(1) : 0;
  if (segmentBytes === 0 || segmentBytes > MAX_SEGMENT_BYTES) throw damaged();
  const count = Math.max(1, Math.ceil(size / segmentBytes));
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const firstSegment = Math.floor(start / segmentBytes);
  const lastSegment = size === 0 ? 0 : Math.floor(end / segmentBytes);
  const sealedLength = (i: number) => (i === count - 1 ? size - i * segmentBytes : segmentBytes) + TAG_BYTES;
  for (let i = firstSegment; i <= lastSegment; ) {
    const batchEnd = Math.min(lastSegment, i + SEGMENTS_PER_READ - 1);
    const offset = HEADER_BYTES + i * (segmentBytes + TAG_BYTES);
    let length = 0;
    for (let j = i; j <= batchEnd; j++) length += sealedLength(j);
    const batch = await reader.read(offset, length);
    if (batch.length !== length) throw damaged();
    let pos = 0;
    for (; i <= batchEnd; i++) {
      const sealed = batch.subarray(pos, pos + sealedLength(i));
      pos += sealed.length;
      const plain = openSegment(key, header, i, i === count - 1, aad, sealed);
      const from = i === firstSegment ? start - i * segmentBytes : 0;
      const to = i === lastSegment ? end - i * segmentBytes + 1 : plain.length;
      if (to > from) yield plain.subarray(from, to);
    }
  }
}

function openSegment(key: Buffer, header: Buffer, index: number, final: boolean, aad: Buffer, sealed: Buffer): Buffer {
  try {
    const params = segmentCrypto(header, index, final, aad);
    const decipher = createDecipheriv('aes-256-gcm', key, params.iv);
    decipher.setAAD(params.aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw damaged();
  }
}

/** Stored bytes that do not authenticate: damaged or moved on disk, never a client error. */
const damaged = () => s3Errors.internal();

/** An iterable that runs `cleanup` once however its iteration ends: finished, failed, returned early, or never started. */
export function closing<T>(source: AsyncIterator<T>, cleanup: () => Promise<void> | void): AsyncIterable<T> & AsyncIterator<T> {
  let done = false;
  const finish = async () => {
    if (done) return;
    done = true;
    await cleanup();
  };
  const iterator: AsyncIterable<T> & AsyncIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      try {
        const step = await source.next();
        if (step.done) await finish();
        return step;
      } catch (e) {
        await finish();
        throw e;
      }
    },
    return: async (value?: unknown) => {
      try {
        await source.return?.(value);
      } finally {
        await finish();
      }
      return { done: true, value: undefined as T };
    },
  };
  return iterator;
}
