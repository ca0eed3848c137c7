// The compact index of one trail segment: per event, its time, when it is delivered,
// where its line is, and 32-bit hashes of the values LookupEvents can look up by.
// 64 bytes an event in typed arrays, so a million events index in 64 MB and a lookup
// walks numbers, reading from the segment only the events it returns (a hash that
// matches is confirmed on the event itself). Saved beside a sealed segment, so a
// restart reads the index instead of every event.
import type { TrailEvent } from './trail-events.js';

export const ATTRIBUTE_KEYS = ['EventId', 'EventName', 'ReadOnly', 'Username', 'ResourceType', 'ResourceName', 'EventSource', 'AccessKeyId'] as const;
export type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

// Per event: two float64 (time, deliverAt) and twelve uint32.
const F64 = 2;
const TIME = 0;
const DELIVER_AT = 1;
const U32 = 12;
const OFFSET = 0;
const LENGTH = 1;
const FLAGS = 2;
const EVENT_ID = 3;
const EVENT_NAME = 4;
const EVENT_SOURCE = 5;
const USER_NAME = 6;
const ACCESS_KEY_ID = 7;
const RESOURCE_NAMES = [8, 9];
const RESOURCE_TYPES = [10, 11];
const READ_ONLY = 1;
/** More resources than the index holds: any resource lookup looks at the event itself. */
const MORE_RESOURCES = 2;

const MAGIC = 0x58495443; // "CTIX"
const VERSION = 1;
const HEADER_BYTES = 32; // magic, version, count, spare (uint32); data bytes (float64); spare

/** FNV-1a over UTF-16 code units; 0 is kept for "no value". */
export function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

/** How event history names a resource: buckets by name, keys and everything else by ARN. */
export function resourceName(arn: string): string {
  const s3 = /^arn:aws[\w-]*:s3:::(.+)$/.exec(arn);
  return s3 ? s3[1]! : arn;
}

/** Whether an event matches a lookup attribute: the exact test, after the index's hashes. */
export function matches(e: TrailEvent, key: AttributeKey, value: string): boolean {
  switch (key) {
    case 'EventId':
      return e.eventID === value;
    case 'EventName':
      return e.eventName === value;
    case 'ReadOnly':
      return String(e.readOnly) === value;
    case 'Username':
      return e.userIdentity.userName === value;
    case 'ResourceType':
      return (e.resources ?? []).some((r) => r.type === value);
    case 'ResourceName':
      return (e.resources ?? []).some((r) => r.ARN === value || resourceName(r.ARN) === value);
    case 'EventSource':
      return e.eventSource === value;
    case 'AccessKeyId':
      return e.userIdentity.accessKeyId === value;
  }
}

export class SegmentIndex {
  count = 0;
  /** Bytes of the segment's data covered by this index. */
  bytes = 0;
  minTime = Infinity;
  maxTime = -Infinity;
  maxDeliverAt = -Infinity;
  private f64: Float64Array;
  private u32: Uint32Array;

  constructor(
    /** The sequence number of the segment's first event (also the segment's name). */
    readonly firstSeq: number,
    capacity = 1024,
  ) {
    this.f64 = new Float64Array(capacity * F64);
    this.u32 = new Uint32Array(capacity * U32);
  }

  get lastSeq(): number {
    return this.firstSeq + this.count - 1;
  }

  add(event: TrailEvent, time: number, deliverAt: number, offset: number, length: number, bytes: number) {
    if (this.count * F64 === this.f64.length) this.grow(this.count * 2);
    const i = this.count++;
    this.f64[i * F64 + TIME] = time;
    this.f64[i * F64 + DELIVER_AT] = deliverAt;
    const u = i * U32;
    this.u32[u + OFFSET] = offset;
    this.u32[u + LENGTH] = length;
    const resources = event.resources ?? [];
    this.u32[u + FLAGS] = (event.readOnly ? READ_ONLY : 0) | (resources.length > RESOURCE_NAMES.length ? MORE_RESOURCES : 0);
    this.u32[u + EVENT_ID] = hash(event.eventID);
    this.u32[u + EVENT_NAME] = hash(event.eventName);
    this.u32[u + EVENT_SOURCE] = hash(event.eventSource);
    this.u32[u + USER_NAME] = hash(event.userIdentity.userName ?? '');
    this.u32[u + ACCESS_KEY_ID] = hash(event.userIdentity.accessKeyId ?? '');
    RESOURCE_NAMES.forEach((column, r) => (this.u32[u + column] = resources[r] ? hash(resourceName(resources[r]!.ARN)) : 0));
    RESOURCE_TYPES.forEach((column, r) => (this.u32[u + column] = resources[r] ? hash(resources[r]!.type) : 0));
    this.bytes += bytes;
    if (time < this.minTime) this.minTime = time;
    if (time > this.maxTime) this.maxTime = time;
    if (deliverAt > this.maxDeliverAt) this.maxDeliverAt = deliverAt;
  }

  time(i: number): number {
    return this.f64[i * F64 + TIME]!;
  }
  deliverAt(i: number): number {
    return this.f64[i * F64 + DELIVER_AT]!;
  }
  offset(i: number): number {
    return this.u32[i * U32 + OFFSET]!;
  }
  length(i: number): number {
    return this.u32[i * U32 + LENGTH]!;
  }

  /** Frees the room kept for growth: a sealed segment takes no more events. */
  trim() {
    if (this.f64.length > this.count * F64) this.grow(this.count);
  }

  private grow(capacity: number) {
    const f64 = new Float64Array(Math.max(capacity, 1) * F64);
    const u32 = new Uint32Array(Math.max(capacity, 1) * U32);
    f64.set(this.f64.subarray(0, this.count * F64));
    u32.set(this.u32.subarray(0, this.count * U32));
    this.f64 = f64;
    this.u32 = u32;
  }

  serialize(): Buffer {
    const f64Bytes = this.count * F64 * 8;
    const out = Buffer.alloc(HEADER_BYTES + f64Bytes + this.count * U32 * 4);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(VERSION, 4);
    out.writeUInt32LE(this.count, 8);
    out.writeDoubleLE(this.bytes, 16);
    Buffer.from(this.f64.buffer, 0, f64Bytes).copy(out, HEADER_BYTES);
    Buffer.from(this.u32.buffer, 0, this.count * U32 * 4).copy(out, HEADER_BYTES + f64Bytes);
    return out;
  }

  /** The saved index, or undefined if it is not one or does not cover exactly `dataBytes` of data. */
  static deserialize(firstSeq: number, buf: Buffer, dataBytes: number): SegmentIndex | undefined {
    if (buf.length < HEADER_BYTES || buf.readUInt32LE(0) !== MAGIC || buf.readUInt32LE(4) !== VERSION) return undefined;
    const count = buf.readUInt32LE(8);
    const f64Bytes = count * F64 * 8;
    if (buf.length !== HEADER_BYTES + f64Bytes + count * U32 * 4 || buf.readDoubleLE(16) !== dataBytes) return undefined;
    const index = new SegmentIndex(firstSeq, count);
    // Copied into the index's own (aligned) arrays: the read buffer may sit at any offset.
    new Uint8Array(index.f64.buffer).set(buf.subarray(HEADER_BYTES, HEADER_BYTES + f64Bytes));
    new Uint8Array(index.u32.buffer).set(buf.subarray(HEADER_BYTES + f64Bytes));
    index.count = count;
    index.bytes = dataBytes;
    for (let i = 0; i < count; i++) {
      const t = index.time(i);
      const d = index.deliverAt(i);
      if (t < index.minTime) index.minTime = t;
      if (t > index.maxTime) index.maxTime = t;
      if (d > index.maxDeliverAt) index.maxDeliverAt = d;
    }
    return index;
  }

  /**
   * A test on the index for a lookup attribute: false only where the event cannot match.
   * (A hash can collide, so a true is confirmed with `matches` on the event itself.)
   */
  static candidates(key: AttributeKey, value: string): (index: SegmentIndex, i: number) => boolean {
    const h = hash(value);
    const column = (c: number) => (index: SegmentIndex, i: number) => index.u32[i * U32 + c] === h;
    const anyResource = (columns: number[], hashes: number[]) => (index: SegmentIndex, i: number) =>
      (index.u32[i * U32 + FLAGS]! & MORE_RESOURCES) !== 0 || columns.some((c) => hashes.includes(index.u32[i * U32 + c]!));
    switch (key) {
      case 'EventId':
        return column(EVENT_ID);
      case 'EventName':
        return column(EVENT_NAME);
      case 'EventSource':
        return column(EVENT_SOURCE);
      case 'Username':
        return column(USER_NAME);
      case 'AccessKeyId':
        return column(ACCESS_KEY_ID);
      case 'ReadOnly':
        if (value !== 'true' && value !== 'false') return () => false;
        return (index, i) => ((index.u32[i * U32 + FLAGS]! & READ_ONLY) !== 0) === (value === 'true');
      case 'ResourceType':
        return anyResource(RESOURCE_TYPES, [h]);
      case 'ResourceName':
        // Stored: the hash of resourceName(ARN); a value may be that name or the ARN itself.
        return anyResource(RESOURCE_NAMES, [h, hash(resourceName(value))]);
    }
  }
}
