// A lesson pack on its way to a class: archived by serve (lessons/pack-archive.ts), served
// at GET /_class/lessons, fetched by join into the learner's class home. The archive is
// treated as hostile: no file lands outside the folder, the bounds hold, a refused archive
// leaves the previous pack as it was.
import { createServer } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { fetchClassLessons } from '../../src/commands/join-lessons.js';
import { newLesson } from '../../src/commands/new-lesson.js';
import { serveLessonPack } from '../../src/engine/class-lessons.js';
import { CLASS_PATHS } from '../../src/engine/class-protocol.js';
import { MAX_PACK_BYTES, MAX_PACK_FILES, packArchive, PackArchiveError, unpackArchive, type LessonPackArchive } from '../../src/lessons/pack-archive.js';
import { loadPack } from '../../src/lessons/packs.js';
import { ClassClient, ClassEngineError } from '../../src/runtime/class-client.js';
import { startClassEngine, stopClassEngines } from '../engine/class-harness.js';

const temp: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kms-workshop-archive-'));
  temp.push(d);
  return d;
};
afterAll(() => temp.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
afterEach(stopClassEngines);
const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
const file = (path: string, text = 'x') => ({ path, base64: Buffer.from(text).toString('base64') });

function scaffold(dir: string) {
  expect(newLesson({ dir, out: quiet, err: quiet })).toBe(0);
  return dir;
}

describe('packArchive', () => {
  test("holds a pack's lesson files, not its tsconfig.json, hidden files or node_modules; a single lesson folder keeps its name", () => {
    const pack = tempDir();
    const lesson = scaffold(join(pack, 'rotation'));
    mkdirSync(join(lesson, 'assets'));
    writeFileSync(join(lesson, 'assets', 'sample.txt'), 'sample\n');
    writeFileSync(join(lesson, '.notes'), 'private\n');
    mkdirSync(join(lesson, 'node_modules'));
    writeFileSync(join(lesson, 'node_modules', 'x.js'), '');
    const paths = packArchive(pack).files.map((f) => f.path);
    expect(paths).toEqual(['rotation/assets/sample.txt', 'rotation/lesson.md', 'rotation/steps.ts']);
    expect(packArchive(lesson).files.map((f) => f.path)).toEqual(paths);
  });

  test('refuses a pack past the bounds', () => {
    const pack = tempDir();
    const lesson = scaffold(join(pack, 'big'));
    writeFileSync(join(lesson, 'huge.bin'), Buffer.alloc(MAX_PACK_BYTES + 1));
    expect(() => packArchive(pack)).toThrow(/at most|up to 4 MB/);
  });
});

describe('unpackArchive', () => {
  const hostile: Array<[string, unknown]> = [
    ['a parent folder', { files: [file('../escaped.txt')] }],
    ['a parent folder inside', { files: [file('lesson/../../escaped.txt')] }],
    ['an absolute path', { files: [file('/tmp/escaped.txt')] }],
    ['a backslash', { files: [file('lesson\\..\\escaped.txt')] }],
    ['a hidden file', { files: [file('lesson/.bashrc')] }],
    ['an empty segment', { files: [file('lesson//steps.ts')] }],
    ['the same file twice', { files: [file('lesson/steps.ts'), file('lesson/steps.ts')] }],
    ['a file and a folder of one name', { files: [file('lesson'), file('lesson/steps.ts')] }],
    ['too many files', { files: Array.from({ length: MAX_PACK_FILES + 1 }, (_, i) => file(`lesson/f${i}.txt`)) }],
    ['too many bytes', { files: [{ path: 'lesson/big.bin', base64: Buffer.alloc(MAX_PACK_BYTES + 1).toString('base64') }] }],
    ['content that is not base64', { files: [{ path: 'lesson/steps.ts', base64: 'not base64!' }] }],
    ['no list of files', { files: 'lesson.md' }],
    ['nothing at all', null],
  ];
  test.each(hostile)('refuses %s, writes nothing and keeps the pack there before', (_, archive) => {
    const root = tempDir();
    const into = join(root, 'class-lessons');
    unpackArchive({ files: [file('before/lesson.md', 'kept')] }, into);
    expect(() => unpackArchive(archive, into)).toThrow(PackArchiveError);
    expect(readdirSync(root)).toEqual(['class-lessons']);
    expect(readFileSync(join(into, 'before', 'lesson.md'), 'utf8')).toBe('kept');
    expect(existsSync('/tmp/escaped.txt')).toBe(false);
  });

  test('writes a pack that the loader then takes, replacing the one before', () => {
    const into = join(tempDir(), 'class-lessons');
    unpackArchive({ files: [file('old/lesson.md')] }, into);
    unpackArchive(packArchive(scaffold(join(tempDir(), 'fresh-one'))), into);
    expect(readdirSync(into)).toEqual(['fresh-one']);
    const pack = loadPack(into);
    expect(pack.problems).toEqual([]);
    expect(pack.lessons.map((l) => l.id)).toEqual(['fresh-one']);
  });
});

describe('a class engine serving a pack, join fetching it', () => {
  test("a learner's signed GET /_class/lessons is 404 when the engine serves none, which join takes as no pack", async () => {
    const c = await startClassEngine({ learners: 1 });
    const refused = await c.learners[0]!.class.classRequest('GET', CLASS_PATHS.lessons).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClassEngineError);
    expect((refused as ClassEngineError).status).toBe(404);
    expect((refused as ClassEngineError).message).toMatch(/serves no lessons of its own.*--lessons DIR/);
    const home = tempDir();
    expect(await fetchClassLessons(c.learners[0]!.class, home)).toBeUndefined();
    expect(readdirSync(home)).toEqual([]);
  });

  test('join writes the served pack into the class home; a hostile one is refused with a message and nothing written', async () => {
    const c = await startClassEngine({ learners: 1 });
    serveLessonPack(c.running.engine, packArchive(scaffold(join(tempDir(), 'served-one'))));
    const home = tempDir();
    const dir = await fetchClassLessons(c.learners[0]!.class, home);
    expect(dir).toBe(join(home, 'class-lessons'));
    expect(readdirSync(join(home, 'class-lessons', 'served-one')).sort()).toEqual(['lesson.md', 'steps.ts']);

    serveLessonPack(c.running.engine, { files: [file('../../escaped-by-join.txt')] } satisfies LessonPackArchive);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await fetchClassLessons(c.learners[0]!.class, home)).toBe(1);
      expect(String(stderr.mock.calls[0]?.[0])).toMatch(/the class engine's lessons were refused \(nothing written\): the path "\.\.\/\.\.\/escaped-by-join\.txt" is not a plain relative path/);
    } finally {
      stderr.mockRestore();
    }
    expect(existsSync(join(home, '..', 'escaped-by-join.txt'))).toBe(false);
    expect(readdirSync(join(home, 'class-lessons'))).toEqual(['served-one']);
  });

  test("join reads no more of the reply than a pack's bound allows", async () => {
    // Sent without a length, in pieces: the bound must hold while reading, not only by the header.
    const server = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.on('error', () => {});
      const piece = Buffer.alloc(64 * 1024, 'a');
      let left = (16 * 1024 * 1024) / piece.length;
      const more = () => {
        while (left > 0) {
          left--;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      const client = new ClassClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(await fetchClassLessons(client, tempDir())).toBe(1);
        expect(String(stderr.mock.calls[0]?.[0])).toMatch(/could not fetch the class's lessons: the class engine's reply to GET \/_class\/lessons is larger than \d+ bytes/);
      } finally {
        stderr.mockRestore();
      }
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
