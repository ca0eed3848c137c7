// The RSA key pair pool's worker side (kms/rsa-key-pairs.ts): how many pairs it asks the worker
// for and when, which request each pair reaches, what it keeps and what it zeroes, the worker's
// deaths and the process it holds. The pairs are watched as the worker posts them (a listener of
// its own on the worker: the pool's buffers are views of the same memory, so a pair the pool
// zeroes is seen zeroed). Sizes other than RSA_2048 are kept none of, so most tests use 512-bit
// pairs (fast to make; the pool takes any size); RSA_2048 only where keeping pairs ready is the
// point, RSA_4096 where a pair must still be in the making when the test acts.
import { createPrivateKey } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, test } from 'vitest';
import { AwsError } from '../../src/engine/errors.js';
import { MAX_WAITING, RsaKeyPairPool, takeRsaKeyPair, type KeyPairDer } from '../../src/engine/kms/rsa-key-pairs.js';

type Posted = { bits: number; privateKey: Uint8Array; publicKey: Uint8Array; /** the pool's counts once it had the pair (its listener runs first) */ after?: ReturnType<RsaKeyPairPool['counts']> };

let pool: RsaKeyPairPool;
afterEach(() => pool.close());

const workerOf = (p: RsaKeyPairPool) => (p as unknown as { worker: Worker | undefined }).worker;
/** Every pair the pool's current worker posts from now on. */
function watch(p: RsaKeyPairPool): Posted[] {
  const posted: Posted[] = [];
  workerOf(p)!.on('message', (m: Posted) => posted.push({ ...m, after: p.counts() }));
  return posted;
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const zeroed = (b: Uint8Array) => b.every((x) => x === 0);
const bitsOf = (pair: KeyPairDer) => createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' }).asymmetricKeyDetails?.modulusLength;
async function until(condition: () => boolean, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const take = (bits: number) => Promise.resolve(pool.run(bits, () => takeRsaKeyPair(bits)));

describe('requests waiting for a size kept none of', () => {
  test('each waiting request makes the worker make one pair, in one worker, and gets them in order: the pair the worker posted, not one made on the spot', async () => {
    pool = new RsaKeyPairPool();
    const calls = [take(512), take(512), take(512)];
    expect(pool.counts()).toEqual({ ready: 0, making: 3, waiting: 3, worker: true });
    const posted = watch(pool); // the one worker all three were asked of
    const pairs = await Promise.all(calls);
    expect(posted.map((m) => m.after!.making)).toEqual([2, 1, 0]);
    expect(posted.map((m) => m.bits)).toEqual([512, 512, 512]);
    expect(pairs.map((p) => p.publicKey.toString('hex'))).toEqual(posted.map((m) => hex(m.publicKey)));
    expect(pairs.map(bitsOf)).toEqual([512, 512, 512]);
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: true });
  });

  test('a pair a request did not take is zeroed, not kept; nor is it handed to a later call outside a request', async () => {
    pool = new RsaKeyPairPool();
    const first = take(512);
    const posted = watch(pool);
    await first;
    expect(await pool.run(512, () => 'took nothing')).toBe('took nothing');
    expect(posted).toHaveLength(2);
    expect(zeroed(posted[1]!.privateKey)).toBe(true);
    expect(zeroed(posted[0]!.privateKey)).toBe(false); // the pair taken is the operation's
    expect(pool.counts()).toMatchObject({ ready: 0, making: 0, waiting: 0 });
    const outside = takeRsaKeyPair(512);
    expect(posted.map((m) => hex(m.publicKey))).not.toContain(outside.publicKey.toString('hex'));
  });

  test('the pair of a request that failed without taking it goes to the next request waiting', async () => {
    pool = new RsaKeyPairPool();
    const failing = Promise.resolve(pool.run(512, () => { throw new Error('the operation failed'); }));
    const next = take(512);
    const posted = watch(pool);
    await expect(failing).rejects.toThrow('the operation failed');
    const pair = await next;
    expect(pair.publicKey.toString('hex')).toBe(hex(posted[0]!.publicKey));
    await until(() => posted.length === 2, 'the second pair');
    expect(zeroed(posted[1]!.privateKey)).toBe(true); // nobody waits for it any more
  });

  test(`exactly ${MAX_WAITING} requests may wait; the next is throttled at once, and takes nothing from the others`, async () => {
    pool = new RsaKeyPairPool();
    const waiting = Array.from({ length: MAX_WAITING }, () => take(4096).catch((e: unknown) => e));
    expect(pool.counts()).toEqual({ ready: 0, making: MAX_WAITING, waiting: MAX_WAITING, worker: true });
    const throttled = await take(4096).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(AwsError);
    expect(throttled).toMatchObject({ code: 'ThrottlingException', status: 400 });
    expect(await pool.run(4096, () => 'nothing')).toBe('nothing');
    expect(pool.counts()).toEqual({ ready: 0, making: MAX_WAITING, waiting: MAX_WAITING, worker: true });
    // a throttled request leaves nothing behind for a call outside a request
    expect(() => takeRsaKeyPair(512)).not.toThrow();
    pool.close();
    for (const outcome of await Promise.all(waiting)) expect(outcome).toMatchObject({ code: 'KMSInternalException' });
  });
});

describe('the process the worker holds', () => {
  test('the worker is referenced exactly while a request waits for it', async () => {
    pool = new RsaKeyPairPool();
    const first = take(512);
    const worker = workerOf(pool)!;
    const held: boolean[] = [];
    const ref = worker.ref.bind(worker);
    const unref = worker.unref.bind(worker);
    worker.ref = () => (held.push(true), ref());
    worker.unref = () => (held.push(false), unref());
    await first; // delivered: nobody waits
    expect(held.at(-1)).toBe(false);
    const second = take(512); // waits
    expect(held.at(-1)).toBe(true);
    await second;
    expect(held.at(-1)).toBe(false);
  });
});

describe('worker deaths', () => {
  test('a worker that dies is replaced and asked again for what was lost; the third death in a row fails the requests waiting and starts no other', async () => {
    pool = new RsaKeyPairPool();
    const waiting = take(4096).catch((e: unknown) => e);
    for (let death = 1; death <= 3; death++) {
      const worker = workerOf(pool)!;
      await worker.terminate();
      await until(() => workerOf(pool) !== worker, 'the pool to see the worker die');
      if (death < 3) expect(pool.counts()).toEqual({ ready: 0, making: 1, waiting: 1, worker: true });
    }
    expect(await waiting).toMatchObject({ code: 'KMSInternalException', status: 500, message: 'The local engine could not make an RSA key pair.' });
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
    // a later request starts a worker again
    expect(bitsOf(await take(512))).toBe(512);
  });

  test('after the third death in a row the pool stops asking, even for the RSA_2048 pairs it keeps ready', async () => {
    pool = new RsaKeyPairPool();
    pool.prefill();
    for (let death = 1; death <= 3; death++) {
      const worker = workerOf(pool)!;
      await worker.terminate();
      await until(() => workerOf(pool) !== worker, 'the pool to see the worker die');
      if (death < 3) expect(pool.counts()).toEqual({ ready: 0, making: 2, waiting: 0, worker: true });
    }
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
  });

  test('a pair made resets the count of deaths: two deaths, a pair, two more deaths, and the request still gets its pair', async () => {
    pool = new RsaKeyPairPool();
    const die = async () => {
      const worker = workerOf(pool)!;
      await worker.terminate();
      await until(() => workerOf(pool) !== worker, 'the pool to see the worker die');
    };
    const first = take(512);
    await die();
    await die();
    expect(bitsOf(await first)).toBe(512);
    const second = take(512);
    await die();
    await die();
    expect(pool.counts()).toMatchObject({ waiting: 1, making: 1, worker: true });
    expect(bitsOf(await second)).toBe(512);
  });

  test('a worker stopped by close is not replaced', async () => {
    pool = new RsaKeyPairPool();
    const waiting = take(4096).catch((e: unknown) => e);
    const worker = workerOf(pool)!;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    pool.close();
    await exited;
    await new Promise((r) => setTimeout(r, 20));
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
    expect(await waiting).toMatchObject({ code: 'KMSInternalException' });
  });
});

describe('RSA_2048 pairs kept ready', () => {
  test('prefill asks for two at once; a closed pool asks for none', () => {
    pool = new RsaKeyPairPool();
    pool.prefill();
    expect(pool.counts()).toEqual({ ready: 0, making: 2, waiting: 0, worker: true });
    pool.close();
    const closed = new RsaKeyPairPool();
    closed.close();
    closed.prefill();
    expect(closed.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
    expect(closed.run(512, () => 'at once')).toBe('at once');
  });

  test('a request takes a ready pair at once and the pool makes one more; a pair given back is kept, up to two, any more zeroed', async () => {
    pool = new RsaKeyPairPool();
    pool.prefill();
    const posted = watch(pool);
    await until(() => pool.counts().ready === 2, 'two pairs ready', 120_000);
    const taken = await take(2048);
    expect(taken.publicKey.toString('hex')).toBe(hex(posted[0]!.publicKey)); // the oldest first
    expect(pool.counts()).toEqual({ ready: 1, making: 1, waiting: 0, worker: true });
    // a request takes the other ready pair (one more is asked for) and gives it back: it is kept
    expect(await pool.run(2048, () => 'took nothing')).toBe('took nothing');
    expect(pool.counts()).toEqual({ ready: 1, making: 2, waiting: 0, worker: true });
    // of the two pairs then made, one joins it (two are kept), the other is zeroed
    await until(() => posted.length === 4, 'the pairs asked for', 120_000);
    expect(pool.counts()).toEqual({ ready: 2, making: 0, waiting: 0, worker: true });
    expect(zeroed(posted[2]!.privateKey)).toBe(false);
    expect(zeroed(posted[3]!.privateKey)).toBe(true);
  }, 180_000);
});

test('a pair handed back after the pool closed (closed while its request ran) is zeroed, not kept in the closed pool', async () => {
  pool = new RsaKeyPairPool();
  pool.prefill(); // RSA_2048 pairs are kept ready: a pair handed back would be kept
  const posted = watch(pool);
  expect(await pool.run(2048, () => (pool.close(), 'took nothing'))).toBe('took nothing');
  expect(pool.counts().ready).toBe(0);
  expect(posted.length).toBeGreaterThan(0);
  expect(posted.every((m) => zeroed(m.privateKey))).toBe(true);
});
