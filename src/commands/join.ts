// `kms-workshop join URL --profile learnerN [run <lesson...|all>]`: a learner joins a class
// engine (`kms-workshop serve --learners N` on the instructor's machine) with the profile handed
// out to them. Without `run` the tutorial opens, every lesson, exercise and counter working as
// on the local engine, in the learner's own account there; with `run`, the lessons play
// headless as `run` plays them. Progress stays on the learner's machine, in their home, one
// folder per class and profile (a class's keys are on the class engine, not the local one, so
// its progress is kept apart), and is told to the class engine after each step.
import { join as joinPath } from 'node:path';
import type { ClassClient } from '../runtime/class-client.js';
import { ClassJoinError, connectClass, type ClassTargetOptions } from '../runtime/class-target.js';

export interface JoinOptions {
  /** The class engine's URL, e.g. http://192.168.1.20:4599 */
  url: string;
  profile: string;
  /** The shared credentials file holding the profile (default: AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials). */
  credentialsFile?: string;
  configFile?: string;
  /** The program home (progress, workspaces). */
  home: string;
  /** A lesson pack of the learner's own (--lessons DIR), used instead of the one the class engine serves. */
  lessonsDir?: string;
  /** Headless: these lessons, as `run` plays them. */
  run?: { names: string[]; json: boolean; transcript?: string };
}

export async function join(opts: JoinOptions): Promise<number> {
  const target: ClassTargetOptions = {
    endpoint: opts.url,
    profile: opts.profile,
    ...(opts.credentialsFile ? { credentialsFile: opts.credentialsFile } : {}),
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
  };
  // Asked on the plain terminal before anything opens: a wrong profile or an engine not there is one line.
  let client: ClassClient;
  try {
    ({ client } = await connectClass(target));
  } catch (e) {
    if (!(e instanceof ClassJoinError)) throw e;
    process.stderr.write(`kms-workshop join: ${e.message}\n`);
    return 1;
  }
  const home = classHome(opts.home, client.endpoint, opts.profile);
  // The instructor's own lessons, when the class serves some (serve --lessons DIR)
  let lessonsDir = opts.lessonsDir;
  if (lessonsDir === undefined) {
    const { fetchClassLessons } = await import('./join-lessons.js');
    const fetched = await fetchClassLessons(client, home);
    if (typeof fetched === 'number') return fetched;
    lessonsDir = fetched;
  }
  if (opts.run) {
    const { run } = await import('./run.js');
    return run({ names: opts.run.names, home, json: opts.run.json, fresh: false, join: target, ...(opts.run.transcript !== undefined ? { transcript: opts.run.transcript } : {}), ...(lessonsDir !== undefined ? { lessonsDir } : {}) });
  }
  let packLessons;
  if (lessonsDir !== undefined) {
    const { loadPack, refusePackProblems } = await import('../lessons/packs.js');
    const pack = loadPack(lessonsDir);
    if (refusePackProblems('kms-workshop join', lessonsDir, pack.problems)) return 2;
    packLessons = pack.lessons;
  }
  const { tui } = await import('./tui.js');
  return tui({ home, session: { target: 'class', class: target }, ...(packLessons ? { packLessons } : {}) });
}

/** Where a joined class's progress and workspaces are kept: <home>/classes/<host>-<port>/<profile>. */
export function classHome(home: string, endpoint: string, profile: string): string {
  const url = new URL(endpoint);
  const safe = (s: string) => s.replace(/[^\w.-]/g, '_');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return joinPath(home, 'classes', safe(`${url.hostname}-${port}`), safe(profile));
}
