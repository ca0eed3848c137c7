import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { ScrollHint, ScrollPanel } from '../../src/tui/layout/scroll-panel.js';
import { useScroll } from '../../src/tui/hooks/use-scroll.js';

const tick = () => new Promise((r) => setTimeout(r, 30));
const DOWN = '\u001B[B';
const UP = '\u001B[A';

function Scrolled({ lines, height }: { lines: number; height: number }) {
  const scroll = useScroll(height);
  return (
    <Box flexDirection="column">
      <ScrollPanel height={height} offset={scroll.offset} onContentHeight={scroll.setContentHeight}>
        {Array.from({ length: lines }, (_, i) => (
          <Text key={i}>line {i + 1}</Text>
        ))}
      </ScrollPanel>
      <ScrollHint offset={scroll.offset} height={height} contentHeight={scroll.contentHeight} />
    </Box>
  );
}

test('shows only as many rows as the panel is high and says how many more are below', async () => {
  const { lastFrame } = render(<Scrolled lines={20} height={5} />);
  await tick();
  const frame = lastFrame()!;
  expect(frame).toMatch(/^line 1\nline 2\nline 3\nline 4\nline 5\n/);
  expect(frame).not.toContain('line 6');
  expect(frame).toContain('↓ 15 more');
});

test('down and up arrows scroll the content, and scrolling stops at the end', async () => {
  const { lastFrame, stdin } = render(<Scrolled lines={8} height={5} />);
  await tick();
  stdin.write(DOWN);
  await tick();
  expect(lastFrame()).toMatch(/^line 2\n/);
  expect(lastFrame()).toContain('↑ 1 more');
  for (let i = 0; i < 10; i++) stdin.write(DOWN);
  await tick();
  expect(lastFrame()).toMatch(/^line 4\n(.*\n){3}line 8\n/);
  expect(lastFrame()).not.toContain('↓');
  stdin.write(UP);
  await tick();
  expect(lastFrame()).toMatch(/^line 3\n/);
});

test('content shorter than the panel shows no scroll hint', async () => {
  const { lastFrame } = render(<Scrolled lines={2} height={5} />);
  await tick();
  expect(lastFrame()).toContain('line 2');
  expect(lastFrame()).not.toMatch(/more/);
});
