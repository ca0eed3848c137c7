// Tags on users and roles, as CreateUser and CreateRole take them (Tags.member.N.Key/Value):
// at most 50, keys 1 to 128 characters and values up to 256 of IAM's tag alphabet, keys unique
// whatever their case.
import { constraintError, iamErrors } from './errors.js';
import type { Tag } from './model.js';
import type { Params } from './query.js';

export const MAX_TAGS = 50;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_PATTERN = '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';

export function tagsOf(params: Params): Tag[] {
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const [i, t] of params.structures('Tags', MAX_TAGS).entries()) {
    const key = t.Key;
    const value = t.Value;
    if (key === undefined) throw constraintError(`tags.${i + 1}.member.key`, null, 'Member must not be null');
    if (value === undefined) throw constraintError(`tags.${i + 1}.member.value`, null, 'Member must not be null');
    if (key.length < 1 || key.length > 128 || !TAG_CHARS.test(key)) throw constraintError(`tags.${i + 1}.member.key`, key, `Member must satisfy regular expression pattern: ${TAG_PATTERN} and have length from 1 to 128`);
    if (value.length > 256 || !TAG_CHARS.test(value)) throw constraintError(`tags.${i + 1}.member.value`, value, `Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]* and have length up to 256`);
    if (seen.has(key.toLowerCase())) throw iamErrors.invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key.toLowerCase());
    tags.push({ Key: key, Value: value });
  }
  return tags;
}
