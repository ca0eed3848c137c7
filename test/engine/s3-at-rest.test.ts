// S3 objects at rest: each object's ciphertext (and the data key that opens it) is
// bound to that object, so bytes moved on disk from one object to another never
// decrypt as the other; and a bucket deleted and created again with the same name
// gets a Bucket Key of its own. The engine's files are found by listing its home
// before and after each call, not by assuming a layout.
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

const homes: string[] = [];
let running: { te: TestEngine; s3: S3Client } | undefined;
afterEach(async () => {
  await stop();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function start(home: string) {
  const te = await startTestEngine({ home, keepHome: true });
  running = { te, s3: new S3Client({ ...te.clientConfig, forcePathStyle: true }) };
  return running;
}

async function stop() {
  if (!running) return;
  running.s3.destroy();
  await running.te.stop();
  running = undefined;
}

/** Every file under `dir` with its bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  const files = readdirSync(dir, { withFileTypes: true, recursive: true }).filter((d) => d.isFile());
  return new Map(files.map((d) => [join(d.parentPath, d.name), readFileSync(join(d.parentPath, d.name))]));
}

const isText = (bytes: Buffer) => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

/** The files a call created: the object's ciphertext (binary, at least as long as the body) and any text files. */
async function filesCreatedBy(home: string, call: () => Promise<unknown>, bodyLength: number) {
  const before = snapshot(home);
  await call();
  const created = [...snapshot(home)].filter(([path]) => !before.has(path));
  const binary = created.filter(([, bytes]) => !isText(bytes));
  expect(binary, 'one ciphertext file per object').toHaveLength(1);
  expect(binary[0]![1].length).toBeGreaterThanOrEqual(bodyLength);
  return { ciphertext: binary[0]![0], text: created.filter(([, bytes]) => isText(bytes)).map(([path]) => path) };
}

const ENCRYPTIONS: Array<[string, (keyId: string) => Partial<PutObjectCommandInput>]> = [
  ['SSE-S3', () => ({ ServerSideEncryption: 'AES256' })],
  ['SSE-KMS', (keyId) => ({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId })],
  ['SSE-KMS with a Bucket Key', (keyId) => ({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId, BucketKeyEnabled: true })],
];

/** Two objects of the same size under one encryption, the files each one made, and their bodies. */
async function twoObjects(home: string, encryption: (keyId: string) => Partial<PutObjectCommandInput>) {
  const { te, s3 } = await start(home);
  const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await s3.send(new CreateBucketCommand({ Bucket: 'at-rest' }));
  const bodies = { 'obj-a': randomBytes(4096), 'obj-b': randomBytes(4096) };
  const files: Record<string, Awaited<ReturnType<typeof filesCreatedBy>>> = {};
  for (const [Key, Body] of Object.entries(bodies))
    files[Key] = await filesCreatedBy(home, () => s3.send(new PutObjectCommand({ Bucket: 'at-rest', Key, Body, ...encryption(key.KeyId!) })), Body.length);
  await stop();
  return { bodies, files: files as Record<keyof typeof bodies, (typeof files)[string]> };
}

async function read(s3: S3Client, Key: string) {
  return Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'at-rest', Key }))).Body!.transformToByteArray());
}

for (const [name, encryption] of ENCRYPTIONS) {
  test(`${name}: two objects' ciphertexts swapped on disk decrypt as neither; the engine keeps serving`, async () => {
    const home = tempHome();
    homes.push(home);
    const { bodies, files } = await twoObjects(home, encryption);
    const a = readFileSync(files['obj-a'].ciphertext);
    writeFileSync(files['obj-a'].ciphertext, readFileSync(files['obj-b'].ciphertext));
    writeFileSync(files['obj-b'].ciphertext, a);
    const { s3 } = await start(home);
    for (const Key of ['obj-a', 'obj-b'] as const) {
      const err = await expectAwsError(read(s3, Key), 'InternalError', 500);
      expect(err.message).not.toContain(bodies[Key].toString('base64').slice(0, 16));
    }
    await s3.send(new PutObjectCommand({ Bucket: 'at-rest', Key: 'obj-c', Body: 'still serving' }));
    expect((await read(s3, 'obj-c')).toString()).toBe('still serving');
  });

  test(`${name}: a whole object (ciphertext and how it is encrypted) moved on disk under another name does not decrypt there`, async () => {
    const home = tempHome();
    homes.push(home);
    const { bodies, files } = await twoObjects(home, encryption);
    // obj-b's files now hold obj-a's: its ciphertext, and its records with only the name changed to obj-b.
    writeFileSync(files['obj-b'].ciphertext, readFileSync(files['obj-a'].ciphertext));
    const [aText, bText] = [files['obj-a'].text.filter((f) => readFileSync(f, 'utf8').includes('obj-a')), files['obj-b'].text.filter((f) => readFileSync(f, 'utf8').includes('obj-b'))];
    expect(aText.length, 'obj-a is named in a record').toBeGreaterThan(0);
    expect(aText.length).toBe(bText.length);
    aText.forEach((f, i) => writeFileSync(bText[i]!, readFileSync(f, 'utf8').replaceAll('obj-a', 'obj-b')));
    const { s3 } = await start(home);
    let moved: Buffer | undefined;
    try {
      moved = await read(s3, 'obj-b');
    } catch (e) {
      expect((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBeGreaterThanOrEqual(400);
    }
    expect(moved?.equals(bodies['obj-a']), 'obj-a decrypted as obj-b').not.toBe(true);
    expect((await read(s3, 'obj-a')).equals(bodies['obj-a'])).toBe(true);
  });
}

test('a bucket deleted and created again with the same name gets a new Bucket Key: S3 asks KMS for one again', async () => {
  const home = tempHome();
  homes.push(home);
  const { te, s3 } = await start(home);
  const cloudtrail = new CloudTrailClient(te.clientConfig);
  try {
    const key = (await te.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const bucketKeyCalls = async () =>
      ((await cloudtrail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }] }))).Events ?? []).filter(
        (e) => JSON.parse(e.CloudTrailEvent!).requestParameters.encryptionContext['aws:s3:arn'] === 'arn:aws:s3:::reborn',
      ).length;
    const put = (Key: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'reborn', Key, Body: Key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId, BucketKeyEnabled: true }));
    await s3.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    await put('first');
    await put('second');
    expect(await bucketKeyCalls()).toBe(1);
    for (const Key of ['first', 'second']) await s3.send(new DeleteObjectCommand({ Bucket: 'reborn', Key }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'reborn' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'reborn' }));
    await put('third');
    await put('fourth');
    expect(await bucketKeyCalls()).toBe(2);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'reborn', Key: 'fourth' }))).Body!.transformToString()).toBe('fourth');
  } finally {
    cloudtrail.destroy();
  }
});
