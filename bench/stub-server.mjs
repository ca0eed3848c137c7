// The ceiling for bench/engine.ts: an HTTP server that answers every request with
// one fixed, valid GenerateDataKey reply and does no work at all.
// With --work-us N it first keeps the CPU busy for N microseconds: a measuring stick for what
// a server's work per call costs in the ratio on a given machine (BENCH_CALIBRATE=1).
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const body = JSON.stringify({
  CiphertextBlob: randomBytes(184).toString('base64'), // as long as AWS's (and the engine's) blob for a 32-byte data key
  Plaintext: randomBytes(32).toString('base64'),
  KeyId: 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555',
});
const at = process.argv.indexOf('--work-us');
const work = at > 0 ? BigInt(Math.round(Number(process.argv[at + 1]) * 1000)) : 0n;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    for (const start = process.hrtime.bigint(); process.hrtime.bigint() - start < work; );
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': '00000000-0000-0000-0000-000000000000', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGINT', () => server.close(() => process.exit(0)));
