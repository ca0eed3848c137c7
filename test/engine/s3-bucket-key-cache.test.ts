// The bucket keys S3 holds in memory are bounded: callers and encryption contexts are the
// requester's to vary (any page can POST to localhost), memory is not.
import { expect, test } from 'vitest';
import { MAX_CACHED_BUCKET_KEYS, remember } from '../../src/engine/s3/encryption.js';

test('the cache keeps at most MAX_CACHED_BUCKET_KEYS entries, forgetting the oldest first', () => {
  const map = new Map<string, number>();
  for (let i = 0; i < MAX_CACHED_BUCKET_KEYS + 50; i++) remember(map, `slot${i}`, i);
  expect(map.size).toBe(MAX_CACHED_BUCKET_KEYS);
  expect(map.has('slot0')).toBe(false);
  expect(map.has('slot49')).toBe(false);
  expect(map.get('slot50')).toBe(50);
  expect(map.get(`slot${MAX_CACHED_BUCKET_KEYS + 49}`)).toBe(MAX_CACHED_BUCKET_KEYS + 49);
});

test('a key remembered again counts as the newest, so the one in use is not the next forgotten', () => {
  const map = new Map<string, number>();
  for (let i = 0; i < MAX_CACHED_BUCKET_KEYS; i++) remember(map, `slot${i}`, i);
  remember(map, 'slot0', 0);
  remember(map, 'new', -1);
  expect(map.has('slot0')).toBe(true);
  expect(map.has('slot1')).toBe(false);
  expect(map.size).toBe(MAX_CACHED_BUCKET_KEYS);
});
