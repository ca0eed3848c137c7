// RSA key pairs made off the event loop (kms/rsa-key-pairs.ts): every RSA CreateKey,
// GetParametersForImport and RSA data key pair gets a fresh pair of its own, whether it was
// ready in the pool or made while the request waited; other requests are answered meanwhile;
// waiting is bounded (ThrottlingException beyond it); and closing the engine stops the
// generation, so a process with pairs still being made exits at once.
import {
  CreateKeyCommand, DecryptCommand, GenerateDataKeyPairCommand, GenerateRandomCommand, GetParametersForImportCommand, GetPublicKeyCommand,
  ImportKeyMaterialCommand, KMSClient, SignCommand,
} from '@aws-sdk/client-kms';
import { spawn } from 'node:child_process';
import { constants, createPublicKey, publicEncrypt, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_WAITING } from '../../src/engine/kms/rsa-key-pairs.js';
import { startTestEngine, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

let e: TestEngine;
beforeAll(async () => {
  e = await startTestEngine({ rsaKeyPairsAtStart: true });
});
afterAll(async () => e.stop());

const pool = () => e.engine.rsaKeyPairs.counts();
async function until(condition: () => boolean, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const spki = (der: Uint8Array) => createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
const publicKeyOf = async (KeyId: string, kms: KMSClient = e.kms) => Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!).toString('hex');
const rsaKey = async (KeyUsage: 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY', kms: KMSClient = e.kms) =>
  (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage }))).KeyMetadata!.KeyId!;

describe('RSA key pairs from the pool', () => {
  test('RSA_2048 pairs are made at start; keys created from them are distinct, encrypt outside KMS and decrypt in it, sign in KMS and verify outside', async () => {
    await until(() => pool().ready >= 2, 'two RSA_2048 pairs ready');
    const encryptionKey = await rsaKey('ENCRYPT_DECRYPT');
    const signingKey = await rsaKey('SIGN_VERIFY');
    const [encryptionPublic, signingPublic] = [await publicKeyOf(encryptionKey), await publicKeyOf(signingKey)];
    expect(encryptionPublic).not.toBe(signingPublic);
    expect(spki(Buffer.from(encryptionPublic, 'hex')).asymmetricKeyDetails?.modulusLength).toBe(2048);

    const secret = publicEncrypt({ key: spki(Buffer.from(encryptionPublic, 'hex')), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('pool secret'));
    const opened = await e.kms.send(new DecryptCommand({ KeyId: encryptionKey, CiphertextBlob: secret, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(Buffer.from(opened.Plaintext!).toString()).toBe('pool secret');

    const message = Buffer.from('signed with a pooled key');
    const { Signature } = await e.kms.send(new SignCommand({ KeyId: signingKey, Message: message, MessageType: 'RAW', SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    const key = { key: spki(Buffer.from(signingPublic, 'hex')), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
    expect(verify('sha256', message, key, Buffer.from(Signature!))).toBe(true);
  });

  test('each GetParametersForImport has a wrapping key of its own: material wrapped for one token does not import with another', async () => {
    const { KeyMetadata } = await e.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    const params = () => e.kms.send(new GetParametersForImportCommand({ KeyId: KeyMetadata!.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const first = await params();
    const second = await params();
    expect(Buffer.from(first.PublicKey!).equals(Buffer.from(second.PublicKey!))).toBe(false);
    const material = randomBytes(32);
    const wrap = (publicKey: Uint8Array) => publicEncrypt({ key: spki(publicKey), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    const importWith = (ImportToken: Uint8Array, wrappedFor: Uint8Array) =>
      e.kms.send(new ImportKeyMaterialCommand({ KeyId: KeyMetadata!.KeyId, ImportToken, EncryptedKeyMaterial: wrap(wrappedFor), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    await expectAwsError(importWith(second.ImportToken!, first.PublicKey!), 'InvalidCiphertextException');
    expect((await importWith(second.ImportToken!, second.PublicKey!)).KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
  });

  test('many RSA CreateKeys and data key pairs at once (more than the pool holds) all succeed, each with a public key of its own', async () => {
    const keys = Promise.all(Array.from({ length: 6 }, (_, i) => rsaKey(i % 2 ? 'SIGN_VERIFY' : 'ENCRYPT_DECRYPT')));
    const symmetric = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const pairs = Promise.all(Array.from({ length: 2 }, () => e.kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric, KeyPairSpec: 'RSA_2048' }))));
    const publicKeys = [...(await Promise.all((await keys).map((k) => publicKeyOf(k)))), ...(await pairs).map((p) => Buffer.from(p.PublicKey!).toString('hex'))];
    expect(new Set(publicKeys).size).toBe(8);
    await until(() => pool().ready === 2 && pool().making === 0, 'the pool refilled to two');
  }, 120_000);
});

describe('the engine answers while a pair is made', () => {
  test('a GenerateRandom sent while a CreateKey RSA_4096 waits for its pair is answered first', async () => {
    let created = false;
    const creating = e.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' })).then((out) => {
      created = true;
      return out;
    });
    await until(() => pool().waiting === 1, 'the CreateKey waiting for its pair');
    const random = await e.kms.send(new GenerateRandomCommand({ NumberOfBytes: 16 }));
    expect(random.Plaintext).toHaveLength(16);
    expect(created).toBe(false);
    expect((await creating).KeyMetadata!.KeySpec).toBe('RSA_4096');
  }, 120_000);

  test(`more than ${MAX_WAITING} requests waiting for pairs: the next is ThrottlingException, answered at once`, async () => {
    const busy = await startTestEngine();
    const client = new KMSClient(busy.clientConfig);
    let waiting: Promise<unknown>[] = [];
    try {
      waiting = Array.from({ length: MAX_WAITING }, () => client.send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' })).catch((err: Error) => err));
      await until(() => busy.engine.rsaKeyPairs.counts().waiting === MAX_WAITING, `${MAX_WAITING} requests waiting`);
      await expectAwsError(client.send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' })), 'ThrottlingException');
    } finally {
      await busy.stop(); // the waiting requests fail with the engine; nothing more is made
      client.destroy();
    }
    await Promise.all(waiting);
    expect(busy.engine.rsaKeyPairs.counts()).toEqual({ ready: 0, making: 0, waiting: 0, worker: false });
  }, 60_000);
});

describe('closing', () => {
  test('a process whose engine is closed while RSA_4096 pairs are being made exits at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-rsa-pool-'));
    const engineModule = fileURLToPath(new URL('../../src/engine/index.ts', import.meta.url));
    // Six RSA_4096 pairs are seconds of work; the process must not wait for them once the engine is closed.
    writeFileSync(join(dir, 'child.mts'), `
      import { startEngine } from ${JSON.stringify(engineModule)};
      const running = await startEngine({ home: null, quotaScale: 1000 });
      const createKey = () => fetch(running.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' },
        body: JSON.stringify({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' }),
      }).catch(() => undefined);
      for (let i = 0; i < 6; i++) void createKey();
      while (running.engine.rsaKeyPairs.counts().waiting < 6) await new Promise((r) => setTimeout(r, 5));
      await running.close();
      console.log('closed');
    `);
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(dir, 'child.mts')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let closedAt = 0;
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('closed')) closedAt = Date.now();
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      expect(closedAt).toBeGreaterThan(0);
      expect(Date.now() - closedAt).toBeLessThan(1500);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
