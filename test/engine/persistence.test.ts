import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startEngine } from '../../src/engine/index.js';
import { EngineHomeLockedError } from '../../src/engine/store.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

const started: TestEngine[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const e of started.splice(0)) await e.stop().catch(() => {});
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

async function engineOn(home: string) {
  const e = await startTestEngine({ home, keepHome: true });
  started.push(e);
  return e;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

test('keys, aliases and their ciphertexts survive a restart of the engine', async () => {
  const home = tempHome();
  homes.push(home);
  const first = await engineOn(home);
  const meta = (await first.kms.send(new CreateKeyCommand({ Description: 'durable' }))).KeyMetadata!;
  await first.kms.send(new CreateAliasCommand({ AliasName: 'alias/durable', TargetKeyId: meta.KeyId }));
  const { CiphertextBlob } = await first.kms.send(new EncryptCommand({ KeyId: 'alias/durable', Plaintext: Buffer.from('kept'), EncryptionContext: { k: 'v' } }));
  await first.stop();
  started.length = 0;

  const second = await engineOn(home);
  expect((await second.kms.send(new DescribeKeyCommand({ KeyId: 'alias/durable' }))).KeyMetadata!.Description).toBe('durable');
  const out = await second.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { k: 'v' } }));
  expect(Buffer.from(out.Plaintext!).toString()).toBe('kept');
});

test('key material is never on disk in clear: not raw, not base64, not hex', async () => {
  const home = tempHome();
  homes.push(home);
  const e = await engineOn(home);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
  const materials = ids.flatMap((id) => e.engine.kms.materialForTest(id));
  expect(materials).toHaveLength(3);
  const bytes = allFiles(home).map((f) => readFileSync(f));
  expect(bytes.length).toBeGreaterThan(1);
  for (const m of materials) {
    expect(m.length).toBe(32);
    for (const b of bytes) {
      expect(b.includes(m)).toBe(false);
      expect(b.includes(Buffer.from(m.toString('base64')))).toBe(false);
      expect(b.includes(Buffer.from(m.toString('hex')))).toBe(false);
    }
  }
});

test('the root key file is 0600, no state file is readable by others, and no temporary files are left behind', async () => {
  const home = tempHome();
  homes.push(home);
  const e = await engineOn(home);
  await e.kms.send(new CreateKeyCommand({}));
  expect(statSync(join(home, 'engine', 'root.key')).mode & 0o777).toBe(0o600);
  const files = allFiles(join(home, 'engine'));
  expect(files.some((f) => f.endsWith('kms.journal'))).toBe(true);
  for (const f of files) expect([f, statSync(f).mode & 0o077]).toEqual([f, 0]);
  expect(allFiles(home).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

test('a second engine on the same home in this process gets a clear error and the first keeps working', async () => {
  const home = tempHome();
  homes.push(home);
  const e = await engineOn(home);
  await expect(startEngine({ home })).rejects.toBeInstanceOf(EngineHomeLockedError);
  expect((await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyState).toBe('Enabled');
});

test('a second process on the same home is refused with a message naming the owner pid', async () => {
  const home = tempHome();
  homes.push(home);
  await engineOn(home);
  const script = `import('${new URL('../../src/engine/index.ts', import.meta.url).pathname}').then(m => m.startEngine({ home: ${JSON.stringify(home)} })).then(() => { console.log('started'); process.exit(0); }, (e) => { console.log(e.message); process.exit(3); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(3);
  expect(out).toContain(`in use by another kms-workshop process (pid ${process.pid})`);
});

test('a lock left by a process that died is taken over', async () => {
  const home = tempHome();
  homes.push(home);
  const e = await engineOn(home);
  await e.stop();
  started.length = 0;
  writeFileSync(join(home, 'engine', 'engine.lock'), '999999'); // no such process
  const again = await engineOn(home);
  expect((await again.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyState).toBe('Enabled');
});

test('a fast-forwarded engine clock is remembered across a restart', async () => {
  const home = tempHome();
  homes.push(home);
  const first = await engineOn(home);
  first.engine.advanceClock(3600);
  await first.stop();
  started.length = 0;
  const running = await startEngine({ home });
  try {
    expect(running.engine.clock.aheadSeconds).toBe(3600);
  } finally {
    await running.close();
  }
});
