// A class engine for the class endpoints' tests: `serve --learners N` as the CLI starts it
// (strict: only engine-issued keys), on port 0 with a temp home, and the members' clients.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { rmSync } from 'node:fs';
import { setUpClass, type ProfileCredentials } from '../../src/engine/class.js';
import { fixedClock } from '../../src/engine/clock.js';
import { startEngine, type RunningEngine } from '../../src/engine/index.js';
import { MAX_QUOTA_SCALE } from '../../src/engine/kms/quotas.js';
import { ClassClient } from '../../src/runtime/class-client.js';
import { tempHome, TEST_REGION } from '../helpers/engine.js';

export interface MemberClients {
  profile: ProfileCredentials;
  class: ClassClient;
  kms: KMSClient;
  trail: CloudTrailClient;
  iam: IAMClient;
}

export interface ClassEngine {
  running: RunningEngine;
  home: string;
  instructor: MemberClients;
  learners: MemberClients[];
  /** Stops the engine (the home is kept for a restart when keepHome). */
  stop(keepHome?: boolean): Promise<void>;
}

const started: ClassEngine[] = [];

export async function startClassEngine(opts: { learners?: number; home?: string; cloudTrailDelaySeconds?: number } = {}): Promise<ClassEngine> {
  const home = opts.home ?? tempHome('kms-workshop-class-');
  const running = await startEngine({
    home,
    strict: true,
    clock: fixedClock(new Date()),
    cloudTrailDelaySeconds: opts.cloudTrailDelaySeconds ?? 0,
    quotaScale: MAX_QUOTA_SCALE,
    rsaKeyPairsAtStart: false,
  });
  const [instructor, ...learners] = setUpClass(running.engine, opts.learners ?? 2);
  const destroy: { destroy(): void }[] = [];
  const clientsOf = (profile: ProfileCredentials): MemberClients => {
    const credentials = { accessKeyId: profile.accessKeyId, secretAccessKey: profile.secretAccessKey };
    const config = { endpoint: running.endpoint, region: TEST_REGION, credentials, maxAttempts: 1 };
    const c = { profile, class: new ClassClient({ endpoint: running.endpoint, region: TEST_REGION, credentials }), kms: new KMSClient(config), trail: new CloudTrailClient(config), iam: new IAMClient(config) };
    destroy.push(c.kms, c.trail, c.iam);
    return c;
  };
  let stopped = false;
  let handedOn = false; // the home kept for an engine started on it next, which removes it
  const e: ClassEngine = {
    running,
    home,
    instructor: clientsOf(instructor!),
    learners: learners.map(clientsOf),
    stop: async (keepHome = false) => {
      if (!stopped) {
        stopped = true;
        for (const c of destroy) c.destroy();
        await running.close();
      }
      if (keepHome) handedOn = true;
      else if (!handedOn) rmSync(home, { recursive: true, force: true });
    },
  };
  started.push(e);
  return e;
}

/** Stops every class engine a test started (afterEach). */
export async function stopClassEngines() {
  for (const e of started.splice(0)) await e.stop();
}
