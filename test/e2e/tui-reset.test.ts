// `kms-workshop reset [lesson]`, as a learner runs it after leaving a lesson half done.
import { KMSClient, ListAliasesCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { startEngine } from '../../src/engine/index.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { lessonStatus, readProgress } from '../../src/runtime/progress.js';
import { openSession } from '../../src/runtime/session.js';
import type { Lesson } from '../../src/runtime/types.js';
import { CLI, ensureBuilt } from '../helpers/cli.js';

let envelope: Lesson;
let home: string;
beforeAll(() => {
  ensureBuilt();
  envelope = loadLessons().lessons.find((l) => l.id === 'envelope-encryption')!;
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** The aliases in the engine state kept in `home`, looked at through the SDK. */
async function aliasesIn(home: string) {
  const running = await startEngine({ home, port: 0, host: '127.0.0.1' });
  try {
    const kms = new KMSClient({ endpoint: running.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
    const { Aliases } = await kms.send(new ListAliasesCommand({}));
    const states: Record<string, string | undefined> = {};
    for (const a of Aliases ?? []) if (a.TargetKeyId) states[a.AliasName!] = (await kms.send(new DescribeKeyCommand({ KeyId: a.TargetKeyId }))).KeyMetadata?.KeyState;
    kms.destroy();
    return states;
  } finally {
    await running.close();
  }
}

test('reset <lesson> removes what the half-done lesson left in the engine, its workspace and its progress', async () => {
  home = mkdtempSync(join(tmpdir(), 'kmsws-reset-'));
  const session = await openSession({ home });
  for (const step of envelope.steps.slice(0, 2)) expect((await session.runStep(envelope, step)).status).toBe('passed');
  await session.close();
  const workspace = join(home, 'workspace', envelope.slug);
  expect(existsSync(workspace)).toBe(true);
  expect(lessonStatus(readProgress(home), envelope).done).toBe(2);
  expect(await aliasesIn(home)).toMatchObject({ 'alias/kms-workshop-envelope': 'Enabled' });

  const out = execFileSync(process.execPath, [CLI, 'reset', envelope.id, '--home', home], { encoding: 'utf8' });
  expect(out).toContain(`Reset ${envelope.id}`);
  expect(out).toMatch(/engine: ran the lesson's clean-up \(.*DeleteAlias.*ScheduleKeyDeletion/);
  expect(out).toContain(`workspace: removed ${workspace}`);
  expect(out).toContain('progress: cleared');

  expect(existsSync(workspace)).toBe(false);
  expect(lessonStatus(readProgress(home), envelope).done).toBe(0);
  expect(await aliasesIn(home)).not.toHaveProperty('alias/kms-workshop-envelope');
}, 60_000);

test('reset of a lesson never run says there was nothing to clean, and an unknown lesson is a clear error', () => {
  home = mkdtempSync(join(tmpdir(), 'kmsws-reset-'));
  const ok = spawnSync(process.execPath, [CLI, 'reset', '2', '--home', home], { encoding: 'utf8' });
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/engine: nothing left to clean up \(.*NotFoundException/);
  const bad = spawnSync(process.execPath, [CLI, 'reset', 'no-such-lesson', '--home', home], { encoding: 'utf8' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain("no lesson 'no-such-lesson'. Lessons: direct-encryption, envelope-encryption");
  expect(bad.stderr).not.toMatch(/\n\s+at /);
});
