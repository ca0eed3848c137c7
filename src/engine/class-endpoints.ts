// A class engine's own endpoints under /_class/ (class-protocol.ts has the paths and shapes):
// what a learner's program asks for its own account (its clock, a request quota, its trail as
// it is made, its progress reported) and what the instructor's view asks of the room.
//
// Authenticated as every request is (front-door.ts), then: only a class member's account may
// ask (the roster's: class.ts), signed for the service CLASS_SIGNING_SERVICE; the room and the
// calls only the instructor's. A request acts on the caller's account, named by the signature,
// never by the body. Every refusal is JSON {message} with a 4xx; bodies and replies bounded.
import type { Caller } from './caller.js';
import { namedCredential } from './auth/sigv4.js';
import { classRoomOf, INSTRUCTOR_PROFILE, learnerProfile, readRoster, type Roster } from './class.js';
import { CLASS_PATHS, CLASS_SIGNING_SERVICE, type ClassEvents, type ClassStatus, type RoomCalls } from './class-protocol.js';
import { servedLessonPack } from './class-lessons.js';
import { validProgress } from './class-room.js';
import { ClockRangeError } from './clock.js';
import type { Engine } from './engine.js';
import { isAwsError, type AwsError } from './errors.js';
import { isQuotaFigure, MAX_QUOTA_PER_SECOND, MIN_QUOTA_PER_SECOND, quotaOfOperation } from './kms/quotas.js';
import { jsonDepth, MAX_JSON_DEPTH } from './validate.js';
import type { EngineRequest, EngineResponse } from './wire.js';

/** The largest body a class endpoint takes (progress is the largest: well under 2 KB). */
export const MAX_CLASS_BODY = 16 * 1024;
/** The longest a long poll (events, calls) is held. */
export const MAX_WAIT_SECONDS = 20;
/** Events or calls in one reply at most: ask again after `next` for the rest. */
export const MAX_PER_REPLY = 100;

export function classReply(status: number, body: unknown, requestId: string): EngineResponse {
  if (status === 204) return { status, headers: { 'x-amzn-requestid': requestId }, body: '' };
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

/** The body read whole, or undefined past MAX_CLASS_BODY (its signature covers it: read before authentication). */
export async function readClassBody(req: EngineRequest): Promise<Buffer | undefined> {
  if (req.body.length > 0 || !req.stream) return req.body.length > MAX_CLASS_BODY ? undefined : req.body;
  if (Number(req.headers['content-length']) > MAX_CLASS_BODY) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.stream) {
    size += chunk.length;
    if (size > MAX_CLASS_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A class member as a request names them: their account and profile. */
interface Member {
  accountId: string;
  profile: string;
  instructor: boolean;
}

function memberOf(roster: Roster, accountId: string): Member | undefined {
  if (roster.instructor.accountId === accountId) return { accountId, profile: INSTRUCTOR_PROFILE, instructor: true };
  const i = roster.learners.findIndex((m) => m.accountId === accountId);
  return i < 0 ? undefined : { accountId, profile: learnerProfile(i + 1), instructor: false };
}

class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

export async function handleClass(engine: Engine, req: EngineRequest, caller: Caller | AwsError, requestId: string): Promise<EngineResponse> {
  try {
    const member = classMember(engine, req, caller);
    return classReply(...(await route(engine, req, member)), requestId);
  } catch (e) {
    if (e instanceof Refusal) return classReply(e.status, { message: e.message }, requestId);
    throw e; // http.ts answers 500 and logs it: a bug, not bad input
  }
}

/** Who asks, if a member of this engine's class; else the Refusal that says why not. */
function classMember(engine: Engine, req: EngineRequest, caller: Caller | AwsError): Member {
  const roster = readRoster(engine.store);
  if (!roster) throw new Refusal(404, 'This engine serves no class: start it with `kms-workshop serve --learners N` to serve one.');
  if (isAwsError(caller))
    throw new Refusal(
      403,
      `The class engine answers only requests signed with a class member's access key (the profile the instructor handed out): ${caller.code}: ${caller.message}`,
    );
  const service = namedCredential(req)?.service;
  if (service !== CLASS_SIGNING_SERVICE) throw new Refusal(403, `A class request must be signed for the service '${CLASS_SIGNING_SERVICE}', not '${service ?? ''}'.`);
  const member = memberOf(roster, caller.accountId);
  if (!member) throw new Refusal(403, `Account ${caller.accountId} is not in this class: only the instructor's and the learners' profiles may use the class endpoints.`);
  return member;
}

type Reply = [status: number, body: unknown];

async function route(engine: Engine, req: EngineRequest, member: Member): Promise<Reply> {
  const path = req.path;
  const method = (expected: 'GET' | 'POST') => {
    if (req.method !== expected) throw new Refusal(405, `${path} takes ${expected}, not ${req.method.slice(0, 10)}.`);
  };
  const instructorOnly = () => {
    if (!member.instructor) throw new Refusal(403, `${path} is the instructor's alone: sign with the instructor profile.`);
  };
  switch (path) {
    case CLASS_PATHS.status:
      method('GET');
      return [200, status(engine, member)];
    case CLASS_PATHS.advanceClock: {
      method('POST');
      const seconds = jsonBody(req).seconds;
      if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) throw new Refusal(400, 'seconds must be a number >= 0 (how far to move your clock forward).');
      try {
        engine.advanceAccountClock(member.accountId, seconds);
      } catch (e) {
        if (e instanceof ClockRangeError) throw new Refusal(400, `seconds is too large: ${e.message} (at most ${Math.floor(engine.clock.secondsLeft(member.accountId))} now)`);
        throw e;
      }
      return [200, status(engine, member)];
    }
    case CLASS_PATHS.requestQuota: {
      method('POST');
      const body = jsonBody(req);
      const quota = typeof body.operation === 'string' ? quotaOfOperation(body.operation) : undefined;
      if (quota === undefined) throw new Refusal(400, 'operation must name a KMS operation that has a request quota (GenerateDataKey, CreateKey, ...).');
      const perSecond = body.perSecond;
      if (perSecond !== null && (typeof perSecond !== 'number' || !isQuotaFigure(perSecond)))
        throw new Refusal(400, `perSecond must be a number from ${MIN_QUOTA_PER_SECOND} to ${MAX_QUOTA_PER_SECOND}, or null for AWS's figure.`);
      engine.quotas.setQuota(quota, perSecond ?? undefined, member.accountId);
      const { name, operations, perSecond: figure, awsPerSecond } = engine.quotas.describe(quota, 'us-east-1', member.accountId);
      return [200, { name, operations, perSecond: figure, awsPerSecond }];
    }
    case CLASS_PATHS.events: {
      method('GET');
      const { after, waitMs } = pollParameters(req);
      const room = classRoomOf(engine);
      if (!(await room.waitFor(member.accountId, after, waitMs))) throw new Refusal(429, 'Too many requests are waiting for events: try again in a moment.');
      const reply: ClassEvents = room.events(member.accountId, after, MAX_PER_REPLY);
      return [200, reply];
    }
    case CLASS_PATHS.progress: {
      method('POST');
      const progress = validProgress(jsonBody(req));
      if (typeof progress === 'string') throw new Refusal(400, progress);
      classRoomOf(engine).progress(member.accountId, progress);
      return [204, undefined];
    }
    case CLASS_PATHS.room:
      method('GET');
      instructorOnly();
      return [200, classRoomOf(engine).view()];
    case CLASS_PATHS.calls: {
      method('GET');
      instructorOnly();
      const learner = learnerAccount(readRoster(engine.store)!, req.query.get('learner'));
      const { after, waitMs } = pollParameters(req);
      const room = classRoomOf(engine);
      if (!(await room.waitFor(learner, after, waitMs))) throw new Refusal(429, 'Too many requests are waiting for calls: try again in a moment.');
      const reply: RoomCalls = room.calls(learner, after, MAX_PER_REPLY);
      return [200, reply];
    }
    case CLASS_PATHS.lessons: {
      method('GET');
      const pack = servedLessonPack(engine);
      if (pack === undefined) throw new Refusal(404, 'This class engine serves no lessons of its own (the instructor gives them with `kms-workshop serve --learners N --lessons DIR`).');
      return [200, pack];
    }
    default:
      throw new Refusal(404, `No class endpoint ${path.slice(0, 100)}: the class engine serves ${Object.values(CLASS_PATHS).join(', ')}.`);
  }
}

function status(engine: Engine, member: Member): ClassStatus {
  const { accountId } = member;
  return {
    accountId,
    profile: member.profile,
    now: new Date(engine.clock.nowFor(accountId)).toISOString(),
    aheadSeconds: engine.clock.accountAheadSeconds(accountId),
    cloudTrailDelaySeconds: engine.trail.delaySeconds,
    secondsUntilAllDelivered: engine.trail.secondsUntilAccountDelivered(accountId),
  };
}

/** The request's JSON object body ({} for none). */
function jsonBody(req: EngineRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  const text = req.body.toString('utf8');
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw new Refusal(400, `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Refusal(400, 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** after (a seq, default 0) and waitSeconds (default 0, at most MAX_WAIT_SECONDS) of a long poll. */
function pollParameters(req: EngineRequest): { after: number; waitMs: number } {
  const number = (name: string): number => {
    const text = req.query.get(name);
    if (text === null || text === '') return 0;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Refusal(400, `${name} must be a number >= 0, not ${JSON.stringify(text.slice(0, 40))}.`);
    return value;
  };
  const after = number('after');
  if (!Number.isSafeInteger(after)) throw new Refusal(400, 'after must be a whole number: the `next` of the previous reply.');
  return { after, waitMs: Math.min(number('waitSeconds'), MAX_WAIT_SECONDS) * 1000 };
}

function learnerAccount(roster: Roster, profile: string | null): string {
  const m = profile === null ? null : /^learner([1-9]\d{0,3})$/.exec(profile);
  const member = m ? roster.learners[Number(m[1]) - 1] : undefined;
  if (!member) throw new Refusal(404, `learner must name a learner of this class, learner1 to learner${roster.learners.length}, not ${JSON.stringify((profile ?? '').slice(0, 40))}.`);
  return member.accountId;
}
