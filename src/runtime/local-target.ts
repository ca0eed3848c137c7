// The local target: the engine started in this process on a loopback port,
// reached over real HTTP by the real SDK clients. Calls S3 makes to KMS on
// the learner's behalf are followed from the engine's trail as they happen.
import { createServer } from 'node:net';
import { startEngine, type RunningEngine } from '../engine/index.js';
import { quotaOfOperation } from '../engine/kms/quotas.js';
import { DEFAULT_LEARNER } from '../engine/iam/directory.js';
import type { OtherAccount, Target } from './target.js';
import { callFromEvent, callFromOtherClient, isOtherClientCall, isServiceCall } from './trail-calls.js';

/** Static credentials for the local engine, which accepts any: never real AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
export const LOCAL_REGION = 'us-east-1';
/** As on AWS, an event shows in LookupEvents minutes after the call; the lessons fast-forward over it. */
export const LOCAL_CLOUDTRAIL_DELAY_SECONDS = 120;
/** The second account a cross-account step uses locally: the example account id of AWS's own documentation. */
export const OTHER_ACCOUNT_ID = '444455556666';

export interface LocalTargetOptions {
  /** Program home (engine state goes in <home>/engine); null keeps the engine in memory. */
  home: string | null;
  cloudTrailDelaySeconds?: number;
  /**
   * The loopback port: 'stable' (the TUI) is STABLE_PORT or the next free one of a few, so a
   * second shell's AWS_ENDPOINT_URL stays the same from one start to the next; a number is that
   * port exactly; 0 (default) any free one.
   */
  port?: number | 'stable';
}

/** Where the TUI's engine listens when nothing says otherwise; `kms-workshop serve` uses it too. */
export const STABLE_PORT = 4599;
/** How many ports from STABLE_PORT are tried before any free port will do. */
export const STABLE_PORT_TRIES = 10;

export async function startLocalTarget(opts: LocalTargetOptions): Promise<Target> {
  const start = (port: number) =>
    startEngine({ home: opts.home, host: '127.0.0.1', port, cloudTrailDelaySeconds: opts.cloudTrailDelaySeconds ?? LOCAL_CLOUDTRAIL_DELAY_SECONDS });
  const running: RunningEngine = opts.port === 'stable' ? await startOnStablePort(start) : await start(opts.port ?? 0);
  const { engine } = running;
  let other: OtherAccount | undefined;
  return {
    kind: 'local',
    label: `local engine at ${running.endpoint}`,
    notes: engine.warnings,
    clientSettings: { region: LOCAL_REGION, endpoint: running.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 },
    followServiceCalls(listener) {
      return engine.trail.onRecord((event) => {
        if (isServiceCall(event)) listener(callFromEvent(event));
      });
    },
    followOtherClients(listener) {
      return engine.trail.onRecord((event) => {
        if (isOtherClientCall(event)) listener(callFromOtherClient(event));
      });
    },
    async waitForCloudTrail(progress) {
      const seconds = Math.ceil(engine.trail.secondsUntilAllDelivered());
      if (seconds > 0) engine.advanceClock(seconds);
      progress(seconds, seconds);
      return { seconds, fastForwarded: true };
    },
    async setRequestQuota(operation, perSecond) {
      const quota = quotaOfOperation(operation);
      if (quota === undefined) throw new Error(`KMS has no request quota for '${operation}': name an operation such as GenerateDataKey or CreateKey.`);
      engine.quotas.setQuota(quota, perSecond); // a RangeError for a figure out of bounds
      return engine.quotas.describe(quota, LOCAL_REGION);
    },
    otherAccount() {
      // One access key per target: a user has at most two, so the oldest goes first.
      if (other) return other;
      const iam = engine.directory;
      iam.ensureAccount(OTHER_ACCOUNT_ID);
      const admin = iam.defaultLearner(OTHER_ACCOUNT_ID, LOCAL_REGION);
      const user = iam.user(OTHER_ACCOUNT_ID, DEFAULT_LEARNER)!;
      const keys = iam.accessKeysOf(user).sort((a, b) => a.CreateDate - b.CreateDate);
      if (keys.length > 1) iam.deleteAccessKey(keys[0]!);
      const { key, secretAccessKey } = iam.createAccessKey(user);
      other = { accountId: OTHER_ACCOUNT_ID, userArn: admin.arn, credentials: { accessKeyId: key.AccessKeyId, secretAccessKey } };
      return other;
    },
    async advanceClock(seconds) {
      engine.advanceClock(seconds); // a ClockRangeError past year 9999 changes nothing
      return engine.clock.now();
    },
    close: () => running.close(),
  };
}

/**
 * STABLE_PORT, else the next free port of STABLE_PORT_TRIES, else any free one. Each port is
 * probed with a bare listener first, so the engine (which opens the home) starts once.
 */
async function startOnStablePort(start: (port: number) => Promise<RunningEngine>): Promise<RunningEngine> {
  for (let port = STABLE_PORT; port < STABLE_PORT + STABLE_PORT_TRIES; port++) {
    if (!(await isFree(port))) continue;
    try {
      return await start(port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e; // taken between the probe and the start
    }
  }
  return start(0);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
