// `kms-workshop reset [lesson]` on progress made in several lessons: one lesson reset
// leaves the others as they were; no lesson named resets every lesson.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { reset } from '../../src/commands/reset.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { lessonStatus, readProgress, recordStepPassed } from '../../src/runtime/progress.js';
import type { Lesson } from '../../src/runtime/types.js';

let lessons: Lesson[];
let home: string;
beforeAll(() => {
  lessons = loadLessons().lessons;
  expect(lessons.length).toBeGreaterThanOrEqual(3);
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** Every lesson half done: its first step passed and a file in its workspace. */
function halfDoneHome() {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-reset-'));
  for (const l of lessons) {
    recordStepPassed(home, l, l.steps[0]!.id, new Date('2026-01-01T00:00:00Z'));
    mkdirSync(join(home, 'workspace', l.slug), { recursive: true });
    writeFileSync(join(home, 'workspace', l.slug, 'left-over.txt'), l.id);
  }
  return home;
}

async function runReset(lesson?: string) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await reset({ home, ...(lesson === undefined ? {} : { lesson }), out, err });
  return { code, stdout, stderr };
}

test('reset <lesson> clears that lesson only: every other lesson keeps its progress and its workspace', async () => {
  halfDoneHome();
  const [first, ...others] = lessons;
  const kept = Object.fromEntries(others.map((l) => [l.id, readProgress(home).lessons[l.id]]));
  const r = await runReset(first!.id);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(`Reset ${first!.id}`);
  for (const l of others) expect(r.stdout).not.toContain(`Reset ${l.id}`);
  expect(lessonStatus(readProgress(home), first!).done).toBe(0);
  expect(existsSync(join(home, 'workspace', first!.slug))).toBe(false);
  expect(readProgress(home).lessons).toEqual(kept);
  for (const l of others) expect(existsSync(join(home, 'workspace', l.slug, 'left-over.txt'))).toBe(true);
}, 60_000);

test('reset with no lesson starts every lesson over: all progress and every workspace go, each lesson is named', async () => {
  halfDoneHome();
  const r = await runReset();
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  for (const l of lessons) {
    expect(r.stdout).toContain(`Reset ${l.id} (${l.title}):`);
    expect(lessonStatus(readProgress(home), l).done).toBe(0);
    expect(existsSync(join(home, 'workspace', l.slug))).toBe(false);
  }
  expect(r.stdout.match(/progress: cleared/g)).toHaveLength(lessons.length);
  expect(readProgress(home).lessons).toEqual({});
}, 120_000);
