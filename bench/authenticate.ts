// The cost of authenticating one request, in µs, in process (no HTTP): a KMS GenerateDataKey
// request as @aws-sdk/client-kms signs it, authenticated by auth/authenticate.ts
//   - signed with an access key the engine never issued, in the local mode (the default
//     path: every lesson and the AWS CLI with any credentials): the learner, no verification;
//   - signed with an engine-issued access key: SigV4 verified (canonical request, string to
//     sign, HMAC with the cached signing key, SHA-256 of the body);
//   - the same for a presigned S3 GET (UNSIGNED-PAYLOAD);
// beside what the engine did before (reading the access key and Region out of the header).
// Run: npx tsx bench/authenticate.ts
import { SignatureV4 } from '@smithy/signature-v4';
import { authenticate, type AuthenticationContext } from '../src/engine/auth/authenticate.js';
import { NodeSha256 } from '../src/engine/auth/sigv4.js';
import { makeCaller } from '../src/engine/caller.js';
import { Engine } from '../src/engine/engine.js';
import type { EngineRequest } from '../src/engine/wire.js';

const N = Number(process.env.BENCH_AUTH ?? 20_000);
const ROUNDS = 5;
const ACCOUNT = '111122223333';
const HOST = '127.0.0.1:4599';

const engine = new Engine({ home: null });
engine.directory.defaultLearner(ACCOUNT, 'us-east-1');
const issued = engine.directory.createAccessKey(engine.directory.requireUser(ACCOUNT, 'workshop-learner'));
const issuedKey = { accessKeyId: issued.key.AccessKeyId, secretAccessKey: issued.secretAccessKey };
const unknownKey = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const ctx: AuthenticationContext = { directory: engine.directory, clock: engine.clock, strict: false };

async function kmsRequest(credentials: typeof issuedKey): Promise<EngineRequest> {
  const body = JSON.stringify({ KeyId: 'alias/workshop', KeySpec: 'AES_256', EncryptionContext: { project: 'workshop' } });
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials, sha256: NodeSha256 });
  const headers = { host: HOST, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.GenerateDataKey', 'user-agent': 'aws-sdk-js/3 bench', 'content-length': String(body.length) };
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 4599, path: '/', query: {}, headers, body });
  return { method: 'POST', path: '/', query: new URLSearchParams(), headers: signed.headers as Record<string, string>, body: Buffer.from(body), remoteAddress: '127.0.0.1' };
}

async function presignedGet(credentials: typeof issuedKey): Promise<EngineRequest> {
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials, sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 4599, path: '/bucket/report.txt', query: {}, headers: { host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
    { expiresIn: 3600 },
  );
  const query = new URLSearchParams(Object.entries(signed.query ?? {}).map(([k, v]) => [k, String(v)]));
  return { method: 'GET', path: '/bucket/report.txt', query, headers: { host: HOST }, body: Buffer.alloc(0), remoteAddress: '127.0.0.1' };
}

/** What the engine did before: the access key and Region read from the Authorization header, taken on trust. */
const credentialPattern = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;
function before(req: EngineRequest) {
  const m = credentialPattern.exec(req.headers.authorization ?? '');
  return makeCaller({ accessKeyId: m?.[1] ?? 'ANONYMOUS', region: m?.[2], sourceIp: req.remoteAddress, userAgent: req.headers['user-agent'] });
}

async function perCall(label: string, run: () => unknown) {
  for (let i = 0; i < 1000; i++) await run(); // warm-up
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) await run();
    best = Math.min(best, ((performance.now() - t) * 1000) / N);
  }
  console.log(`${label.padEnd(60)} ${best.toFixed(2).padStart(7)} µs a request`);
}

async function main() {
  const unknown = await kmsRequest(unknownKey);
  const known = await kmsRequest(issuedKey);
  const url = await presignedGet(issuedKey);
  for (const [req, protocol] of [[unknown, 'json'], [known, 'json'], [url, 'rest']] as const) {
    const caller = await authenticate(req, protocol, ctx);
    if (caller instanceof Error) throw caller; // the bench measures success, not refusals
  }
  console.log(`Authenticating one request in process (best of ${ROUNDS} rounds of ${N}); a GenerateDataKey over HTTP takes ~1000 µs here`);
  await perCall('before: access key read from the header, taken on trust', () => before(unknown));
  await perCall('local mode, a key the engine never issued (default learner)', () => authenticate(unknown, 'json', ctx));
  await perCall('engine-issued key: SigV4 verified (KMS JSON, body hashed)', () => authenticate(known, 'json', ctx));
  await perCall('engine-issued key: presigned S3 GET verified', () => authenticate(url, 'rest', ctx));
  engine.close();
}

await main();
