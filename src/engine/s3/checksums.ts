// The object checksums S3 accepts (x-amz-checksum-*), computed the way S3 computes
// them: big-endian CRC values or digests, base64-encoded.
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import type { ChecksumAlgorithm } from './state.js';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
export const checksumHeader = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;
/** Bytes in each algorithm's value, to tell a malformed header from a mismatch. */
export const CHECKSUM_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

function reflectedTable32(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const CRC32C_TABLE = reflectedTable32(0x82f63b78);

/** CRC-32C over `data`, continuing from a previous value (0 to start). */
function crc32c(data: Buffer, previous: number): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), kept as two 32-bit halves for speed.
const CRC64_LO = new Uint32Array(256);
const CRC64_HI = new Uint32Array(256);
{
  const poly = 0x9a6c9329ac4bc9b5n;
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    CRC64_LO[n] = Number(c & 0xffffffffn);
    CRC64_HI[n] = Number(c >> 32n);
  }
}

/** CRC-64/NVME over `data`, continuing from a previous value ([hi, lo], [0, 0] to start). */
function crc64nvme(data: Buffer, previous: [number, number]): [number, number] {
  let hi = (previous[0] ^ 0xffffffff) >>> 0;
  let lo = (previous[1] ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) {
    const idx = (lo ^ data[i]!) & 0xff;
    // crc = table[idx] ^ (crc >>> 8), on the two halves
    const shiftedLo = ((lo >>> 8) | (hi << 24)) >>> 0;
    const shiftedHi = hi >>> 8;
    lo = (CRC64_LO[idx]! ^ shiftedLo) >>> 0;
    hi = (CRC64_HI[idx]! ^ shiftedHi) >>> 0;
  }
  return [(hi ^ 0xffffffff) >>> 0, (lo ^ 0xffffffff) >>> 0];
}

const u32 = (...values: number[]) => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((n, i) => b.writeUInt32BE(n >>> 0, 4 * i));
  return b;
};

/** A checksum computed as the bytes go by (a streamed upload), then read once as S3 shows it (base64). */
export interface ChecksumHasher {
  update(data: Buffer): void;
  digest(): string;
}

export function checksumHasher(algorithm: ChecksumAlgorithm): ChecksumHasher {
  switch (algorithm) {
    case 'CRC32': {
      let crc = 0;
      return { update: (data) => void (crc = zlibCrc32(data, crc)), digest: () => u32(crc).toString('base64') };
    }
    case 'CRC32C': {
      let crc = 0;
      return { update: (data) => void (crc = crc32c(data, crc)), digest: () => u32(crc).toString('base64') };
    }
    case 'CRC64NVME': {
      let crc: [number, number] = [0, 0];
      return { update: (data) => void (crc = crc64nvme(data, crc)), digest: () => u32(...crc).toString('base64') };
    }
    case 'SHA1':
    case 'SHA256': {
      const hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (data) => void hash.update(data), digest: () => hash.digest('base64') };
    }
  }
}

export function computeChecksum(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const hasher = checksumHasher(algorithm);
  hasher.update(data);
  return hasher.digest();
}
