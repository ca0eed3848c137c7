// What `--help` prints: an overview, and one page per command with every option.
export type CommandName = 'tutorial' | 'serve' | 'run' | 'list' | 'check' | 'reset' | 'env' | 'join' | 'new-lesson' | 'class';

const HOME = `  --home DIR               where state, progress and lesson workspaces are kept
                           (default $KMS_WORKSHOP_HOME, else ~/.kms-workshop)`;
const TARGET = `  --target local|aws       where lessons run: the local engine (default), or the AWS account of
                           your credentials (AWS_PROFILE, environment, SSO; Region from AWS_REGION
                           or the profile; AWS_ENDPOINT_URL honoured). With aws it first shows what
                           it will create and what that costs, and asks.
  --yes                    with --target aws: proceed without asking`;

const LESSONS = `  --lessons DIR            your own lessons too: a folder of lesson folders, or one lesson
                           folder (kms-workshop new-lesson DIR makes one), listed after the
                           built-in lessons; an id a built-in lesson has is refused`;

const PAGES: Record<CommandName, string> = {
  tutorial: `Usage: kms-workshop [--home DIR] [--target local|aws] [--yes] [--port N] [--present] [--lessons DIR]

Opens the interactive tutorial: pick a lesson, run its steps, see every API call.
Without a terminal (or with CI set) it prints the lesson list and how to run one.
Its local engine listens on 127.0.0.1:4599 (the next free port if taken), so a
second shell can use it too: eval "$(kms-workshop env)". In a lesson, t writes
a Markdown transcript of it to the lesson's workspace.

Options:
${HOME}
${TARGET}
  --port N                 the local engine's port (default 4599, or the next free one up to
                           4608; 0 picks any free one)
  --present                presenting a live demo: a fresh engine in memory each start, no
                           progress recorded, Enter runs the step or moves on and runs the
                           next, a step timer on screen (t writes the transcript to the
                           current folder, as the lessons' files go when it stops)
${LESSONS}
`,
  serve: `Usage: kms-workshop serve [--port N] [--host ADDR] [--home DIR] [--cloudtrail-delay S] [--quota-scale F] [--strict] [--learners N [--lessons DIR]]

Runs the local engine (KMS, S3's encryption calls, CloudTrail LookupEvents, IAM
and STS) on a port, for the AWS CLI, boto3, any SDK, or a whole class. Requests
signed with keys the engine issued (aws iam create-access-key, sts assume-role)
have their signatures checked as AWS checks them; any other credentials act as
the default learner of account 111122223333, in the Region each request is
signed for.

  aws --endpoint-url http://127.0.0.1:4599 kms create-key

Options:
  --port N                 port to listen on (default 4599; 0 picks a free one)
  --host ADDR              address to listen on (default 127.0.0.1; 0.0.0.0 for a class)
${HOME}
  --cloudtrail-delay S     seconds before a call shows in LookupEvents (0-3600; default 0,
                           120 with --learners, as the tutorial's own engine)
  --quota-scale F          KMS's request quotas (per account, Region and second) are AWS's
                           figures times F (0.000001-1000; default 1). 0.00003 gives 3
                           GenerateDataKey a second in us-east-1, to see ThrottlingException
  --strict                 accept only requests signed with keys the engine issued: unsigned
                           ones and unknown access keys are refused as AWS refuses them
                           (MissingAuthenticationToken, UnrecognizedClientException,
                           InvalidAccessKeyId)
  --learners N             serve a class of N learners (1-200), strict mode on: each
                           learner, and the instructor, gets an account of their own with
                           an administrator and an access key, written as AWS profiles
                           learner1..learnerN and instructor to <home>/class/credentials
                           and <home>/class/config (mode 0600). A learner sees only their
                           own account's keys, buckets and CloudTrail events; the
                           instructor reads every account's events. Serving the same home
                           again re-uses the class: same accounts, same keys
  --lessons DIR            with --learners: your own lessons (a folder of lesson folders, or
                           one; checked first, as check DIR does) served to every learner who
                           joins, after the built-in lessons (GET /_class/lessons)

On 127.0.0.1 it answers only requests addressed to 127.0.0.1, [::1], localhost
or a name under localhost. Its control endpoints (/_engine/*) want the header
x-kms-workshop-secret with the secret in <home>/engine/control.secret:
POST /_engine/quota-scale?factor=F changes the scale while it runs, and
POST /_engine/request-quota?operation=GenerateDataKey&perSecond=3 sets the
quota that operation counts against (DELETE gives back AWS's figure).
`,
  run: `Usage: kms-workshop run <lesson...|all> [--json] [--fresh] [--transcript FILE.md] [--lessons DIR] [--home DIR] [--target local|aws] [--yes]

Plays lessons without the tutorial screen: each step's title, the calls it made
and its results, as plain text suited to a log. A lesson is named by its id, its
number, its folder or a unique prefix (run direct, run 2). Exit code 0 when every
step did what the lesson expects, 1 when one did not, 2 for a usage error.

Options:
  --json                   one JSON object per step on stdout
  --fresh                  a throwaway engine in memory, not the state in the home folder
  --transcript FILE.md     also write a Markdown record of what happened: each step's narrative,
                           code and AWS CLI, the calls and who made them, the results (secrets
                           masked), the questions; to keep or hand out
${LESSONS}
${HOME}
${TARGET}
`,
  list: `Usage: kms-workshop list [--json] [--lessons DIR] [--home DIR]

The lessons: number, id, title, minutes and your progress.

Options:
  --json                   one JSON object per lesson
${LESSONS}
${HOME}
`,
  check: `Usage: kms-workshop check [DIR]

For lesson authors: validates the lesson folders in DIR (a lessons folder or one
lesson folder, anywhere; default: the packaged lessons), printing each problem as
file:line: message, then runs every valid lesson end to end against a fresh
engine. Exit code 0 when all is well. An id a built-in lesson has is a problem
(--lessons DIR would refuse it). The format: lessons/README.md.
`,
  'new-lesson': `Usage: kms-workshop new-lesson DIR

Makes a lesson to start from in DIR (a new or empty folder, anywhere): lesson.md
(front matter, an introduction, a step with a prediction and its explanation, a
clean-up), steps.ts (the AWS SDK and the step context, which kms-workshop serves
itself: nothing to npm install) and a tsconfig.json pointing your editor at this
kms-workshop's types (import type { StepContext } from 'kms-workshop').

  kms-workshop new-lesson my-lessons/rotation
  kms-workshop check my-lessons/rotation
  kms-workshop run --lessons my-lessons rotation
  kms-workshop --lessons my-lessons
`,
  env: `Usage: kms-workshop env [--shell bash|zsh|fish|powershell] [--home DIR]

Prints the exports a second shell needs to reach the local engine of the running
tutorial with the AWS CLI, boto3 or any SDK: AWS_ENDPOINT_URL, placeholder
credentials (any work locally), AWS_REGION and AWS_DEFAULT_REGION, AWS_PAGER
empty; AWS_PROFILE removed. Exit code 1 when no tutorial is running.

  eval "$(kms-workshop env)"                                bash, zsh
  kms-workshop env --shell fish | source                    fish
  kms-workshop env --shell powershell | Invoke-Expression   PowerShell

Options:
  --shell NAME             the syntax (default: from $SHELL, else bash)
${HOME}
`,
  class: `Usage: kms-workshop class URL [--profile instructor] [--credentials FILE] [--config FILE] [--home DIR] [--stuck-minutes N]

The instructor's view of a class engine (kms-workshop serve --learners N): one row
per learner (lesson, step, steps passed and exercises solved, calls in the last
minute, the last error), the room's calls per operation with GenerateDataKey
apart, and Enter on a learner for their calls as they happen (secrets masked), to
put on the projector. s shows only the learners who look stuck: on one step for
N minutes or more, or 3 errors in a row. z zeroes the counts on the screen (say,
before the caching lesson's encrypts). Without a terminal (CI, a pipe) it
prints the room once as text.

  kms-workshop class http://192.168.1.20:4599 --profile instructor

Options:
  --profile NAME           the instructor's profile (default instructor)
  --credentials FILE       the credentials file serve wrote (default
                           $AWS_SHARED_CREDENTIALS_FILE, else <home>/class/credentials when
                           serve wrote one in this home, else ~/.aws/credentials)
  --config FILE            its config file (default: the file named config beside it)
  --stuck-minutes N        minutes on one step that count as stuck (1-60, default 5;
                           + and - change it on the screen)
${HOME}
`,
  join: `Usage: kms-workshop join URL --profile learnerN [--credentials FILE] [--config FILE] [--lessons DIR] [--home DIR]
       kms-workshop join URL --profile learnerN run <lesson...|all> [--json] [--transcript FILE.md]

Joins a class: the instructor's engine at URL (kms-workshop serve --learners N) with
the profile they handed you. Opens the tutorial with the class engine as its
target: every lesson, exercise and counter works as on the local engine, in an
account of your own there (fast-forwarding moves your clock only). With run, the
lessons play without the screen, as kms-workshop run plays them.

Your progress stays on this machine, in <home>/classes/<host>-<port>/<profile>,
and is told to the class engine after each step (so the instructor sees where
you are). If the engine goes away, run the same command again to carry on where
you were. The instructor's own lessons (serve --lessons DIR) come with the class:
fetched into that folder at each join, listed after the built-in ones.

  kms-workshop join http://192.168.1.20:4599 --profile learner7 --credentials ./credentials

Options:
  --profile NAME           your profile in the credentials file (learner1, learner2, ...;
                           default $AWS_PROFILE)
  --credentials FILE       the credentials file the instructor handed out (default
                           $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)
  --config FILE            its config file, for the profile's Region (default: the file
                           named config beside --credentials, else $AWS_CONFIG_FILE, else
                           ~/.aws/config; us-east-1 without one)
  --json                   with run: one JSON object per step on stdout
  --transcript FILE.md     with run: also write a Markdown record of what happened
  --lessons DIR            lessons of your own instead of the ones the class serves
${HOME}
`,
  reset: `Usage: kms-workshop reset [lesson] [--lessons DIR] [--home DIR]

Starts a lesson over (or every lesson, with none named): runs its clean-up on the
engine (keys, aliases, buckets it made), empties its workspace, clears its progress.

Options:
${LESSONS}
${HOME}
`,
};

export function overview(version: string): string {
  return `kms-workshop ${version}: learn AWS Key Management Service by doing it.

Usage:
  kms-workshop                     open the interactive tutorial (the lesson list without a terminal)
  kms-workshop serve               run the local engine (KMS, S3, CloudTrail) on a port
  kms-workshop run <lesson|all>    play lessons without the tutorial screen
  kms-workshop list                the lessons and your progress
  kms-workshop check [DIR]         validate lesson folders, then run them on a fresh engine
  kms-workshop reset [lesson]      start a lesson (or all) over
  kms-workshop env                 exports for a second shell: eval "$(kms-workshop env)"
  kms-workshop join URL --profile learnerN   join a class on the instructor's engine
  kms-workshop class URL --profile instructor   watch the class: where each learner is
  kms-workshop new-lesson DIR      start a lesson of your own (then check DIR, --lessons DIR)

  kms-workshop <command> --help    every option of a command
  -h, --help                       this overview
  -v, --version                    the version

Common options: --home DIR (state, progress, workspaces; default $KMS_WORKSHOP_HOME
or ~/.kms-workshop), --target local|aws and --yes (run and the tutorial).
`;
}

export function commandHelp(command: CommandName): string {
  return PAGES[command];
}

export function isCommandName(name: string): name is CommandName {
  return name in PAGES;
}
