// `serve --learners N --lessons DIR`: the instructor's lesson pack, checked as
// --lessons checks it and archived for GET /_class/lessons (lessons/pack-archive.ts).
import { PackArchiveError, packArchive } from '../lessons/pack-archive.js';
import { loadPack, refusePackProblems } from '../lessons/packs.js';

/** The pack's archive and lesson ids, or the exit code after saying why it cannot be served. */
export function servablePack(dir: string, learners: number | undefined): { archive: unknown; ids: string[] } | number {
  if (learners === undefined) {
    process.stderr.write('kms-workshop serve: --lessons serves your lessons to a class: give --learners N too.\n');
    return 2;
  }
  const pack = loadPack(dir);
  if (refusePackProblems('kms-workshop serve', dir, pack.problems)) return 2;
  try {
    return { archive: packArchive(dir), ids: pack.lessons.map((l) => l.id) };
  } catch (e) {
    if (!(e instanceof PackArchiveError)) throw e;
    process.stderr.write(`kms-workshop serve: ${e.message}\n`);
    return 2;
  }
}
