// RSA key pairs, made off the event loop. Making an RSA private key is a search for primes:
// a quarter of a second to seconds for RSA_2048 on a busy machine, several for RSA_4096, and
// made synchronously it stops every other request for that long. So the pairs are made in a
// worker thread, a few are kept ready per size (in memory only, like all key material in clear),
// and a request that needs one (rsaBitsNeeded) waits for it *before* its operation runs: the
// operations stay synchronous and take the pair handed to them (takeRsaKeyPair). Every pair is
// used once: a key's material, a wrapping key of GetParametersForImport, a data key pair.
import { generateKeyPairSync } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { kmsErrors } from '../errors.js';

/** A key pair as DER: the private key PKCS#8, the public key SubjectPublicKeyInfo. */
export interface KeyPairDer {
  privateKey: Buffer;
  publicKey: Buffer;
}

const RSA_BITS: Readonly<Record<string, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

/**
 * Pairs kept ready per size once the size has been asked for: two RSA_2048 (what lessons and most
 * keys use). The larger sizes are rare and slow to make (seconds of CPU each for RSA_4096): a
 * request waits for its own, still off the event loop, and none is made that nobody asked for.
 */
const KEEP_READY: Readonly<Record<number, number>> = { 2048: 2, 3072: 0, 4096: 0 };
/** Requests that may wait for a pair at once (each holds a connection, and a queue of RSA_4096 pairs is minutes of work): more are throttled. */
export const MAX_WAITING = 32;
/** Worker threads that died one after another before the pool gives up (and fails the waiting requests). */
const MAX_FAILURES = 3;

const DER = { publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } } as const;

// The worker: one pair per message, one after another. Plain CommonJS evaluated from a string,
// so it needs no file of its own in the bundle. Its copies are zeroed once posted (postMessage
// copies at once).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { generateKeyPairSync } = require('node:crypto');
parentPort.on('message', (bits) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001, ...${JSON.stringify(DER)} });
  parentPort.postMessage({ bits, privateKey, publicKey });
  privateKey.fill(0);
});
`;

/**
 * The RSA size, in bits, of the fresh key pair a request needs, read from its raw input (before
 * validation: a request that then fails gives its pair back): CreateKey of an RSA key whose
 * material KMS makes, GetParametersForImport's wrapping key, an RSA data key pair.
 */
export function rsaBitsNeeded(operation: string, input: unknown): number | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  const fields = input as Record<string, unknown>;
  let spec: unknown;
  if (operation === 'CreateKey') spec = fields.Origin === undefined || fields.Origin === 'AWS_KMS' ? (fields.KeySpec ?? fields.CustomerMasterKeySpec) : undefined;
  else if (operation === 'GetParametersForImport') spec = fields.WrappingKeySpec;
  else if (operation === 'GenerateDataKeyPair' || operation === 'GenerateDataKeyPairWithoutPlaintext') spec = fields.KeyPairSpec;
  return typeof spec === 'string' && Object.hasOwn(RSA_BITS, spec) ? RSA_BITS[spec] : undefined;
}

/** The pair handed to the operation running now: set only for the length of one synchronous call (RsaKeyPairPool.run). */
let handed: { bits: number; pair: KeyPairDer | 'throttled' } | undefined;

/**
 * A fresh RSA key pair of this size for the operation running now: the one its request waited
 * for. A caller that did not wait (a direct call, not through the engine's dispatch) gets one
 * made here, synchronously.
 */
export function takeRsaKeyPair(bits: number): KeyPairDer {
  if (handed?.bits === bits) {
    const { pair } = handed;
    handed = undefined;
    if (pair === 'throttled') throw kmsErrors.throttled();
    return pair;
  }
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001, publicKeyEncoding: DER.publicKeyEncoding, privateKeyEncoding: DER.privateKeyEncoding });
}

interface Waiter {
  resolve: (pair: KeyPairDer) => void;
  reject: (e: Error) => void;
}

/**
 * One engine's RSA key pairs: those ready, per size, and the requests waiting. The worker thread
 * starts with the first need, keeps the process alive only while a request waits, and is
 * stopped on close, whatever it was making.
 */
export class RsaKeyPairPool {
  private worker: Worker | undefined;
  private readonly ready = new Map<number, KeyPairDer[]>();
  /** Pairs asked of the worker and not yet back, per size. */
  private readonly making = new Map<number, number>();
  private readonly waiting = new Map<number, Waiter[]>();
  /** How many to keep ready, per size asked for so far. */
  private readonly kept = new Map<number, number>();
  private failures = 0;
  private closed = false;

  /** Starts making RSA_2048 pairs, so that the first request for one finds it ready. */
  prefill(): void {
    if (this.closed) return;
    this.keep(2048);
    this.refill(2048);
  }

  /**
   * Runs `call` (synchronous) at once when it needs no pair; otherwise once a fresh pair of
   * `bits` is ready, handed to it through takeRsaKeyPair. A pair it did not take goes back.
   */
  run<T>(bits: number | undefined, call: () => T): T | Promise<T> {
    if (bits === undefined || this.closed) return call();
    return this.next(bits).then((pair) => {
      handed = { bits, pair };
      try {
        return call();
      } finally {
        const unused = handed?.pair;
        handed = undefined;
        if (unused && unused !== 'throttled') this.deliver(bits, unused);
      }
    });
  }

  /** Stops the worker (a pair it was making is dropped), zeroes the pairs kept ready and fails the requests still waiting. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker?.terminate();
    this.worker = undefined;
    this.making.clear();
    for (const pairs of this.ready.values()) for (const pair of pairs) pair.privateKey.fill(0);
    this.ready.clear();
    const closing = kmsErrors.internal('The local engine closed while this request waited for an RSA key pair.');
    for (const waiters of this.waiting.values()) for (const waiter of waiters.splice(0)) waiter.reject(closing);
  }

  /** What the pool holds now (for tests and benches): pairs ready, being made, requests waiting. */
  counts(): { ready: number; making: number; waiting: number; worker: boolean } {
    const sum = (m: Map<number, number | unknown[]>) => [...m.values()].reduce<number>((n, v) => n + (typeof v === 'number' ? v : v.length), 0);
    return { ready: sum(this.ready), making: sum(this.making), waiting: sum(this.waiting), worker: this.worker !== undefined };
  }

  private next(bits: number): Promise<KeyPairDer | 'throttled'> {
    this.keep(bits);
    const pair = this.ready.get(bits)?.shift();
    if (pair) {
      this.refill(bits);
      return Promise.resolve(pair);
    }
    if (this.counts().waiting >= MAX_WAITING) return Promise.resolve('throttled');
    return new Promise((resolve, reject) => {
      this.listOf(this.waiting, bits).push({ resolve, reject });
      this.refill(bits);
    });
  }

  private keep(bits: number): void {
    if (!this.kept.has(bits)) this.kept.set(bits, KEEP_READY[bits] ?? 0);
  }

  /** Asks the worker for as many pairs as will be wanted: those to keep ready and one per waiting request, less those ready or being made. */
  private refill(bits: number): void {
    const wanted = (this.kept.get(bits) ?? 0) + (this.waiting.get(bits)?.length ?? 0);
    const have = (this.ready.get(bits)?.length ?? 0) + (this.making.get(bits) ?? 0);
    for (let i = have; i < wanted; i++) {
      this.workerThread().postMessage(bits);
      this.making.set(bits, (this.making.get(bits) ?? 0) + 1);
    }
    this.holdProcess();
  }

  /** A pair to the first request waiting for one, else to those kept ready (up to the number kept). */
  private deliver(bits: number, pair: KeyPairDer): void {
    if (this.closed) return void pair.privateKey.fill(0); // handed back after close(): nothing keeps it
    const waiter = this.waiting.get(bits)?.shift();
    if (waiter) waiter.resolve(pair);
    else if ((this.ready.get(bits)?.length ?? 0) < (this.kept.get(bits) ?? 0)) this.listOf(this.ready, bits).push(pair);
    else pair.privateKey.fill(0);
    this.holdProcess();
  }

  private workerThread(): Worker {
    if (this.worker) return this.worker;
    // execArgv: [] so that the worker loads no loader a parent was started with (tsx, a test runner).
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    worker.on('message', (m: { bits: number; privateKey: Uint8Array; publicKey: Uint8Array }) => {
      this.making.set(m.bits, Math.max(0, (this.making.get(m.bits) ?? 0) - 1));
      this.failures = 0;
      const pair = { privateKey: Buffer.from(m.privateKey.buffer, m.privateKey.byteOffset, m.privateKey.byteLength), publicKey: Buffer.from(m.publicKey.buffer, m.publicKey.byteOffset, m.publicKey.byteLength) };
      if (this.closed) pair.privateKey.fill(0);
      else this.deliver(m.bits, pair);
    });
    worker.on('error', () => {}); // 'exit' follows
    worker.on('exit', () => this.lost(worker));
    this.worker = worker;
    return worker;
  }

  /** The worker died (not closed): what it was making is lost; a new one takes over, unless they keep dying. */
  private lost(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.making.clear();
    if (this.closed) return;
    if (++this.failures >= MAX_FAILURES) {
      const failed = kmsErrors.internal('The local engine could not make an RSA key pair.');
      for (const waiters of this.waiting.values()) for (const waiter of waiters.splice(0)) waiter.reject(failed);
      return;
    }
    for (const bits of this.kept.keys()) this.refill(bits);
  }

  /** The worker keeps the process alive only while a request waits for it; pairs made ahead of need never do. */
  private holdProcess(): void {
    if (!this.worker) return;
    if (this.counts().waiting > 0) this.worker.ref();
    else this.worker.unref();
  }

  private listOf<V>(map: Map<number, V[]>, bits: number): V[] {
    let list = map.get(bits);
    if (!list) map.set(bits, (list = []));
    return list;
  }
}
