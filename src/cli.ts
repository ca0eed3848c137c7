// kms-workshop: arguments -> one of the commands. Heavy modules (engine, SDK, Ink)
// are imported only by the command that needs them, to keep start-up fast.
import { parseArgs } from 'node:util';
import { programHome } from './home.js';

// The SDK warns about Node 20 at its first call; inside a TUI that garbles the screen.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

const HELP = `kms-workshop ${VERSION}: learn AWS Key Management Service by doing it.

Usage:
  kms-workshop                 open the interactive tutorial (plain lesson list without a terminal)
  kms-workshop serve [options] run the local engine (KMS, S3, CloudTrail) on a port
  kms-workshop run <lesson...|all> [--json] [--fresh] [--home DIR] [--target local|aws] [--yes]
                               play lessons without the TUI (plain text, or one JSON object per step)
  kms-workshop list [--json] [--home DIR]
                               the lessons, their length and your progress
  kms-workshop check [DIR]     validate lesson folders (DIR or the packaged lessons) and run them
                               end to end against a fresh engine
  kms-workshop reset [lesson] [--home DIR]
                               start a lesson (or all) over: its engine resources, workspace, progress

Options for serve:
  --port N                 port to listen on (default 4599)
  --host ADDR              address to listen on (default 127.0.0.1)
  --home DIR               where state is kept (default $KMS_WORKSHOP_HOME or ~/.kms-workshop)
  --cloudtrail-delay S     seconds before a call shows in LookupEvents (default 0)

Options for run and list:
  --json                   machine-readable output, one JSON object per line
  --fresh                  (run) use a fresh engine in memory, not the state in the home folder
  --home DIR               where state, progress and lesson workspaces are kept

Options for run and the tutorial:
  --target local|aws       where lessons run: the local engine (default), or the AWS account of your
                           credentials (AWS_PROFILE, environment, SSO; Region from AWS_REGION or the
                           profile; AWS_ENDPOINT_URL honoured). Shows what it creates and the cost first.
  --yes                    with --target aws: proceed without asking

  -h, --help               show this help
  -v, --version            print the version
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command === undefined || ['--home', '--target', '--yes'].includes(command.split('=')[0]!)) return runTui(argv);
  switch (command) {
    case 'serve':
      return runServe(rest);
    case 'run':
    case 'list':
    case 'check':
      return runLessonCommand(command, rest);
    case 'reset':
      return runReset(rest);
    default:
      process.stderr.write(`kms-workshop: unknown command '${command ?? ''}'. Run 'kms-workshop --help' for the commands.\n`);
      return 2;
  }
}

/** `run`, `list` and `check`: lessons without the TUI (src/commands/{run,list,check}.ts). */
async function runLessonCommand(command: 'run' | 'list' | 'check', args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        json: { type: 'boolean', default: false },
        fresh: { type: 'boolean', default: false },
        home: { type: 'string' },
        target: { type: 'string' },
        yes: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`kms-workshop ${command}: ${(e as Error).message}. Run 'kms-workshop --help'.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const target = parseTarget(`kms-workshop ${command}`, values.target);
  if (target === undefined) return 2;
  if (command !== 'run' && (values.target !== undefined || values.yes)) {
    process.stderr.write(`kms-workshop ${command}: --target and --yes are for 'run' and the tutorial. Run 'kms-workshop --help'.\n`);
    return 2;
  }
  if (target === 'aws' && values.fresh) {
    process.stderr.write(`kms-workshop run: --fresh starts a fresh local engine; it does not go with --target aws.\n`);
    return 2;
  }
  const home = programHome(values.home);
  if (command === 'list') {
    const { list } = await import('./commands/list.js');
    return list({ home, json: values.json! });
  }
  if (command === 'check') {
    if (positionals.length > 1) {
      process.stderr.write(`kms-workshop check: give one folder at most, not ${positionals.length}.\n`);
      return 2;
    }
    const { check } = await import('./commands/check.js');
    return check({ dir: positionals[0] });
  }
  if (positionals.length === 0) {
    process.stderr.write("kms-workshop run: name a lesson (see 'kms-workshop list') or 'all'.\n");
    return 2;
  }
  const { run } = await import('./commands/run.js');
  return run({ names: positionals, home, json: values.json!, fresh: values.fresh!, target, yes: values.yes! });
}

/** --target: 'local' (default) or 'aws'; undefined after saying what is wrong. */
function parseTarget(who: string, value: string | undefined): 'local' | 'aws' | undefined {
  if (value === undefined || value === 'local' || value === 'aws') return value ?? 'local';
  process.stderr.write(`${who}: --target is 'local' or 'aws', not '${value}'. Run 'kms-workshop --help'.\n`);
  return undefined;
}

/** `reset [lesson]`: src/commands/reset.ts. */
async function runReset(args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options: { home: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  } catch (e) {
    process.stderr.write(`kms-workshop reset: ${(e as Error).message}. Run 'kms-workshop --help'.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) {
    process.stderr.write(`kms-workshop reset: one lesson at a time, or none for every lesson.\n`);
    return 2;
  }
  const { reset } = await import('./commands/reset.js');
  return reset({ home: programHome(values.home), lesson: positionals[0] });
}

/** No command: the TUI on a terminal, the lesson list elsewhere. */
async function runTui(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { home: { type: 'string' }, target: { type: 'string' }, yes: { type: 'boolean', default: false } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`kms-workshop: ${(e as Error).message}. Run 'kms-workshop --help'.\n`);
    return 2;
  }
  const target = parseTarget('kms-workshop', values.target);
  if (target === undefined) return 2;
  const home = programHome(values.home);
  const { tui } = await import('./commands/tui.js');
  const { canOpenTui } = await import('./tui/terminal.js');
  if (target === 'local' || !canOpenTui()) return tui({ home }); // without a terminal: the plain lesson list
  // Asked on the plain terminal, before the tutorial takes the screen.
  const [{ awsGoAhead }, { loadLessons }] = await Promise.all([import('./commands/run-aws.js'), import('./lessons/loader.js')]);
  const go = await awsGoAhead({ home, lessons: loadLessons().lessons, yes: values.yes!, command: '' });
  if ('exitCode' in go) return go.exitCode;
  return tui({ home, session: { target: 'aws', aws: go.setup } });
}

async function runServe(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '4599' },
        host: { type: 'string', default: '127.0.0.1' },
        home: { type: 'string' },
        'cloudtrail-delay': { type: 'string', default: '0' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`kms-workshop serve: ${(e as Error).message}. Run 'kms-workshop --help'.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = Number(values.port);
  const delay = Number(values['cloudtrail-delay']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`kms-workshop serve: --port must be a whole number from 0 to 65535, not '${values.port}'.\n`);
    return 2;
  }
  if (!Number.isFinite(delay) || delay < 0) {
    process.stderr.write(`kms-workshop serve: --cloudtrail-delay must be a number of seconds >= 0, not '${values['cloudtrail-delay']}'.\n`);
    return 2;
  }
  const { serve } = await import('./commands/serve.js');
  return serve({ port, host: values.host!, home: programHome(values.home), cloudTrailDelaySeconds: delay });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kms-workshop: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  },
);
