// The AWS target: the same lessons against a real AWS account. The SDK finds
// credentials (AWS_PROFILE, environment, SSO, instance or container role) and
// the Region (AWS_REGION, the profile) itself, and honours AWS_ENDPOINT_URL;
// nothing is forced as it is for the local engine, and retries are the SDK's.
//
// Set-up happens in two stages so that a command can ask before spending money:
// prepareAws() finds credentials and Region and makes one read-only call (no
// charge beyond a request), then the command shows the plan and the estimate
// (cost.ts), then startAwsTarget() gives the session its target.
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMS, ListAliasesCommand } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsSetupError, explainAwsProblem, formatAwsProblem } from './aws-errors.js';
import {
  describeResources,
  emptyResources,
  manualCleanupCommands,
  removeResources,
  resourceCount,
  ResourceLedger,
  takeOverLeftovers,
  type ResourceSet,
} from './aws-resources.js';
import type { CapturedCall } from './capture.js';
import { CloudTrailWaiter, DEFAULT_CLOUDTRAIL_TIMEOUT_SECONDS } from './cloudtrail-wait.js';
import { learnerPrefix } from './names.js';
import type { ClientSettings, Credentials, Target } from './target.js';

type CredentialsProvider = Extract<Credentials, () => unknown>;

export interface AwsSetup {
  home: string;
  region: string;
  /** AWS_ENDPOINT_URL (or a service's own variable), when set: the SDK uses it; shown in the label. */
  endpoint?: string;
  /** Which variable set it, e.g. AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_KMS. */
  endpointVariable?: string;
  /** S3 addressing: the bucket in the path when S3 is reached through an endpoint URL (http://127.0.0.1:4599 has no bucket subdomains). */
  s3PathStyle: boolean;
  credentials: CredentialsProvider;
  accessKeyId: string;
  /** The learner's prefix for names (see names.ts). */
  prefix: string;
  /** Resources an earlier run left behind (it stopped before its clean-up) in this Region. */
  leftovers: ResourceSet;
  /** Things to tell the learner that do not stop the run (e.g. ListAliases was denied). */
  warnings: string[];
}

const ENDPOINT_VARIABLES = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KMS', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_CLOUDTRAIL'];
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export const SERVICE_CALLS_NOTE =
  'On AWS the KMS calls S3 makes on your behalf (GenerateDataKey for an upload, Decrypt for a download) cannot be seen as they happen: ' +
  'they show up in CloudTrail minutes later, and the call log shows them once a CloudTrail step has found them.';

/**
 * Finds credentials and Region the way the AWS CLI does, and checks them with
 * one read-only call (ListAliases). Creates nothing. Throws AwsSetupError with
 * what happened and what to do.
 */
export async function prepareAws(opts: { home: string; env?: NodeJS.ProcessEnv }): Promise<AwsSetup> {
  const env = opts.env ?? process.env;
  const probe = new KMS({});
  try {
    let region: string;
    try {
      region = await probe.config.region();
    } catch (e) {
      throw new AwsSetupError(explainAwsProblem(e) ?? { what: `The AWS Region could not be found: ${(e as Error).message}`, todo: 'Set AWS_REGION, or region in your profile.' });
    }
    if (!REGION_PATTERN.test(region))
      throw new AwsSetupError({ what: `'${region}' is not an AWS Region name.`, todo: 'Set AWS_REGION (or region in your profile) to a Region code such as us-east-1 or eu-west-1.' });

    const credentials = probe.config.credentials as CredentialsProvider;
    let identity: Awaited<ReturnType<CredentialsProvider>>;
    try {
      identity = await credentials();
    } catch (e) {
      throw new AwsSetupError(explainAwsProblem(e) ?? { what: `The AWS credentials could not be loaded: ${(e as Error).message}`, todo: 'Check your AWS profile or environment.' });
    }
    if (identity.expiration && identity.expiration.getTime() <= Date.now())
      throw new AwsSetupError(explainAwsProblem({ name: 'ExpiredToken' })!);

    const endpointVariable = ENDPOINT_VARIABLES.find((v) => env[v]);
    const endpoint = endpointVariable ? env[endpointVariable] : undefined;
    const warnings: string[] = [];
    const kms = new KMS({ region, credentials });
    try {
      await kms.send(new ListAliasesCommand({ Limit: 1 }));
    } catch (e) {
      const problem = explainAwsProblem(e, 'ListAliases');
      const name = (e as Error).name;
      if (name === 'AccessDeniedException')
        warnings.push(`Checking access with ListAliases was denied; the lessons may be denied too. ${problem?.todo ?? ''}`.trim());
      else
        throw new AwsSetupError(
          problem ?? { what: `KMS answered the first call (ListAliases) with ${name}: ${(e as Error).message}`, todo: 'Check the credentials, the Region and AWS_ENDPOINT_URL, then run again.' },
        );
    } finally {
      kms.destroy();
    }

    const prefix = learnerPrefix(opts.home);
    const leftovers = takeOverLeftovers(opts.home, placeOf(region, endpoint));
    const s3PathStyle = Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
    return { home: opts.home, region, ...(endpoint ? { endpoint, endpointVariable } : {}), s3PathStyle, credentials, accessKeyId: identity.accessKeyId, prefix, leftovers, warnings };
  } finally {
    probe.destroy();
  }
}

/** Where resources live: one Region of one account (or of one endpoint). */
function placeOf(region: string, endpoint: string | undefined): string {
  return `${region}|${endpoint ?? 'aws'}`;
}

function settingsOf(setup: AwsSetup): ClientSettings {
  // Virtual-hosted addressing on AWS itself; an endpoint such as http://127.0.0.1:4599 needs the bucket in the path.
  return { region: setup.region, credentials: setup.credentials, s3PathStyle: setup.s3PathStyle };
}

function clientsFor(setup: AwsSetup) {
  const settings = settingsOf(setup);
  return {
    kms: new KMS(settings),
    s3: new S3Client({ ...settings, forcePathStyle: settings.s3PathStyle }),
    cloudtrail: new CloudTrailClient(settings),
    // IAM is global; the clean-up removes the users, roles and policies a lesson made
    iam: new IAMClient(settings),
  };
}

/** Removes what an earlier run left behind (taken over by prepareAws), telling the learner. */
export async function removeLeftovers(setup: AwsSetup, write: (line: string) => void): Promise<void> {
  if (resourceCount(setup.leftovers) === 0) return;
  const clients = clientsFor(setup);
  const ledger = new ResourceLedger(setup.home, placeOf(setup.region, setup.endpoint));
  ledger.adopt(setup.leftovers); // kept listed until removed, in case this run stops too
  try {
    write('Removing what an earlier run left in AWS (it stopped before its clean-up):');
    const report = await removeResources(setup.leftovers, clients, (label, error) => write(`  ${error ? `could not remove ${label}: ${error}` : `removed ${label}`}`));
    ledger.forget(report.removed);
    setup.leftovers = emptyResources();
    if (report.failed.length) write(`  ${report.failed.length} could not be removed now; kms-workshop tries again at the end of this run.`);
  } finally {
    for (const c of Object.values(clients)) c.destroy();
  }
}

export interface AwsTargetOptions {
  /** Where the clean-up at the end reports (default stderr). */
  notice?: (line: string) => void;
  cloudTrailTimeoutSeconds?: number;
}

export async function startAwsTarget(setup: AwsSetup, opts: AwsTargetOptions = {}): Promise<Target> {
  const notice = opts.notice ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const place = placeOf(setup.region, setup.endpoint);
  const ledger = new ResourceLedger(setup.home, place);
  ledger.adopt(setup.leftovers); // any prepareAws found and removeLeftovers did not remove
  // The runtime's own clients: the waits' LookupEvents and the clean-up are not the learner's calls.
  const own = clientsFor(setup);
  const accessKeyIds = new Set([setup.accessKeyId]);
  const listeners = new Set<(call: CapturedCall) => void>();
  let closing: Promise<void> | undefined;
  const waiter = new CloudTrailWaiter(own.cloudtrail, {
    timeoutSeconds: opts.cloudTrailTimeoutSeconds ?? timeoutFromEnv() ?? DEFAULT_CLOUDTRAIL_TIMEOUT_SECONDS,
    accessKeyIds: () => [...accessKeyIds],
  });

  return {
    kind: 'aws',
    label: setup.endpoint
      ? `AWS APIs at ${setup.endpoint} (${setup.endpointVariable ?? 'AWS_ENDPOINT_URL'}), Region ${setup.region}, names prefixed ${setup.prefix}`
      : `AWS account of your credentials, Region ${setup.region}, names prefixed ${setup.prefix}`,
    clientSettings: settingsOf(setup),
    namePrefix: setup.prefix,
    serviceCallsNote: SERVICE_CALLS_NOTE,
    followServiceCalls(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    observeCall(call) {
      ledger.observe(call);
      // Temporary credentials are renewed during a long session: remember every access key that signed a call.
      setup.credentials().then(
        (id) => accessKeyIds.add(id.accessKeyId),
        () => undefined,
      );
    },
    async waitForCloudTrail(progress, calls) {
      const result = await waiter.wait(calls, progress, (call) => {
        for (const listener of listeners) listener(call);
      });
      const why = 'AWS delivers an event to CloudTrail event history typically within about 5 minutes of the call, without a guarantee.';
      const note = result.timedOut
        ? `Stopped waiting after ${result.seconds} s with ${result.delivered} of ${result.expected} events delivered. ${why} The lookup below may miss the latest calls; run the step again later to see them.`
        : result.expected === 0
          ? undefined
          : `Waited ${result.seconds} s for CloudTrail to deliver the ${result.expected} events of your calls. ${why}`;
      return { seconds: result.seconds, fastForwarded: false, ...(note ? { note } : {}) };
    },
    close() {
      // Once, even when asked twice (Ctrl-C while the run ends, say).
      closing ??= (async () => {
        try {
          if (resourceCount(ledger.resources) > 0) await cleanUp(ledger.resources);
        } finally {
          for (const c of Object.values(own)) c.destroy();
        }
      })();
      return closing;
    },
  };

  async function cleanUp(left: ResourceSet) {
    notice('Cleaning up what the lessons left in AWS (a lesson did not reach its clean-up step):');
    const snapshot = structuredClone(left);
    const report = await removeResources(snapshot, own, (label, error) => notice(`  ${error ? `could not remove ${label}: ${error}` : `removed ${label}`}`));
    ledger.forget(report.removed);
    if (report.failed.length === 0) return;
    const failed: ResourceSet = emptyResources();
    for (const f of report.failed) (failed[f.kind] ??= []).push(f.value);
    const explained = report.failed.map((f) => explainAwsProblem({ name: f.message.split(':')[0] })).find(Boolean);
    if (explained) notice(formatAwsProblem(explained));
    notice(`Still in your account: ${describeResources(failed).join(', ')}.`);
    notice('Remove them by hand, or run any lesson with --target aws again (it retries first):');
    for (const command of manualCleanupCommands(failed, setup.region)) notice(`  ${command}`);
  }
}

/** KMS_WORKSHOP_CLOUDTRAIL_TIMEOUT (seconds): how long a CloudTrail wait may take on AWS, for instructors and tests. */
function timeoutFromEnv(): number | undefined {
  const v = Number(process.env.KMS_WORKSHOP_CLOUDTRAIL_TIMEOUT);
  return process.env.KMS_WORKSHOP_CLOUDTRAIL_TIMEOUT && Number.isFinite(v) && v >= 0 ? v : undefined;
}
