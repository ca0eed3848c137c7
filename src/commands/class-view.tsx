// `kms-workshop class URL --profile instructor`: the instructor watches the room of a class
// engine (`serve --learners N`): a row per learner, the room's calls per operation, a learner's
// live calls on Enter. The profile is read from the files serve wrote (<home>/class/, as `join`
// reads a learner's), and checked on the plain terminal first: a wrong profile or an engine not
// there is one line, exit 1. Without a terminal (CI, a pipe) the room prints once as text, exit 0.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import React from 'react';
import type { Room } from '../engine/class-protocol.js';
import { ClassEngineError, type ClassClient } from '../runtime/class-client.js';
import { ClassJoinError, connectClass, type ClassTargetOptions } from '../runtime/class-target.js';
import { DEFAULT_STUCK_MINUTES } from '../tui/class/stuck/stuck.js';
import type { RoomSource } from '../tui/class/room-source.js';
import { asRoom } from '../tui/class/room-shape.js';
import { roomText } from '../tui/class/room-text/room-text.js';
import { canOpenTui } from '../tui/terminal.js';

export interface ClassViewOptions {
  /** The class engine's URL, e.g. http://192.168.1.20:4599 */
  url: string;
  profile: string;
  credentialsFile?: string;
  configFile?: string;
  /** The program home: where serve wrote the class's files, and the log. */
  home: string;
  stuckMinutes?: number;
  env?: NodeJS.ProcessEnv;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/** The credentials file to read: --credentials, else AWS_SHARED_CREDENTIALS_FILE, else the one serve wrote in this home when there is one. */
export function classCredentialsFile(home: string, given: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (given !== undefined) return given;
  if (env.AWS_SHARED_CREDENTIALS_FILE) return undefined; // readClassProfile honours it
  const served = join(home, 'class', 'credentials');
  return existsSync(served) ? served : undefined;
}

export async function classView(opts: ClassViewOptions): Promise<number> {
  const env = opts.env ?? process.env;
  const err = opts.err ?? process.stderr;
  const credentialsFile = classCredentialsFile(opts.home, opts.credentialsFile, env);
  const target: ClassTargetOptions = {
    endpoint: opts.url,
    profile: opts.profile,
    env,
    ...(credentialsFile ? { credentialsFile } : {}),
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
  };
  let client: ClassClient;
  let room: Room;
  try {
    ({ client } = await connectClass(target));
    room = await firstRoom(client, opts.profile);
  } catch (e) {
    if (!(e instanceof ClassJoinError)) throw e;
    err.write(`kms-workshop class: ${e.message}\n`);
    return 1;
  }
  const stuckMinutes = opts.stuckMinutes ?? DEFAULT_STUCK_MINUTES;
  if (!canOpenTui(process.stdin, process.stdout, env)) {
    (opts.out ?? process.stdout).write(roomText(room, { stuckMinutes }));
    return 0;
  }
  return watchRoom({ source: roomSource(client), endpoint: client.endpoint, home: opts.home, stuckMinutes, env });
}

/** The room once, or why not in words: only the instructor's profile may see it. */
async function firstRoom(client: ClassClient, profile: string): Promise<Room> {
  try {
    return asRoom(await client.room());
  } catch (e) {
    if (e instanceof ClassEngineError && e.status === 403)
      throw new ClassJoinError(`the class engine at ${client.endpoint} shows the room only to the instructor, not to profile '${profile}' (${e.message}): use --profile instructor`);
    throw new ClassJoinError(`the class engine at ${client.endpoint} answered: ${(e as Error).message}`);
  }
}

/** The class client as the screen's RoomSource (the screen knows nothing of HTTP). */
export function roomSource(client: ClassClient): RoomSource {
  return {
    room: () => client.room(),
    calls: (learner, after, waitSeconds) => client.calls(learner, after, waitSeconds),
  };
}

/** The screen: the alternate screen while it runs, the terminal given back on every way out. */
async function watchRoom({ source, endpoint, home, stuckMinutes, env }: { source: RoomSource; endpoint: string; home: string; stuckMinutes: number; env: NodeJS.ProcessEnv }): Promise<number> {
  // chalk (inside Ink) reads the colour level once, when it loads: decide before that.
  if (env.NO_COLOR) process.env.FORCE_COLOR = '0';
  const [{ render }, { ClassApp }, { enterFullScreen, untilExit }, { colourEnabled, setColour }, { logError, shortMessage }] = await Promise.all([
    import('ink'),
    import('../tui/class/class-view/class-app.js'),
    import('../tui/terminal.js'),
    import('../tui/theme.js'),
    import('../tui/error-log.js'),
  ]);
  setColour(colourEnabled(env));
  const screen = enterFullScreen();
  const instance = render(<ClassApp source={source} endpoint={endpoint} stuckMinutes={stuckMinutes} />, { exitOnCtrlC: true, patchConsole: false });
  const { crashed } = await untilExit(instance, screen);
  if (crashed !== undefined) {
    const log = logError(home, 'the instructor view stopped on an unexpected error', crashed);
    process.stderr.write(`kms-workshop class: ${shortMessage(crashed)}\nThe full trace is in ${log}\n`);
    return 1;
  }
  return 0;
}
