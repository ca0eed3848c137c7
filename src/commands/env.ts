// `kms-workshop env`: the exports a second shell needs to reach the engine of
// the running TUI with the AWS CLI, boto3 or any SDK:
//   eval "$(kms-workshop env)"                       bash, zsh
//   kms-workshop env --shell fish | source           fish
//   kms-workshop env --shell powershell | Invoke-Expression
// Locally the engine lets credentials it did not issue act as its default
// learner, so the keys are placeholders that say so.
import { findRunningEngine, type RunningEngineInfo } from './running-engine.js';
import { posixQuote } from '../runtime/shell-quote.js';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

/** Any value works locally: these say what they are. */
export const PLACEHOLDER_CREDENTIALS = { accessKeyId: 'kms-workshop-local', secretAccessKey: 'any-value-works-locally' };

export interface EnvOptions {
  home: string;
  shell: Shell;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

export function env({ home, shell, out = process.stdout, err = process.stderr }: EnvOptions): number {
  const engine = findRunningEngine(home);
  if (!engine) {
    err.write(
      `kms-workshop env: no tutorial is running with the home ${home}, so there is no engine to point a shell at.\n` +
        `Start the tutorial (kms-workshop) in another terminal first, with the same --home or KMS_WORKSHOP_HOME.\n`,
    );
    return 1;
  }
  out.write(exportsFor(shell, engine));
  return 0;
}

/** The shell's own lines: variables set, AWS_PROFILE removed (a profile would send the CLI elsewhere). */
export function exportsFor(shell: Shell, engine: Pick<RunningEngineInfo, 'endpoint' | 'region' | 'workspace'>): string {
  const vars: [string, string][] = [
    ['AWS_ENDPOINT_URL', engine.endpoint],
    ['AWS_ACCESS_KEY_ID', PLACEHOLDER_CREDENTIALS.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', PLACEHOLDER_CREDENTIALS.secretAccessKey],
    ['AWS_REGION', engine.region],
    ['AWS_DEFAULT_REGION', engine.region],
    ['AWS_PAGER', ''],
  ];
  const comment = [`# kms-workshop: the local engine of the running tutorial`, `# lesson files: ${engine.workspace.replace(/[\r\n]/g, ' ')}`];
  const lines = (() => {
    switch (shell) {
      case 'bash':
      case 'zsh':
        return [...vars.map(([k, v]) => `export ${k}=${posixQuote(v)}`), 'unset AWS_PROFILE'];
      case 'fish':
        return [...vars.map(([k, v]) => `set -gx ${k} ${fishQuote(v)}`), 'set -e AWS_PROFILE'];
      case 'powershell':
        return [...vars.map(([k, v]) => `$env:${k} = ${powershellQuote(v)}`), 'Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue'];
    }
  })();
  return [...comment, ...lines, ''].join('\n');
}

/** The shell of this environment when none is named: fish or PowerShell when they are in use, else bash/zsh syntax. */
export function defaultShell(environment: NodeJS.ProcessEnv = process.env, platform = process.platform): Shell {
  const shell = (environment.SHELL ?? '').split('/').pop();
  if (shell === 'fish') return 'fish';
  if (shell === 'zsh') return 'zsh';
  if (!environment.SHELL && platform === 'win32') return 'powershell';
  return 'bash';
}

function fishQuote(v: string): string {
  return `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function powershellQuote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}
