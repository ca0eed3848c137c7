// kill -9 in the middle of a storm of KMS writes: after a restart on the same home, every
// write that was acknowledged is there, nothing torn is loaded, no temporary file is left and
// no key material is on disk in clear.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startTestEngine, tempHome, TEST_CREDENTIALS, TEST_REGION, type TestEngine } from '../helpers/engine.js';

const homes: string[] = [];
const engines: TestEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

/** The engine serving `home` in a child process, as `serve` would (quotas scaled up: AWS allows 5 CreateKey a second). */
async function engineProcess(home: string) {
  const script = `import('${new URL('../../src/engine/index.ts', import.meta.url).pathname}').then(m => m.startEngine({ home: ${JSON.stringify(home)}, quotaScale: 1000 })).then((r) => console.log('listening on ' + r.endpoint), (e) => { console.error(e); process.exit(3); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d) => (out += d));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`engine exited ${code}: ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { endpoint, kill: () => (child.kill('SIGKILL'), exited) };
}

interface Acknowledged {
  keys: Set<string>;
  aliases: Map<string, string>; // alias name -> key id
  scheduled: Set<string>;
  /** Deletions sent whose reply the kill cut off: either outcome is right. */
  unanswered: Set<string>;
}

/**
 * Writers going as fast as they can, each remembering what the engine acknowledged, until it
 * dies. `afterEachAck` runs after every acknowledged write, before the next is sent.
 */
async function storm(endpoint: string, acked: Acknowledged, round: number, writers: number, afterEachAck: () => Promise<void> = async () => {}) {
  const kms = new KMSClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  const writer = async (w: number) => {
    for (let n = 0; ; n++) {
      // Long descriptions now and then make the journal outgrow its snapshot: compactions happen mid-storm too.
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: n % 5 === 0 ? 'd'.repeat(8000) : `r${round} w${w} n${n}` }));
      const keyId = KeyMetadata!.KeyId!;
      acked.keys.add(keyId);
      await afterEachAck();
      const alias = `alias/r${round}-w${w}-n${n}`;
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
      acked.aliases.set(alias, keyId);
      await afterEachAck();
      if (n % 3 === 0) {
        acked.unanswered.add(keyId);
        await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 30 }));
        acked.unanswered.delete(keyId);
        acked.scheduled.add(keyId);
        await afterEachAck();
      }
    }
  };
  await Promise.allSettled(Array.from({ length: writers }, (_, w) => writer(w)));
  kms.destroy();
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

test('kill -9 during a storm of CreateKey, CreateAlias and ScheduleKeyDeletion: every acknowledged write survives, nothing torn, no temporary files, no material in clear', async () => {
  const home = tempHome();
  homes.push(home);
  const acked: Acknowledged = { keys: new Set(), aliases: new Map(), scheduled: new Set(), unanswered: new Set() };
  for (let round = 0; round < 3; round++) {
    const engine = await engineProcess(home);
    const writing = storm(engine.endpoint, acked, round, 4);
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
    await engine.kill();
    await writing;
  }
  // Last, a kill right after a reply, with no other write in flight: the write just
  // acknowledged is the last one on disk, and must be there too.
  const engine = await engineProcess(home);
  let acks = 0;
  const killAt = 5 + Math.floor(Math.random() * 40);
  await storm(engine.endpoint, acked, 3, 1, async () => {
    if (++acks === killAt) {
      await engine.kill();
      throw new Error('killed');
    }
  });
  expect(acks).toBeGreaterThanOrEqual(killAt); // the storm ended by the kill, not by an error
  expect(acked.keys.size).toBeGreaterThan(10);

  // What was on disk at the moment of the last kill, before anything reads it.
  const journal = readFileSync(join(home, 'engine', 'kms.journal'), 'utf8');
  const lines = journal.split('\n');
  const tail = lines.pop(); // '' unless the kill tore the last append
  for (const line of lines) expect(createHash('sha256').update(line.slice(17)).digest('hex').slice(0, 16)).toBe(line.slice(0, 16));

  const e = await startTestEngine({ home, keepHome: true });
  engines.push(e);
  if (tail) expect(readFileSync(join(home, 'engine', 'kms.journal'), 'utf8')).toBe(lines.map((l) => l + '\n').join(''));
  for (const keyId of acked.keys) {
    const { KeyMetadata } = await e.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    if (!acked.unanswered.has(keyId)) expect([keyId, KeyMetadata!.KeyState]).toEqual([keyId, acked.scheduled.has(keyId) ? 'PendingDeletion' : 'Enabled']);
  }
  const aliases = new Map<string, string>();
  let marker: string | undefined;
  do {
    const page = await e.kms.send(new ListAliasesCommand({ Marker: marker, Limit: 100 }));
    for (const a of page.Aliases!) aliases.set(a.AliasName!, a.TargetKeyId!);
    marker = page.NextMarker;
  } while (marker);
  for (const [alias, keyId] of acked.aliases) expect([alias, aliases.get(alias)]).toEqual([alias, keyId]);

  const files = allFiles(home);
  expect(files.filter((f) => f.includes('.tmp-'))).toEqual([]);
  const contents = files.map((f) => readFileSync(f));
  for (const keyId of acked.keys) {
    for (const material of e.engine.kms.materialForTest(keyId)) {
      for (const form of [material, Buffer.from(material.toString('base64')), Buffer.from(material.toString('hex'))])
        for (const c of contents) expect(c.includes(form)).toBe(false);
    }
  }
}, 120_000);
