// `serve --learners N`: the class's accounts (engine/class.ts) handed out as an AWS shared
// credentials file and config file, one profile per learner and one for the instructor, in
// <home>/class/. Both files are the AWS CLI's and the SDKs' own format, so a learner needs
// nothing but the two files (and the one line the banner prints).
import { chmodSync, mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { DEFAULT_REGION } from '../engine/caller.js';
import type { ProfileCredentials } from '../engine/class.js';

export interface ClassFiles {
  dir: string;
  credentials: string;
  config: string;
  /** The address learners reach the engine at (endpoint_url in the config). */
  endpoint: string;
}

/**
 * Writes <home>/class/credentials (secrets: mode 0600, in a folder of mode 0700) and
 * <home>/class/config (each profile's Region and endpoint_url, honoured by the AWS CLI
 * since 1.29/2.13 and by the SDKs), replacing any from an earlier start.
 */
export function writeClassFiles(home: string, endpoint: string, profiles: ProfileCredentials[]): ClassFiles {
  const dir = join(home, 'class');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const credentials = join(dir, 'credentials');
  const config = join(dir, 'config');
  const section = (lines: string[]) => lines.join('\n') + '\n';
  writeFileAtomic(
    credentials,
    profiles
      .map((p) => section([`# ${p.profile}: user ${p.userName} of account ${p.accountId}`, `[${p.profile}]`, `aws_access_key_id = ${p.accessKeyId}`, `aws_secret_access_key = ${p.secretAccessKey}`]))
      .join('\n'),
    0o600,
  );
  writeFileAtomic(config, profiles.map((p) => section([`[profile ${p.profile}]`, `region = ${DEFAULT_REGION}`, `endpoint_url = ${endpoint}`, 'output = json'])).join('\n'), 0o600);
  return { dir, credentials, config, endpoint };
}

/**
 * The endpoint learners use: the engine's own on a given address; on every address (0.0.0.0, ::)
 * this machine's first IPv4 address other machines can reach, else its loopback one.
 */
export function classEndpoint(listeningOn: string, port: number): string {
  if (listeningOn !== '0.0.0.0' && listeningOn !== '::') return `http://${listeningOn.includes(':') ? `[${listeningOn}]` : listeningOn}:${port}`;
  for (const addresses of Object.values(networkInterfaces()))
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return `http://${a.address}:${port}`;
  return `http://127.0.0.1:${port}`;
}

/** What serve prints about the class: where the files are, and the one line a learner runs. */
export function classBanner(files: ClassFiles, learners: number): string[] {
  return [
    `Class: ${learners} learner${learners === 1 ? '' : 's'} (profiles learner1..learner${learners}) and the instructor, each in an account of their own`,
    `  credentials: ${files.credentials}  (secrets: hand each learner only their own profile)`,
    `  config:      ${files.config}  (endpoint_url ${files.endpoint}, region ${DEFAULT_REGION})`,
    '  The instructor profile reads every account\'s CloudTrail events; a learner, only their own.',
    '',
    'A learner runs (with the two files copied beside them, N their number):',
    `  AWS_CONFIG_FILE=${files.config} AWS_SHARED_CREDENTIALS_FILE=${files.credentials} aws --profile learnerN kms list-keys`,
  ];
}
