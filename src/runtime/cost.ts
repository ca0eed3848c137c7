// Before lessons create anything billable in an AWS account: what they will
// create, what it may cost, and the learner's go-ahead.
//
// Prices (AWS KMS and S3 pricing, us-east-1; other Regions are close):
// - a KMS key costs $1 a month, prorated hourly, whatever its state (disabled
//   too), and the same for a key with imported key material. "There is no
//   charge for customer managed KMS keys that you manage and are scheduled for
//   deletion": lessons schedule theirs in their clean-up, well within an hour,
//   so the estimate counts an hour per key (a cancelled deletion is charged
//   "as though it was never scheduled for deletion", still within the hour);
// - AWS managed keys (aws/s3) have no monthly charge; requests with them do;
// - KMS requests cost $0.03 per 10,000 (the free tier covers 20,000 a month);
// - requests with asymmetric keys (RSA, ECC: Sign, Verify, Encrypt, Decrypt,
//   GetPublicKey) and GenerateDataKeyPair are left out of the free tier and
//   priced higher: counted at $0.15 per 10,000, the highest figure found for
//   them (third-party summaries of the pricing page; AWS's own table was not
//   found to quote), so the estimate stays an upper bound;
// - each rotation of a key's material adds $1 a month, prorated hourly ("each
//   newly generated backing key costs an additional $1/month"), for the first
//   two rotations of a key (AWS capped it there in April 2024): lessons rotate
//   on demand and schedule the key for deletion within the hour;
// - S3: a bucket holding one small object for minutes, a few requests: fractions of a cent;
// - CloudTrail event history (LookupEvents) has no charge;
// - IAM users, roles, policies and access keys: "IAM is an Amazon Web Services
//   service that you can use with no additional charge" (AWS documentation,
//   "Using IAM", docs.amazonaws.cn/en_us/quick/latest/userguide/iam.md);
//   the lessons' IAM calls cost nothing either.
// What a lesson creates is read from its steps' code (the CreateKey, CreateAlias,
// CreateBucket and PutObject commands it sends, the kinds of key it asks for,
// the AWS managed keys it names, the IAM users, roles and policies it makes),
// so a new lesson is counted too.
import { createInterface } from 'node:readline';
import type { ResourceSet } from './aws-resources.js';
import { describeResources, MIN_PENDING_WINDOW_DAYS, resourceCount } from './aws-resources.js';
import type { Lesson } from './types.js';

export const KEY_MONTH_USD = 1;
export const HOURS_PER_MONTH = 730;
export const USD_PER_10K_KMS_REQUESTS = 0.03;
/** Requests with RSA or ECC keys and GenerateDataKeyPair: not in the free tier; an upper bound (see above). */
export const USD_PER_10K_ASYMMETRIC_REQUESTS = 0.15;
/** A rotated key material, per month, prorated hourly; only a key's first two rotations are charged. */
export const ROTATION_MONTH_USD = 1;
/** A lesson's keys are billed while the lesson runs (well under an hour), none while pending deletion. */
const KEY_HOURS_UPPER_BOUND = 1;

export interface LessonPlan {
  lessonId: string;
  keys: number;
  /** Of those, keys created without key material (Origin EXTERNAL), for material the lesson imports. */
  importedKeys: number;
  /** AWS managed keys the lesson uses ('aws/s3'): created by AWS on first use, kept, no monthly charge. */
  awsManagedKeys: string[];
  aliases: number;
  buckets: number;
  objects: number;
  /** Rough count of KMS requests: each send() and each Encryption SDK encrypt/decrypt in the code. */
  requests: number;
  /** Key specs of the keys other than symmetric ones it creates (RSA_2048, ECC_NIST_P256, HMAC_256), one per key. */
  keySpecs?: string[];
  /** Of the requests, those with RSA or ECC keys and GenerateDataKeyPair: priced higher, outside the free tier. */
  asymmetricRequests?: number;
  /** On-demand rotations: each adds a charged key material. */
  rotations?: number;
  /** IAM users, roles and customer managed policies it makes: free, listed so the learner knows. */
  iamUsers?: number;
  iamRoles?: number;
  iamPolicies?: number;
}

export function planLessons(lessons: readonly Lesson[]): LessonPlan[] {
  return lessons.map((lesson) => {
    const code = lesson.steps.map((s) => s.source).join('\n');
    const count = (re: RegExp) => code.match(re)?.length ?? 0;
    return {
      lessonId: lesson.id,
      // a CreateKey the lesson expects to fail (expectError(x.send(new CreateKeyCommand(...)))) makes no key
      keys: count(/new CreateKeyCommand\(/g) - count(/expectError\(\s*[\w.]+\.send\(new CreateKeyCommand\(/g),
      importedKeys: count(/\bOrigin: 'EXTERNAL'/g),
      awsManagedKeys: [...new Set([...code.matchAll(/'alias\/(aws\/[\w./-]+)'/g)].map((m) => m[1]!))],
      aliases: count(/new CreateAliasCommand\(/g),
      buckets: count(/new CreateBucketCommand\(/g),
      objects: count(/new PutObjectCommand\(/g),
      // loops in the code run twice in the lessons: count the Encryption SDK calls twice
      requests: count(/\.send\(/g) + 2 * count(/\b(?:encrypt|decrypt)\(/g),
      keySpecs: [...code.matchAll(/\bKeySpec: '((?:RSA|ECC|HMAC|SM2)\w*)'/g)].map((m) => m[1]!),
      asymmetricRequests:
        count(/new (?:Sign|Verify|GetPublicKey|GenerateDataKeyPair(?:WithoutPlaintext)?)Command\(/g) + count(/\bEncryptionAlgorithm: 'RSAES_/g),
      rotations: count(/new RotateKeyOnDemandCommand\(/g),
      iamUsers: count(/new CreateUserCommand\(/g),
      iamRoles: count(/new CreateRoleCommand\(/g),
      iamPolicies: count(/new CreatePolicyCommand\(/g),
    };
  });
}

export interface CostEstimate {
  keys: number;
  keyUsd: number;
  requests: number;
  requestUsd: number;
  asymmetricRequests: number;
  rotations: number;
  rotationUsd: number;
  buckets: number;
  objects: number;
  totalUsd: number;
}

export function estimateCost(plans: readonly LessonPlan[]): CostEstimate {
  const sum = (f: (p: LessonPlan) => number) => plans.reduce((n, p) => n + f(p), 0);
  const keys = sum((p) => p.keys);
  const requests = sum((p) => p.requests);
  const keyUsd = (keys * KEY_MONTH_USD * KEY_HOURS_UPPER_BOUND) / HOURS_PER_MONTH;
  const asymmetricRequests = sum((p) => p.asymmetricRequests ?? 0);
  const requestUsd = ((requests - asymmetricRequests) * USD_PER_10K_KMS_REQUESTS + asymmetricRequests * USD_PER_10K_ASYMMETRIC_REQUESTS) / 10_000;
  const rotations = sum((p) => p.rotations ?? 0);
  const rotationUsd = (rotations * ROTATION_MONTH_USD * KEY_HOURS_UPPER_BOUND) / HOURS_PER_MONTH;
  return {
    keys,
    keyUsd,
    requests,
    requestUsd,
    asymmetricRequests,
    rotations,
    rotationUsd,
    buckets: sum((p) => p.buckets),
    objects: sum((p) => p.objects),
    totalUsd: keyUsd + requestUsd + rotationUsd,
  };
}

export function usd(amount: number): string {
  return amount < 0.01 ? 'under $0.01' : `$${(Math.ceil(amount * 100) / 100).toFixed(2)}`;
}

export interface PlanContext {
  region: string;
  endpoint?: string;
  endpointVariable?: string;
  accessKeyId: string;
  prefix: string;
  leftovers: ResourceSet;
}

/** The plan as lines for a terminal. */
export function formatPlan(plans: readonly LessonPlan[], where: PlanContext): string[] {
  const estimate = estimateCost(plans);
  const idWidth = Math.max(...plans.map((p) => p.lessonId.length), 10);
  const lines = [
    '--target aws: the lessons run in your AWS account and create resources there.',
    `  Region       ${where.region}`,
    `  Credentials  access key ${maskKey(where.accessKeyId)}, found by the AWS SDK (environment,`,
    '               AWS_PROFILE, SSO or an instance role)',
    ...(where.endpoint ? [`  Endpoint     ${where.endpoint} (${where.endpointVariable ?? 'AWS_ENDPOINT_URL'})`] : []),
    `  Names        start with your prefix ${where.prefix}`,
    '',
    'What the lessons create:',
    ...plans.map((p) => `  ${p.lessonId.padEnd(idWidth)}  ${describePlan(p)}`),
    'Each lesson removes what it made in its last step: aliases, objects and',
    `buckets deleted, keys scheduled for deletion after ${MIN_PENDING_WINDOW_DAYS} days (the shortest`,
    'waiting period AWS allows). Whatever is left when you stop is removed then.',
  ];
  const iam = iamCounts(plans);
  if (iam)
    lines.push(
      `IAM users and roles go with their access keys and policies, then IAM`,
      'policies of their own: IAM itself is global, not in one Region.',
    );
  const managed = [...new Set(plans.flatMap((p) => p.awsManagedKeys))];
  if (managed.length > 0) {
    const users = plans.filter((p) => p.awsManagedKeys.length > 0).map((p) => p.lessonId);
    lines.push(
      `${users.join(', ')} use${users.length === 1 ? 's' : ''} the AWS managed key${managed.length === 1 ? '' : 's'} ${managed.join(', ')}, which AWS creates in your`,
      'account on first use and does not delete: no monthly charge, only requests.',
    );
  }
  if (resourceCount(where.leftovers) > 0)
    lines.push('', 'Left by an earlier run that stopped before its clean-up, and removed first:', ...describeResources(where.leftovers).map((r) => `  ${r}`));
  lines.push(
    '',
    `Estimated cost: ${estimate.totalUsd < 0.01 ? '' : 'at most '}${usd(estimate.totalUsd)}`,
    `  KMS keys    ${estimate.keys} x $${KEY_MONTH_USD} per key-month, billed by the hour until scheduled for`,
    `              deletion (no charge while pending deletion): ${usd(estimate.keyUsd)}`,
    `  Requests    about ${estimate.requests} KMS requests at $${USD_PER_10K_KMS_REQUESTS} per 10,000: ${usd(estimate.requestUsd)}`,
    '              (the free tier covers 20,000 requests a month)',
    ...(estimate.asymmetricRequests
      ? [
          `              of which ${estimate.asymmetricRequests} with RSA or ECC keys or GenerateDataKeyPair: not in`,
          `              the free tier, counted at up to $${USD_PER_10K_ASYMMETRIC_REQUESTS} per 10,000`,
        ]
      : []),
    ...(estimate.rotations
      ? [
          `  Rotations   ${estimate.rotations} on demand: $${ROTATION_MONTH_USD} per month for each new key material (a key's`,
          `              first two rotations), by the hour until deletion: ${usd(estimate.rotationUsd)}`,
        ]
      : []),
    ...(estimate.buckets ? [`  S3          ${estimate.buckets} bucket${estimate.buckets === 1 ? '' : 's'}, ${estimate.objects} small object${estimate.objects === 1 ? '' : 's'} for minutes: under $0.01`] : []),
    '  CloudTrail  event history (LookupEvents) has no charge',
    ...(iam ? [`  IAM         ${iam}: IAM has no charge`] : []),
    '',
  );
  return lines;
}

/** '2 IAM users, 1 IAM policy' over every plan, or '' when none makes any. */
function iamCounts(plans: readonly LessonPlan[]): string {
  const sum = (f: (p: LessonPlan) => number | undefined) => plans.reduce((n, p) => n + (f(p) ?? 0), 0);
  return iamParts(sum((p) => p.iamUsers), sum((p) => p.iamRoles), sum((p) => p.iamPolicies)).join(', ');
}

function iamParts(users: number, roles: number, policies: number): string[] {
  const n = (count: number, what: string) => (count ? `${count} IAM ${what}${count === 1 ? '' : 's'}` : '');
  return [n(users, 'user'), n(roles, 'role'), n(policies, 'policy').replace(/policys$/, 'policies')].filter(Boolean);
}

function describePlan(p: LessonPlan): string {
  const parts = [
    p.keys ? `${p.keys} KMS key${p.keys === 1 ? '' : 's'}${p.importedKeys ? ` (${p.importedKeys === p.keys ? '' : `${p.importedKeys} `}imported material)` : keyKinds(p.keySpecs ?? [])}` : '',
    p.aliases ? `${p.aliases} alias${p.aliases === 1 ? '' : 'es'}` : '',
    p.buckets ? `${p.buckets} S3 bucket${p.buckets === 1 ? '' : 's'} (${p.objects} object${p.objects === 1 ? '' : 's'})` : '',
    ...iamParts(p.iamUsers ?? 0, p.iamRoles ?? 0, p.iamPolicies ?? 0),
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing billable';
}

/** ' (1 RSA, 1 ECC, 1 HMAC)': the kinds of the keys other than symmetric ones, by family, or nothing. */
function keyKinds(specs: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const spec of specs) counts.set(spec.split('_')[0]!, (counts.get(spec.split('_')[0]!) ?? 0) + 1);
  return counts.size ? ` (${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')})` : '';
}

function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 4)}...${key.slice(-4)}` : '****';
}

export type Answer = 'proceed' | 'declined' | 'no-terminal';

export interface ConfirmOptions {
  /** --yes: proceed without asking. */
  yes: boolean;
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
}

/** Shows the plan and asks to proceed. Without a terminal to ask on (and without --yes) it does not wait: 'no-terminal'. */
export async function confirmAwsRun(plan: string[], opts: ConfirmOptions): Promise<Answer> {
  opts.output.write(plan.join('\n') + '\n');
  if (opts.yes) {
    opts.output.write('Proceeding without asking (--yes).\n');
    return 'proceed';
  }
  if (!opts.input.isTTY) return 'no-terminal';
  const rl = createInterface({ input: opts.input, output: opts.output });
  const answer = await new Promise<string>((resolve) => {
    rl.on('close', () => resolve(''));
    rl.question('Create these in your AWS account? [y/N] ', resolve);
  });
  rl.close();
  return /^\s*y(es)?\s*$/i.test(answer) ? 'proceed' : 'declined';
}
