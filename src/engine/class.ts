// A class on one engine (`serve --learners N`): each learner, and the instructor, in an
// account of their own with an administrator (the account's default learner, iam/) and an
// access key. The roster (who is who, by account and access key id: no secret) is kept in
// the engine's store, so serving the same home again gives the same accounts and keys.
//
// Isolation is the accounts': KMS keys, aliases, S3 buckets and the trail belong to one
// account, as on AWS. The instructor's account plays an organization's management account
// with an organization trail: LookupEvents there shows every account's events
// (cloudtrail/index.ts asks seesEveryAccount).
//
// Time is per learner: each account has a clock of its own (clock.ts), the engine's clock plus
// the account's own fast-forwards. A learner who fast-forwards (POST /_class/advance-clock: for a
// CloudTrail wait, a year of automatic rotation, a deletion's waiting period) moves their own
// account's time only: their keys rotate, their material expires, their STS credentials and
// presigned URLs expire and their CloudTrail events are delivered on it; every other learner's
// keys, trail and clock are untouched. Request quotas are per account too, as on AWS: a learner
// who lowers one (POST /_class/request-quota) throttles only themselves. Both are in memory
// (the clock offsets persisted with the state, quotas back to AWS's figures on a restart).
// The instructor's organization view of every account's events reads them on the instructor's
// clock: an event of a learner who fast-forwarded shows there once the instructor's clock
// reaches its delivery time (the room's calls, class-room.ts, show every call as it is made).
import type { Caller } from './caller.js';
import { ClassRoom, type ClassMember, type Roster } from './class-room.js';
import type { Engine } from './engine.js';
import { DEFAULT_LEARNER, type Iam } from './iam/directory.js';
import type { Store } from './store.js';

/** How many learners one engine serves (each is an account with its keys, buckets and trail). */
export const MAX_LEARNERS = 200;
export const INSTRUCTOR_PROFILE = 'instructor';
export const learnerProfile = (n: number) => `learner${n}`;
export type { ClassMember, Roster } from './class-room.js';

/** A member's profile as the shared credentials file holds it. */
export interface ProfileCredentials extends ClassMember {
  profile: string;
  secretAccessKey: string;
}

const ROSTER_FILE = 'class/roster.json';
/** The roster read once per store (it changes only through setUpClass): LookupEvents asks on every call. */
const rosters = new WeakMap<Store, Roster | null>();

export function readRoster(store: Store): Roster | undefined {
  let roster = rosters.get(store);
  if (roster === undefined) {
    roster = validRoster(store.readJson<unknown>(ROSTER_FILE)) ?? null;
    rosters.set(store, roster);
  }
  return roster ?? undefined;
}

function validRoster(v: unknown): Roster | undefined {
  const member = (m: unknown): m is ClassMember =>
    m !== null && typeof m === 'object' && ['accountId', 'userName', 'accessKeyId'].every((k) => typeof (m as Record<string, unknown>)[k] === 'string');
  if (v === null || typeof v !== 'object') return undefined;
  const r = v as Partial<Roster>;
  return member(r.instructor) && Array.isArray(r.learners) && r.learners.every(member) ? (r as Roster) : undefined;
}

/** Whether a caller reads every account's trail: any principal of the class's instructor account. */
export function seesEveryAccount(store: Store, caller: Caller): boolean {
  const roster = readRoster(store);
  return roster !== undefined && caller.accountId === roster.instructor.accountId;
}

/**
 * The class of `learners` learners and its instructor: the roster's members re-used (a key
 * deleted since is replaced by a new one), new learners made for the rest. Returns the
 * profiles to hand out, instructor first, with their secrets.
 */
export function setUpClass(engine: Engine, learners: number): ProfileCredentials[] {
  if (!Number.isInteger(learners) || learners < 1 || learners > MAX_LEARNERS) throw new RangeError(`a class has 1 to ${MAX_LEARNERS} learners, not ${learners}`);
  classRoomOf(engine); // the room follows every call from now on
  const iam = engine.directory;
  const known = readRoster(engine.store);
  const roster: Roster = { instructor: known ? usable(iam, known.instructor) : newMember(iam), learners: [] };
  for (let i = 0; i < Math.max(learners, known?.learners.length ?? 0); i++) {
    const member = known?.learners[i];
    roster.learners.push(member ? (i < learners ? usable(iam, member) : member) : newMember(iam));
  }
  engine.store.writeJson(ROSTER_FILE, roster);
  rosters.set(engine.store, roster);
  const withSecret = (profile: string, m: ClassMember): ProfileCredentials => ({ profile, ...m, secretAccessKey: iam.credentials(m.accessKeyId)!.secretAccessKey });
  return [withSecret(INSTRUCTOR_PROFILE, roster.instructor), ...roster.learners.slice(0, learners).map((m, i) => withSecret(learnerProfile(i + 1), m))];
}

function newMember(iam: Iam): ClassMember {
  const { accountId, userName, accessKeyId } = iam.createLearnerAccount();
  return { accountId, userName, accessKeyId };
}

/**
 * A member as the roster has them, if their access key still works; otherwise (the learner
 * deleted or deactivated it, or their user) the account's default learner with a new key.
 */
function usable(iam: Iam, member: ClassMember): ClassMember {
  const issued = iam.credentials(member.accessKeyId);
  if (issued && issued.status === 'Active' && issued.caller('us-east-1').accountId === member.accountId) return member;
  iam.ensureAccount(member.accountId);
  iam.defaultLearner(member.accountId, 'us-east-1'); // made again if it was deleted
  const { key } = iam.createAccessKey(iam.user(member.accountId, DEFAULT_LEARNER)!);
  return { accountId: member.accountId, userName: DEFAULT_LEARNER, accessKeyId: key.AccessKeyId };
}

const rooms = new WeakMap<Engine, ClassRoom>();

/** The engine's room (class-room.ts), following the trail from the moment it is made: setUpClass makes it as the class is served. */
export function classRoomOf(engine: Engine): ClassRoom {
  let room = rooms.get(engine);
  if (!room) {
    const made = new ClassRoom(() => readRoster(engine.store));
    engine.trail.onRecord((event) => made.record(event));
    engine.closing(() => made.close());
    rooms.set(engine, (room = made));
  }
  return room;
}
