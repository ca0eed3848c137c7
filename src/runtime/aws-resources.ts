// What the lessons created in an AWS account and have not removed yet: KMS keys
// not yet scheduled for deletion, aliases, buckets. Followed from the learner's
// own calls (CreateKey adds a key, ScheduleKeyDeletion removes it, ...), kept in
// <home>/aws-resources.json so a run that stopped half-way (a failed step, Ctrl-C,
// a crash) is cleaned up at the end of the session or by the next one.
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
}

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
  return { keys: [], aliases: [], buckets: [] };
}

export function resourceCount(set: ResourceSet): number {
  return set.keys.length + set.aliases.length + set.buckets.length;
}

export function describeResources(set: ResourceSet): string[] {
  return [...set.buckets.map((b) => resourceLabel('buckets', b)), ...set.aliases.map((a) => resourceLabel('aliases', a)), ...set.keys.map((k) => resourceLabel('keys', k))];
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
    if (call.caller !== 'you') return;
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
  }

  adopt(set: ResourceSet): void {
    for (const k of set.keys) this.add('keys', k);
    for (const a of set.aliases) this.add('aliases', a);
    for (const b of set.buckets) this.add('buckets', b);
  }

  forget(set: ResourceSet): void {
    for (const k of set.keys) this.removeKey(k);
    for (const a of set.aliases) this.remove('aliases', a);
    for (const b of set.buckets) this.remove('buckets', b);
  }

  private add(kind: keyof ResourceSet, value: string) {
    if (this.resources[kind].includes(value)) return;
    this.resources[kind].push(value);
    this.save();
  }

  private remove(kind: keyof ResourceSet, value: string) {
    const at = this.resources[kind].indexOf(value);
    if (at < 0) return;
    this.resources[kind].splice(at, 1);
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
    for (const kind of ['keys', 'aliases', 'buckets'] as const) for (const v of e[kind] ?? []) if (!set[kind].includes(v)) set[kind].push(v);
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
  failed: { kind: keyof ResourceSet; value: string; message: string }[];
}

/** 'KMS key arn:...', 'alias alias/...', 'S3 bucket name': how a resource is named to the learner. */
export function resourceLabel(kind: keyof ResourceSet, value: string): string {
  return kind === 'keys' ? `KMS key ${value}` : kind === 'aliases' ? `alias ${value}` : `S3 bucket ${value}`;
}

/**
 * Removes what a lesson left behind, best effort, in the order that works:
 * each bucket's objects, then the bucket; aliases; then keys are scheduled for
 * deletion with the shortest waiting period. Already gone counts as removed.
 */
export async function removeResources(
  set: ResourceSet,
  clients: { kms: KMS; s3: S3Client },
  onDone?: (label: string, error?: string) => void,
): Promise<RemovalReport> {
  const report: RemovalReport = { removed: emptyResources(), failed: [] };
  const attempt = async (kind: keyof ResourceSet, value: string, work: () => Promise<unknown>, gone: string[]) => {
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
    report.removed[kind].push(value);
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
  return report;
}

/** AWS CLI commands that remove what could not be removed, for the learner to run by hand. */
export function manualCleanupCommands(set: ResourceSet, region: string): string[] {
  return [
    ...set.buckets.map((b) => `aws s3 rb s3://${b} --force --region ${region}`),
    ...set.aliases.map((a) => `aws kms delete-alias --alias-name ${a} --region ${region}`),
    ...set.keys.map((k) => `aws kms schedule-key-deletion --key-id ${k} --pending-window-in-days ${MIN_PENDING_WINDOW_DAYS} --region ${region}`),
  ];
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
