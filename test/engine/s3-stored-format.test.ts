// Objects stored before data was streamed (format 1: one AES-GCM message per object) still
// read after the upgrade, whole and by range, next to objects in today's segmented format.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { openBytes, sealBytes } from '../../src/engine/s3/encryption.js';
import { objectArn } from '../../src/engine/s3/names.js';
import { openStore } from '../../src/engine/store.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

const homes: string[] = [];
const running: { te: TestEngine; s3: S3Client }[] = [];
afterEach(async () => {
  for (const { te, s3 } of running.splice(0)) {
    s3.destroy();
    await te.stop();
  }
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function start(home: string) {
  const te = await startTestEngine({ home, keepHome: true });
  const s3 = new S3Client({ ...te.clientConfig, forcePathStyle: true });
  running.push({ te, s3 });
  return { te, s3 };
}

async function stop() {
  const { te, s3 } = running.pop()!;
  s3.destroy();
  await te.stop();
}

/** Rewrites an SSE-S3 object's data file as the engine wrote it before format 2: version 1 | iv | tag | ciphertext. */
function rewriteAsFormat1(home: string, bucket: string, key: string, plaintext: Buffer) {
  const store = openStore(home);
  try {
    const metaDir = join('s3', 'objects', bucket);
    const meta = readdirSync(join(home, 'engine', metaDir))
      .map((f) => store.readJson<{ Key: string; dataFile: string; encryption: { encryptedDataKey: string } }>(`${metaDir}/${f}`)!)
      .find((m) => m.Key === key)!;
    const sseS3Key = store.unwrap(store.readFile('s3/sse-s3.key')!);
    const dataKey = openBytes(sseS3Key, Buffer.from(meta.encryption.encryptedDataKey, 'base64'), objectArn(bucket, key));
    const file = join(home, 'engine', meta.dataFile);
    expect(readFileSync(file)[0]).toBe(2); // written in today's format
    writeFileSync(file, sealBytes(dataKey, plaintext, objectArn(bucket, key)));
  } finally {
    store.close();
  }
}

test('an object stored in format 1 still reads after the upgrade, whole and by range; new writes use format 2', async () => {
  const home = tempHome();
  homes.push(home);
  const old = randomBytes(300_000);
  let { s3 } = await start(home);
  await s3.send(new CreateBucketCommand({ Bucket: 'legacy' }));
  await s3.send(new PutObjectCommand({ Bucket: 'legacy', Key: 'old.bin', Body: old }));
  await stop();
  rewriteAsFormat1(home, 'legacy', 'old.bin', old);

  ({ s3 } = await start(home));
  const whole = await s3.send(new GetObjectCommand({ Bucket: 'legacy', Key: 'old.bin' }));
  expect(Buffer.from(await whole.Body!.transformToByteArray()).equals(old)).toBe(true);
  const part = await s3.send(new GetObjectCommand({ Bucket: 'legacy', Key: 'old.bin', Range: 'bytes=70000-140000' }));
  expect(Buffer.from(await part.Body!.transformToByteArray()).equals(old.subarray(70000, 140001))).toBe(true);
  // Tampered format-1 data is refused, as it always was.
  await stop();
  const dataDir = join(home, 'engine', 's3', 'data', 'legacy');
  const [file] = readdirSync(dataDir);
  const bytes = readFileSync(join(dataDir, file!));
  bytes[bytes.length - 1]! ^= 1;
  writeFileSync(join(dataDir, file!), bytes);
  ({ s3 } = await start(home));
  await expect(s3.send(new GetObjectCommand({ Bucket: 'legacy', Key: 'old.bin' }))).rejects.toMatchObject({ name: 'InternalError' });
});
