// IAM's saved state (iam/model.ts, issue 16): each save appends one batch of exactly what
// changed, nothing when nothing did; every kind of record (account, user, role, access key,
// managed policy, STS session) comes back after a restart, from the journal and from the
// snapshot compaction writes, with the changes made after the snapshot replayed over it.
import { expect, test } from 'vitest';
import { fixedClock } from '../../src/engine/clock.js';
import { Iam } from '../../src/engine/iam/directory.js';
import { IamState, nameSlot, type PolicyRecord } from '../../src/engine/iam/model.js';
import { openStore, type Store } from '../../src/engine/store.js';

const ACCOUNT = '111122223333';
const clock = () => fixedClock(new Date('2026-01-01T00:00:00Z'));
const journalOf = (store: Store) => store.openJournal('iam.journal') as unknown as { lines: string[] };
const batches = (store: Store) => journalOf(store).lines.map((l) => JSON.parse(l) as { kind: string; slot: string; record?: unknown }[]);

function policyRecord(name: string): PolicyRecord {
  return { AccountId: ACCOUNT, PolicyName: name, PolicyId: 'ANPAEXAMPLE', Arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, Path: '/', CreateDate: 1, UpdateDate: 1, DefaultVersionId: 'v1', Document: '{}' };
}

/** One record of each kind, as the directory makes them. */
function everyKind(iam: Iam) {
  const user = iam.createUser(ACCOUNT, 'alice');
  const { key, secretAccessKey } = iam.createAccessKey(user);
  const role = iam.createRole(ACCOUNT, { RoleName: 'worker', Path: '/', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 3600 });
  iam.state.policies.set(nameSlot(ACCOUNT, 'Mine'), policyRecord('Mine'));
  iam.state.save();
  const session = iam.issueSession(role, 'job', 3600, user.Arn);
  return { user, key, secretAccessKey, role, session };
}

function expectSameState(a: IamState, b: IamState) {
  for (const kind of ['accounts', 'users', 'roles', 'keys', 'policies', 'sessions'] as const)
    expect(new Map([...b[kind].entries()].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))])), kind).toEqual(new Map([...a[kind].entries()].map(([k, v]) => [k, JSON.parse(JSON.stringify(v))])));
}

test('a save appends one batch of exactly the records changed, a deletion without its record; no change, no batch', () => {
  const store = openStore(null);
  const iam = new Iam(store, clock());
  expect(journalOf(store).lines).toEqual([]); // opening an empty state writes nothing
  iam.createUser(ACCOUNT, 'alice');
  // The account was made on first use (with its default learner, one batch), then the user.
  expect(batches(store).map((b) => b.map((c) => `${c.kind} ${c.slot}`).sort())).toEqual([
    ['account 111122223333', 'user 111122223333/workshop-learner'],
    ['user 111122223333/alice'],
  ]);
  iam.state.save();
  expect(batches(store).length).toBe(2);
  iam.user(ACCOUNT, 'alice')!.InlinePolicies['p'] = '{}';
  iam.state.save();
  expect(batches(store)[2]).toEqual([{ kind: 'user', slot: nameSlot(ACCOUNT, 'alice'), record: expect.objectContaining({ UserName: 'alice', InlinePolicies: { p: '{}' } }) }]);
  iam.deleteUser(iam.user(ACCOUNT, 'alice')!);
  expect(batches(store)[3]).toEqual([{ kind: 'user', slot: nameSlot(ACCOUNT, 'alice') }]);
  // Reopened, nothing loaded counts as changed: the next save writes only what changes then.
  const again = new Iam(store, clock());
  expect(batches(store).length).toBe(4);
  again.createUser(ACCOUNT, 'bob');
  expect(batches(store)[4]!.map((c) => c.slot)).toEqual([nameSlot(ACCOUNT, 'bob')]);
});

test('every kind of record comes back from the journal, deletions replayed', () => {
  const store = openStore(null);
  const iam = new Iam(store, clock());
  const { key, secretAccessKey, session } = everyKind(iam);
  const doomed = iam.createUser(ACCOUNT, 'doomed');
  iam.deleteUser(doomed);
  const again = new Iam(store, clock());
  expectSameState(iam.state, again.state);
  expect(again.state.policies.get(nameSlot(ACCOUNT, 'mine'))!.PolicyName).toBe('Mine');
  expect(again.user(ACCOUNT, 'doomed')).toBeUndefined();
  expect(again.credentials(key.AccessKeyId)!.secretAccessKey).toBe(secretAccessKey);
  expect(again.credentials(session.accessKeyId)!.sessionToken).toBe(session.sessionToken);
});

test('past the compaction threshold a snapshot holds every kind; changes after it are replayed over it', () => {
  const store = openStore(null);
  const iam = new Iam(store, clock());
  const { key, session } = everyKind(iam);
  // Large records reach the threshold (256 KiB of journal) in a few dozen changes.
  for (let i = 0; store.readFile('iam.json') === undefined; i++) {
    expect(i).toBeLessThan(100);
    iam.createUser(ACCOUNT, `filler${i}`).InlinePolicies['large'] = 'x'.repeat(10_000);
    iam.state.save();
  }
  const snapshot = JSON.parse(store.readFile('iam.json')!.toString('utf8')) as Record<string, unknown[]>;
  expect(Object.keys(snapshot).sort()).toEqual(['accounts', 'keys', 'policies', 'roles', 'sessions', 'users']);
  for (const kind of Object.keys(snapshot)) expect(snapshot[kind]!.length, kind).toBeGreaterThan(0);
  expect(journalOf(store).lines).toEqual([]);
  // After the snapshot: a deletion, a change and an addition, journaled.
  iam.deleteUser(iam.user(ACCOUNT, 'filler0')!);
  iam.state.keys.get(key.AccessKeyId)!.Status = 'Inactive';
  iam.state.save();
  iam.createUser(ACCOUNT, 'late');
  const again = new Iam(store, clock());
  expectSameState(iam.state, again.state);
  expect(again.user(ACCOUNT, 'filler0')).toBeUndefined();
  expect(again.user(ACCOUNT, 'filler1')).toBeDefined();
  expect(again.credentials(key.AccessKeyId)!.status).toBe('Inactive');
  expect(again.credentials(session.accessKeyId)!.secretAccessKey).toBe(session.secretAccessKey);
});

test('a snapshot written before sessions were saved (no sessions member) still loads', () => {
  const store = openStore(null);
  store.writeFile('iam.json', Buffer.from(JSON.stringify({ accounts: [{ AccountId: ACCOUNT, CreateDate: 5 }], users: [], roles: [], keys: [], policies: [policyRecord('Old')] })));
  const state = new IamState(store);
  expect(state.accounts.get(ACCOUNT)).toEqual({ AccountId: ACCOUNT, CreateDate: 5 });
  expect(state.policies.get(nameSlot(ACCOUNT, 'old'))!.Arn).toBe(`arn:aws:iam::${ACCOUNT}:policy/Old`);
  expect(state.sessions.size).toBe(0);
});
