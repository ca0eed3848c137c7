// kms/rsa-key-pairs.ts called directly: which requests wait for an RSA key pair (and of what
// size), how a pair is handed to the operation and given back when it is not taken, the bound on
// waiting requests, and closing. kms-rsa-pool.test.ts shows the same through the SDK, end to end.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { AwsError } from '../../src/engine/errors.js';
import { MAX_WAITING, RsaKeyPairPool, rsaBitsNeeded, takeRsaKeyPair, type KeyPairDer } from '../../src/engine/kms/rsa-key-pairs.js';

const modulusOf = (pair: KeyPairDer) => createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' }).asymmetricKeyDetails;
async function until(condition: () => boolean, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('rsaBitsNeeded: the RSA pair a request waits for, read from its raw input', () => {
  test.each([
    ['CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, 2048],
    ['CreateKey', { KeySpec: 'RSA_4096', Origin: 'AWS_KMS' }, 4096],
    ['CreateKey', { CustomerMasterKeySpec: 'RSA_3072' }, 3072],
    ['CreateKey', { KeySpec: 'RSA_2048', Origin: 'EXTERNAL' }, undefined],
    ['CreateKey', { KeySpec: 'ECC_NIST_P256' }, undefined],
    ['CreateKey', {}, undefined],
    ['CreateKey', { KeySpec: 'toString' }, undefined],
    ['CreateKey', { KeySpec: 2048 }, undefined],
    ['CreateKey', { KeySpec: ['RSA_2048'] }, undefined], // not a string, though its text is a spec's: validation refuses it, no pair is waited for
    ['GetParametersForImport', { WrappingKeySpec: 'RSA_3072' }, 3072],
    ['GetParametersForImport', { KeySpec: 'RSA_3072' }, undefined],
    ['GenerateDataKeyPair', { KeyPairSpec: 'RSA_4096' }, 4096],
    ['GenerateDataKeyPairWithoutPlaintext', { KeyPairSpec: 'RSA_2048' }, 2048],
    ['GenerateDataKeyPair', { KeyPairSpec: 'ECC_NIST_P384' }, undefined],
    ['GenerateDataKey', { KeyPairSpec: 'RSA_2048' }, undefined],
    ['Encrypt', { KeySpec: 'RSA_2048' }, undefined],
    ['CreateKey', null, undefined],
    ['CreateKey', 'RSA_2048', undefined],
  ])('%s with %j: %s', (operation, input, bits) => {
    expect(rsaBitsNeeded(operation, input)).toBe(bits);
  });
});

describe('takeRsaKeyPair outside a request', () => {
  test('makes a fresh pair of the size asked, exponent 65537, its public key the private key\'s', () => {
    const [a, b] = [takeRsaKeyPair(2048), takeRsaKeyPair(2048)];
    expect(modulusOf(a)).toEqual({ modulusLength: 2048, publicExponent: 65537n });
    expect(createPublicKey(createPrivateKey({ key: a.privateKey, format: 'der', type: 'pkcs8' })).export({ type: 'spki', format: 'der' })).toEqual(a.publicKey);
    expect(b.publicKey).not.toEqual(a.publicKey);
  });
});

describe('RsaKeyPairPool', () => {
  let pool: RsaKeyPairPool;
  afterEach(() => pool.close());

  test('a call that needs no pair runs at once, synchronously, and starts no worker', () => {
    pool = new RsaKeyPairPool();
    expect(pool.run(undefined, () => 'ran')).toBe('ran');
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
  });

  test('prefill keeps two RSA_2048 pairs ready; a call takes one, the pool makes another, and each pair is handed once', async () => {
    pool = new RsaKeyPairPool();
    pool.prefill();
    expect(pool.counts()).toMatchObject({ making: 2, worker: true });
    await until(() => pool.counts().ready === 2, 'two pairs ready');
    const first = await pool.run(2048, () => takeRsaKeyPair(2048));
    expect(modulusOf(first)).toMatchObject({ modulusLength: 2048 });
    expect(pool.counts()).toMatchObject({ ready: 1, making: 1, waiting: 0 });
    const second = await pool.run(2048, () => takeRsaKeyPair(2048));
    expect(second.publicKey).not.toEqual(first.publicKey);
    await until(() => pool.counts().ready === 2 && pool.counts().making === 0, 'the pool refilled');
  }, 120_000);

  test('a pair the call did not take, or took no part in because it threw, goes back to those ready', async () => {
    pool = new RsaKeyPairPool();
    pool.prefill();
    await until(() => pool.counts().ready === 2, 'two pairs ready');
    expect(await pool.run(2048, () => 'took nothing')).toBe('took nothing');
    expect(pool.counts()).toMatchObject({ ready: 2, making: 1 });
    await expect(pool.run(2048, () => { throw new Error('the operation failed'); })).rejects.toThrow('the operation failed');
    expect(pool.counts()).toMatchObject({ ready: 2 });
    // a pair of another size is not this call's: it makes its own
    const other = await pool.run(2048, () => takeRsaKeyPair(3072));
    expect(modulusOf(other)).toMatchObject({ modulusLength: 3072 });
    expect(pool.counts()).toMatchObject({ ready: 2 });
    // no more than two are kept: those made meanwhile are dropped
    await until(() => pool.counts().making === 0, 'the pairs asked for made');
    expect(pool.counts().ready).toBe(2);
    // a pair given back is handed to no one outside a request, and once to the next requests
    const outside = takeRsaKeyPair(2048);
    const next = [await pool.run(2048, () => takeRsaKeyPair(2048)), await pool.run(2048, () => takeRsaKeyPair(2048))];
    expect(new Set([outside, ...next].map((p) => p.publicKey.toString('hex'))).size).toBe(3);
  }, 120_000);

  test('the first request for an RSA_2048 pair, without prefill, waits for its own and starts keeping two ready', async () => {
    pool = new RsaKeyPairPool();
    expect(modulusOf(await pool.run(2048, () => takeRsaKeyPair(2048)))).toMatchObject({ modulusLength: 2048 });
    await until(() => pool.counts().making === 0, 'the pairs asked for made');
    expect(pool.counts()).toMatchObject({ ready: 2, waiting: 0 });
  }, 120_000);

  test('a worker that made a pair since its last death starts counting deaths again', async () => {
    pool = new RsaKeyPairPool();
    const internals = pool as unknown as { worker: { terminate(): Promise<number> } | undefined };
    const die = async () => {
      const worker = internals.worker!;
      await worker.terminate();
      await until(() => internals.worker !== worker, 'the pool to see the worker die');
    };
    const first = Promise.resolve(pool.run(2048, () => takeRsaKeyPair(2048)));
    await die();
    await die();
    await first; // made by the third worker
    await until(() => pool.counts().making === 0, 'the pairs asked for made');
    const second = Promise.resolve(pool.run(2048, () => takeRsaKeyPair(2048)));
    await die();
    await die();
    expect(pool.counts().worker).toBe(true);
    expect(modulusOf(await second)).toMatchObject({ modulusLength: 2048 });
  }, 120_000);

  test(`a size kept none of waits for its own; past ${MAX_WAITING} waiting, a call is throttled at once; closing fails those waiting and stops the worker`, async () => {
    pool = new RsaKeyPairPool();
    const waiting = Array.from({ length: MAX_WAITING }, () => Promise.resolve(pool.run(4096, () => takeRsaKeyPair(4096))).then(() => 'made', (e: Error) => e));
    expect(pool.counts()).toEqual({ ready: 0, making: MAX_WAITING, waiting: MAX_WAITING, worker: true });
    const throttled = await Promise.resolve(pool.run(4096, () => takeRsaKeyPair(4096))).catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(AwsError);
    expect(throttled).toMatchObject({ code: 'ThrottlingException', status: 400 });
    // a throttled call that takes no pair gives nothing back to the others
    expect(await pool.run(4096, () => 'nothing')).toBe('nothing');
    expect(pool.counts()).toMatchObject({ ready: 0, waiting: MAX_WAITING });
    const worker = (pool as unknown as { worker: { once(event: 'exit', f: () => void): void } }).worker;
    const exited = new Promise<void>((resolve) => worker.once('exit', resolve));
    pool.close();
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
    await exited; // stopped, whatever it was making; and none started after it
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
    for (const outcome of await Promise.all(waiting)) {
      expect(outcome).toBeInstanceOf(AwsError);
      expect(outcome).toMatchObject({ code: 'KMSInternalException', status: 500, message: 'The local engine closed while this request waited for an RSA key pair.' });
    }
  });

  test('a closed pool runs a call at once, which then makes its own pair; prefill does nothing', () => {
    pool = new RsaKeyPairPool();
    pool.close();
    pool.prefill();
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
    const pair = pool.run(2048, () => takeRsaKeyPair(2048)) as KeyPairDer;
    expect(modulusOf(pair)).toMatchObject({ modulusLength: 2048 });
  });

  test('closing zeroes the private keys of the pairs kept ready', async () => {
    pool = new RsaKeyPairPool();
    pool.prefill();
    await until(() => pool.counts().ready === 2, 'two pairs ready');
    const taken = await pool.run(2048, () => takeRsaKeyPair(2048));
    const ready = (pool as unknown as { ready: Map<number, KeyPairDer[]> }).ready.get(2048)!.slice(); // the pool's own, not reachable otherwise
    expect(ready).toHaveLength(1);
    for (const pair of [...ready, taken]) expect(pair.privateKey.some((b) => b !== 0)).toBe(true);
    pool.close();
    expect(pool.counts().ready).toBe(0);
    for (const pair of ready) expect(pair.privateKey.every((b) => b === 0)).toBe(true);
    expect(taken.privateKey.some((b) => b !== 0)).toBe(true); // a pair handed out is the operation's, not the pool's
  }, 120_000);

  test('a worker that dies is replaced; after three deaths in a row the requests waiting fail with KMSInternalException', async () => {
    pool = new RsaKeyPairPool();
    const internals = pool as unknown as { worker: { terminate(): Promise<number> } | undefined };
    const waiting = Promise.resolve(pool.run(4096, () => takeRsaKeyPair(4096))).catch((e: unknown) => e);
    for (let death = 1; death <= 3; death++) {
      const worker = internals.worker!;
      await worker.terminate();
      await until(() => internals.worker !== worker, 'the pool to see the worker die');
      if (death < 3) expect(pool.counts()).toEqual({ ready: 0, making: 1, waiting: 1, worker: true });
    }
    expect(await waiting).toMatchObject({ code: 'KMSInternalException', status: 500, message: 'The local engine could not make an RSA key pair.' });
    expect(pool.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
  });
});
