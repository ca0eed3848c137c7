// `kms-workshop serve`: the engine on a port, for the AWS CLI, boto3 or a class.
import { setUpClass } from '../engine/class.js';
import { MAX_CLOUDTRAIL_DELAY_SECONDS } from '../engine/cloudtrail/trail.js';
import { startEngine } from '../engine/index.js';
import { EngineStateDamagedError } from '../engine/journal.js';
import { EngineHomeLockedError } from '../engine/store.js';
import { explainHomeError } from '../home.js';
import { classBanner, classEndpoint, writeClassFiles } from './class-setup.js';

export interface ServeArgs {
  port: number;
  host: string;
  home: string;
  cloudTrailDelaySeconds: number;
  /** KMS's request quotas are AWS's figures times this (1: AWS's own). */
  quotaScale?: number;
  /** Accept only requests signed with engine-issued credentials (auth/authenticate.ts). */
  strict?: boolean;
  /** A class: this many learners, each in an account of their own (engine/class.ts); strict mode with it. */
  learners?: number;
  /** With learners: the instructor's lesson pack, served at GET /_class/lessons for `join` to use. */
  lessonsDir?: string;
}

export async function serve(args: ServeArgs, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const say = quietWhenGone(out);
  const complain = quietWhenGone(process.stderr);
  if (args.cloudTrailDelaySeconds > MAX_CLOUDTRAIL_DELAY_SECONDS) {
    complain(`kms-workshop serve: --cloudtrail-delay must be at most ${MAX_CLOUDTRAIL_DELAY_SECONDS} seconds (CloudTrail delivers an event within minutes), not ${args.cloudTrailDelaySeconds}.\n`);
    return 2;
  }
  let pack: { archive: unknown; ids: string[] } | undefined;
  if (args.lessonsDir !== undefined) {
    // Checked before the engine starts: a class should not find out from a broken lesson.
    const { servablePack } = await import('./serve-lessons.js');
    const made = servablePack(args.lessonsDir, args.learners);
    if (typeof made === 'number') return made;
    pack = made;
  }
  // A class is served in strict mode: a learner's credentials are the only way in.
  const strict = args.strict === true || args.learners !== undefined;
  let running;
  try {
    running = await startEngine({ home: args.home, port: args.port, host: args.host, cloudTrailDelaySeconds: args.cloudTrailDelaySeconds, quotaScale: args.quotaScale, strict });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      process.stderr.write(`kms-workshop serve: port ${args.port} on ${args.host} is already in use. Stop what uses it, or choose another with --port.\n`);
      return 1;
    }
    if (err.code === 'EADDRNOTAVAIL') {
      process.stderr.write(`kms-workshop serve: cannot listen on ${args.host}: no such address on this machine. Use --host 127.0.0.1 or 0.0.0.0.\n`);
      return 1;
    }
    const explained = explainHomeError(e, args.home);
    if (explained) {
      process.stderr.write(`kms-workshop serve: ${explained}\n`);
      return 1;
    }
    if (e instanceof EngineHomeLockedError || e instanceof EngineStateDamagedError) {
      process.stderr.write(`kms-workshop serve: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const { endpoint } = running;
  let classLines: string[] = [];
  if (args.learners !== undefined) {
    try {
      const files = writeClassFiles(args.home, classEndpoint(running.host, running.port), setUpClass(running.engine, args.learners));
      classLines = [...classBanner(files, args.learners), ''];
      if (pack) {
        const { serveLessonPack } = await import('../engine/class-lessons.js');
        serveLessonPack(running.engine, pack.archive);
        classLines.push(`Your lessons (${pack.ids.join(', ')}) are served to learners who join, after the built-in ones.`, '');
      }
    } catch (e) {
      await running.close();
      const explained = explainHomeError(e, args.home);
      complain(`kms-workshop serve: could not set up the class: ${explained ?? (e as Error).message}\n`);
      return 1;
    }
  }
  // Listening for the signals before saying how to stop: a supervisor may send one as soon as it reads the banner.
  const stopped = new Promise<number>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      say('\nStopping the engine... ');
      void running.close().then(() => {
        say('stopped.\n');
        resolve(0);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  for (const warning of running.engine.warnings) complain(`kms-workshop serve: note: ${warning}\n`);
  say(
    [
      `kms-workshop engine listening on ${endpoint}`,
      `  state:      ${args.home}`,
      strict
        ? '  access:     strict: only keys this engine issued are accepted, their signatures checked'
        : '  account:    111122223333 (keys this engine issued are checked; any others act as its default learner), region: the one you sign for',
      `  cloudtrail: events delivered ${args.cloudTrailDelaySeconds}s after each call`,
      `  quotas:     ${quotaLine(args.quotaScale ?? 1)}`,
      '',
      ...(classLines.length > 0
        ? classLines
        : [
            'Try it:',
            strict
              ? '  export AWS_ACCESS_KEY_ID=<a key this engine issued> AWS_SECRET_ACCESS_KEY=<its secret> AWS_DEFAULT_REGION=us-east-1'
              : '  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1',
            `  aws --endpoint-url ${endpoint} kms create-key`,
            `  aws --endpoint-url ${endpoint} kms list-keys`,
            '',
          ]),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  return stopped;
}

/** What --quota-scale makes of KMS's request quotas, with the one learners meet first as an example. */
function quotaLine(scale: number): string {
  if (scale === 1) return "KMS's request quotas as on AWS (GenerateDataKey and the other symmetric operations: 100,000/s in us-east-1)";
  const symmetric = 100_000 * scale;
  return `KMS's request quotas at ${scale} x AWS's (GenerateDataKey and the other symmetric operations: ${Number(symmetric.toPrecision(6))}/s in us-east-1)`;
}

/**
 * A writer that never throws nor leaves an 'error' unhandled: whoever read this stream may
 * have closed it (a pipe into a finished `head`, a supervisor gone), and an EPIPE must not
 * stop the engine before it has shut down cleanly and released its home.
 */
function quietWhenGone(stream: NodeJS.WritableStream): (text: string) => void {
  stream.on('error', () => {});
  return (text) => {
    try {
      if ((stream as Partial<NodeJS.WriteStream>).destroyed) return;
      stream.write(text);
    } catch {
      /* nobody is reading any more */
    }
  };
}
