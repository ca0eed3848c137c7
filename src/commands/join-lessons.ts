// The instructor's own lessons for a learner who joins: fetched from the class engine
// (GET /_class/lessons, bounded, every path checked: lessons/pack-archive.ts) into the
// learner's class home, where --lessons would find them; none when the class has none.
import { join } from 'node:path';
import { CLASS_PATHS } from '../engine/class-protocol.js';
import { MAX_PACK_REPLY_BYTES, PackArchiveError, unpackArchive } from '../lessons/pack-archive.js';
import { ClassEngineError, ClassUnreachableError, type ClassClient } from '../runtime/class-client.js';

/** The folder the class's lessons were written to, undefined when it serves none, or the exit code after saying why not. */
export async function fetchClassLessons(client: ClassClient, classHome: string): Promise<string | undefined | number> {
  let archive: unknown;
  try {
    archive = await client.classRequest('GET', CLASS_PATHS.lessons, { maxBytes: MAX_PACK_REPLY_BYTES });
  } catch (e) {
    if (e instanceof ClassEngineError && e.status === 404) return undefined;
    if (!(e instanceof ClassEngineError || e instanceof ClassUnreachableError)) throw e;
    process.stderr.write(`kms-workshop join: could not fetch the class's lessons: ${e.message}\n`);
    return 1;
  }
  const dir = join(classHome, 'class-lessons');
  try {
    unpackArchive(archive, dir);
  } catch (e) {
    if (!(e instanceof PackArchiveError)) throw e;
    process.stderr.write(`kms-workshop join: the class engine's lessons were refused (nothing written): ${e.message}\n`);
    return 1;
  }
  return dir;
}
