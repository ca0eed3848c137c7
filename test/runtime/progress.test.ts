// progress.json: what the learner has done, written atomically, never lost.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { lessonStatus, readProgress, recordStepPassed, recordStepSolved, resetLessonProgress } from '../../src/runtime/progress.js';
import type { Lesson } from '../../src/runtime/types.js';

// A fault to inject: while set, renaming anything onto that path fails, as a full or failing
// disk would make it. Patched on node:fs itself (and synced into its ESM exports), so every
// module sees it however and whenever it imported fs.
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
const realRename = fs.renameSync;
function failRenameOnto(target: string | undefined) {
  fs.renameSync = target
    ? (from, to) => {
        if (String(to) === target) throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}' -> '${String(to)}'`), { code: 'EIO' });
        return realRename(from, to);
      }
    : realRename;
  syncBuiltinESMExports();
}

const homes: string[] = [];
afterEach(() => {
  failRenameOnto(undefined);
  homes.splice(0).forEach((h) => rmSync(h, { recursive: true, force: true }));
});
function home() {
  const h = mkdtempSync(join(tmpdir(), 'kms-workshop-progress-'));
  homes.push(h);
  return h;
}

const step = (id: string) => ({ id, title: id, text: '', functionName: id, source: '', sourceLine: 1 });
const lesson: Lesson = { id: 'l1', slug: '01-l1', dir: '/x', title: 'L1', summary: 's', minutes: 1, level: 'beginner', basedOn: [], intro: '', steps: [step('a'), step('b'), step('c')] };

test('no progress file: nothing done, resume at the first step', () => {
  expect(lessonStatus(readProgress(home()), lesson)).toEqual({ done: 0, solved: 0, total: 3, complete: false, nextStep: 'a' });
});

test('passed steps are counted, the next step to do is the first not done, and completion is dated once', () => {
  const h = home();
  recordStepPassed(h, lesson, 'a', new Date('2026-01-01T00:00:00Z'));
  recordStepPassed(h, lesson, 'c', new Date('2026-01-01T00:01:00Z'));
  expect(lessonStatus(readProgress(h), lesson)).toEqual({ done: 2, solved: 0, total: 3, complete: false, nextStep: 'b' });
  recordStepPassed(h, lesson, 'b', new Date('2026-01-01T00:02:00Z'));
  recordStepPassed(h, lesson, 'a', new Date('2026-01-01T00:03:00Z'));
  const saved = readProgress(h).lessons['l1']!;
  expect(saved.completedAt).toBe('2026-01-01T00:02:00.000Z');
  expect(saved.lastStep).toBe('a');
  expect(lessonStatus(readProgress(h), lesson)).toEqual({ done: 3, solved: 0, total: 3, complete: true });
});

test('written atomically: the file is whole JSON and no temporary file is left', () => {
  const h = home();
  recordStepPassed(h, lesson, 'a');
  expect(readdirSync(h)).toEqual(['progress.json']);
  expect(JSON.parse(readFileSync(join(h, 'progress.json'), 'utf8'))).toMatchObject({ version: 1, lessons: { l1: { steps: { a: expect.any(String) } } } });
});

test('a write that fails before it replaces the file leaves the old progress whole and no temporary file: the step is not recorded, nothing is lost', () => {
  const h = home();
  recordStepPassed(h, lesson, 'a', new Date('2026-01-01T00:00:00Z'));
  const before = readFileSync(join(h, 'progress.json'), 'utf8');
  failRenameOnto(join(h, 'progress.json'));
  expect(() => recordStepPassed(h, lesson, 'b')).toThrow(/EIO/);
  expect(readFileSync(join(h, 'progress.json'), 'utf8')).toBe(before);
  expect(readdirSync(h)).toEqual(['progress.json']); // the temporary file is removed, not left behind
  failRenameOnto(undefined);
  expect(lessonStatus(readProgress(h), lesson)).toEqual({ done: 1, solved: 0, total: 3, complete: false, nextStep: 'b' });
  recordStepPassed(h, lesson, 'b');
  expect(lessonStatus(readProgress(h), lesson).done).toBe(2);
});

test('an unreadable progress file is kept aside, not overwritten', () => {
  const h = home();
  writeFileSync(join(h, 'progress.json'), '{"version": 1, "lessons": {"l1": ');
  expect(readProgress(h)).toEqual({ version: 1, lessons: {} });
  const aside = readdirSync(h).find((f) => f.startsWith('progress.json.unreadable-'));
  expect(aside).toBeDefined();
  expect(readFileSync(join(h, aside!), 'utf8')).toBe('{"version": 1, "lessons": {"l1": ');
  expect(existsSync(join(h, 'progress.json'))).toBe(false);
});

test.each(['null', '[]', '{"version": 2, "lessons": {}}', '{"lessons": {}}', '{"version": 1}', '{"version": 1, "lessons": "l1"}', '{"version": 1, "lessons": 5}'])(
  'valid JSON that is not progress (%s) is kept aside too',
  (text) => {
    const h = home();
    writeFileSync(join(h, 'progress.json'), text);
    let keptAs: string | undefined;
    expect(readProgress(h, (p) => (keptAs = p))).toEqual({ version: 1, lessons: {} });
    expect(keptAs).toMatch(/progress\.json\.unreadable-\d+$/);
    expect(readFileSync(keptAs!, 'utf8')).toBe(text);
    expect(existsSync(join(h, 'progress.json'))).toBe(false);
  },
);

test('progress.json is indented JSON ending in a newline, readable by a person', () => {
  const h = home();
  recordStepPassed(h, lesson, 'a', new Date('2026-01-01T00:00:00Z'));
  const text = readFileSync(join(h, 'progress.json'), 'utf8');
  expect(text.endsWith('}\n')).toBe(true);
  expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2) + '\n');
});

test('a lesson can be started over; the other lessons keep their progress', () => {
  const h = home();
  const other: Lesson = { ...lesson, id: 'l2', slug: '02-l2', steps: [step('x'), step('y')] };
  recordStepPassed(h, lesson, 'a');
  recordStepPassed(h, other, 'x', new Date('2026-01-01T00:00:00Z'));
  recordStepPassed(h, other, 'y', new Date('2026-01-01T00:01:00Z'));
  const kept = readProgress(h).lessons['l2'];
  resetLessonProgress(h, 'l1');
  expect(lessonStatus(readProgress(h), lesson)).toEqual({ done: 0, solved: 0, total: 3, complete: false, nextStep: 'a' });
  expect(readProgress(h).lessons).toEqual({ l2: kept });
  expect(lessonStatus(readProgress(h), other)).toEqual({ done: 2, solved: 0, total: 2, complete: true });
});

test('starting over a lesson never run changes nothing', () => {
  const h = home();
  resetLessonProgress(h, 'l1');
  expect(existsSync(join(h, 'progress.json'))).toBe(false);
  recordStepPassed(h, lesson, 'a');
  const before = readFileSync(join(h, 'progress.json'), 'utf8');
  resetLessonProgress(h, 'l9');
  expect(readFileSync(join(h, 'progress.json'), 'utf8')).toBe(before);
});

test('an exercise solved counts as done but is kept apart as solved; done by the learner later, it is theirs; solving again does not take it back', () => {
  const h = home();
  recordStepSolved(h, lesson, 'b');
  expect(lessonStatus(readProgress(h), lesson)).toEqual({ done: 1, solved: 1, total: 3, complete: false, nextStep: 'a' });
  recordStepPassed(h, lesson, 'b');
  expect(readProgress(h).lessons[lesson.id]!.solved).toBeUndefined();
  recordStepSolved(h, lesson, 'b');
  expect(lessonStatus(readProgress(h), lesson)).toMatchObject({ done: 1, solved: 0 });
});
