// The IAM directory's rules, called directly on an Iam over an in-memory store (issue 16):
// accounts and their quota, users, access keys, roles and their quotas, managed policies by
// ARN, STS sessions, the credentials and callers an access key id gives, the policies in
// force for a caller, and which principals a policy may name. Every change is saved at once:
// a second Iam opened on the same store sees it.
import { afterEach, describe, expect, test } from 'vitest';
import { makeCaller } from '../../src/engine/caller.js';
import { fixedClock } from '../../src/engine/clock.js';
import { AwsError } from '../../src/engine/errors.js';
import { DEFAULT_LEARNER, Iam, isRootCaller, LIMITS, sessionCaller, userCaller } from '../../src/engine/iam/directory.js';
import { openStore, type Store } from '../../src/engine/store.js';
import { MAX_SESSIONS } from '../../src/engine/sts/sessions.js';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const ADMIN = 'arn:aws:iam::aws:policy/AdministratorAccess';
const START = new Date('2026-03-04T05:06:07Z');

const savedLimits = { ...LIMITS };
afterEach(() => Object.assign(LIMITS, savedLimits));

function fresh(store: Store = openStore(null)) {
  const clock = fixedClock(START);
  return { store, clock, iam: new Iam(store, clock) };
}
/** What a restarted engine would see: a new directory over the same store. */
const reopened = (store: Store) => new Iam(store, fixedClock(START));

function refusal(f: () => unknown): AwsError {
  try {
    f();
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
  throw new Error('expected an AwsError');
}

const role = (iam: Iam, name: string, extra: { Path?: string; Description?: string; Tags?: { Key: string; Value: string }[] } = {}, account = ACCOUNT) =>
  iam.createRole(account, { RoleName: name, Path: extra.Path ?? '/', AssumeRolePolicyDocument: '{"trust":1}', MaxSessionDuration: 7200, ...extra });

describe('accounts', () => {
  test('an account is made the first time it is named, with its default learner an administrator, and saved', () => {
    const { store, iam } = fresh();
    expect(iam.account(OTHER)).toBeUndefined();
    const made = iam.ensureAccount(OTHER);
    expect(made).toEqual({ AccountId: OTHER, CreateDate: START.getTime() });
    expect(iam.ensureAccount(OTHER)).toBe(made);
    const learner = iam.user(OTHER, DEFAULT_LEARNER)!;
    expect(learner).toMatchObject({ AccountId: OTHER, UserName: DEFAULT_LEARNER, Path: '/', Arn: `arn:aws:iam::${OTHER}:user/workshop-learner`, AttachedPolicies: [ADMIN] });
    expect('Tags' in learner).toBe(false);
    const again = reopened(store);
    expect(again.account(OTHER)).toEqual(made);
    expect(again.user(OTHER, DEFAULT_LEARNER)!.AttachedPolicies).toEqual([ADMIN]);
  });

  test('an account id that is not 12 digits is refused, naming it', () => {
    const { iam } = fresh();
    for (const bad of ['12345', '1111222233334', 'abcdefghijkl', ' 111122223333'])
      expect(() => iam.ensureAccount(bad)).toThrow(new RangeError(`an account id is 12 digits, not ${JSON.stringify(bad)}`));
    expect(iam.state.accounts.size).toBe(0);
  });

  test('past the engine\'s quota of accounts, a new one is LimitExceeded; a known one is still given', () => {
    const { iam } = fresh();
    iam.ensureAccount(ACCOUNT);
    LIMITS.accounts = 1;
    const err = refusal(() => iam.ensureAccount(OTHER));
    expect([err.code, err.status, err.message]).toEqual(['LimitExceeded', 409, 'Cannot exceed quota for accounts in this engine: 1']);
    expect(iam.account(OTHER)).toBeUndefined();
    expect(iam.ensureAccount(ACCOUNT).AccountId).toBe(ACCOUNT);
  });

  test('a learner account is new, its learner an administrator whose key the directory knows with its secret', () => {
    const { store, iam } = fresh();
    const a = iam.createLearnerAccount();
    const b = iam.createLearnerAccount();
    expect(a.accountId).not.toBe(b.accountId);
    expect(a.userName).toBe(DEFAULT_LEARNER);
    const creds = iam.credentials(a.accessKeyId)!;
    expect(creds).toMatchObject({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey, status: 'Active' });
    expect(creds.caller('eu-west-1')).toMatchObject({ accountId: a.accountId, userName: DEFAULT_LEARNER, region: 'eu-west-1', accessKeyId: a.accessKeyId });
    // After a restart the secret is unwrapped from what was stored.
    expect(reopened(store).credentials(a.accessKeyId)!.secretAccessKey).toBe(a.secretAccessKey);
  });
});

describe('users and access keys', () => {
  test('a user\'s record: its id, ARN under its path, creation time, tags only when given; saved at once', () => {
    const { store, iam } = fresh();
    const plain = iam.createUser(ACCOUNT, 'alice');
    expect(plain).toEqual({ AccountId: ACCOUNT, UserName: 'alice', UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/), Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:user/alice`, CreateDate: START.getTime(), InlinePolicies: {}, AttachedPolicies: [] });
    expect('Tags' in plain).toBe(false);
    const tagged = iam.createUser(ACCOUNT, 'bob', '/team/x/', [{ Key: 'k', Value: 'v' }]);
    expect(tagged).toMatchObject({ Path: '/team/x/', Arn: `arn:aws:iam::${ACCOUNT}:user/team/x/bob`, Tags: [{ Key: 'k', Value: 'v' }] });
    expect(reopened(store).user(ACCOUNT, 'BOB')).toEqual(tagged);
  });

  test('a name taken in any case is EntityAlreadyExists; a missing user NoSuchEntity; both in IAM\'s words', () => {
    const { iam } = fresh();
    iam.createUser(ACCOUNT, 'Alice');
    const taken = refusal(() => iam.createUser(ACCOUNT, 'aLICE'));
    expect([taken.code, taken.status, taken.message]).toEqual(['EntityAlreadyExists', 409, 'User with name aLICE already exists.']);
    expect(iam.requireUser(ACCOUNT, 'alice').UserName).toBe('Alice');
    const missing = refusal(() => iam.requireUser(ACCOUNT, 'nobody'));
    expect([missing.code, missing.status, missing.message]).toEqual(['NoSuchEntity', 404, 'The user with name nobody cannot be found.']);
    // The same name in another account is another user.
    expect(iam.createUser(OTHER, 'alice').AccountId).toBe(OTHER);
  });

  test('the users quota counts the account\'s own users only', () => {
    const { iam } = fresh();
    iam.ensureAccount(ACCOUNT);
    iam.ensureAccount(OTHER);
    LIMITS.usersPerAccount = 2; // the default learner is one
    iam.createUser(ACCOUNT, 'one');
    const err = refusal(() => iam.createUser(ACCOUNT, 'two'));
    expect([err.code, err.status, err.message]).toEqual(['LimitExceeded', 409, 'Cannot exceed quota for UsersPerAccount: 2']);
    expect(iam.createUser(OTHER, 'two').UserName).toBe('two');
    expect(iam.usersOf(ACCOUNT).map((u) => u.UserName).sort()).toEqual(['one', DEFAULT_LEARNER]);
  });

  test('DeleteUser\'s removal is saved', () => {
    const { store, iam } = fresh();
    iam.createUser(ACCOUNT, 'gone');
    iam.deleteUser(iam.user(ACCOUNT, 'gone')!);
    expect(iam.user(ACCOUNT, 'gone')).toBeUndefined();
    expect(reopened(store).user(ACCOUNT, 'gone')).toBeUndefined();
  });

  test('an access key: Active, of its user, its secret wrapped; two a user, counted per user and account', () => {
    const { store, iam } = fresh();
    const alice = iam.createUser(ACCOUNT, 'alice');
    const otherAlice = iam.createUser(OTHER, 'alice');
    const { key, secretAccessKey } = iam.createAccessKey(alice);
    expect(key).toEqual({ AccessKeyId: expect.stringMatching(/^AKIA[A-Z2-7]{16}$/), AccountId: ACCOUNT, UserName: 'alice', WrappedSecret: expect.any(String), Status: 'Active', CreateDate: START.getTime() });
    expect(secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(Buffer.from(key.WrappedSecret, 'base64').includes(Buffer.from(secretAccessKey))).toBe(false);
    expect(store.unwrap(Buffer.from(key.WrappedSecret, 'base64')).toString('utf8')).toBe(secretAccessKey);
    iam.createAccessKey(otherAlice);
    iam.createAccessKey(otherAlice);
    const bob = iam.createUser(ACCOUNT, 'bob');
    iam.createAccessKey(bob);
    expect(iam.accessKeysOf(alice).map((k) => k.AccessKeyId)).toEqual([key.AccessKeyId]);
    const second = iam.createAccessKey(alice).key;
    const err = refusal(() => iam.createAccessKey(alice));
    expect([err.code, err.status, err.message]).toEqual(['LimitExceeded', 409, 'Cannot exceed quota for AccessKeysPerUser: 2']);
    expect(reopened(store).credentials(second.AccessKeyId)?.secretAccessKey).toBeDefined();
  });

  test('a deleted access key is forgotten, in memory and once restarted', () => {
    const { store, iam } = fresh();
    const { key } = iam.createAccessKey(iam.createUser(ACCOUNT, 'alice'));
    iam.deleteAccessKey(key);
    expect(iam.credentials(key.AccessKeyId)).toBeUndefined();
    expect(reopened(store).credentials(key.AccessKeyId)).toBeUndefined();
  });

  test('an access key whose user is gone gives no credentials; its status is the key\'s', () => {
    const { iam } = fresh();
    const alice = iam.createUser(ACCOUNT, 'alice');
    const { key } = iam.createAccessKey(alice);
    iam.state.keys.get(key.AccessKeyId)!.Status = 'Inactive';
    expect(iam.credentials(key.AccessKeyId)!.status).toBe('Inactive');
    iam.deleteUser(alice);
    expect(iam.credentials(key.AccessKeyId)).toBeUndefined();
  });
});

describe('roles', () => {
  test('a role\'s record: its id, ARN under its path, trust policy, duration; Description and Tags only when given; saved', () => {
    const { store, iam } = fresh();
    const plain = role(iam, 'worker');
    expect(plain).toEqual({
      AccountId: ACCOUNT, RoleName: 'worker', RoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}$/), Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:role/worker`,
      CreateDate: START.getTime(), AssumeRolePolicyDocument: '{"trust":1}', MaxSessionDuration: 7200, InlinePolicies: {}, AttachedPolicies: [],
    });
    expect(Object.keys(plain)).not.toContain('Description');
    expect(Object.keys(role(iam, 'untagged', { Tags: [] }))).not.toContain('Tags');
    const full = role(iam, 'auditor', { Path: '/ops/', Description: '', Tags: [{ Key: 'a', Value: 'b' }] });
    expect(full).toMatchObject({ Arn: `arn:aws:iam::${ACCOUNT}:role/ops/auditor`, Description: '', Tags: [{ Key: 'a', Value: 'b' }] });
    expect(reopened(store).role(ACCOUNT, 'AUDITOR')).toEqual(full);
    expect(iam.account(ACCOUNT)).toBeDefined(); // the account came with it
  });

  test('a role name taken in any case, a missing role and the roles quota are refused in IAM\'s words', () => {
    const { iam } = fresh();
    role(iam, 'Worker');
    const taken = refusal(() => role(iam, 'worker'));
    expect([taken.code, taken.status, taken.message]).toEqual(['EntityAlreadyExists', 409, 'Role with name worker already exists.']);
    const missing = refusal(() => iam.requireRole(ACCOUNT, 'nobody'));
    expect([missing.code, missing.status, missing.message]).toEqual(['NoSuchEntity', 404, 'The role with name nobody cannot be found.']);
    expect(iam.requireRole(ACCOUNT, 'WORKER').RoleName).toBe('Worker');
    LIMITS.rolesPerAccount = 1;
    const limit = refusal(() => role(iam, 'second'));
    expect([limit.code, limit.status, limit.message]).toEqual(['LimitExceeded', 409, 'Cannot exceed quota for RolesPerAccount: 1']);
    expect(role(iam, 'second', {}, OTHER).AccountId).toBe(OTHER);
    expect(iam.rolesOf(ACCOUNT).map((r) => r.RoleName)).toEqual(['Worker']);
  });

  test('DeleteRole\'s removal is saved', () => {
    const { store, iam } = fresh();
    iam.deleteRole(role(iam, 'gone'));
    expect(iam.role(ACCOUNT, 'gone')).toBeUndefined();
    expect(reopened(store).role(ACCOUNT, 'gone')).toBeUndefined();
  });
});

describe('managed policies', () => {
  const policy = (iam: Iam, account: string, name: string, path = '/') => {
    const arn = `arn:aws:iam::${account}:policy${path}${name}`;
    iam.state.policies.set(`${account}/${name.toLowerCase()}`, {
      AccountId: account, PolicyName: name, PolicyId: 'ANPAEXAMPLE', Arn: arn, Path: path, CreateDate: 0, UpdateDate: 0, DefaultVersionId: 'v1', Document: '{}',
    });
    return arn;
  };

  test('by ARN: AWS managed ones in every account, an account\'s own only under its exact ARN', () => {
    const { iam } = fresh();
    expect(iam.managedPolicy(ADMIN)!.PolicyName).toBe('AdministratorAccess');
    const mine = policy(iam, ACCOUNT, 'Mine', '/team/');
    expect(iam.managedPolicy(mine)!.PolicyName).toBe('Mine');
    expect(iam.managedPolicy(`arn:aws:iam::${ACCOUNT}:policy/Mine`)).toBeUndefined(); // another path
    expect(iam.managedPolicy(`arn:aws:iam::${OTHER}:policy/team/Mine`)).toBeUndefined(); // another account
    expect(iam.managedPolicy(`arn:aws:iam::${ACCOUNT}:policy/team/Nope`)).toBeUndefined();
    for (const bad of ['Mine', `arn:aws:iam::${ACCOUNT}:user/team/Mine`, `xarn:aws:iam::${ACCOUNT}:policy/team/Mine`, `arn:aws:iam::${ACCOUNT}:policy/team/Mine/`])
      expect(iam.managedPolicy(bad), bad).toBeUndefined();
    policy(iam, OTHER, 'Theirs');
    expect(iam.policiesOf(ACCOUNT).map((p) => p.PolicyName)).toEqual(['Mine']);
  });

  test('attachments: the users and roles a policy is attached to, in one account or in all', () => {
    const { iam } = fresh();
    const arn = policy(iam, ACCOUNT, 'Shared');
    iam.createUser(ACCOUNT, 'alice').AttachedPolicies.push(arn);
    iam.createUser(ACCOUNT, 'bob');
    iam.createUser(OTHER, 'carol').AttachedPolicies.push(arn);
    role(iam, 'worker').AttachedPolicies.push(arn);
    role(iam, 'idle');
    const names = (a: ReturnType<Iam['attachmentsOf']>) => ({ users: a.users.map((u) => u.UserName), roles: a.roles.map((r) => r.RoleName) });
    expect(names(iam.attachmentsOf(arn, ACCOUNT))).toEqual({ users: ['alice'], roles: ['worker'] });
    expect(names(iam.attachmentsOf(arn, OTHER))).toEqual({ users: ['carol'], roles: [] });
    expect(names(iam.attachmentsOf(arn))).toEqual({ users: ['alice', 'carol'], roles: ['worker'] });
  });

  test('the policies in force: inline ones by name, then attached ones by ARN (one gone is skipped); none for an unknown principal', () => {
    const { iam } = fresh();
    const arn = policy(iam, ACCOUNT, 'Mine');
    const alice = iam.createUser(ACCOUNT, 'alice');
    alice.InlinePolicies['b'] = '{"b":1}';
    alice.InlinePolicies['a'] = '{"a":1}';
    alice.AttachedPolicies.push(arn, `arn:aws:iam::${ACCOUNT}:policy/Deleted`, ADMIN);
    const asAlice = userCaller(alice, 'us-east-1', 'AKIA');
    expect(iam.identityPolicies(asAlice)).toEqual([
      { name: 'b', document: '{"b":1}' }, { name: 'a', document: '{"a":1}' }, { name: arn, document: '{}' }, { name: ADMIN, document: iam.managedPolicy(ADMIN)!.Document },
    ]);
    expect(iam.identityPolicies(makeCaller({ userName: 'ghost' }))).toEqual([]);
  });
});

describe('STS sessions and callers', () => {
  test('a session: ASIA id, secret and token, expiry after its duration; saved wrapped, and known again after a restart', () => {
    const { store, iam } = fresh();
    const worker = role(iam, 'worker');
    const s = iam.issueSession(worker, 'job', 900, `arn:aws:iam::${ACCOUNT}:user/alice`);
    expect(s).toEqual({
      accessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/), secretAccessKey: expect.stringMatching(/^[A-Za-z0-9+/]{40}$/), sessionToken: expect.stringMatching(/^IQoJb3JpZ2luX2VjE/),
      expiresAt: START.getTime() + 900_000, createdAt: START.getTime(), accountId: ACCOUNT, roleName: 'worker', roleId: worker.RoleId, roleArn: worker.Arn, sessionName: 'job',
      assumedBy: `arn:aws:iam::${ACCOUNT}:user/alice`,
    });
    const stored = iam.state.sessions.get(s.accessKeyId)!;
    expect(JSON.stringify(stored)).not.toContain(s.secretAccessKey);
    expect(JSON.stringify(stored)).not.toContain(s.sessionToken);
    const creds = reopened(store).credentials(s.accessKeyId)!;
    expect(creds).toMatchObject({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiresAt: s.expiresAt, status: 'Active' });
    expect(creds.caller('eu-west-1')).toEqual(sessionCaller(s, 'eu-west-1'));
    expect(reopened(store).sessions.get(s.accessKeyId)).toEqual(s);
  });

  test('restored past the bound, the sessions that expire first go first, from the store too', () => {
    const store = openStore(null);
    const base = START.getTime();
    const wrapped = (text: string) => store.wrap(Buffer.from(text)).toString('base64');
    const record = (i: number, expiresAt: number) => ({
      AccessKeyId: `ASIA${String(i).padStart(16, '0')}`, WrappedSecret: wrapped(`secret${i}`), WrappedToken: wrapped(`token${i}`), ExpiresAt: expiresAt, CreatedAt: base,
      AccountId: ACCOUNT, RoleName: 'r', RoleId: 'AROAEXAMPLE', RoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, SessionName: `s${i}`, AssumedBy: 'x',
    });
    // Stored in no particular order: the one that expires first is stored last, and all are still live.
    const sessions = Array.from({ length: MAX_SESSIONS }, (_, i) => record(i + 1, base + 3_600_000 + i));
    sessions.push(record(0, base + 60_000));
    store.writeFile('iam.json', Buffer.from(JSON.stringify({ accounts: [], users: [], roles: [], keys: [], policies: [], sessions })));
    const iam = reopened(store);
    expect(iam.sessions.size).toBe(MAX_SESSIONS);
    expect(iam.credentials(sessions.at(-1)!.AccessKeyId)).toBeUndefined();
    expect(iam.credentials(sessions[0]!.AccessKeyId)!.secretAccessKey).toBe('secret1');
    expect(iam.state.sessions.has(sessions.at(-1)!.AccessKeyId)).toBe(false);
    expect(reopened(store).state.sessions.size).toBe(MAX_SESSIONS);
  });

  test('a user\'s caller and a session\'s caller, as CloudTrail and the policies see them', () => {
    const { iam } = fresh();
    const alice = iam.createUser(ACCOUNT, 'alice', '/t/');
    expect(userCaller(alice, 'eu-west-1', 'AKIAX')).toEqual({ type: 'IAMUser', principalId: alice.UserId, accountId: ACCOUNT, region: 'eu-west-1', accessKeyId: 'AKIAX', userName: 'alice', arn: alice.Arn });
    const worker = role(iam, 'worker');
    const s = iam.issueSession(worker, 'job', 900, alice.Arn);
    expect(sessionCaller(s, 'eu-west-1')).toEqual({
      type: 'AssumedRole', principalId: `${worker.RoleId}:job`,
      sessionIssuer: { arn: worker.Arn, userName: 'worker', principalId: worker.RoleId, accountId: ACCOUNT },
      sessionCreatedAt: START.getTime(), accountId: ACCOUNT, region: 'eu-west-1', accessKeyId: s.accessKeyId, userName: 'worker',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/worker/job`,
    });
    const viaKey = iam.createAccessKey(alice).key.AccessKeyId;
    expect(iam.credentials(viaKey)!.caller('ap-south-1')).toEqual(userCaller(alice, 'ap-south-1', viaKey));
  });

  test('the default learner acts with an empty access key id, and comes back (an administrator, saved) if deleted', () => {
    const { store, iam } = fresh();
    const first = iam.defaultLearner(OTHER, 'eu-west-1');
    expect(first).toMatchObject({ type: 'IAMUser', accountId: OTHER, region: 'eu-west-1', accessKeyId: '', userName: DEFAULT_LEARNER });
    iam.deleteUser(iam.user(OTHER, DEFAULT_LEARNER)!);
    const back = iam.defaultLearner(OTHER, 'us-east-1');
    expect(back.principalId).not.toBe(first.principalId);
    expect(iam.identityPolicies(back).map((p) => p.name)).toEqual([ADMIN]);
    expect(reopened(store).user(OTHER, DEFAULT_LEARNER)!.UserId).toBe(back.principalId);
  });
});

describe('whose policies a caller has', () => {
  test('a user by its ARN (path included), whether or not the caller says IAMUser; never a role, the root or a service', () => {
    const { iam } = fresh();
    const alice = iam.createUser(ACCOUNT, 'alice', '/t/');
    role(iam, 'alice');
    expect(iam.principalOf(makeCaller({ arn: alice.Arn }))).toBe(iam.user(ACCOUNT, 'alice'));
    expect(iam.principalOf(makeCaller({ type: 'IAMUser', arn: alice.Arn }))).toBe(iam.user(ACCOUNT, 'alice'));
    expect(iam.principalOf(makeCaller({ arn: `arn:aws:iam::${ACCOUNT}:user/alice` }))).toBeUndefined(); // another path
    expect(iam.principalOf(makeCaller({ arn: `arn:aws:iam::${ACCOUNT}:role/alice` }))).toBeUndefined();
    expect(iam.principalOf(makeCaller({ type: 'Root', arn: alice.Arn }))).toBeUndefined();
    expect(iam.principalOf(makeCaller({ type: 'AWSService', arn: alice.Arn }))).toBeUndefined();
    expect(iam.principalOf(makeCaller({ arn: `arn:aws:iam::${ACCOUNT}:root` }))).toBeUndefined();
  });

  test('an assumed role\'s are its role\'s, while that role (same id) exists', () => {
    const { iam } = fresh();
    const worker = role(iam, 'worker', { Path: '/svc/' });
    const asWorker = sessionCaller(iam.issueSession(worker, 'job', 900, 'x'), 'us-east-1');
    expect(iam.principalOf(asWorker)).toBe(iam.role(ACCOUNT, 'worker'));
    expect(iam.principalOf({ ...asWorker, sessionIssuer: undefined })).toBeUndefined();
    expect(iam.principalOf({ ...asWorker, sessionIssuer: { ...asWorker.sessionIssuer!, arn: `arn:aws:iam::${ACCOUNT}:role/worker` } })).toBeUndefined();
    const alice = iam.createUser(ACCOUNT, 'alice');
    expect(iam.principalOf({ ...asWorker, sessionIssuer: { ...asWorker.sessionIssuer!, arn: alice.Arn, principalId: alice.UserId } })).toBeUndefined();
    iam.deleteRole(worker);
    role(iam, 'worker', { Path: '/svc/' });
    expect(iam.principalOf(asWorker)).toBeUndefined();
  });

  test('a principal a policy names exists: any account or its root; a user or role under its exact ARN; an assumed role of a role that exists', () => {
    const { iam } = fresh();
    const alice = iam.createUser(ACCOUNT, 'alice', '/t/');
    const worker = role(iam, 'worker');
    const yes = ['999988887777', 'arn:aws:iam::999988887777:root', alice.Arn, worker.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/worker/any-session`];
    const no = [
      '99998888777', 'arn:aws:iam::999988887777:root/x', `arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:role/alice`, `arn:aws:iam::${ACCOUNT}:user/worker`,
      `arn:aws:iam::${ACCOUNT}:role/t/worker`, `arn:aws:sts::${ACCOUNT}:assumed-role/nobody/s`, `arn:aws:sts::${OTHER}:assumed-role/worker/s`, '*', '',
    ];
    for (const arn of yes) expect(iam.principalExists(arn), arn).toBe(true);
    for (const arn of no) expect(iam.principalExists(arn), arn).toBe(false);
  });

  test('a root caller is one of type Root or whose ARN is an account\'s root', () => {
    expect(isRootCaller(makeCaller({ type: 'Root', arn: 'arn:aws:iam::111122223333:user/x' }))).toBe(true);
    expect(isRootCaller(makeCaller({ arn: 'arn:aws:iam::111122223333:root' }))).toBe(true);
    expect(isRootCaller(makeCaller({ type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/root' }))).toBe(false);
  });
});
