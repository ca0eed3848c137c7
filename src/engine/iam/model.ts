// The state of the engine's IAM: accounts, users, roles, access keys and customer managed
// policies, persisted as kms/model.ts persists keys (a snapshot, iam.json, and a journal of
// the changes since, iam.journal). A secret access key is stored wrapped under the store's
// root key, never in clear. IAM names are unique within an account whatever their case, so
// records are kept by account and lower-cased name.
import { JournaledState } from '../journal.js';
import type { Store } from '../store.js';
import { TrackedMap } from '../tracked-map.js';

export interface AccountRecord {
  AccountId: string;
  CreateDate: number; // epoch ms
}

/** What users and roles share: a name, an id, a path, and the policies in force for them. */
export interface PrincipalRecord {
  AccountId: string;
  Path: string;
  Arn: string;
  CreateDate: number;
  /** Inline policies: name -> document, as given (IAM returns it as it was put, URL-encoded). */
  InlinePolicies: Record<string, string>;
  /** ARNs of the managed policies attached, in attachment order. */
  AttachedPolicies: string[];
  /** Tags given at creation (absent in records made before tags were kept). */
  Tags?: Tag[];
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface UserRecord extends PrincipalRecord {
  UserName: string;
  UserId: string;
}

export interface RoleRecord extends PrincipalRecord {
  RoleName: string;
  RoleId: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
}

export interface AccessKeyRecord {
  AccessKeyId: string;
  AccountId: string;
  UserName: string;
  /** The secret access key wrapped under the store's root key, base64. */
  WrappedSecret: string;
  Status: 'Active' | 'Inactive';
  CreateDate: number;
}

/** A managed policy (one version: v1, or the AWS managed policy's current one). */
export interface PolicyRecord {
  AccountId: string; // 'aws' for AWS managed policies
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  Description?: string;
  CreateDate: number;
  UpdateDate: number;
  DefaultVersionId: string;
  Document: string;
}

/** An STS session as stored: its secret and token wrapped under the store's root key (sts/sessions.ts has it in clear). */
export interface SessionRecord {
  AccessKeyId: string;
  WrappedSecret: string;
  WrappedToken: string;
  ExpiresAt: number;
  CreatedAt: number;
  AccountId: string;
  RoleName: string;
  RoleId: string;
  RoleArn: string;
  SessionName: string;
  AssumedBy: string;
}

type Kind = 'account' | 'user' | 'role' | 'key' | 'policy' | 'session';
type Change = { kind: Kind; slot: string; record?: object };

interface Snapshot {
  accounts: AccountRecord[];
  users: UserRecord[];
  roles: RoleRecord[];
  keys: AccessKeyRecord[];
  policies: PolicyRecord[];
  sessions?: SessionRecord[];
}

const STATE_FILE = 'iam.json';
const JOURNAL_FILE = 'iam.journal';

export const nameSlot = (accountId: string, name: string) => `${accountId}/${name.toLowerCase()}`;

export class IamState {
  readonly accounts = new TrackedMap<string, AccountRecord>(); // by AccountId
  readonly users = new TrackedMap<string, UserRecord>(); // by nameSlot
  readonly roles = new TrackedMap<string, RoleRecord>(); // by nameSlot
  readonly keys = new TrackedMap<string, AccessKeyRecord>(); // by AccessKeyId
  readonly policies = new TrackedMap<string, PolicyRecord>(); // by nameSlot of PolicyName
  readonly sessions = new TrackedMap<string, SessionRecord>(); // by AccessKeyId
  private readonly persisted: JournaledState<Change>;

  constructor(readonly store: Store) {
    this.persisted = new JournaledState<Change>(store, STATE_FILE, JOURNAL_FILE);
    const { snapshot, batches } = this.persisted.load<Snapshot>();
    for (const a of snapshot?.accounts ?? []) this.accounts.set(a.AccountId, a);
    for (const u of snapshot?.users ?? []) this.users.set(nameSlot(u.AccountId, u.UserName), u);
    for (const r of snapshot?.roles ?? []) this.roles.set(nameSlot(r.AccountId, r.RoleName), r);
    for (const k of snapshot?.keys ?? []) this.keys.set(k.AccessKeyId, k);
    for (const p of snapshot?.policies ?? []) this.policies.set(nameSlot(p.AccountId, p.PolicyName), p);
    for (const s of snapshot?.sessions ?? []) this.sessions.set(s.AccessKeyId, s);
    for (const change of batches.flat()) {
      const map = this.mapOf(change.kind) as TrackedMap<string, object>;
      if (change.record) map.set(change.slot, change.record);
      else map.delete(change.slot);
    }
    for (const kind of KINDS) this.mapOf(kind).takeChanges();
  }

  private mapOf(kind: Kind): TrackedMap<string, object> {
    switch (kind) {
      case 'account':
        return this.accounts;
      case 'user':
        return this.users;
      case 'role':
        return this.roles;
      case 'key':
        return this.keys;
      case 'policy':
        return this.policies;
      case 'session':
        return this.sessions;
    }
  }

  /** Writes what changed since the last save, all or none, durably; called after every change, before the reply. */
  save(): void {
    const changes: Change[] = [];
    for (const kind of KINDS) {
      const map = this.mapOf(kind);
      for (const slot of map.takeChanges()) {
        const record = map.get(slot);
        changes.push(record ? { kind, slot, record } : { kind, slot });
      }
    }
    if (changes.length > 0)
      this.persisted.record(changes, () => ({
        accounts: [...this.accounts.untrackedValues()],
        users: [...this.users.untrackedValues()],
        roles: [...this.roles.untrackedValues()],
        keys: [...this.keys.untrackedValues()],
        policies: [...this.policies.untrackedValues()],
        sessions: [...this.sessions.untrackedValues()],
      }) satisfies Snapshot);
  }
}

const KINDS: readonly Kind[] = ['account', 'user', 'role', 'key', 'policy', 'session'];
