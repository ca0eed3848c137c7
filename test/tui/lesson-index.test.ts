import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { cachePath, loadLessonIndex } from '../../src/commands/lesson-index.js';
import { loadLessons } from '../../src/lessons/loader.js';
import { lessonsRoot } from '../../src/package-paths.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the menu’s lessons come from the cache until a lesson file changes, and then from the loader again', async () => {
  dir = mkdtempSync(join(tmpdir(), 'kmsws-index-'));
  const root = join(dir, 'lessons');
  cpSync(lessonsRoot(), root, { recursive: true });
  cpSync(join(lessonsRoot(), '..', 'assets'), join(dir, 'assets'), { recursive: true });
  const home = join(dir, 'home');

  const first = await loadLessonIndex(home, root);
  expect(first.cached).toBe(false);
  expect(first.lessons).toEqual(loadLessons(root).lessons);
  const second = await loadLessonIndex(home, root);
  expect(second.cached).toBe(true);
  expect(second.lessons).toEqual(first.lessons);

  const md = join(root, first.lessons[0]!.slug, 'lesson.md');
  writeFileSync(md, readFileSync(md, 'utf8').replace(/^title: .*$/m, 'title: A changed title for the index test'));
  const third = await loadLessonIndex(home, root);
  expect(third.cached).toBe(false);
  expect(third.lessons[0]!.title).toBe('A changed title for the index test');
});

test('an unreadable cache is replaced, not trusted', async () => {
  dir = mkdtempSync(join(tmpdir(), 'kmsws-index-'));
  const home = join(dir, 'home');
  await loadLessonIndex(home);
  writeFileSync(cachePath(home), '{ not json');
  const again = await loadLessonIndex(home);
  expect(again.cached).toBe(false);
  expect(again.lessons.length).toBeGreaterThan(0);
  expect((await loadLessonIndex(home)).cached).toBe(true);
});
