// IAM's ${*}, ${?} and ${$} stand for a literal *, ? and $ (IAM policy variables reference,
// "Special characters"), also when one of them is the whole value. Found by mutation testing:
// a value that was only ${*} was compared as the text "${*}".
import { expect, test } from 'vitest';
import { globPattern, template } from '../../src/engine/auth/match.js';

const none = new Map();

test('a lone ${*}, ${?} or ${$} in an exact value (StringEquals) is that character', () => {
  expect(template('${*}', true).fill(none)).toBe('*');
  expect(template('${?}', true).fill(none)).toBe('?');
  expect(template('${$}', true).fill(none)).toBe('$');
  // without variables (a policy version 2008-10-17) it is text
  expect(template('${*}', false).fill(none)).toBe('${*}');
});

test('a lone ${*} or ${?} in a pattern (StringLike, Resource) matches that character only, not as a wildcard', () => {
  const star = globPattern('${*}', { variables: true }).resolve(none)!;
  expect(star('*')).toBe(true);
  expect(star('anything')).toBe(false);
  const question = globPattern('${?}', { variables: true }).resolve(none)!;
  expect(question('?')).toBe(true);
  expect(question('a')).toBe(false);
  // a real wildcard still is one
  expect(globPattern('*', { variables: true }).resolve(none)!('anything')).toBe(true);
  expect(globPattern('a${*}', { variables: true }).resolve(none)!('a*')).toBe(true);
  expect(globPattern('a${*}', { variables: true }).resolve(none)!('ab')).toBe(false);
});
