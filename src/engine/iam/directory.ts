// The engine's identities (auth/types.ts's Directory): accounts, each created on first use with
// its default learner (IAM user workshop-learner, AdministratorAccess attached); IAM users and
// their access keys; roles; STS sessions (persisted wrapped, so they outlive a restart until
// they expire); and the identity-based policies in force for a caller.
// The IAM and STS operations and the class feature (`serve --learners N`) change identities
// only through here, so the rules (names, quotas, ids) are kept in one place.
import type { Caller } from '../caller.js';
import type { Clock } from '../clock.js';
import type { Directory, IssuedCredentials, NamedPolicy } from '../auth/types.js';
import type { Store } from '../store.js';
import { assumedRoleArn, Sessions, type Session } from '../sts/sessions.js';
import { ADMINISTRATOR_ACCESS, AWS_MANAGED_POLICIES } from './aws-managed-policies.js';
import { iamErrors } from './errors.js';
import * as ids from './ids.js';
import { IamState, nameSlot, type AccessKeyRecord, type AccountRecord, type PolicyRecord, type RoleRecord, type Tag, type UserRecord } from './model.js';

export const DEFAULT_LEARNER = 'workshop-learner';

/** IAM's quotas that bound what a caller can make (IAM and STS quotas page), and the engine's own on accounts. */
export const LIMITS = {
  accounts: 10_000,
  usersPerAccount: 5000,
  rolesPerAccount: 1000,
  policiesPerAccount: 1500,
  accessKeysPerUser: 2,
  attachedPerPrincipal: 10,
  userInlineChars: 2048,
  roleInlineChars: 10_240,
  managedPolicyChars: 6144,
  trustPolicyChars: 2048,
};

const PRINCIPAL_ARN = /^arn:aws:iam::(\d{12}):(user|role)(\/(?:[^/]+\/)*)([^/]+)$/;
const ASSUMED_ROLE_ARN = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/([^/]+)$/;
const ROOT_ARN = /^arn:aws:iam::(\d{12}):root$/;

export class Iam implements Directory {
  readonly state: IamState;
  readonly sessions = new Sessions();
  /** Secret access keys unwrapped once, by access key id (memory only). */
  private readonly secrets = new Map<string, string>();

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {
    this.state = new IamState(store);
    // Sessions come back in clear for authentication, oldest first (the order the bound drops them in).
    const saved = [...this.state.sessions.untrackedValues()].sort((a, b) => a.ExpiresAt - b.ExpiresAt);
    for (const r of saved) {
      const session: Session = {
        accessKeyId: r.AccessKeyId,
        secretAccessKey: this.unwrapText(r.WrappedSecret),
        sessionToken: this.unwrapText(r.WrappedToken),
        expiresAt: r.ExpiresAt,
        createdAt: r.CreatedAt,
        accountId: r.AccountId,
        roleName: r.RoleName,
        roleId: r.RoleId,
        roleArn: r.RoleArn,
        sessionName: r.SessionName,
        assumedBy: r.AssumedBy,
      };
      for (const id of this.sessions.add(session, this.now())) this.state.sessions.delete(id);
    }
    this.state.save();
  }

  private wrapText(text: string): string {
    return this.store.wrap(Buffer.from(text)).toString('base64');
  }
  private unwrapText(wrapped: string): string {
    return this.store.unwrap(Buffer.from(wrapped, 'base64')).toString('utf8');
  }

  private now() {
    return this.clock.now().getTime();
  }

  // --- accounts ------------------------------------------------------------

  account(accountId: string): AccountRecord | undefined {
    return this.state.accounts.get(accountId);
  }

  /** The account, created with its default learner the first time it is named. */
  ensureAccount(accountId: string): AccountRecord {
    const known = this.state.accounts.get(accountId);
    if (known) return known;
    if (!ids.ACCOUNT_ID.test(accountId)) throw new RangeError(`an account id is 12 digits, not ${JSON.stringify(accountId)}`);
    if (this.state.accounts.size >= LIMITS.accounts) throw iamErrors.limitExceeded(`Cannot exceed quota for accounts in this engine: ${LIMITS.accounts}`);
    this.state.accounts.set(accountId, { AccountId: accountId, CreateDate: this.now() });
    this.ensureDefaultLearner(accountId);
    this.state.save();
    return this.state.accounts.get(accountId)!;
  }

  /** A new account (a fresh 12-digit id) with its default learner: one per learner of a class. */
  createAccount(): AccountRecord {
    let id = ids.accountId();
    while (this.state.accounts.has(id)) id = ids.accountId();
    return this.ensureAccount(id);
  }

  /**
   * A class's learner (`serve --learners N`): a new account whose default learner (an
   * administrator) gets an access key; the secret is handed out here only.
   */
  createLearnerAccount(): { accountId: string; userName: string; accessKeyId: string; secretAccessKey: string } {
    const { AccountId } = this.createAccount();
    const { key, secretAccessKey } = this.createAccessKey(this.user(AccountId, DEFAULT_LEARNER)!);
    return { accountId: AccountId, userName: DEFAULT_LEARNER, accessKeyId: key.AccessKeyId, secretAccessKey };
  }

  private ensureDefaultLearner(accountId: string): UserRecord {
    const existing = this.user(accountId, DEFAULT_LEARNER);
    if (existing) return existing;
    const user = this.newUser(accountId, DEFAULT_LEARNER, '/');
    user.AttachedPolicies.push(ADMINISTRATOR_ACCESS);
    return user;
  }

  // --- users and access keys -----------------------------------------------

  user(accountId: string, userName: string): UserRecord | undefined {
    return this.state.users.get(nameSlot(accountId, userName));
  }

  requireUser(accountId: string, userName: string): UserRecord {
    const user = this.user(accountId, userName);
    if (!user) throw iamErrors.noSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  usersOf(accountId: string): UserRecord[] {
    return [...this.state.users.values()].filter((u) => u.AccountId === accountId);
  }

  /** Creates an IAM user (EntityAlreadyExists if the name is taken in any case, LimitExceeded past the quota). */
  createUser(accountId: string, userName: string, path = '/', tags: Tag[] = []): UserRecord {
    this.ensureAccount(accountId);
    if (this.user(accountId, userName)) throw iamErrors.entityAlreadyExists(`User with name ${userName} already exists.`);
    if (this.usersOf(accountId).length >= LIMITS.usersPerAccount) throw iamErrors.limitExceeded(`Cannot exceed quota for UsersPerAccount: ${LIMITS.usersPerAccount}`);
    const user = this.newUser(accountId, userName, path, tags);
    this.state.save();
    return user;
  }

  private newUser(accountId: string, userName: string, path: string, tags: Tag[] = []): UserRecord {
    const record: UserRecord = {
      AccountId: accountId,
      UserName: userName,
      UserId: ids.uniqueId('AIDA'),
      Path: path,
      Arn: `arn:aws:iam::${accountId}:user${path}${userName}`,
      CreateDate: this.now(),
      InlinePolicies: {},
      AttachedPolicies: [],
      ...(tags.length > 0 ? { Tags: tags } : {}),
    };
    this.state.users.set(nameSlot(accountId, userName), record);
    return this.state.users.get(nameSlot(accountId, userName))!;
  }

  deleteUser(user: UserRecord): void {
    this.state.users.delete(nameSlot(user.AccountId, user.UserName));
    this.state.save();
  }

  accessKeysOf(user: UserRecord): AccessKeyRecord[] {
    return [...this.state.keys.values()].filter((k) => k.AccountId === user.AccountId && k.UserName.toLowerCase() === user.UserName.toLowerCase());
  }

  /** A new access key for a user (LimitExceeded past two), with its secret: the only time the secret is handed out. */
  createAccessKey(user: UserRecord): { key: AccessKeyRecord; secretAccessKey: string } {
    if (this.accessKeysOf(user).length >= LIMITS.accessKeysPerUser) throw iamErrors.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${LIMITS.accessKeysPerUser}`);
    const secretAccessKey = ids.secretAccessKey();
    const record: AccessKeyRecord = {
      AccessKeyId: ids.accessKeyId('AKIA'),
      AccountId: user.AccountId,
      UserName: user.UserName,
      WrappedSecret: this.wrapText(secretAccessKey),
      Status: 'Active',
      CreateDate: this.now(),
    };
    this.state.keys.set(record.AccessKeyId, record);
    this.secrets.set(record.AccessKeyId, secretAccessKey);
    this.state.save();
    return { key: this.state.keys.get(record.AccessKeyId)!, secretAccessKey };
  }

  deleteAccessKey(key: AccessKeyRecord): void {
    this.state.keys.delete(key.AccessKeyId);
    this.secrets.delete(key.AccessKeyId);
    this.state.save();
  }

  private secretOf(key: AccessKeyRecord): string {
    let secret = this.secrets.get(key.AccessKeyId);
    if (secret === undefined) {
      secret = this.unwrapText(key.WrappedSecret);
      this.secrets.set(key.AccessKeyId, secret);
    }
    return secret;
  }

  // --- roles -----------------------------------------------------------------

  role(accountId: string, roleName: string): RoleRecord | undefined {
    return this.state.roles.get(nameSlot(accountId, roleName));
  }

  requireRole(accountId: string, roleName: string): RoleRecord {
    const role = this.role(accountId, roleName);
    if (!role) throw iamErrors.noSuchEntity(`The role with name ${roleName} cannot be found.`);
    return role;
  }

  rolesOf(accountId: string): RoleRecord[] {
    return [...this.state.roles.values()].filter((r) => r.AccountId === accountId);
  }

  createRole(accountId: string, input: { RoleName: string; Path: string; AssumeRolePolicyDocument: string; Description?: string; MaxSessionDuration: number; Tags?: Tag[] }): RoleRecord {
    this.ensureAccount(accountId);
    if (this.role(accountId, input.RoleName)) throw iamErrors.entityAlreadyExists(`Role with name ${input.RoleName} already exists.`);
    if (this.rolesOf(accountId).length >= LIMITS.rolesPerAccount) throw iamErrors.limitExceeded(`Cannot exceed quota for RolesPerAccount: ${LIMITS.rolesPerAccount}`);
    const record: RoleRecord = {
      AccountId: accountId,
      RoleName: input.RoleName,
      RoleId: ids.uniqueId('AROA'),
      Path: input.Path,
      Arn: `arn:aws:iam::${accountId}:role${input.Path}${input.RoleName}`,
      CreateDate: this.now(),
      AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      MaxSessionDuration: input.MaxSessionDuration,
      InlinePolicies: {},
      AttachedPolicies: [],
      ...(input.Tags?.length ? { Tags: input.Tags } : {}),
    };
    this.state.roles.set(nameSlot(accountId, input.RoleName), record);
    this.state.save();
    return this.state.roles.get(nameSlot(accountId, input.RoleName))!;
  }

  deleteRole(role: RoleRecord): void {
    this.state.roles.delete(nameSlot(role.AccountId, role.RoleName));
    this.state.save();
  }

  // --- managed policies ----------------------------------------------------------

  /** A managed policy by ARN: AWS managed (in every account) or the account's own. */
  managedPolicy(arn: string): PolicyRecord | undefined {
    const aws = AWS_MANAGED_POLICIES.get(arn);
    if (aws) return aws;
    const m = /^arn:aws:iam::(\d{12}):policy(\/(?:[^/]+\/)*)([^/]+)$/.exec(arn);
    if (!m) return undefined;
    const policy = this.state.policies.get(nameSlot(m[1]!, m[3]!));
    return policy && policy.Arn === arn ? policy : undefined;
  }

  policiesOf(accountId: string): PolicyRecord[] {
    return [...this.state.policies.values()].filter((p) => p.AccountId === accountId);
  }

  /** Users and roles of the account a managed policy is attached to. */
  attachmentsOf(arn: string, accountId?: string): { users: UserRecord[]; roles: RoleRecord[] } {
    const inScope = (r: { AccountId: string }) => accountId === undefined || r.AccountId === accountId;
    return {
      users: [...this.state.users.values()].filter((u) => inScope(u) && u.AttachedPolicies.includes(arn)),
      roles: [...this.state.roles.values()].filter((r) => inScope(r) && r.AttachedPolicies.includes(arn)),
    };
  }

  // --- STS sessions ------------------------------------------------------------------

  /** Issues temporary credentials for a role (the trust policy was checked by the caller: sts/assume-role.ts). */
  issueSession(role: RoleRecord, sessionName: string, durationSeconds: number, assumedBy: string): Session {
    const now = this.now();
    const session: Session = {
      accessKeyId: ids.accessKeyId('ASIA'),
      secretAccessKey: ids.secretAccessKey(),
      sessionToken: ids.sessionToken(),
      expiresAt: now + durationSeconds * 1000,
      createdAt: now,
      accountId: role.AccountId,
      roleName: role.RoleName,
      roleId: role.RoleId,
      roleArn: role.Arn,
      sessionName,
      assumedBy,
    };
    for (const id of this.sessions.add(session, now)) this.state.sessions.delete(id);
    this.state.sessions.set(session.accessKeyId, {
      AccessKeyId: session.accessKeyId,
      WrappedSecret: this.wrapText(session.secretAccessKey),
      WrappedToken: this.wrapText(session.sessionToken),
      ExpiresAt: session.expiresAt,
      CreatedAt: session.createdAt,
      AccountId: session.accountId,
      RoleName: session.roleName,
      RoleId: session.roleId,
      RoleArn: session.roleArn,
      SessionName: session.sessionName,
      AssumedBy: session.assumedBy,
    });
    this.state.save();
    return session;
  }

  // --- Directory -------------------------------------------------------------------

  credentials(accessKeyId: string): IssuedCredentials | undefined {
    const key = this.state.keys.get(accessKeyId);
    if (key) {
      const user = this.user(key.AccountId, key.UserName);
      if (!user) return undefined;
      return {
        accessKeyId,
        secretAccessKey: this.secretOf(key),
        status: key.Status,
        caller: (region) => userCaller(user, region, accessKeyId),
      };
    }
    const session = this.sessions.get(accessKeyId);
    if (!session) return undefined;
    return {
      accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiresAt: session.expiresAt,
      status: 'Active',
      caller: (region) => sessionCaller(session, region),
    };
  }

  /** The account's default learner; accessKeyId is '' (authentication sets the key the request was signed with). */
  defaultLearner(accountId: string, region: string): Caller {
    this.ensureAccount(accountId);
    let user = this.user(accountId, DEFAULT_LEARNER);
    if (!user) {
      // Deleted by hand: the local mode needs someone to act as, so the learner comes back (with AdministratorAccess).
      user = this.ensureDefaultLearner(accountId);
      this.state.save();
    }
    return userCaller(user, region, '');
  }

  identityPolicies(caller: Caller): NamedPolicy[] {
    const principal = this.principalOf(caller);
    if (!principal) return [];
    const out: NamedPolicy[] = [];
    for (const [name, document] of Object.entries(principal.InlinePolicies)) out.push({ name, document });
    for (const arn of principal.AttachedPolicies) {
      const policy = this.managedPolicy(arn);
      if (policy) out.push({ name: arn, document: policy.Document });
    }
    return out;
  }

  /** The user or role whose policies a caller has (an assumed role's are its role's); none for root or a service. */
  principalOf(caller: Caller): UserRecord | RoleRecord | undefined {
    if (caller.type === 'AssumedRole') {
      const issuer = caller.sessionIssuer;
      const m = PRINCIPAL_ARN.exec(issuer?.arn ?? '');
      const role = m && m[2] === 'role' ? this.sameArn(this.role(m[1]!, m[4]!), issuer!.arn) : undefined;
      // A role deleted and made again under the same name is another role (another id): the old sessions get nothing from it.
      return role && role.RoleId === issuer!.principalId ? role : undefined;
    }
    if (caller.type !== undefined && caller.type !== 'IAMUser') return undefined;
    const m = PRINCIPAL_ARN.exec(caller.arn);
    return m && m[2] === 'user' ? this.sameArn(this.user(m[1]!, m[4]!), caller.arn) : undefined;
  }

  private sameArn<T extends { Arn: string }>(record: T | undefined, arn: string): T | undefined {
    return record && record.Arn === arn ? record : undefined;
  }

  /**
   * Whether a principal a policy names exists. An account (its root, or its bare id) always does,
   * as AWS accepts any account id; a user or role must exist; an assumed-role session's role must.
   */
  principalExists(arn: string): boolean {
    if (ids.ACCOUNT_ID.test(arn) || ROOT_ARN.test(arn)) return true;
    const m = PRINCIPAL_ARN.exec(arn);
    if (m) return (m[2] === 'user' ? this.sameArn(this.user(m[1]!, m[4]!), arn) : this.sameArn(this.role(m[1]!, m[4]!), arn)) !== undefined;
    const assumed = ASSUMED_ROLE_ARN.exec(arn);
    return assumed !== null && this.role(assumed[1]!, assumed[2]!) !== undefined;
  }
}

/** An account's root user (CloudTrail's type Root, or its ARN arn:aws:iam::<account>:root). */
export const isRootCaller = (caller: Caller) => caller.type === 'Root' || caller.arn.endsWith(':root');

export function userCaller(user: UserRecord, region: string, accessKeyId: string): Caller {
  return {
    type: 'IAMUser',
    principalId: user.UserId,
    accountId: user.AccountId,
    region,
    accessKeyId,
    userName: user.UserName,
    arn: user.Arn,
  };
}

/** An assumed role's caller. userName is the role's name (CloudTrail's sessionIssuer.userName); aws:username does not apply to it. */
export function sessionCaller(session: Session, region: string): Caller {
  return {
    type: 'AssumedRole',
    principalId: `${session.roleId}:${session.sessionName}`,
    sessionIssuer: { arn: session.roleArn, userName: session.roleName, principalId: session.roleId, accountId: session.accountId },
    sessionCreatedAt: session.createdAt,
    accountId: session.accountId,
    region,
    accessKeyId: session.accessKeyId,
    userName: session.roleName,
    arn: assumedRoleArn(session.accountId, session.roleName, session.sessionName),
  };
}
