// The class target: a class engine joined (`kms-workshop join URL --profile learnerN`), in the
// learner's own account there. The SDK clients sign with the profile's key (the files `serve
// --learners` wrote); what the local engine does in this process (follow S3's calls on the
// learner's behalf and the learner's other clients, fast-forward the clock, lower a quota) is
// asked of the class engine's /_class/ endpoints, for the learner's account only: another
// learner's clock, quotas and trail never move.
import { loadSharedConfigFiles } from '@smithy/core/config';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_REGION } from '../engine/caller.js';
import type { ClassEvents, ClassStatus, LearnerProgress } from '../engine/class-protocol.js';
import type { TrailEvent } from '../engine/cloudtrail/trail.js';
import type { CapturedCall } from './capture.js';
import { ClassClient, ClassEngineError, ClassUnreachableError } from './class-client.js';
import type { Target } from './target.js';
import { callFromEvent, callFromOtherClient, isOtherClientCall, isServiceCall } from './trail-calls.js';
import { posixWord } from './shell-quote.js';

export interface ClassTargetOptions {
  /** The class engine's URL, e.g. http://192.168.1.20:4599 */
  endpoint: string;
  /** The profile handed out: learnerN (or instructor). */
  profile: string;
  /** The shared credentials file; default AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
  credentialsFile?: string;
  /** The config file (the profile's Region); default the `config` beside a given credentials file, else AWS_CONFIG_FILE, else ~/.aws/config. */
  configFile?: string;
  /** Seconds one long poll of the learner's trail may be held (default 10). */
  pollSeconds?: number;
  env?: NodeJS.ProcessEnv;
}

/** Joining failed before anything ran (no such profile, the engine unreachable or refusing the key): the message says what to do. */
export class ClassJoinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClassJoinError';
  }
}

export interface ClassProfile {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  /** The files it was read from, to name them in a message. */
  credentialsFile: string;
  configFile: string;
}

/** The message a learner reads when the class engine stops answering mid-lesson. */
export const lostMessage = (endpoint: string) => `lost the class engine at ${endpoint}; your progress is saved; run the same join command to resume`;

/** The profile's key and Region, from the shared files as the AWS CLI reads them. */
export async function readClassProfile(opts: Pick<ClassTargetOptions, 'profile' | 'credentialsFile' | 'configFile' | 'env'>): Promise<ClassProfile> {
  const env = opts.env ?? process.env;
  const credentialsFile = opts.credentialsFile ?? env.AWS_SHARED_CREDENTIALS_FILE ?? join(homedir(), '.aws', 'credentials');
  const beside = opts.credentialsFile ? join(dirname(opts.credentialsFile), 'config') : undefined;
  const configFile = opts.configFile ?? (beside && existsSync(beside) ? beside : undefined) ?? env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
  if (opts.credentialsFile && !existsSync(opts.credentialsFile)) throw new ClassJoinError(`no credentials file at ${opts.credentialsFile}`);
  if (opts.configFile && !existsSync(opts.configFile)) throw new ClassJoinError(`no config file at ${opts.configFile}`);
  let files;
  try {
    files = await loadSharedConfigFiles({ filepath: credentialsFile, configFilepath: configFile, ignoreCache: true });
  } catch (e) {
    throw new ClassJoinError(`could not read ${credentialsFile} or ${configFile}: ${(e as Error).message}`);
  }
  // As the AWS CLI: the credentials file wins over keys written in the config file.
  const profile = { ...files.configFile?.[opts.profile], ...files.credentialsFile?.[opts.profile] };
  const accessKeyId = profile.aws_access_key_id;
  const secretAccessKey = profile.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) {
    const known = Object.keys(files.credentialsFile ?? {});
    throw new ClassJoinError(
      `no access key for profile '${opts.profile}' in ${credentialsFile}${known.length ? ` (its profiles: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', ...' : ''})` : existsSync(credentialsFile) ? '' : ' (no such file)'}: ` +
        'use the profile your instructor handed you, with --credentials FILE (or AWS_SHARED_CREDENTIALS_FILE) naming the file it is in',
    );
  }
  return {
    accessKeyId,
    secretAccessKey,
    ...(profile.aws_session_token ? { sessionToken: profile.aws_session_token } : {}),
    region: profile.region ?? env.AWS_REGION ?? DEFAULT_REGION,
    credentialsFile,
    configFile,
  };
}

/** The learner's account on the class engine as it answers: a clear ClassJoinError when it cannot be reached or refuses the key. */
async function classStatus(client: ClassClient, profile: string): Promise<ClassStatus> {
  try {
    return await client.status();
  } catch (e) {
    if (e instanceof ClassUnreachableError) throw new ClassJoinError(e.message);
    if (e instanceof ClassEngineError && e.status === 404)
      throw new ClassJoinError(`${client.endpoint} is not a class engine (it has no /_class/ endpoints): the instructor starts one with kms-workshop serve --learners N`);
    if (e instanceof ClassEngineError && (e.status === 401 || e.status === 403))
      throw new ClassJoinError(`the class engine at ${client.endpoint} refused profile '${profile}' (${e.message}): use the profile your instructor handed you for this class`);
    throw new ClassJoinError(`the class engine at ${client.endpoint} answered: ${(e as Error).message}`);
  }
}

/** The profile read, a client signing with it, and the engine's first answer: every way joining can fail, as a ClassJoinError. */
export async function connectClass(opts: ClassTargetOptions): Promise<{ profile: ClassProfile; client: ClassClient; status: ClassStatus }> {
  const profile = await readClassProfile(opts);
  let client: ClassClient;
  try {
    client = new ClassClient({ endpoint: opts.endpoint, region: profile.region, credentials: credentialsOf(profile) });
  } catch (e) {
    throw new ClassJoinError((e as Error).message);
  }
  return { profile, client, status: await classStatus(client, opts.profile) };
}

const credentialsOf = (p: ClassProfile) => ({ accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, ...(p.sessionToken ? { sessionToken: p.sessionToken } : {}) });

export async function startClassTarget(opts: ClassTargetOptions): Promise<Target> {
  const { profile, client, status } = await connectClass(opts);
  const credentials = credentialsOf(profile);
  const endpoint = client.endpoint;
  const trail = new TrailFollower(client, opts.pollSeconds ?? 10);
  await trail.start();
  const reports = new LatestFirst((p: LearnerProgress) => client.reportProgress(p));

  return {
    kind: 'class',
    label: `class engine at ${endpoint}, as ${status.profile} (account ${status.accountId})`,
    clientSettings: { region: profile.region, endpoint, credentials, maxAttempts: 1 },
    secondShell: secondShellLines(opts.profile, profile, endpoint),
    followServiceCalls: (listener) => trail.listen('service', listener),
    followOtherClients: (listener) => trail.listen('others', listener),
    catchUp: () => trail.catchUp(),
    async waitForCloudTrail(progress) {
      // The learner's own account's trail: its clock moves, no one else's.
      const { secondsUntilAllDelivered } = await client.status();
      const seconds = Math.ceil(secondsUntilAllDelivered);
      if (seconds > 0) await client.advanceClock(seconds);
      progress(seconds, seconds);
      return { seconds, fastForwarded: true };
    },
    setRequestQuota: (operation, perSecond) => client.setRequestQuota(operation, perSecond ?? null),
    async advanceClock(seconds) {
      return new Date((await client.advanceClock(seconds)).now);
    },
    reportProgress: (progress) => reports.send(progress),
    explainError: (error) => (isConnectionError(error) ? lostMessage(endpoint) : undefined),
    async close() {
      trail.stop();
      await reports.idle();
    },
  };
}

/** The AWS CLI of a second shell as the learner: their profile from the same files, on the class engine. */
function secondShellLines(name: string, profile: ClassProfile, endpoint: string): string[] {
  const q = posixWord;
  const config = existsSync(profile.configFile) ? ` AWS_CONFIG_FILE=${q(resolve(profile.configFile))}` : '';
  return [
    'unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
    `export AWS_PROFILE=${q(name)} AWS_ENDPOINT_URL=${endpoint} AWS_REGION=${profile.region} AWS_DEFAULT_REGION=${profile.region} AWS_PAGER=`,
    `export AWS_SHARED_CREDENTIALS_FILE=${q(resolve(profile.credentialsFile))}${config}`,
  ];
}

/** Errors that say the engine is not there (any more), from fetch, the SDK's HTTP handler or the class client. */
function isConnectionError(error: unknown): boolean {
  const codes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
  for (let e = error as { code?: unknown; name?: unknown; cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as typeof e, depth++) {
    if (e instanceof ClassUnreachableError) return true;
    if (typeof e.code === 'string' && codes.has(e.code)) return true;
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

type Listener = (call: CapturedCall) => void;

/**
 * The learner's account's trail records, as they are made, over the events long poll: S3's
 * calls on the learner's behalf and the learner's other clients' calls. catchUp() reads what
 * is there at once, alongside the poll; a record both bring is delivered once (by eventID).
 */
class TrailFollower {
  private readonly listeners = { service: new Set<Listener>(), others: new Set<Listener>() };
  private cursor = 0;
  private readonly seen = new RecentIds(10_000);
  private stopped = false;
  private polling = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly client: ClassClient,
    private readonly pollSeconds: number,
  ) {}

  /** Starts after what the account's trail holds now: earlier calls are not this session's. */
  async start(): Promise<void> {
    for (let pages = 0; pages < 1000; pages++) {
      const batch = await this.client.events(this.cursor, 0);
      for (const event of batch.events) this.seen.add(idOf(event));
      const moved = batch.next > this.cursor;
      this.cursor = Math.max(this.cursor, batch.next);
      if (batch.events.length === 0 || !moved) return;
    }
  }

  listen(kind: 'service' | 'others', listener: Listener): () => void {
    this.listeners[kind].add(listener);
    if (!this.polling) void this.poll();
    return () => this.listeners[kind].delete(listener);
  }

  /** Never rejects: what could not be read now comes with the poll. */
  async catchUp(): Promise<void> {
    try {
      for (let pages = 0; pages < 100; pages++) {
        const before = this.cursor;
        const batch = await this.client.events(this.cursor, 0);
        this.deliver(batch);
        if (batch.events.length === 0 || this.cursor === before) return;
      }
    } catch {
      /* the poll tries again */
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    let pause = 500;
    while (!this.stopped) {
      try {
        this.deliver(await this.client.events(this.cursor, this.pollSeconds));
        pause = 500;
      } catch {
        if (this.stopped) break;
        // The engine is gone for now: a step says so when it fails; try again a little later.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pause);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        pause = Math.min(pause * 2, 10_000);
      }
    }
    this.polling = false;
  }

  private deliver(batch: ClassEvents): void {
    if (this.stopped) return;
    for (const raw of batch.events) {
      const id = idOf(raw);
      if (!isTrailEvent(raw) || this.seen.has(id)) continue;
      this.seen.add(id);
      const kind = isServiceCall(raw) ? 'service' : isOtherClientCall(raw) ? 'others' : undefined;
      if (!kind) continue;
      const call = kind === 'service' ? callFromEvent(raw) : callFromOtherClient(raw);
      for (const listener of this.listeners[kind]) listener(call);
    }
    if (Number.isFinite(batch.next)) this.cursor = Math.max(this.cursor, batch.next);
  }
}

function idOf(event: unknown): string {
  return (event as { eventID?: unknown } | null)?.eventID as string;
}

/** The fields callFromEvent reads, checked: a record is the engine's, but a bad one must not stop the session. */
function isTrailEvent(v: unknown): v is TrailEvent {
  const e = v as Partial<TrailEvent> | null;
  return (
    typeof e === 'object' && e !== null && typeof e.eventID === 'string' && typeof e.eventName === 'string' && typeof e.eventSource === 'string' &&
    typeof e.eventTime === 'string' && typeof e.userAgent === 'string' && typeof e.userIdentity === 'object' && e.userIdentity !== null
  );
}

/** The last `size` ids seen, oldest forgotten first: memory stays bounded over a long class. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly size: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    if (typeof id !== 'string') return;
    this.ids.add(id);
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value!);
  }
}

/** Sends one thing at a time, and of what waited only the latest: where the learner is now is what counts. Never rejects. */
class LatestFirst<T> {
  private waiting: T | undefined;
  private sending: Promise<void> | undefined;
  constructor(private readonly sendOne: (item: T) => Promise<unknown>) {}

  send(item: T): Promise<void> {
    this.waiting = item;
    this.sending ??= (async () => {
      while (this.waiting !== undefined) {
        const next = this.waiting;
        this.waiting = undefined;
        try {
          await this.sendOne(next);
        } catch {
          /* a report that fails never fails the lesson */
        }
      }
      this.sending = undefined;
    })();
    return this.sending;
  }

  idle(): Promise<void> {
    return this.sending ?? Promise.resolve();
  }
}
