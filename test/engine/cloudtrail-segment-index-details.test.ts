// The trail's segment index (cloudtrail/segment-index.ts, pure): FNV-1a hashes, how event
// history names a resource, the exact match behind each lookup attribute, the index's columns,
// growth and trimming, its saved form (refused when it is not one or covers other data), and
// the candidates test, which may say yes wrongly (hashes collide) but never no wrongly.
import { expect, test } from 'vitest';
import { ATTRIBUTE_KEYS, hash, matches, resourceName, SegmentIndex, type AttributeKey } from '../../src/engine/cloudtrail/segment-index.js';
import type { TrailEvent } from '../../src/engine/cloudtrail/trail.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const resource = (type: string, ARN: string) => ({ accountId: '111122223333', type, ARN });

function event(over: Partial<TrailEvent> & { userName?: string; accessKeyId?: string } = {}): TrailEvent {
  const { userName = 'alice', accessKeyId = 'AKIAALICE', ...rest } = over;
  return {
    eventID: 'e-1',
    eventName: 'Decrypt',
    eventSource: 'kms.amazonaws.com',
    readOnly: true,
    userIdentity: { userName, accessKeyId },
    resources: [resource('AWS::KMS::Key', KEY_ARN)],
    ...rest,
  } as unknown as TrailEvent;
}

test('hash is 32-bit FNV-1a (the published test vectors), never 0', () => {
  expect(hash('')).toBe(0x811c9dc5);
  expect(hash('a')).toBe(0xe40c292c);
  expect(hash('foobar')).toBe(0xbf9cf968);
  expect(hash('a')).not.toBe(hash('b'));
});

test('event history names an S3 resource by its bucket (or object) name, anything else by its ARN', () => {
  expect(resourceName('arn:aws:s3:::my-bucket')).toBe('my-bucket');
  expect(resourceName('arn:aws:s3:::my-bucket/a/b.txt')).toBe('my-bucket/a/b.txt');
  expect(resourceName('arn:aws-cn:s3:::cn-bucket')).toBe('cn-bucket');
  expect(resourceName(KEY_ARN)).toBe(KEY_ARN);
  expect(resourceName('arn:aws:s3:::')).toBe('arn:aws:s3:::');
  expect(resourceName('x-arn:aws:s3:::b')).toBe('x-arn:aws:s3:::b');
});

test('matches: each attribute compares exactly the field it names', () => {
  const e = event({ resources: [resource('AWS::KMS::Key', KEY_ARN), resource('AWS::S3::Bucket', 'arn:aws:s3:::logs')] });
  const yes: [AttributeKey, string][] = [
    ['EventId', 'e-1'], ['EventName', 'Decrypt'], ['ReadOnly', 'true'], ['Username', 'alice'], ['ResourceType', 'AWS::S3::Bucket'],
    ['ResourceName', 'logs'], ['ResourceName', 'arn:aws:s3:::logs'], ['ResourceName', KEY_ARN], ['EventSource', 'kms.amazonaws.com'], ['AccessKeyId', 'AKIAALICE'],
  ];
  const no: [AttributeKey, string][] = [
    ['EventId', 'e-2'], ['EventName', 'Encrypt'], ['ReadOnly', 'false'], ['Username', 'bob'], ['ResourceType', 'AWS::IAM::Role'],
    ['ResourceName', 'other'], ['EventSource', 's3.amazonaws.com'], ['AccessKeyId', 'AKIABOB'], ['EventName', 'decrypt'],
  ];
  for (const [k, v] of yes) expect(matches(e, k, v), `${k}=${v}`).toBe(true);
  for (const [k, v] of no) expect(matches(e, k, v), `${k}=${v}`).toBe(false);
  const bare = event({ resources: undefined, readOnly: false });
  expect(matches(bare, 'ResourceType', 'AWS::KMS::Key')).toBe(false);
  expect(matches(bare, 'ResourceName', KEY_ARN)).toBe(false);
  expect(matches(bare, 'ReadOnly', 'false')).toBe(true);
});

test('the index keeps each event\'s time, delivery, place and length, grows past its capacity, and tracks the bounds', () => {
  const index = new SegmentIndex(100, 1);
  index.add(event(), 5000, 5120, 0, 40, 41);
  index.add(event({ eventID: 'e-3' }), 7000, 7000, 41, 50, 51);
  index.add(event({ eventID: 'e-2' }), 3000, 9000, 92, 60, 61);
  expect(index.count).toBe(3);
  expect(index.lastSeq).toBe(102);
  expect(index.bytes).toBe(153);
  expect([0, 1, 2].map((i) => [index.time(i), index.deliverAt(i), index.offset(i), index.length(i)])).toEqual([
    [5000, 5120, 0, 40], [7000, 7000, 41, 50], [3000, 9000, 92, 60],
  ]);
  expect([index.minTime, index.maxTime, index.maxDeliverAt]).toEqual([3000, 7000, 9000]);
  index.trim();
  expect(index.time(2)).toBe(3000);
  expect(SegmentIndex.candidates('EventId', 'e-2')(index, 2)).toBe(true);
  expect(index.serialize().length).toBe(32 + 3 * (2 * 8 + 12 * 4));
  const empty = new SegmentIndex(7);
  expect([empty.count, empty.lastSeq, empty.minTime, empty.maxTime, empty.maxDeliverAt]).toEqual([0, 6, Infinity, -Infinity, -Infinity]);
  empty.trim();
  empty.add(event(), 1, 2, 3, 4, 5);
  expect(empty.time(0)).toBe(1);
});

test('a saved index reads back the same, from a buffer at any offset; one that is not an index, or covers other data, is refused', () => {
  const index = new SegmentIndex(0);
  index.add(event(), 2000, 2500, 0, 10, 11);
  index.add(event({ eventName: 'Encrypt', readOnly: false }), 1000, 1100, 11, 20, 21);
  const saved = index.serialize();
  const odd = Buffer.concat([Buffer.alloc(3), saved]).subarray(3); // not 8-byte aligned
  const back = SegmentIndex.deserialize(0, odd, 32)!;
  expect(back).toBeDefined();
  expect([back.count, back.bytes, back.minTime, back.maxTime, back.maxDeliverAt]).toEqual([2, 32, 1000, 2000, 2500]);
  expect([back.time(1), back.deliverAt(1), back.offset(1), back.length(1)]).toEqual([1000, 1100, 11, 20]);
  expect(SegmentIndex.candidates('EventName', 'Encrypt')(back, 1)).toBe(true);
  expect(SegmentIndex.candidates('EventName', 'Encrypt')(back, 0)).toBe(false);
  expect(SegmentIndex.candidates('ReadOnly', 'false')(back, 1)).toBe(true);

  expect(SegmentIndex.deserialize(0, saved, 33)).toBeUndefined(); // covers other data
  expect(SegmentIndex.deserialize(0, saved.subarray(0, 31), 32)).toBeUndefined();
  expect(SegmentIndex.deserialize(0, saved.subarray(0, 8), 32)).toBeUndefined(); // magic and version only: too short to read on
  expect(SegmentIndex.deserialize(0, saved.subarray(0, saved.length - 1), 32)).toBeUndefined();
  expect(SegmentIndex.deserialize(0, Buffer.concat([saved, Buffer.alloc(1)]), 32)).toBeUndefined();
  for (const at of [0, 4, 8]) {
    const bad = Buffer.from(saved);
    bad.writeUInt32LE(bad.readUInt32LE(at) + 1, at); // magic, version, count
    expect(SegmentIndex.deserialize(0, bad, 32), `byte ${at}`).toBeUndefined();
  }
  const none = new SegmentIndex(0).serialize();
  expect(SegmentIndex.deserialize(0, none, 0)?.count).toBe(0);
});

test('candidates: a hash column per attribute, ReadOnly from the flag, resources from two columns each (any more and the event itself decides)', () => {
  const index = new SegmentIndex(0);
  index.add(event(), 1, 1, 0, 1, 2); // 0: one key
  index.add(event({ resources: undefined, readOnly: false, userName: 'bob', accessKeyId: 'AKIABOB', eventSource: 's3.amazonaws.com', eventID: 'e-9' }), 1, 1, 2, 1, 2); // 1: no resources
  index.add(event({ resources: ['a', 'b', 'c'].map((n) => resource(`T${n}`, `arn:aws:s3:::${n}`)) }), 1, 1, 4, 1, 2); // 2: three resources
  index.add(event({ resources: ['a', 'b'].map((n) => resource(`T${n}`, `arn:aws:s3:::${n}`)) }), 1, 1, 6, 1, 2); // 3: two resources
  const which = (k: AttributeKey, v: string) => [0, 1, 2, 3].filter((i) => SegmentIndex.candidates(k, v)(index, i));
  expect(which('EventId', 'e-9')).toEqual([1]);
  expect(which('EventName', 'Decrypt')).toEqual([0, 1, 2, 3]);
  expect(which('EventSource', 's3.amazonaws.com')).toEqual([1]);
  expect(which('Username', 'bob')).toEqual([1]);
  expect(which('AccessKeyId', 'AKIAALICE')).toEqual([0, 2, 3]);
  expect(which('ReadOnly', 'true')).toEqual([0, 2, 3]);
  expect(which('ReadOnly', 'false')).toEqual([1]);
  expect(which('ReadOnly', 'TRUE')).toEqual([]);
  expect(which('ResourceType', 'AWS::KMS::Key')).toEqual([0, 2]);
  expect(which('ResourceType', 'Tb')).toEqual([2, 3]);
  expect(which('ResourceType', 'Tz')).toEqual([2]);
  expect(which('ResourceName', KEY_ARN)).toEqual([0, 2]);
  expect(which('ResourceName', 'b')).toEqual([2, 3]);
  expect(which('ResourceName', 'arn:aws:s3:::b')).toEqual([2, 3]);
  expect(which('ResourceName', 'a')).toEqual([2, 3]);
  expect(which('ResourceName', 'z')).toEqual([2]);
  for (const key of ATTRIBUTE_KEYS) expect(typeof SegmentIndex.candidates(key, 'x')).toBe('function');
});
