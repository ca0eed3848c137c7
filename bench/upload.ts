// Uploads in bounded memory: `kms-workshop serve` (the built CLI) in a process of its own,
// four concurrent 250 MiB PutObjects through @aws-sdk/client-s3 (streamed bodies, so the
// SDK sends aws-chunked with a CRC32 trailer, as it does by default), the engine's RSS
// sampled from /proc/<pid>/status the whole time; then one of them downloaded (GetObject,
// streamed back); a multipart upload of the same size completed (its parts re-sealed into
// one object as they are read); then a PutObject declared over the engine's limit, timed to
// its refusal.
// Run: npm run bench (builds first), or: npm run build && npx tsx bench/upload.ts
// Target: engine RSS under 300 MB during the four concurrent 250 MiB PUTs.
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startServe } from './engine-process.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const MiB = 1024 * 1024;
const OBJECT_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 250);
const CONCURRENT = 4;
const PART_MIB = 25;
const OVER_LIMIT_MIB = 300; // the engine takes at most 256 MiB in one body
const TARGET_RSS_MB = 300;

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist', 'cli.js');

function assertBuilt() {
  const newestSource = Math.max(...['src/engine/http.ts', 'src/engine/s3/objects.ts', 'src/engine/s3/sealed-data.ts'].map((f) => statSync(join(root, f)).mtimeMs));
  if (!existsSync(cli) || statSync(cli).mtimeMs < newestSource) {
    console.error('bench/upload.ts runs the built engine: npm run build first (npm run bench does).');
    process.exit(1);
  }
}

/** The process's resident memory, in MB, from /proc (VmRSS is in kB). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Samples a process's RSS every 20 ms until stopped; the peak seen. */
function sampleRss(pid: number) {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

/** `mib` MiB of bytes, produced as read (the same random MiB over and over): nothing here holds a whole object. */
function body(mib: number, counter?: { sent: number }) {
  const block = randomBytes(MiB);
  return Readable.from(
    (function* () {
      for (let i = 0; i < mib; i++) {
        if (counter) counter.sent += block.length;
        yield block;
      }
    })(),
  );
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main() {
  assertBuilt();
  const home = mkdtempSync(join(tmpdir(), 'kms-bench-upload-'));
  const engine = await startServe(home, cli);
  const s3 = new S3Client({
    endpoint: engine.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' },
    forcePathStyle: true,
    maxAttempts: 1,
    // The refusal below is expected: no SDK warning about a failed streaming request in the figures.
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    const baseline = rssMb(engine.pid);

    const uploadRss = sampleRss(engine.pid);
    const uploadStart = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `big-${i}`, Body: body(OBJECT_MIB), ContentLength: OBJECT_MIB * MiB }))),
    );
    const uploadSeconds = (performance.now() - uploadStart) / 1000;
    const uploadPeak = uploadRss.stop();
    for (let i = 0; i < CONCURRENT; i++) {
      const size = (await s3.send(new HeadObjectCommand({ Bucket: 'bench', Key: `big-${i}` }))).ContentLength;
      if (size !== OBJECT_MIB * MiB) throw new Error(`big-${i} has ${size} bytes, not ${OBJECT_MIB * MiB}`);
    }

    const downloadRss = sampleRss(engine.pid);
    const downloadStart = performance.now();
    let received = 0;
    const got = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: 'big-0' }));
    for await (const chunk of got.Body as Readable) received += (chunk as Buffer).length;
    const downloadSeconds = (performance.now() - downloadStart) / 1000;
    const downloadPeak = downloadRss.stop();
    if (received !== OBJECT_MIB * MiB) throw new Error(`downloaded ${received} bytes, not ${OBJECT_MIB * MiB}`);

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bench', Key: 'multi' }));
    const parts = [];
    for (let n = 1; n <= OBJECT_MIB / PART_MIB; n++) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'bench', Key: 'multi', UploadId, PartNumber: n, Body: body(PART_MIB), ContentLength: PART_MIB * MiB }));
      parts.push({ ETag, PartNumber: n });
    }
    const completeRss = sampleRss(engine.pid);
    const completeStart = performance.now();
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'bench', Key: 'multi', UploadId, MultipartUpload: { Parts: parts } }));
    const completeSeconds = (performance.now() - completeStart) / 1000;
    const completePeak = completeRss.stop();

    const counter = { sent: 0 };
    const refusalStart = performance.now();
    let refusal = 'accepted (it should not be)';
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'too-big', Body: body(OVER_LIMIT_MIB, counter), ContentLength: OVER_LIMIT_MIB * MiB }));
    } catch (e) {
      refusal = (e as Error).name;
    }
    const refusalMs = performance.now() - refusalStart;

    const totalMib = CONCURRENT * OBJECT_MIB;
    console.log(`upload bench: ${CONCURRENT} concurrent PutObject of ${OBJECT_MIB} MiB to kms-workshop serve (SSE-S3, aws-chunked + CRC32 trailer)`);
    console.log(`  engine RSS         ${fmt(baseline)} MB before, peak ${fmt(uploadPeak)} MB during the uploads (target < ${TARGET_RSS_MB} MB: ${uploadPeak < TARGET_RSS_MB ? 'met' : 'NOT met'})`);
    console.log(`  upload             ${totalMib} MiB in ${fmt(uploadSeconds, 1)} s = ${fmt(totalMib / uploadSeconds, 1)} MiB/s`);
    console.log(`  download           ${OBJECT_MIB} MiB in ${fmt(downloadSeconds, 1)} s = ${fmt(OBJECT_MIB / downloadSeconds, 1)} MiB/s, engine RSS peak ${fmt(downloadPeak)} MB`);
    console.log(`  multipart          CompleteMultipartUpload of ${OBJECT_MIB / PART_MIB} parts of ${PART_MIB} MiB in ${fmt(completeSeconds, 1)} s, engine RSS peak ${fmt(completePeak)} MB`);
    console.log(`  over the limit     PutObject of ${OVER_LIMIT_MIB} MiB: ${refusal} after ${fmt(refusalMs)} ms; the client had read ${fmt(counter.sent / MiB)} MiB of the body (it waits for 100 Continue to send)`);
  } finally {
    s3.destroy();
    await engine.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
