// Every call the engine serves becomes a CloudTrail event, in the shape AWS
// documents. Events are delivered `delaySeconds` after the call, on the engine
// clock, as CloudTrail delivers minutes after the fact.
//
// Kept as CloudTrail's event history is: 90 days on the engine clock, and at most
// `maxBytes` (the oldest segments go first). Events are appended to segments of at
// most `segmentBytes` and one day (segment-files.ts); only a compact index of each is in memory
// (segment-index.ts), so a lookup reads from disk just the events it returns, and a
// restart reads the saved indexes and the one segment still being appended to.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock } from '../clock.js';
import type { Store } from '../store.js';
import { apiCallEvent, clip, serviceEvent, type RecordInput, type ServiceEventInput, type TrailEvent } from './trail-events.js';
import { DiskSegmentFiles, MemorySegmentFiles, readLines, type SegmentFiles } from './segment-files.js';
import { matches, SegmentIndex, type AttributeKey } from './segment-index.js';

export type { RecordInput, ServiceEventInput, TrailEvent } from './trail-events.js';

/** One line of a segment. */
interface StoredEvent {
  deliverAt: number; // epoch ms on the engine clock
  event: TrailEvent;
}

export interface TrailLimits {
  /** Days of event history kept (CloudTrail keeps 90). */
  retentionDays: number;
  /** The most bytes of events kept; past it, the oldest segments are removed. */
  maxBytes: number;
  /** A segment is sealed, and a new one begun, past this size. */
  segmentBytes: number;
}

const MIB = 1024 * 1024;
export const DISK_LIMITS: TrailLimits = { retentionDays: 90, maxBytes: 1024 * MIB, segmentBytes: 16 * MIB };
/** Without a home the history is a ring in memory: smaller. */
export const MEMORY_LIMITS: TrailLimits = { retentionDays: 90, maxBytes: 160 * MIB, segmentBytes: 8 * MIB };
const DAY_MS = 24 * 60 * 60 * 1000;
/** A segment holds at most a day of events, so history past 90 days leaves the disk within a day. */
const SEGMENT_SPAN_MS = DAY_MS;

/**
 * CloudTrail's own limit on requestParameters and responseElements (100 KB): a larger one
 * is replaced by {omitted: true}, as CloudTrail truncates a field past its maximum size.
 */
export const MAX_FIELD_CHARS = 100 * 1024;

/**
 * The longest CloudTrail delivery delay the engine simulates. AWS says CloudTrail typically
 * delivers an event within about 5 minutes of the call (15 minutes in its older documents),
 * without a guarantee; an hour leaves room to show a slow delivery and no more.
 */
export const MAX_CLOUDTRAIL_DELAY_SECONDS = 3600;

/**
 * Recorded events no one is listening for are stored in batches, at most this long after the
 * first of them (segment-files.ts writes them within FLUSH_MS more): done one by one, just after
 * each reply, storing took the CPU the client was about to read its reply on. Readers store
 * first, so a lookup never misses a call.
 */
export const STORE_DELAY_MS = 50;
/** Past this many events waiting, they are stored at once: memory stays bounded whatever arrives. */
const MAX_UNSTORED = 256;

/**
 * Every trail with events waiting for their batch, stored when the process exits: before
 * segment-files.ts writes the lines waiting (its exit hook), so they go to disk with them.
 * An engine killed outright loses at most STORE_DELAY_MS + FLUSH_MS of its history.
 */
const waitingTrails = new Set<Trail>();
let exitHookSet = false;

/** The events before segments existed: one JSON file, read whole at start-up. Imported once. */
const LEGACY_FILE = 'cloudtrail/events.jsonl';

export interface TrailQuery {
  now: number;
  /** Inclusive bounds on the event time, epoch ms. */
  start: number;
  end: number;
  /** Only events older than this sequence number (the last one of the previous page). */
  before?: number;
  limit: number;
  attribute?: { key: AttributeKey; value: string };
  /** Only events delivered to this account (recipientAccountId); undefined: every account's (the class's instructor). */
  account?: string;
}

export class Trail {
  private readonly files: SegmentFiles;
  readonly limits: TrailLimits;
  /** Oldest first; new events go to the last one unless it is sealed. */
  private readonly segments: SegmentIndex[] = [];
  private lastSealed = false;
  private bytes = 0;
  private lastTime = -Infinity;
  /**
   * Per account, since the engine started: its latest event time and delivery (a class's
   * learners each have their own clock, clock.ts: one's events must not date another's).
   */
  private readonly accounts = new Map<string, { lastTime: number; deliverAt: number }>();
  private readonly listeners = new Set<(event: TrailEvent) => void>();
  /**
   * Recorded but not yet stored: stored (serialized, indexed, heard by the listeners) after the
   * reply is written, so storing an event does not delay the call it records: just after it
   * when someone listens (the screen's call log), else in a batch STORE_DELAY_MS later.
   * Anything that reads the trail stores them first (storeRecorded).
   */
  private unstored: { build: () => TrailEvent; deliverAt: number; time: number; pruneAt: number }[] = [];
  private storeTimer: NodeJS.Timeout | undefined;
  private storeFailed = false;

  constructor(
    store: Store,
    private readonly clock: Clock,
    public delaySeconds = 0,
    limits: Partial<TrailLimits> = {},
  ) {
    this.limits = { ...(store.dir === null ? MEMORY_LIMITS : DISK_LIMITS), ...limits };
    this.files = store.dir === null ? new MemorySegmentFiles() : new DiskSegmentFiles(path.join(store.dir, 'cloudtrail', 'segments'));
    if (store.dir !== null && fs.existsSync(path.join(store.dir, LEGACY_FILE))) this.importLegacy(store, path.join(store.dir, LEGACY_FILE));
    else this.load();
    this.prune(this.sharedNow());
  }

  /** The time every account shares, which history is kept by: a learner's fast-forward by a year must not age the others' events out. */
  private sharedNow(): number {
    return this.clock.sharedNow?.() ?? this.clock.now().getTime();
  }

  /** The latest event time of the account, which its next event may not precede; the trail's own while accounts share one clock. */
  private lastTimeOf(accountId: string): number {
    return this.clock.accountsAhead !== true ? this.lastTime : (this.accounts.get(accountId)?.lastTime ?? -Infinity);
  }

  /** Reads the saved indexes; re-indexes a segment that has none (the last one, or one whose index was lost). */
  private load() {
    const all = this.files.list();
    all.forEach((seg, n) => {
      const last = n === all.length - 1;
      const saved = this.files.readIndex(seg);
      let index = saved && SegmentIndex.deserialize(seg, saved, this.files.size(seg));
      if (index) {
        if (last) this.lastSealed = true;
      } else {
        index = new SegmentIndex(seg);
        for (const line of this.files.lines(seg, last)) {
          const stored = parseStored(line.text);
          if (stored) index.add(stored.event, Date.parse(stored.event.eventTime), stored.deliverAt, line.offset, line.length, line.length + 1);
        }
        if (!last) this.seal(index);
      }
      this.segments.push(index);
      this.bytes += index.bytes;
      if (index.count > 0) this.lastTime = Math.max(this.lastTime, index.maxTime);
    });
  }

  /** Records a call: dated now, built and stored once the reply is written (storeRecorded). */
  record(input: RecordInput): void {
    const { caller } = input;
    const now = this.clock.now().getTime(); // the caller's account's time (the request runs in its context)
    // Event times never go back (the host's clock might): pages stay in time order and tokens stay valid.
    const time = Math.max(Math.floor(now / 1000) * 1000, this.lastTimeOf(caller.accountId));
    this.publish(caller.accountId, () => apiCallEvent(input, time), time, now);
  }

  /** An AwsServiceEvent, in the shape of AWS's examples (RotateKey, DeleteExpiredKeyMaterial), dated when it happened. */
  recordServiceEvent(input: ServiceEventInput): void {
    const now = this.clock.nowFor?.(input.accountId) ?? this.clock.now().getTime(); // any request may bring another account's rotation due
    const time = Math.max(Math.floor(Math.min(input.time, now) / 1000) * 1000, this.lastTimeOf(input.accountId));
    this.publish(input.accountId, () => serviceEvent(input, time), time, now);
  }

  private publish(accountId: string, build: () => TrailEvent, time: number, now: number) {
    const deliverAt = now + this.delaySeconds * 1000;
    // Times and deliveries are settled now, in call order: the next event's time depends on them.
    if (time > this.lastTime) this.lastTime = time;
    const account = this.accounts.get(accountId);
    if (account) {
      account.lastTime = time;
      if (deliverAt > account.deliverAt) account.deliverAt = deliverAt;
    } else this.accounts.set(accountId, { lastTime: time, deliverAt });
    const pruneAt = this.clock.accountsAhead === true ? this.sharedNow() : now;
    const waiting = this.unstored.push({ build, deliverAt, time, pruneAt });
    if (waiting >= MAX_UNSTORED) this.storeRecorded();
    else if (waiting === 1) this.scheduleStore();
  }

  private scheduleStore() {
    if (this.listeners.size > 0) return void setImmediate(() => this.storeRecorded());
    // Unref'd: a process done with its work exits at once, and the exit hook stores what waits.
    this.storeTimer ??= setTimeout(() => this.storeRecorded(), STORE_DELAY_MS).unref();
    waitingTrails.add(this);
    if (!exitHookSet) {
      exitHookSet = true;
      process.prependListener('exit', () => {
        for (const trail of waitingTrails) trail.storeRecorded();
      });
    }
  }

  /**
   * Stores the events recorded so far, in order, and tells the listeners. An event the disk
   * refuses is dropped and said once (a call is never failed for its record, nor the engine
   * stopped from a timer); a listener that throws is said and does not stop the others.
   */
  storeRecorded(): void {
    clearTimeout(this.storeTimer);
    this.storeTimer = undefined;
    waitingTrails.delete(this);
    const batch = this.unstored;
    if (batch.length === 0) return;
    this.unstored = [];
    for (const { build, deliverAt, time, pruneAt } of batch) {
      let stored: StoredEvent;
      try {
        stored = { deliverAt, event: build() };
        this.append(stored, time);
        this.prune(pruneAt);
        this.storeFailed = false;
      } catch (e) {
        if (!this.storeFailed) console.error(`A CloudTrail event could not be stored: ${(e as Error).message}`);
        this.storeFailed = true;
        continue;
      }
      for (const listener of this.listeners) {
        try {
          listener(stored.event);
        } catch (e) {
          console.error(e);
        }
      }
    }
  }

  private append(stored: StoredEvent, time: number) {
    // A line under CloudTrail's limit has no field over it: the fields are measured one by one only past it (or if not JSON).
    let line = jsonOrUndefined(stored);
    if (line === undefined || line.length > MAX_FIELD_CHARS) {
      stored.event.requestParameters = bounded(stored.event.requestParameters);
      stored.event.responseElements = bounded(stored.event.responseElements);
      line = JSON.stringify(stored); // cannot fail now: every field is bounded and of a known shape
    }
    const last = this.segments.at(-1);
    // Measured from the segment's first event: with a clock per account, times interleave (one learner a year ahead).
    const full = last !== undefined && last.count > 0 && (last.bytes + line.length > this.limits.segmentBytes || time - last.time(0) >= SEGMENT_SPAN_MS);
    if (!last || this.lastSealed || full) this.startSegment();
    const active = this.segments.at(-1)!;
    const at = this.files.append(active.firstSeq, line);
    active.add(stored.event, time, stored.deliverAt, at.offset, at.length, at.bytes);
    this.bytes += at.bytes;
  }

  /** Seals the segment being appended to and begins the next, numbered on from it. */
  private startSegment() {
    const last = this.segments.at(-1);
    if (last && !this.lastSealed) this.seal(last);
    const next = new SegmentIndex(last ? last.firstSeq + last.count : 0);
    this.files.create(next.firstSeq);
    this.segments.push(next);
    this.lastSealed = false;
  }

  private seal(index: SegmentIndex) {
    index.trim();
    this.files.seal(index.firstSeq, index.serialize());
  }

  /** Drops what event history no longer keeps: segments past the retention window, then the oldest past the size cap. */
  private prune(now: number) {
    const oldest = now - this.limits.retentionDays * DAY_MS;
    const expired = (s: SegmentIndex) => s.count === 0 || s.maxTime < oldest;
    while (this.segments.length > 0 && expired(this.segments[0]!)) {
      if (this.segments.length === 1) {
        if (this.segments[0]!.count === 0) break; // the empty one being appended to: it carries the numbering
        this.startSegment();
      }
      this.removeOldest();
    }
    while (this.bytes > this.limits.maxBytes && this.segments.length > 1) this.removeOldest();
  }

  private removeOldest() {
    const gone = this.segments.shift()!;
    this.files.remove(gone.firstSeq);
    this.bytes -= gone.bytes;
  }

  /**
   * Events delivered by `now`, newest first (record order, which is time order), within the
   * time range and the retention window, matching the attribute if any; at most `limit`, and
   * whether more follow. Walks the index; reads only the events it returns.
   */
  lookup(q: TrailQuery): { events: { seq: number; event: TrailEvent }[]; more: boolean } {
    this.storeRecorded();
    this.prune(this.sharedNow());
    const start = Math.max(q.start, q.now - this.limits.retentionDays * DAY_MS);
    const candidate = q.attribute ? SegmentIndex.candidates(q.attribute.key, q.attribute.value) : undefined;
    const events: { seq: number; event: TrailEvent }[] = [];
    for (let s = this.segments.length - 1; s >= 0; s--) {
      const index = this.segments[s]!;
      if (index.count === 0 || index.maxTime < start || index.minTime > q.end) continue;
      const from = q.before === undefined ? index.count - 1 : Math.min(index.count - 1, q.before - index.firstSeq - 1);
      for (let i = from; i >= 0; i--) {
        if (index.deliverAt(i) > q.now) continue;
        const t = index.time(i);
        if (t < start || t > q.end) continue;
        if (candidate && !candidate(index, i)) continue;
        const stored = this.read(index, i);
        if (!stored || (q.attribute && !matches(stored.event, q.attribute.key, q.attribute.value))) continue;
        if (q.account !== undefined && stored.event.recipientAccountId !== q.account) continue;
        if (events.length === q.limit) return { events, more: true };
        events.push({ seq: index.firstSeq + i, event: stored.event });
      }
    }
    return { events, more: false };
  }

  private read(index: SegmentIndex, i: number): StoredEvent | undefined {
    return parseStored(this.files.read(index.firstSeq, index.offset(i), index.length(i)));
  }

  /** Every event delivered by now, oldest first. Reads the whole history: for tests and small trails. */
  delivered(): TrailEvent[] {
    this.storeRecorded();
    const now = this.clock.now().getTime();
    const out: TrailEvent[] = [];
    for (const index of this.segments)
      for (let i = 0; i < index.count; i++) {
        const stored = index.deliverAt(i) <= now ? this.read(index, i) : undefined;
        if (stored) out.push(stored.event);
      }
    return out;
  }

  /** How many events are kept (delivered or not). */
  get size(): number {
    this.storeRecorded();
    return this.segments.reduce((n, s) => n + s.count, 0);
  }

  /** Seconds until every recorded event is delivered (0 if all are). */
  secondsUntilAllDelivered(): number {
    this.storeRecorded();
    const now = this.clock.now().getTime();
    let last = now;
    for (const s of this.segments) if (s.maxDeliverAt > last) last = s.maxDeliverAt;
    return (last - now) / 1000;
  }

  /**
   * Seconds until every event of one account is delivered, on that account's clock: known for
   * the events recorded since the engine started; older ones were due within the delay of their
   * recording, so at most the delay is waited for an account with none since.
   */
  secondsUntilAccountDelivered(accountId: string): number {
    const now = this.clock.nowFor?.(accountId) ?? this.clock.now().getTime();
    const known = this.accounts.get(accountId);
    if (known) return Math.max(0, known.deliverAt - now) / 1000;
    return Math.min(this.delaySeconds, this.secondsUntilAllDelivered());
  }

  /** Live feed of calls as they happen (before delivery): for the screen's call log. */
  onRecord(listener: (event: TrailEvent) => void): () => void {
    this.storeRecorded(); // a listener hears the calls after it, and from now on, just after each reply
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close() {
    this.storeRecorded();
    this.files.close();
  }

  /**
   * A home from before segments: its one file is read a line at a time and appended to
   * segments (fields bounded as today's are), then removed. Segments found beside it can
   * only be from an import a crash cut short: they are redone.
   */
  private importLegacy(store: Store, file: string) {
    for (const seg of this.files.list()) this.files.remove(seg);
    for (const line of readLines(file)) {
      const stored = parseStored(line.text);
      if (!stored) continue;
      const e = stored.event;
      const time = Math.max(Date.parse(e.eventTime), this.lastTime);
      if (Number.isNaN(time)) continue;
      const event = { ...e, userAgent: clip(e.userAgent ?? ''), requestParameters: bounded(e.requestParameters), responseElements: bounded(e.responseElements) };
      if (e.errorMessage !== undefined) event.errorMessage = clip(e.errorMessage);
      this.append({ deliverAt: stored.deliverAt, event }, time);
      this.lastTime = time; // never less: time is at least the last one
      this.prune(time);
    }
    const active = this.segments.at(-1);
    if (active) {
      this.seal(active);
      this.lastSealed = true;
    }
    store.removeFile(LEGACY_FILE);
  }
}

function parseStored(text: string): StoredEvent | undefined {
  try {
    const v = JSON.parse(text) as StoredEvent;
    return v && typeof v.deliverAt === 'number' && isIndexable(v.event) ? v : undefined;
  } catch {
    return undefined; // a torn line after a crash
  }
}

/** A stored event with every field the index reads (a damaged or hand-edited line may lack one: it is skipped, never a failed start). */
function isIndexable(e: TrailEvent | undefined): boolean {
  const isText = (v: unknown) => typeof v === 'string';
  return (
    e !== null && typeof e === 'object' &&
    isText(e.eventTime) && isText(e.eventID) && isText(e.eventName) && isText(e.eventSource) &&
    e.userIdentity !== null && typeof e.userIdentity === 'object' &&
    (e.resources === undefined || (Array.isArray(e.resources) && e.resources.every((r) => r !== null && typeof r === 'object' && isText(r.ARN) && isText(r.type))))
  );
}

/** A requestParameters or responseElements CloudTrail can hold: past its maximum size (or not JSON), {omitted: true}. */
export function bounded(field: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (field === null || field === undefined) return null;
  const json = jsonOrUndefined(field);
  return json !== undefined && json.length <= MAX_FIELD_CHARS ? field : { omitted: true };
}

function jsonOrUndefined(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // nested beyond what JSON.stringify can walk, or cyclic
  }
}
