// kms-workshop: arguments -> one of the commands. Heavy modules (engine, SDK, Ink)
// are imported only by the command that needs them, to keep start-up fast.
import { parseArgs } from 'node:util';
import { commandHelp, isCommandName, overview, type CommandName } from './cli-help.js';
import { programHome } from './home.js';

// The SDK warns about Node 20 at its first call; inside a TUI that garbles the screen.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';


export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const about = rest[0];
    if (command === 'help' && about !== undefined) {
      if (!isCommandName(about)) return usageError('kms-workshop help', `no command '${about}'`);
      return printHelp(about);
    }
    process.stdout.write(overview(VERSION));
    return 0;
  }
  if (command === undefined || ['--home', '--target', '--yes', '--port', '--present', '--lessons'].includes(command.split('=')[0]!)) return runTui(argv);
  switch (command) {
    case 'serve':
      return runServe(rest);
    case 'run':
    case 'list':
    case 'check':
      return runLessonCommand(command, rest);
    case 'reset':
      return runReset(rest);
    case 'env':
      return runEnv(rest);
    case 'join':
      return runJoin(rest);
    case 'new-lesson':
      return runNewLesson(rest);
    case 'class':
      return runClass(rest);
    default:
      process.stderr.write(`kms-workshop: unknown command '${command ?? ''}'. Run 'kms-workshop --help' for the commands.\n`);
      return 2;
  }
}

function printHelp(command: CommandName): number {
  process.stdout.write(commandHelp(command));
  return 0;
}

/** One line saying what is wrong and where the help is; exit code 2. */
function usageError(who: string, message: string, command?: CommandName): number {
  const hint = command && command !== 'tutorial' ? `kms-workshop ${command} --help` : 'kms-workshop --help';
  process.stderr.write(`${who}: ${message}. Run '${hint}'.\n`);
  return 2;
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
        transcript: { type: 'string' },
        lessons: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageError(`kms-workshop ${command}`, parseMessage(e), command);
  }
  if (values.help) return printHelp(command);
  const target = parseTarget(`kms-workshop ${command}`, values.target);
  if (target === undefined) return 2;
  if (command !== 'run' && (values.target !== undefined || values.yes)) {
    process.stderr.write(`kms-workshop ${command}: --target and --yes are for 'run' and the tutorial. Run 'kms-workshop --help'.\n`);
    return 2;
  }
  if (command !== 'run' && values.transcript !== undefined) {
    process.stderr.write(`kms-workshop ${command}: --transcript is for 'run'. Run 'kms-workshop run --help'.\n`);
    return 2;
  }
  if (values.transcript !== undefined && values.transcript.trim() === '') {
    process.stderr.write(`kms-workshop run: --transcript wants a file name (e.g. --transcript lesson.md).\n`);
    return 2;
  }
  if (target === 'aws' && values.fresh) {
    process.stderr.write(`kms-workshop run: --fresh starts a fresh local engine; it does not go with --target aws.\n`);
    return 2;
  }
  if (command === 'check' && values.lessons !== undefined) {
    process.stderr.write(`kms-workshop check: give the folder itself: kms-workshop check ${values.lessons}\n`);
    return 2;
  }
  const lessonsDir = values.lessons;
  const home = programHome(values.home);
  if (command === 'list') {
    const { list } = await import('./commands/list.js');
    return list({ home, json: values.json!, ...(lessonsDir !== undefined ? { lessonsDir } : {}) });
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
  return run({ names: positionals, home, json: values.json!, fresh: values.fresh!, target, yes: values.yes!, ...(values.transcript !== undefined ? { transcript: values.transcript } : {}), ...(lessonsDir !== undefined ? { lessonsDir } : {}) });
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
    ({ values, positionals } = parseArgs({ args, options: { home: { type: 'string' }, lessons: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  } catch (e) {
    return usageError('kms-workshop reset', parseMessage(e), 'reset');
  }
  if (values.help) return printHelp('reset');
  if (positionals.length > 1) {
    process.stderr.write(`kms-workshop reset: one lesson at a time, or none for every lesson.\n`);
    return 2;
  }
  const { reset } = await import('./commands/reset.js');
  return reset({ home: programHome(values.home), lesson: positionals[0], ...(values.lessons !== undefined ? { lessonsDir: values.lessons } : {}) });
}

/** No command: the TUI on a terminal, the lesson list elsewhere. */
async function runTui(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        home: { type: 'string' },
        target: { type: 'string' },
        yes: { type: 'boolean', default: false },
        port: { type: 'string' },
        present: { type: 'boolean', default: false },
        lessons: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    return usageError('kms-workshop', parseMessage(e), 'tutorial');
  }
  if (values.help) return printHelp('tutorial');
  const target = parseTarget('kms-workshop', values.target);
  if (target === undefined) return 2;
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (values.port!.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`kms-workshop: --port must be a whole number from 0 to 65535, not '${values.port}'.\n`);
    return 2;
  }
  if (target === 'aws' && (port !== undefined || values.present)) {
    process.stderr.write(`kms-workshop: --port and --present are for the local engine; they do not go with --target aws.\n`);
    return 2;
  }
  const home = programHome(values.home);
  // A lesson pack is checked on the plain terminal: its problems would be lost behind the screen.
  let packLessons;
  if (values.lessons !== undefined) {
    const { loadPack, refusePackProblems } = await import('./lessons/packs.js');
    const pack = loadPack(values.lessons);
    if (refusePackProblems('kms-workshop', values.lessons, pack.problems)) return 2;
    packLessons = pack.lessons;
  }
  const { tui } = await import('./commands/tui.js');
  const { canOpenTui } = await import('./tui/terminal.js');
  // without a terminal: the plain lesson list
  if (target === 'local' || !canOpenTui()) return tui({ home, present: values.present!, ...(port !== undefined ? { port } : {}), ...(packLessons ? { packLessons } : {}) });
  // Asked on the plain terminal, before the tutorial takes the screen.
  const [{ awsGoAhead }, { loadLessons }] = await Promise.all([import('./commands/run-aws.js'), import('./lessons/loader.js')]);
  const go = await awsGoAhead({ home, lessons: [...loadLessons().lessons, ...(packLessons ?? [])], yes: values.yes!, command: '' });
  if ('exitCode' in go) return go.exitCode;
  return tui({ home, session: { target: 'aws', aws: go.setup }, ...(packLessons ? { packLessons } : {}) });
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
        'cloudtrail-delay': { type: 'string' },
        'quota-scale': { type: 'string', default: '1' },
        strict: { type: 'boolean', default: false },
        learners: { type: 'string' },
        lessons: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    return usageError('kms-workshop serve', parseMessage(e), 'serve');
  }
  if (values.help) return printHelp('serve');
  const port = Number(values.port);
  // A class gets CloudTrail's delay as the tutorial's own engine has it (lesson 12 looks for nothing at once, then fast-forwards); a bare engine none.
  const { LOCAL_CLOUDTRAIL_DELAY_SECONDS } = await import('./runtime/local-target.js');
  const delay = Number(values['cloudtrail-delay'] ?? (values.learners !== undefined ? LOCAL_CLOUDTRAIL_DELAY_SECONDS : 0));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`kms-workshop serve: --port must be a whole number from 0 to 65535, not '${values.port}'.\n`);
    return 2;
  }
  if (!Number.isFinite(delay) || delay < 0) {
    process.stderr.write(`kms-workshop serve: --cloudtrail-delay must be a number of seconds >= 0, not '${values['cloudtrail-delay']}'.\n`);
    return 2;
  }
  const { isQuotaScale, MIN_QUOTA_SCALE, MAX_QUOTA_SCALE } = await import('./engine/kms/quotas.js');
  const quotaScale = Number(values['quota-scale']);
  if (values['quota-scale']!.trim() === '' || !isQuotaScale(quotaScale)) {
    process.stderr.write(`kms-workshop serve: --quota-scale must be a number from ${MIN_QUOTA_SCALE} to ${MAX_QUOTA_SCALE} (1: AWS's own request quotas), not '${values['quota-scale']}'.\n`);
    return 2;
  }
  const { MAX_LEARNERS } = await import('./engine/class.js');
  const learners = values.learners === undefined ? undefined : Number(values.learners);
  if (learners !== undefined && (values.learners!.trim() === '' || !Number.isInteger(learners) || learners < 1 || learners > MAX_LEARNERS)) {
    process.stderr.write(`kms-workshop serve: --learners must be a whole number from 1 to ${MAX_LEARNERS}, not '${values.learners}'.\n`);
    return 2;
  }
  const { serve } = await import('./commands/serve.js');
  return serve({ port, host: values.host!, home: programHome(values.home), cloudTrailDelaySeconds: delay, quotaScale, strict: values.strict, ...(learners !== undefined ? { learners } : {}), ...(values.lessons !== undefined ? { lessonsDir: values.lessons } : {}) });
}

/** `join URL --profile P [run <lesson...|all>]`: src/commands/join.ts. */
async function runJoin(args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        profile: { type: 'string' },
        credentials: { type: 'string' },
        config: { type: 'string' },
        home: { type: 'string' },
        json: { type: 'boolean', default: false },
        transcript: { type: 'string' },
        lessons: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageError('kms-workshop join', parseMessage(e), 'join');
  }
  if (values.help) return printHelp('join');
  const [url, command, ...names] = positionals;
  if (url === undefined) return usageError('kms-workshop join', "name the class engine's URL (the instructor gives it: http://ADDRESS:PORT)", 'join');
  if (!/^https?:\/\/[^/\s]+/.test(url)) return usageError('kms-workshop join', `'${url}' is not a class engine's URL (http://ADDRESS:PORT)`, 'join');
  // As the AWS CLI: AWS_PROFILE when --profile is not given.
  const profile = values.profile ?? process.env.AWS_PROFILE;
  if (!profile?.trim()) return usageError('kms-workshop join', 'name your profile with --profile (learner1, learner2, ...: the one your instructor handed you)', 'join');
  if (command !== undefined && command !== 'run') return usageError('kms-workshop join', `after the URL comes nothing (the tutorial) or run <lesson...|all>, not '${command}'`, 'join');
  if (command === 'run' && names.length === 0) return usageError('kms-workshop join', "name a lesson after run (see 'kms-workshop list') or 'all'", 'join');
  if (command === undefined && (values.json || values.transcript !== undefined)) return usageError('kms-workshop join', '--json and --transcript go with run', 'join');
  const { join } = await import('./commands/join.js');
  return join({
    url,
    profile,
    ...(values.credentials ? { credentialsFile: values.credentials } : {}),
    ...(values.config ? { configFile: values.config } : {}),
    home: programHome(values.home),
    ...(values.lessons !== undefined ? { lessonsDir: values.lessons } : {}),
    ...(command === 'run' ? { run: { names, json: values.json!, ...(values.transcript !== undefined ? { transcript: values.transcript } : {}) } } : {}),
  });
}

/** `env [--shell S] [--home DIR]`: src/commands/env.ts. */
async function runEnv(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { shell: { type: 'string' }, home: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (e) {
    return usageError('kms-workshop env', parseMessage(e), 'env');
  }
  if (values.help) return printHelp('env');
  const { env, defaultShell, SHELLS } = await import('./commands/env.js');
  const shell = values.shell ?? defaultShell();
  if (!(SHELLS as readonly string[]).includes(shell)) return usageError('kms-workshop env', `--shell is one of ${SHELLS.join(', ')}, not '${shell}'`, 'env');
  return env({ home: programHome(values.home), shell: shell as (typeof SHELLS)[number] });
}

/** `new-lesson DIR`: src/commands/new-lesson.ts. */
async function runNewLesson(args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true }));
  } catch (e) {
    return usageError('kms-workshop new-lesson', parseMessage(e), 'new-lesson');
  }
  if (values.help) return printHelp('new-lesson');
  if (positionals.length !== 1) return usageError('kms-workshop new-lesson', 'name one folder for the lesson (new or empty)', 'new-lesson');
  const { newLesson } = await import('./commands/new-lesson.js');
  return newLesson({ dir: positionals[0]! });
}

/** `class URL --profile instructor`: the instructor's view of a class engine (src/commands/class-view.tsx). */
async function runClass(args: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: {
        profile: { type: 'string', default: 'instructor' },
        credentials: { type: 'string' },
        config: { type: 'string' },
        home: { type: 'string' },
        'stuck-minutes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    return usageError('kms-workshop class', parseMessage(e), 'class');
  }
  if (values.help) return printHelp('class');
  const [url, ...extra] = positionals;
  if (url === undefined) return usageError('kms-workshop class', "name the class engine's URL (serve prints it: http://ADDRESS:PORT)", 'class');
  if (!/^https?:\/\/[^/\s]+/.test(url)) return usageError('kms-workshop class', `'${url}' is not a class engine's URL (http://ADDRESS:PORT)`, 'class');
  if (extra.length > 0) return usageError('kms-workshop class', `one URL only, not '${extra.join(' ')}' as well`, 'class');
  const { MIN_STUCK_MINUTES, MAX_STUCK_MINUTES } = await import('./tui/class/stuck/stuck.js');
  const stuck = values['stuck-minutes'];
  const stuckMinutes = stuck === undefined ? undefined : Number(stuck);
  if (stuckMinutes !== undefined && (stuck!.trim() === '' || !Number.isInteger(stuckMinutes) || stuckMinutes < MIN_STUCK_MINUTES || stuckMinutes > MAX_STUCK_MINUTES))
    return usageError('kms-workshop class', `--stuck-minutes is a whole number from ${MIN_STUCK_MINUTES} to ${MAX_STUCK_MINUTES}, not '${stuck}'`, 'class');
  const { classView } = await import('./commands/class-view.js');
  return classView({
    url,
    profile: values.profile!,
    ...(values.credentials ? { credentialsFile: values.credentials } : {}),
    ...(values.config ? { configFile: values.config } : {}),
    home: programHome(values.home),
    ...(stuckMinutes !== undefined ? { stuckMinutes } : {}),
  });
}

/** parseArgs' message without its own advice to use '--' (options here never take dashed values). */
function parseMessage(e: unknown): string {
  return ((e as Error).message ?? String(e)).replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '');
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`kms-workshop: ${(e as Error)?.message ?? String(e)}\n`);
    process.exit(1);
  },
);
