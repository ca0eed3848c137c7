// TagResource, UntagResource, ListResourceTags.
import type { Caller } from '../caller.js';
import { kmsErrors } from '../errors.js';
import { parse } from '../validate.js';
import type { Kms } from './model.js';
import { KeyIdField, Limit, Marker, page, Tags } from './shapes.js';
import { customerKey } from './customer-keys.js';

const MAX_TAGS = 50;

/**
 * The tags of one CreateKey or TagResource request, checked as AWS checks them (TagException, in
 * this order): no key twice, at most 50, none beginning with aws:. AWS does not document these
 * texts; they are the ones its replies carry (as recorded by LocalStack's AWS-validated tests).
 */
export function assertTagsAllowed(tags: { TagKey: string }[]) {
  if (new Set(tags.map((t) => t.TagKey)).size < tags.length) throw kmsErrors.tag('Duplicate tag keys');
  if (tags.length > MAX_TAGS) throw kmsErrors.tag('Too many tags');
  if (tags.some((t) => t.TagKey.toLowerCase().startsWith('aws:'))) throw kmsErrors.tag('Tags beginning with aws: are reserved');
}

export function tagResource(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ KeyId: KeyIdField, Tags: { ...Tags, required: true } } as const, req);
  const key = customerKey(kms, input.KeyId, caller, 'TagResource');
  kms.assertNotPendingDeletion(key);
  assertTagsAllowed(input.Tags);
  const merged = new Map(key.Tags.map((t) => [t.TagKey, t.TagValue]));
  for (const t of input.Tags) merged.set(t.TagKey, t.TagValue);
  if (merged.size > MAX_TAGS) throw kmsErrors.limitExceeded(`A KMS key can have at most ${MAX_TAGS} tags.`);
  key.Tags = [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
  kms.save();
  return {};
}

export function untagResource(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ KeyId: KeyIdField, TagKeys: { type: 'stringList', required: true } } as const, req);
  const key = customerKey(kms, input.KeyId, caller, 'UntagResource');
  kms.assertNotPendingDeletion(key);
  key.Tags = key.Tags.filter((t) => !input.TagKeys.includes(t.TagKey));
  kms.save();
  return {};
}

export function listResourceTags(kms: Kms, req: unknown, caller: Caller) {
  const input = parse({ KeyId: KeyIdField, Limit: { ...Limit, max: 50 }, Marker } as const, req);
  const key = kms.resolve(input.KeyId, caller, { allowAlias: false, ownAccount: true });
  const p = page(key.Tags, input.Limit ?? 50, input.Marker, (m) => kmsErrors.invalidMarker(`Invalid marker: ${m}`));
  return { Tags: p.items, Truncated: p.Truncated, ...(p.NextMarker ? { NextMarker: p.NextMarker } : {}) };
}
