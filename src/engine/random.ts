// Random bytes for the hot path (a data key and an IV on every GenerateDataKey). Node's
// randomBytes asks OpenSSL on every call, ~6-11 us here for 32 bytes; these come from the same
// CSPRNG, drawn 4 KiB at a time, ~1 us. Each byte is handed out once and zeroed in the pool as it
// leaves, so the pool never holds a key already given (it lives in memory only, as all
// key material in clear does).
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `n` cryptographically strong random bytes, in a buffer of their own. */
export function secureRandomBytes(n: number): Buffer {
  return secureRandomFill(Buffer.alloc(n), 0, n);
}

/** Writes `n` cryptographically strong random bytes into `target` at `offset`; returns them (a view of `target`). */
export function secureRandomFill(target: Buffer, offset: number, n: number): Buffer {
  const out = target.subarray(offset, offset + n);
  if (n > POOL_BYTES / 4) return randomFillSync(out); // rare large requests (GenerateRandom's up to 1,024) go straight
  if (used + n > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  pool.copy(out, 0, used, used + n);
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
