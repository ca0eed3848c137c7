// The calls S3 makes on a learner's behalf reach a joined session through the class engine's
// events long poll, which may answer late (a busy room, a slow wifi). A step must still see
// them when its upload returns, as it does locally: lesson 3's upload step counts S3's
// GenerateDataKey. Here the long poll's replies are held back a second and a half by a proxy
// in front of the class engine, so only the session's catch-up after each S3 call can bring them.
// The learner's own AWS CLI in a second shell, set up with the lines the exercise panel shows,
// signs as them and its calls are followed into the session as another client's.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setUpClass } from '../../src/engine/class.js';
import { startEngine, type RunningEngine } from '../../src/engine/index.js';
import { MAX_QUOTA_SCALE } from '../../src/engine/kms/quotas.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { openSession } from '../../src/runtime/session.js';
import type { RuntimeSession } from '../../src/runtime/types.js';
import { tempHome } from '../helpers/engine.js';

const HELD_MS = 1500;
let home: string;
let engine: RunningEngine;
let proxy: Server;
let session: RuntimeSession;

beforeAll(async () => {
  home = tempHome('kms-workshop-join-calls-');
  engine = await startEngine({ home: join(home, 'engine-home'), strict: true, quotaScale: MAX_QUOTA_SCALE, rsaKeyPairsAtStart: false });
  const learner = setUpClass(engine.engine, 1).find((p) => p.profile === 'learner1')!;
  mkdirSync(join(home, 'class'));
  writeFileSync(join(home, 'class', 'credentials'), `[learner1]\naws_access_key_id = ${learner.accessKeyId}\naws_secret_access_key = ${learner.secretAccessKey}\n`);
  const target = new URL(engine.endpoint);
  // Forwards every request as it came (its signature covers the host it names); a long poll's reply is held back.
  proxy = createServer((req, res) => {
    const held = req.url!.startsWith('/_class/events') && !/[?&]waitSeconds=0(&|$)/.test(req.url!);
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const body: Buffer[] = [];
      answer.on('data', (c: Buffer) => body.push(c));
      answer.on('end', () =>
        setTimeout(() => {
          res.writeHead(answer.statusCode!, answer.headers);
          res.end(Buffer.concat(body));
        }, held ? HELD_MS : 0),
      );
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  session = await openSession({ home: join(home, 'learner-home'), target: 'class', class: { endpoint, profile: 'learner1', credentialsFile: join(home, 'class', 'credentials') } });
}, 60_000);

afterAll(async () => {
  await session?.close();
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await engine?.close();
  rmSync(home, { recursive: true, force: true });
});

test("lesson 3's upload step sees S3's GenerateDataKey on the learner's behalf when the upload returns, though the long poll answers late", async () => {
  const lesson = loadLessons().lessons.find((l) => l.id === 'sse-s3')!;
  const [create, upload] = lesson.steps;
  expect((await session.runStep(lesson, create!)).status).toBe('passed');
  const outcome = await session.runStep(lesson, upload!);
  expect(outcome.status).toBe('passed');
  const byS3 = outcome.calls.filter((c) => c.operation === 'GenerateDataKey' && c.caller === 's3.amazonaws.com');
  expect(byS3).toHaveLength(1);
  // Before the upload it was made for, as locally, and counted on screen.
  expect(outcome.calls.indexOf(byS3[0]!)).toBeLessThan(outcome.calls.findIndex((c) => c.operation === 'PutObject'));
  const counter = outcome.results.find((r) => r.kind === 'counter');
  expect(counter).toMatchObject({ counts: expect.arrayContaining([{ operation: 'GenerateDataKey', caller: 's3.amazonaws.com', count: 1 }]) });
  // Whatever the late long poll brings after, the call is not shown twice.
  await new Promise((r) => setTimeout(r, HELD_MS + 500));
  expect(session.calls.filter((c) => c.operation === 'GenerateDataKey' && c.caller === 's3.amazonaws.com')).toHaveLength(1);
}, 60_000);

test("the second shell's lines make the AWS CLI sign as the learner: its call reaches the session as another client's, the learner's", async () => {
  expect(session.secondShell).toBeDefined();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-the-learners' };
  // Not spawnSync: the proxy in front of the engine runs in this process.
  const r = await promisify(execFile)('bash', ['-c', `${session.secondShell!.join('\n')}\naws kms create-key --description from-the-second-shell --output json`], { env, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe('');
  const arn = JSON.parse(r.stdout).KeyMetadata.Arn as string;
  await expect
    .poll(() => session.calls.find((c) => c.operation === 'CreateKey' && c.client === 'aws-cli'), { timeout: 15_000 })
    .toMatchObject({ caller: 'you', keyId: arn, outcome: { ok: true } });
}, 60_000);
