// The KMS state on disk: a snapshot (kms.json) and a journal of changes (kms.journal).
// A change costs a line, not a rewrite; older homes load; a torn tail is dropped; a
// compaction, or a crash in the middle of one, loses nothing.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { serve } from '../../src/commands/serve.js';
import { startEngine } from '../../src/engine/index.js';
import { startTestEngine, tempHome, type TestEngine } from '../helpers/engine.js';

const started: TestEngine[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const e of started.splice(0)) await e.stop().catch(() => {});
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function newHome() {
  const home = tempHome();
  homes.push(home);
  return home;
}

async function engineOn(home: string) {
  const e = await startTestEngine({ home, keepHome: true });
  started.push(e);
  return e;
}

async function stop(e: TestEngine) {
  await e.stop();
  started.splice(started.indexOf(e), 1);
}

const journalFile = (home: string) => join(home, 'engine', 'kms.journal');
const snapshotFile = (home: string) => join(home, 'engine', 'kms.json');
const journalSize = (home: string) => statSync(journalFile(home)).size;

/** The whole KMS state as the engine holds it: what older versions wrote to kms.json after every change. */
function stateOf(e: TestEngine) {
  return JSON.stringify({ keys: [...e.engine.kms.keys.values()], aliases: [...e.engine.kms.aliases.values()] });
}

test('a CreateKey appends one journal line of its own size, however many keys exist, and rewrites no snapshot', async () => {
  const home = newHome();
  const e = await engineOn(home);
  const appended: number[] = [];
  for (let i = 0; i < 120; i++) {
    const before = existsSync(journalFile(home)) ? journalSize(home) : 0;
    await e.kms.send(new CreateKeyCommand({ Description: 'same length' }));
    appended.push(journalSize(home) - before);
  }
  const first = appended[0]!;
  expect(first).toBeGreaterThan(0);
  expect(first).toBeLessThan(3000); // one key record (its default policy is most of it)
  for (const n of appended) expect(Math.abs(n - first)).toBeLessThan(16); // ids and dates vary a little
  expect(readFileSync(journalFile(home), 'utf8').split('\n').filter(Boolean)).toHaveLength(120);
  expect(existsSync(snapshotFile(home))).toBe(false);
});

test('a home written by an older version (kms.json only) loads, its ciphertexts decrypt, and new changes are kept after it', async () => {
  const home = newHome();
  const first = await engineOn(home);
  const { KeyMetadata } = await first.kms.send(new CreateKeyCommand({ Description: 'from before' }));
  await first.kms.send(new CreateAliasCommand({ AliasName: 'alias/old', TargetKeyId: KeyMetadata!.KeyId }));
  const { CiphertextBlob } = await first.kms.send(new EncryptCommand({ KeyId: 'alias/old', Plaintext: Buffer.from('kept') }));
  const old = stateOf(first);
  await stop(first);
  writeFileSync(snapshotFile(home), old, { mode: 0o600 });
  rmSync(journalFile(home));

  const second = await engineOn(home);
  expect((await second.kms.send(new DescribeKeyCommand({ KeyId: 'alias/old' }))).KeyMetadata!.Description).toBe('from before');
  expect(Buffer.from((await second.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('kept');
  const added = (await second.kms.send(new CreateKeyCommand({ Description: 'after' }))).KeyMetadata!.KeyId!;
  await stop(second);

  const third = await engineOn(home);
  const ids = (await third.kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId);
  expect(ids.sort()).toEqual([KeyMetadata!.KeyId!, added].sort());
});

test('a torn last line, left by a kill in the middle of an append, is dropped and cut off; everything acknowledged loads', async () => {
  const home = newHome();
  const first = await engineOn(home);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
  await stop(first);
  const whole = readFileSync(journalFile(home));
  appendFileSync(journalFile(home), '0123456789abcdef [{"key":{"KeyId":"torn","Descr');

  const second = await engineOn(home);
  expect(readFileSync(journalFile(home))).toEqual(whole);
  expect((await second.kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId).sort()).toEqual([...ids].sort());
  ids.push((await second.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
  await stop(second);

  const third = await engineOn(home);
  expect((await third.kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId).sort()).toEqual([...ids].sort());
});

test('a line damaged in the middle of the journal stops the engine with a message saying so, rather than losing what follows', async () => {
  const home = newHome();
  const first = await engineOn(home);
  for (let i = 0; i < 3; i++) await first.kms.send(new CreateKeyCommand({ Description: `key ${i}` }));
  await stop(first);
  const text = readFileSync(journalFile(home), 'utf8');
  writeFileSync(journalFile(home), text.replace('key 0', 'key X'));
  await expect(startEngine({ home })).rejects.toThrow(`${journalFile(home)} is damaged at line 1`);
  // The failed start let go of the home: no lock or secret left, and serve says it in one line, no stack.
  expect(readdirSync(join(home, 'engine')).filter((f) => f.startsWith('engine.lock') || f === 'control.secret')).toEqual([]);
  const said: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (said.push(String(chunk)), true));
  try {
    expect(await serve({ home, port: 0, host: '127.0.0.1', cloudTrailDelaySeconds: 0 })).toBe(1);
  } finally {
    spy.mockRestore();
  }
  expect(said.join('')).toMatch(/^kms-workshop serve: .*kms\.journal is damaged at line 1 .*Move it aside/);
  expect(said.join('').trim().split('\n')).toHaveLength(1);
  // Moved aside, the home opens again in this same process, from the snapshot.
  renameSync(journalFile(home), journalFile(home) + '.damaged');
  await stop(await engineOn(home));
});

test('when the journal outgrows the snapshot, a new snapshot is written and the journal emptied; nothing is lost', async () => {
  const home = newHome();
  const e = await engineOn(home);
  const kept = (await e.kms.send(new CreateKeyCommand({ Description: 'kept' }))).KeyMetadata!.KeyId!;
  const changed = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/gone', TargetKeyId: kept }));
  await e.kms.send(new DeleteAliasCommand({ AliasName: 'alias/gone' }));
  let sawCompaction = false;
  for (let i = 0; i < 60; i++) {
    const before = journalSize(home);
    await e.kms.send(new UpdateKeyDescriptionCommand({ KeyId: changed, Description: `${i} `.padEnd(8000, 'x') }));
    if (journalSize(home) < before) sawCompaction = true;
  }
  expect(sawCompaction).toBe(true);
  expect(existsSync(snapshotFile(home))).toBe(true);
  expect(journalSize(home)).toBeLessThan(256 * 1024);
  await stop(e);

  const again = await engineOn(home);
  expect((await again.kms.send(new DescribeKeyCommand({ KeyId: changed }))).KeyMetadata!.Description).toBe('59 '.padEnd(8000, 'x'));
  expect((await again.kms.send(new DescribeKeyCommand({ KeyId: kept }))).KeyMetadata!.Description).toBe('kept');
  expect((await again.kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).not.toContain('alias/gone');
});

test('a crash after a snapshot is written but before the journal is emptied: replaying the journal over it changes nothing', async () => {
  const home = newHome();
  const e = await engineOn(home);
  const a = (await e.kms.send(new CreateKeyCommand({ Description: 'a' }))).KeyMetadata!.KeyId!;
  const b = (await e.kms.send(new CreateKeyCommand({ Description: 'b' }))).KeyMetadata!.KeyId!;
  const swept = (await e.kms.send(new CreateKeyCommand({ Description: 'swept' }))).KeyMetadata!.KeyId!;
  await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/moved', TargetKeyId: a }));
  await e.kms.send(new UpdateAliasCommand({ AliasName: 'alias/moved', TargetKeyId: b }));
  await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/deleted', TargetKeyId: a }));
  await e.kms.send(new DeleteAliasCommand({ AliasName: 'alias/deleted' }));
  await e.kms.send(new UpdateKeyDescriptionCommand({ KeyId: a, Description: 'a, described again' }));
  await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: swept, PendingWindowInDays: 7 }));
  e.clock.advance(8 * 24 * 3600);
  await e.kms.send(new ListKeysCommand({})); // the key is deleted now, as AWS would have
  await e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: b, PendingWindowInDays: 30 }));
  const state = stateOf(e);
  const describe = async (x: TestEngine) => ({
    keys: await Promise.all((await x.kms.send(new ListKeysCommand({}))).Keys!.map(async (k) => (await x.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata)),
    aliases: (await x.kms.send(new ListAliasesCommand({}))).Aliases,
  });
  const before = await describe(e);
  expect(before.keys.map((k) => k!.KeyId)).not.toContain(swept);
  await stop(e);
  writeFileSync(snapshotFile(home), state, { mode: 0o600 }); // the snapshot, with the whole journal still there
  expect(readFileSync(journalFile(home), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(5);

  const again = await startTestEngine({ home, keepHome: true, clock: e.clock });
  started.push(again);
  expect(again.engine.kms.keys.has(swept)).toBe(false); // before any call could sweep it again
  expect(await describe(again)).toEqual(before);
});

test('temporary files a killed process left anywhere under the engine folder are removed at the next start', async () => {
  const home = newHome();
  const e = await engineOn(home);
  await e.kms.send(new CreateKeyCommand({}));
  await stop(e);
  const engineDir = join(home, 'engine');
  mkdirSync(join(engineDir, 's3', 'objects', 'bucket'), { recursive: true });
  const orphans = [join(engineDir, 'kms.json.tmp-4242-1'), join(engineDir, 's3', 'objects', 'bucket', 'key.json.tmp-4242-7'), join(engineDir, 'engine.lock.tmp-4243-2')];
  for (const f of orphans) writeFileSync(f, 'half written');
  writeFileSync(join(engineDir, 's3', 'notes.tmp-not-ours'), 'kept');

  await engineOn(home);
  for (const f of orphans) expect(existsSync(f)).toBe(false);
  expect(readdirSync(join(engineDir, 's3'))).toContain('notes.tmp-not-ours');
});

test('every kind of change to a key or alias, and a change made deep inside a record, survives a restart', async () => {
  const home = newHome();
  const e = await engineOn(home);
  const a = (await e.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'gone', TagValue: '1' }] }))).KeyMetadata!.KeyId!;
  const b = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await e.kms.send(new UpdateKeyDescriptionCommand({ KeyId: a, Description: 'described' }));
  await e.kms.send(new TagResourceCommand({ KeyId: a, Tags: [{ TagKey: 'team', TagValue: 'blue' }] }));
  await e.kms.send(new UntagResourceCommand({ KeyId: a, TagKeys: ['gone'] }));
  await e.kms.send(new DisableKeyCommand({ KeyId: b }));
  await e.kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: a }));
  await e.kms.send(new UpdateAliasCommand({ AliasName: 'alias/x', TargetKeyId: b }));
  // No operation needs to say what it changed: a push into a nested array is noticed too.
  e.engine.kms.keys.get(a)!.Tags.push({ TagKey: 'pushed', TagValue: 'in place' });
  e.engine.kms.save();
  await stop(e);

  const again = await engineOn(home);
  const describedA = (await again.kms.send(new DescribeKeyCommand({ KeyId: a }))).KeyMetadata!;
  expect(describedA.Description).toBe('described');
  expect((await again.kms.send(new ListResourceTagsCommand({ KeyId: a }))).Tags).toEqual([
    { TagKey: 'team', TagValue: 'blue' },
    { TagKey: 'pushed', TagValue: 'in place' },
  ]);
  expect((await again.kms.send(new DescribeKeyCommand({ KeyId: b }))).KeyMetadata!.KeyState).toBe('Disabled');
  expect((await again.kms.send(new DescribeKeyCommand({ KeyId: 'alias/x' }))).KeyMetadata!.KeyId).toBe(b);
});
