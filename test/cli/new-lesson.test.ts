// `kms-workshop new-lesson DIR` and lesson packs (--lessons DIR, check DIR) from the
// source tree, in folders outside the project: the scaffold, what it refuses, check
// on it as made, a pack's imports served by the CLI's own SDK, and an id clash.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadLessons } from '../../src/lessons/loader.js';
import { ROOT } from '../helpers/cli.js';

const temp: string[] = [];
afterAll(() => temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function outside(): string {
  const d = mkdtempSync(join(tmpdir(), 'kms-workshop-pack-'));
  temp.push(d);
  return d;
}

/** The CLI from source (tsx), as an author runs it, with a home of its own. */
function cli(...args: string[]) {
  const home = outside();
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, KMS_WORKSHOP_HOME: home, CI: 'true' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('new-lesson', () => {
  test('makes lesson.md, steps.ts and tsconfig.json in a new folder: a lesson the loader takes, named after the folder', () => {
    const dir = join(outside(), 'lessons', '03-Rotating keys');
    const r = cli('new-lesson', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`kms-workshop check ${dir}`);
    const { lessons, problems } = loadLessons(dir);
    expect(problems).toEqual([]);
    expect(lessons.map((l) => l.id)).toEqual(['rotating-keys']);
    const [lesson] = lessons;
    expect(lesson!.steps.map((s) => s.id)).toEqual(['encrypt-a-text', 'clean-up']);
    expect(lesson!.steps[0]!.predict?.choices).toHaveLength(2);
    expect(lesson!.steps[0]!.explain).toBeTruthy();
    const steps = readFileSync(join(dir, 'steps.ts'), 'utf8');
    expect(steps).toContain("import type { StepContext } from 'kms-workshop';");
    expect(steps).toContain("from '@aws-sdk/client-kms';");
    // The editor finds the StepContext type in this kms-workshop's build output.
    const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.paths['kms-workshop']).toEqual([join(ROOT, 'dist', 'types', 'index.d.ts')]);
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
  });

  test('refuses a folder that is not empty, and writes nothing there', () => {
    const dir = outside();
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const r = cli('new-lesson', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${dir} is not empty`);
    expect(existsSync(join(dir, 'lesson.md'))).toBe(false);
    expect(existsSync(join(dir, 'steps.ts'))).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  test('check passes on the lesson as made, its steps running against a fresh engine with no node_modules beside it', () => {
    const dir = join(outside(), 'first-lesson');
    expect(cli('new-lesson', dir).code).toBe(0);
    const r = cli('check', dir);
    expect(r.stdout).not.toMatch(/Could not resolve/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1 lesson valid, 0 problems$/m);
    expect(r.stdout).toMatch(/\[1\/2\] Encrypt a text: passed \(3 calls/);
    expect(r.stdout).toMatch(/2 passed, 0 failed/);
  });
});

describe('a lesson pack', () => {
  test("uses the CLI's own SDK: its paginator accepts ctx.kms (a second copy of the SDK fails instanceof KMSClient)", () => {
    const dir = join(outside(), 'paging');
    expect(cli('new-lesson', dir).code).toBe(0);
    const file = join(dir, 'steps.ts');
    const steps = readFileSync(file, 'utf8')
      .replace("} from '@aws-sdk/client-kms';", "  paginateListKeys,\n} from '@aws-sdk/client-kms';")
      .replace(
        "  return show.json({ KeyId, CiphertextBlob }, 'Encrypt response');",
        [
          '  let keys = 0;',
          '  const pages = paginateListKeys({ client: kms }, { Limit: 1 });',
          '  for await (const page of pages) keys += page.Keys!.length;',
          "  show.check('the paginator lists the key', keys >= 1);",
          "  return show.json({ KeyId, CiphertextBlob }, 'Encrypt response');",
        ].join('\n'),
      );
    writeFileSync(file, steps);
    const r = cli('check', dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[1\/2\] Encrypt a text: passed \(4 calls/);
  });

  test('importing a package kms-workshop does not carry is a clear error naming what a lesson may import', () => {
    const dir = join(outside(), 'lodash-lesson');
    expect(cli('new-lesson', dir).code).toBe(0);
    const file = join(dir, 'steps.ts');
    // Used, so that the import is kept (an unused one is dropped as a type-only import would be).
    writeFileSync(file, `import { chunk } from 'lodash';\n${readFileSync(file, 'utf8')}\nvoid chunk;\n`);
    const r = cli('check', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:1: Could not resolve "lodash": a lesson's steps.ts can import @aws-sdk/client-kms, @aws-sdk/client-s3`);
    expect(r.stdout).toContain('nothing is installed beside a lesson');
  });

  test('an id that a built-in lesson has is a clear error: check names the file and line, run and the tutorial refuse the pack', () => {
    const pack = outside();
    const dir = join(pack, 'my-direct');
    expect(cli('new-lesson', dir).code).toBe(0);
    const md = join(dir, 'lesson.md');
    writeFileSync(md, readFileSync(md, 'utf8').replace(/^id: my-direct$/m, 'id: direct-encryption'));
    const builtIn = loadLessons().lessons.find((l) => l.id === 'direct-encryption')!;
    const message = `${md}:2: lesson id 'direct-encryption' is already the id of the built-in lesson "${builtIn.title}"`;

    const checked = cli('check', dir);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toContain(message);
    expect(checked.stdout).toMatch(/^0 lessons valid, 1 problem$/m);

    const ran = cli('run', '--lessons', pack, 'direct-encryption');
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`kms-workshop run: ${message}`);
    expect(ran.stderr).toContain(`'kms-workshop check ${pack}' checks them`);
    expect(ran.stdout).not.toMatch(/running/);

    const tutorial = cli('--lessons', pack);
    expect(tutorial.code).toBe(2);
    expect(tutorial.stderr).toContain(`kms-workshop: ${message}`);
  });

  test('--lessons adds the pack after the built-in lessons; a folder with no lesson is refused', () => {
    const pack = outside();
    expect(cli('new-lesson', join(pack, 'extra-one')).code).toBe(0);
    const listed = cli('list', '--json', '--lessons', pack);
    expect(listed.code, listed.stderr).toBe(0);
    const ids = listed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual([...loadLessons().lessons.map((l) => l.id), 'extra-one']);

    const empty = outside();
    const none = cli('run', '--lessons', empty, 'all');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`${empty}:1: no lesson here`);
  });

  test("reset --lessons starts a pack's lesson over: its clean-up runs on the engine, its progress goes", () => {
    const pack = outside();
    expect(cli('new-lesson', join(pack, 'to-reset')).code).toBe(0);
    const home = outside();
    const inHome = (...args: string[]) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), ...args, '--home', home], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: 'true' } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    // Played once: its progress is kept in the home
    const ran = inHome('run', '--lessons', pack, 'to-reset', '--json');
    expect(ran.code, ran.stderr).toBe(0);
    expect(inHome('reset', 'to-reset').code).toBe(2);
    const reset = inHome('reset', '--lessons', pack, 'to-reset');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('Reset to-reset (Encrypt a text with a key of your own):');
    expect(reset.stdout).toMatch(/engine: (ran the lesson's clean-up|nothing left to clean up)/);
    const listed = inHome('list', '--json', '--lessons', pack);
    const row = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; done: number }).find((l) => l.id === 'to-reset')!;
    expect(row.done).toBe(0);
  });
});
