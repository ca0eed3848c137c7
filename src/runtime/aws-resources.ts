// What the lessons created in an AWS account and have not removed yet: KMS keys
// not yet scheduled for deletion, aliases, buckets, IAM users, roles and policies.
// Followed from the learner's own calls and those of identities a lesson made
// (CreateKey adds a key, ScheduleKeyDeletion removes it, ...), kept in
// <home>/aws-resources.json so a run that stopped half-way (a failed step, Ctrl-C,
// a crash) is cleaned up at the end of the session or by the next one.
import {
  DeleteAccessKeyCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { KMS } from '@aws-sdk/client-kms';
import { DeleteAliasCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DeleteBucketCommand, DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { join } from 'node:path';
import type { CapturedCall } from './capture.js';

export interface ResourceSet {
  /** Key ARNs (or ids) created and not yet scheduled for deletion. */
  keys: string[];
  aliases: string[];
  buckets: string[];
  /** IAM users by name (their access keys and policies go with them); absent in a ledger written before lessons made any. */
  users?: string[];
  /** IAM roles by name (their policies go with them). */
  roles?: string[];
  /** Customer managed IAM policies by ARN. */
  policies?: string[];
}

export type ResourceKind = keyof ResourceSet;
/** In the order they are removed: a bucket's objects before it, keys after their aliases, policies once nothing has them attached. */
const KINDS: readonly ResourceKind[] = ['buckets', 'aliases', 'keys', 'users', 'roles', 'policies'];
const listOf = (set: ResourceSet, kind: ResourceKind): string[] => set[kind] ?? [];

interface LedgerEntry extends ResourceSet {
  session: string;
  pid: number;
  /** Region and endpoint: resources of one place are cleaned with clients for that place. */
  target: string;
  updated: string;
}

interface LedgerFile {
  version: 1;
  entries: LedgerEntry[];
}

export const RESOURCES_FILE = 'aws-resources.json';
/** The shortest waiting period KMS allows before it deletes a key. */
export const MIN_PENDING_WINDOW_DAYS = 7;

export function emptyResources(): ResourceSet {
  // IAM's lists are added when a lesson first makes a user, role or policy
  return { keys: [], aliases: [], buckets: [] };
}

export function resourceCount(set: ResourceSet): number {
  return KINDS.reduce((n, kind) => n + listOf(set, kind).length, 0);
}

export function describeResources(set: ResourceSet): string[] {
  return KINDS.flatMap((kind) => listOf(set, kind).map((v) => resourceLabel(kind, v)));
}

const keyIdOf = (key: string) => key.replace(/^arn:[^:]+:kms:[^:]*:[^:]*:key\//, '');

/** This session's resources, saved in the home after every change. */
export class ResourceLedger {
  readonly resources: ResourceSet = emptyResources();
  private readonly session = randomUUID();

  constructor(
    private readonly home: string | null,
    private readonly target: string,
  ) {}

  /** Follows one of the learner's calls: what it created or removed. */
  observe(call: CapturedCall): void {
    // A service's calls on the learner's behalf make nothing; an identity a lesson made (as()) may.
    if (call.caller.endsWith('.amazonaws.com')) return;
    const ok = call.outcome.ok;
    const code = call.outcome.ok ? '' : call.outcome.code;
    const op = `${call.service}:${call.operation}`;
    if (op === 'kms:CreateKey' && ok && call.keyId) this.add('keys', call.keyId);
    else if (op === 'kms:ScheduleKeyDeletion' && call.keyId && (ok || code === 'KMSInvalidStateException' || code === 'NotFoundException')) this.removeKey(call.keyId);
    // A cancelled deletion brings the key back (Disabled, and billed again): it must be cleaned up again.
    else if (op === 'kms:CancelKeyDeletion' && ok && call.keyId) this.add('keys', call.keyId);
    else if ((op === 'kms:CreateAlias' || op === 'kms:UpdateAlias') && ok && call.alias) this.add('aliases', call.alias);
    else if (op === 'kms:DeleteAlias' && call.alias && (ok || code === 'NotFoundException')) this.remove('aliases', call.alias);
    // A bucket already owned by you carries your prefix: it is the lessons' own, left by an earlier run.
    else if (op === 's3:CreateBucket' && call.bucket && (ok || code === 'BucketAlreadyOwnedByYou')) this.add('buckets', call.bucket);
    else if (op === 's3:DeleteBucket' && call.bucket && (ok || code === 'NoSuchBucket')) this.remove('buckets', call.bucket);
    else if (call.service === 'iam') this.observeIam(call.operation, ok, code, field(call.request, 'UserName'), field(call.request, 'RoleName'), field(call.request, 'PolicyArn') ?? field(call.response, 'Policy', 'Arn'));
  }

  private observeIam(operation: string, ok: boolean, code: string, user?: string, role?: string, policy?: string) {
    const gone = ok || code === 'NoSuchEntityException';
    if (operation === 'CreateUser' && user && (ok || code === 'EntityAlreadyExistsException')) this.add('users', user);
    else if (operation === 'DeleteUser' && user && gone) this.remove('users', user);
    else if (operation === 'CreateRole' && role && (ok || code === 'EntityAlreadyExistsException')) this.add('roles', role);
    else if (operation === 'DeleteRole' && role && gone) this.remove('roles', role);
    else if (operation === 'CreatePolicy' && policy && ok) this.add('policies', policy);
    else if (operation === 'DeletePolicy' && policy && gone) this.remove('policies', policy);
  }

  adopt(set: ResourceSet): void {
    for (const kind of KINDS) for (const v of listOf(set, kind)) this.add(kind, v);
  }

  forget(set: ResourceSet): void {
    for (const kind of KINDS) for (const v of listOf(set, kind)) (kind === 'keys' ? this.removeKey(v) : this.remove(kind, v));
  }

  private add(kind: ResourceKind, value: string) {
    const list = (this.resources[kind] ??= []);
    if (list.includes(value)) return;
    list.push(value);
    this.save();
  }

  private remove(kind: ResourceKind, value: string) {
    const list = listOf(this.resources, kind);
    const at = list.indexOf(value);
    if (at < 0) return;
    list.splice(at, 1);
    this.save();
  }

  private removeKey(key: string) {
    const id = keyIdOf(key);
    const found = this.resources.keys.find((k) => keyIdOf(k) === id);
    if (found) this.remove('keys', found);
  }

  private save() {
    if (!this.home) return;
    try {
      const file = readLedger(this.home);
      file.entries = file.entries.filter((e) => e.session !== this.session);
      if (resourceCount(this.resources) > 0)
        file.entries.push({ session: this.session, pid: process.pid, target: this.target, updated: new Date().toISOString(), ...structuredClone(this.resources) });
      writeLedger(this.home, file);
    } catch {
      /* the ledger helps clean up after a crash; a read-only home must not stop a lesson */
    }
  }
}

/** Resources left by sessions for this target whose process has ended: taken over (and out of the file) by the caller. */
export function takeOverLeftovers(home: string, target: string): ResourceSet {
  const set = emptyResources();
  let file: LedgerFile;
  try {
    file = readLedger(home);
  } catch {
    return set;
  }
  const left = file.entries.filter((e) => e.target === target && e.pid !== process.pid && !processAlive(e.pid));
  if (left.length === 0) return set;
  for (const e of left) {
    for (const kind of KINDS) for (const v of listOf(e, kind)) if (!listOf(set, kind).includes(v)) (set[kind] ??= []).push(v);
  }
  file.entries = file.entries.filter((e) => !left.includes(e));
  try {
    writeLedger(home, file);
  } catch {
    /* read-only home: they stay listed, and are found again next time */
  }
  return set;
}

export interface RemovalReport {
  removed: ResourceSet;
  failed: { kind: ResourceKind; value: string; message: string }[];
}

const LABELS: Record<ResourceKind, string> = { keys: 'KMS key', aliases: 'alias', buckets: 'S3 bucket', users: 'IAM user', roles: 'IAM role', policies: 'IAM policy' };

/** 'KMS key arn:...', 'alias alias/...', 'S3 bucket name', 'IAM user name': how a resource is named to the learner. */
export function resourceLabel(kind: ResourceKind, value: string): string {
  return `${LABELS[kind]} ${value}`;
}

/**
 * Removes what a lesson left behind, best effort, in the order that works:
 * each bucket's objects, then the bucket; aliases; then keys are scheduled for
 * deletion with the shortest waiting period. Already gone counts as removed.
 */
export async function removeResources(
  set: ResourceSet,
  clients: { kms: KMS; s3: S3Client; iam?: IAMClient },
  onDone?: (label: string, error?: string) => void,
): Promise<RemovalReport> {
  const report: RemovalReport = { removed: emptyResources(), failed: [] };
  const attempt = async (kind: ResourceKind, value: string, work: () => Promise<unknown>, gone: string[]) => {
    try {
      await work();
    } catch (e) {
      const name = (e as Error).name;
      if (!gone.includes(name)) {
        const message = `${name}: ${(e as Error).message}`;
        report.failed.push({ kind, value, message });
        onDone?.(resourceLabel(kind, value), message);
        return;
      }
    }
    (report.removed[kind] ??= []).push(value);
    onDone?.(resourceLabel(kind, value));
  };
  for (const bucket of set.buckets) {
    await attempt(
      'buckets',
      bucket,
      async () => {
        let token: string | undefined;
        do {
          const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
          for (const object of page.Contents ?? []) await clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }));
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        await clients.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      },
      ['NoSuchBucket'],
    );
  }
  for (const alias of set.aliases) await attempt('aliases', alias, () => clients.kms.send(new DeleteAliasCommand({ AliasName: alias })), ['NotFoundException']);
  for (const key of set.keys)
    await attempt(
      'keys',
      key,
      () => clients.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: MIN_PENDING_WINDOW_DAYS })),
      // already pending deletion (KMSInvalidStateException) or gone: nothing left to pay for
      ['NotFoundException', 'KMSInvalidStateException'],
    );
  const iam = clients.iam;
  const noIam = async () => {
    throw new Error('no IAM client to remove it with');
  };
  for (const user of listOf(set, 'users')) await attempt('users', user, iam ? () => removeUser(iam, user) : noIam, ['NoSuchEntityException']);
  for (const role of listOf(set, 'roles')) await attempt('roles', role, iam ? () => removeRole(iam, role) : noIam, ['NoSuchEntityException']);
  // Once the users and roles are gone, nothing the lessons made has these attached.
  for (const policy of listOf(set, 'policies'))
    await attempt('policies', policy, iam ? () => iam.send(new DeletePolicyCommand({ PolicyArn: policy })) : noIam, ['NoSuchEntityException']);
  return report;
}

/** An IAM user goes after its access keys, its attached policies and its inline policies: IAM refuses it before. */
async function removeUser(iam: IAMClient, UserName: string) {
  const { AccessKeyMetadata } = await iam.send(new ListAccessKeysCommand({ UserName }));
  for (const k of AccessKeyMetadata ?? []) await iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: k.AccessKeyId! }));
  const { AttachedPolicies } = await iam.send(new ListAttachedUserPoliciesCommand({ UserName }));
  for (const p of AttachedPolicies ?? []) await iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn: p.PolicyArn! }));
  const { PolicyNames } = await iam.send(new ListUserPoliciesCommand({ UserName }));
  for (const PolicyName of PolicyNames ?? []) await iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName }));
  await iam.send(new DeleteUserCommand({ UserName }));
}

/** An IAM role goes after its attached and inline policies. */
async function removeRole(iam: IAMClient, RoleName: string) {
  const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
  for (const p of AttachedPolicies ?? []) await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: p.PolicyArn! }));
  const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName }));
  for (const PolicyName of PolicyNames ?? []) await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName }));
  await iam.send(new DeleteRoleCommand({ RoleName }));
}

/** AWS CLI commands that remove what could not be removed, for the learner to run by hand. */
export function manualCleanupCommands(set: ResourceSet, region: string): string[] {
  return [
    ...set.buckets.map((b) => `aws s3 rb s3://${b} --force --region ${region}`),
    ...set.aliases.map((a) => `aws kms delete-alias --alias-name ${a} --region ${region}`),
    ...set.keys.map((k) => `aws kms schedule-key-deletion --key-id ${k} --pending-window-in-days ${MIN_PENDING_WINDOW_DAYS} --region ${region}`),
    // IAM is global: no Region. A user or role goes once what it holds is gone.
    ...listOf(set, 'users').flatMap((u) => [
      `aws iam list-access-keys --user-name ${u}   # then for each: aws iam delete-access-key --user-name ${u} --access-key-id <id>`,
      `aws iam list-attached-user-policies --user-name ${u}   # then for each: aws iam detach-user-policy --user-name ${u} --policy-arn <arn>`,
      `aws iam list-user-policies --user-name ${u}   # then for each: aws iam delete-user-policy --user-name ${u} --policy-name <name>`,
      `aws iam delete-user --user-name ${u}`,
    ]),
    ...listOf(set, 'roles').flatMap((r) => [
      `aws iam list-attached-role-policies --role-name ${r}   # then for each: aws iam detach-role-policy --role-name ${r} --policy-arn <arn>`,
      `aws iam list-role-policies --role-name ${r}   # then for each: aws iam delete-role-policy --role-name ${r} --policy-name <name>`,
      `aws iam delete-role --role-name ${r}`,
    ]),
    ...listOf(set, 'policies').map((p) => `aws iam delete-policy --policy-arn ${p}`),
  ];
}

/** A text field of a captured request or response, by its path. */
function field(value: unknown, ...path: string[]): string | undefined {
  let v = value;
  for (const name of path) v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function readLedger(home: string): LedgerFile {
  const path = join(home, RESOURCES_FILE);
  if (!existsSync(path)) return { version: 1, entries: [] };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LedgerFile>;
    if (parsed.version === 1 && Array.isArray(parsed.entries)) return parsed as LedgerFile;
  } catch {
    /* fall through */
  }
  // Unreadable: keep it aside (it may list resources someone wants to find) and start afresh.
  renameSync(path, `${path}.unreadable-${Date.now()}`);
  return { version: 1, entries: [] };
}

function writeLedger(home: string, file: LedgerFile) {
  writeFileAtomic(join(home, RESOURCES_FILE), JSON.stringify(file, null, 2) + '\n');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
