// `--target aws`, before the first lesson runs (for `run` and for the TUI):
// find credentials and Region, show what the lessons will create and what it
// may cost, get the learner's go-ahead (or --yes), and remove what an earlier
// run left behind. Everything goes to stderr, so `run --json` keeps stdout clean.
import type { AwsSetup } from '../runtime/aws-target.js';
import type { Lesson } from '../runtime/types.js';

export interface AwsGoAheadOptions {
  home: string;
  lessons: readonly Lesson[];
  yes: boolean;
  /** For messages: 'run' or '' (the TUI). */
  command: string;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  err?: NodeJS.WritableStream;
}

export async function awsGoAhead(opts: AwsGoAheadOptions): Promise<{ setup: AwsSetup } | { exitCode: number }> {
  const err = opts.err ?? process.stderr;
  const input = opts.input ?? process.stdin;
  const who = `kms-workshop${opts.command ? ` ${opts.command}` : ''}`;
  const { prepareAws, removeLeftovers } = await import('../runtime/aws-target.js');
  const { AwsSetupError } = await import('../runtime/aws-errors.js');
  const { confirmAwsRun, formatPlan, planLessons } = await import('../runtime/cost.js');

  let setup: AwsSetup;
  try {
    setup = await prepareAws({ home: opts.home });
  } catch (e) {
    if (e instanceof AwsSetupError) {
      err.write(`${who}: --target aws cannot start. ${e.message}\n`);
      return { exitCode: 1 };
    }
    throw e;
  }
  for (const warning of setup.warnings) err.write(`${who}: note: ${warning}\n`);

  const answer = await confirmAwsRun(formatPlan(planLessons(opts.lessons), setup), { yes: opts.yes, input, output: err });
  if (answer === 'no-terminal') {
    err.write(
      `${who}: --target aws creates the resources above in your AWS account, and needs your go-ahead first, but there is no terminal to ask on.\n` +
        `Run it again with --yes to proceed without the question, or without --target aws to use the local engine (no account, no cost).\n`,
    );
    return { exitCode: 2 };
  }
  if (answer === 'declined') {
    err.write(`${who}: nothing was created in your AWS account.\n`);
    return { exitCode: 1 };
  }
  await removeLeftovers(setup, (line) => err.write(`${line}\n`));
  return { setup };
}
