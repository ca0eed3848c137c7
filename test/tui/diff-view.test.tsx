import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import type { DiffLine } from '../../src/runtime/types.js';
import { DiffView, visible } from '../../src/tui/results/diff-view.js';

test('identical files say so in one line', () => {
  const { lastFrame } = render(<DiffView before="samplesecret.txt" after="samplesecret_decrypted.txt" identical lines={[{ kind: 'same', text: 'hello' }]} />);
  expect(lastFrame()).toBe('diff samplesecret.txt samplesecret_decrypted.txt\n✔ identical: not one byte differs');
});

test('different files show the removed and added lines with context, gaps elided', () => {
  const lines: DiffLine[] = [
    ...Array.from({ length: 6 }, (_, i) => ({ kind: 'same' as const, text: `line ${i}` })),
    { kind: 'removed', text: 'secret=old' },
    { kind: 'added', text: 'secret=new' },
    { kind: 'same', text: 'line 6' },
  ];
  const { lastFrame } = render(<DiffView before="a.txt" after="b.txt" identical={false} lines={lines} context={1} />);
  expect(lastFrame()).toBe('diff a.txt b.txt\n⋯\n  line 5\n- secret=old\n+ secret=new\n  line 6');
});

test('context keeps lines near a change only', () => {
  const same = (t: string): DiffLine => ({ kind: 'same', text: t });
  expect(visible([same('a'), { kind: 'added', text: 'b' }, same('c'), same('d'), same('e')], 1)).toEqual([same('a'), { kind: 'added', text: 'b' }, same('c'), null]);
});
