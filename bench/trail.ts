// The CloudTrail trail at scale: 1,000,000 KMS calls recorded (in-process, through the
// engine's Trail, to save time), then measured as a learner's machine meets them:
// - restart: a fresh `kms-workshop serve` process opening that home, until it answers;
// - LookupEvents over HTTP with @aws-sdk/client-cloudtrail: the newest page (p50), a page
//   by EventName (a common name, and a rare one whose events are the oldest: a full walk);
// - the serve process's RSS after the lookups.
// Run: npm run bench (builds first; needs dist/cli.js). TRAIL_EVENTS=n to change the count.
// Targets (issue 11): restart < 2 s, newest page < 50 ms, RSS < 200 MB.
import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import type { ChildProcess } from 'node:child_process';
import { startServe } from './engine-process.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCaller } from '../src/engine/caller.js';
import { EngineClock } from '../src/engine/clock.js';
import { Trail } from '../src/engine/cloudtrail/trail.js';
import { openStore } from '../src/engine/store.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const EVENTS = Number(process.env.TRAIL_EVENTS ?? 1_000_000);
const RARE = 10; // CreateKey calls, made first: the oldest events
const LOOKUPS = 40;

/** Records the calls as the engine would: GenerateDataKey, Decrypt and Encrypt on ten keys, from the SDK. */
function record(home: string) {
  const store = openStore(home);
  const trail = new Trail(store, new EngineClock(), 0);
  const caller = makeCaller({ userAgent: 'aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.8 lang/js md/nodejs#20.20.2 api/kms#3.1164.0 m/E' });
  const keys = Array.from({ length: 10 }, (_, i) => `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-00000000000${i}`);
  const t = performance.now();
  for (let i = 0; i < EVENTS; i++) {
    const keyArn = keys[i % keys.length]!;
    const keyId = keyArn.slice(keyArn.indexOf('/') + 1);
    const context = { project: 'workshop', 'aws:s3:arn': `arn:aws:s3:::bench/object-${i % 1000}` };
    const [eventName, requestParameters] =
      i < RARE ? ['CreateKey', { description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS' }]
      : i % 10 < 6 ? ['GenerateDataKey', { keyId, keySpec: 'AES_256', encryptionContext: context }]
      : i % 10 < 9 ? ['Decrypt', { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: context }]
      : ['Encrypt', { keyId, encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: context }];
    trail.record({ caller, eventSource: 'kms.amazonaws.com', eventName, requestParameters, resources: [{ type: 'AWS::KMS::Key', ARN: keyArn }], readOnly: eventName !== 'CreateKey', requestId: `bench-${i}` });
  }
  const seconds = (performance.now() - t) / 1000;
  const kept = trail.size;
  trail.close();
  store.close();
  return { seconds, kept };
}

function diskMb(dir: string, ext: string): number {
  return readdirSync(dir).filter((f) => f.endsWith(ext)).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 1024 / 1024;
}

/** `serve` on the home: resolves once it listens and has answered a LookupEvents. */
async function serve(home: string): Promise<{ child: ChildProcess; endpoint: string; ms: number }> {
  const t = performance.now();
  const { child, endpoint } = await startServe(home);
  const client = cloudtrail(endpoint);
  await client.send(new LookupEventsCommand({ MaxResults: 1 }));
  client.destroy();
  return { child, endpoint, ms: performance.now() - t };
}

function cloudtrail(endpoint: string) {
  return new CloudTrailClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'bench' }, maxAttempts: 1 });
}

async function p50(client: CloudTrailClient, input: LookupEventsCommandInput, expect: number) {
  for (let i = 0; i < 5; i++) await client.send(new LookupEventsCommand(input)); // warm-up
  const times: number[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const t = performance.now();
    const out = await client.send(new LookupEventsCommand(input));
    times.push(performance.now() - t);
    if ((out.Events ?? []).length < expect) throw new Error(`expected ${expect} events, got ${out.Events?.length}`);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function main() {
  const home = mkdtempSync(join(tmpdir(), 'kms-bench-trail-'));
  try {
    const recorded = record(home);
    const segments = join(home, 'engine', 'cloudtrail', 'segments');
    console.log(`recorded ${EVENTS.toLocaleString('en')} KMS calls in ${recorded.seconds.toFixed(1)} s (${Math.round(EVENTS / recorded.seconds).toLocaleString('en')}/s); ` +
      `kept ${recorded.kept.toLocaleString('en')} events: ${diskMb(segments, '.jsonl').toFixed(0)} MiB of events (cap 1024 MiB) and ${diskMb(segments, '.idx').toFixed(0)} MiB of indexes`);

    const restarts: number[] = [];
    let running = await serve(home);
    restarts.push(running.ms);
    for (let i = 0; i < 2; i++) {
      await stop(running.child);
      running = await serve(home);
      restarts.push(running.ms);
    }
    const client = cloudtrail(running.endpoint);
    const newest = await p50(client, {}, 50);
    const common = await p50(client, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }] }, 50);
    const rare = await p50(client, { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }, recorded.kept === EVENTS ? RARE : 0);
    const memory = rssMb(running.child.pid!);
    client.destroy();
    await stop(running.child);

    const line = (what: string, value: string, target: string, ok: boolean) => console.log(`${what.padEnd(44)}${value.padStart(12)}   target ${target.padEnd(10)} ${ok ? 'ok' : 'MISSED'}`);
    const restart = restarts.sort((a, b) => a - b)[1]!;
    line('restart (serve until it answers), median of 3', `${restart.toFixed(0)} ms`, '< 2000 ms', restart < 2000);
    line('LookupEvents newest page of 50, p50', `${newest.toFixed(1)} ms`, '< 50 ms', newest < 50);
    line('LookupEvents EventName=GenerateDataKey, p50', `${common.toFixed(1)} ms`, '< 50 ms', common < 50);
    // The rare name's events are the oldest: past the size cap they are gone, and the lookup walks everything to find none.
    line(`LookupEvents EventName=CreateKey (${recorded.kept === EVENTS ? RARE : 0} found), p50`, `${rare.toFixed(1)} ms`, '', true);
    line('serve RSS after the lookups (peak)', `${memory.rss.toFixed(0)} MB`, '< 200 MB', memory.rss < 200);
    console.log(`${''.padEnd(44)}${`(${memory.peak.toFixed(0)} MB)`.padStart(12)}`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

function stop(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

await main();
