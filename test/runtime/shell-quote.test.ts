import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { posixQuote, posixWord } from '../../src/runtime/shell-quote.js';

test('a quoted value reaches a real shell unchanged, quotes, spaces, $ and backslashes included', () => {
  for (const v of ["it's", 'a b', '$HOME', 'back\\slash', '"double"', "'", '']) {
    expect(execFileSync('sh', ['-c', `printf %s ${posixQuote(v)}`], { encoding: 'utf8' }), v).toBe(v);
    expect(execFileSync('sh', ['-c', `printf %s ${posixWord(v)}`], { encoding: 'utf8' }), v).toBe(v);
  }
});

test('a plain word stays as it is; anything the shell would read is quoted', () => {
  expect(posixWord('/home/ada/.kms-workshop')).toBe('/home/ada/.kms-workshop');
  expect(posixWord('learner1')).toBe('learner1');
  expect(posixWord('my home')).toBe("'my home'");
  expect(posixQuote('learner1')).toBe("'learner1'");
});
