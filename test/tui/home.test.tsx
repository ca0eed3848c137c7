import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test, vi } from 'vitest';
import { Home, visibleWindow, type LessonProgressView } from '../../src/tui/screens/home.js';
import { KEYS, lesson, step, tick } from './fake-workshop.js';

const lessons = [
  lesson('direct', [step('a'), step('b')], { title: 'Direct encryption with a KMS key', minutes: 10 }),
  lesson('envelope', [step('a'), step('b'), step('c')], { title: 'Envelope encryption with a data key', minutes: 15, level: 'intermediate', summary: 'Generate a data key and encrypt locally.' }),
  lesson('caching', [step('a')], { title: 'Client-side encryption with data key caching', minutes: 20, level: 'advanced' }),
];
const progress: Record<string, LessonProgressView> = {
  direct: { state: 'done', total: 2 },
  envelope: { state: 'in-progress', step: 2, total: 3 },
  caching: { state: 'new', total: 1 },
};

function home(width: number, onOpen = vi.fn()) {
  return render(
    <Home lessons={lessons} progressOf={(l) => progress[l.id]!} target="local engine at http://127.0.0.1:4599" targetState="ready" workspace="/home/me/.kms-workshop/workspace" width={width} onOpen={onOpen} />,
  );
}

test('each lesson on one line: title, minutes, level, and where the learner is', () => {
  const lines = home(80).lastFrame()!.split('\n');
  expect(lines.find((l) => l.includes('Direct encryption'))).toMatch(/^› 1\. Direct encryption with a KMS key\s+10 min\s+beginner\s+✔ done$/);
  expect(lines.find((l) => l.includes('Envelope'))).toMatch(/^ {2}2\. Envelope encryption with a data key\s+15 min\s+intermediate\s+step 2 of 3$/);
  expect(lines.find((l) => l.includes('3. Client'))).toMatch(/3\. Client-side encryption with \S*.*…\s+20 min\s+advanced\s+not started$/);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
});

test('a narrow terminal drops the level column and puts the level before the summary', async () => {
  const { lastFrame, stdin } = home(56);
  stdin.write(KEYS.down);
  await tick();
  const lines = lastFrame()!.split('\n');
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(56);
  expect(lines.find((l) => l.includes('2. Envelope'))).toMatch(/15 min\s+step 2 of 3$/);
  expect(lastFrame()).not.toMatch(/intermediate\s+step/);
  expect(lastFrame()).toContain('intermediate. Generate a data key and encrypt locally.');
});

test('Enter opens the chosen lesson', async () => {
  const onOpen = vi.fn();
  const { stdin } = home(80, onOpen);
  stdin.write('3');
  await tick();
  stdin.write(KEYS.enter);
  await tick();
  expect(onOpen).toHaveBeenCalledWith(lessons[2], 2);
});

test('more lessons than rows: the menu keeps its title and shows a window around the chosen lesson', async () => {
  const many = Array.from({ length: 12 }, (_, i) => lesson(`l${i + 1}`, [step('a')], { title: `Lesson number ${i + 1}`, minutes: 5 }));
  const { lastFrame, stdin } = render(
    <Home lessons={many} progressOf={() => ({ state: 'new', total: 1 })} target="local engine" targetState="ready" workspace="/w" width={60} height={20} onOpen={vi.fn()} />,
  );
  let lines = lastFrame()!.split('\n');
  expect(lines.length).toBeLessThanOrEqual(20);
  expect(lines[0]).toMatch(/^kms-workshop/);
  expect(lastFrame()).toContain('1. Lesson number 1');
  expect(lastFrame()).toMatch(/↓ \d+ more/);
  expect(lastFrame()).not.toContain('12. Lesson number 12');
  for (let i = 0; i < 11; i++) {
    stdin.write(KEYS.down);
    await tick();
  }
  lines = lastFrame()!.split('\n');
  expect(lines.length).toBeLessThanOrEqual(20);
  expect(lines[0]).toMatch(/^kms-workshop/);
  expect(lastFrame()).toMatch(/› 12\. Lesson number 12/);
  expect(lastFrame()).toMatch(/↑ \d+ more/);
  expect(lastFrame()).not.toContain(' 1. Lesson number 1 ');
});

test('the window never leaves out a lesson between its ends', () => {
  expect(visibleWindow(3, 0, 10)).toEqual([0, 3]);
  expect(visibleWindow(12, 0, 5)).toEqual([0, 3]);
  expect(visibleWindow(12, 11, 5)).toEqual([9, 12]);
  expect(visibleWindow(12, 6, 5)).toEqual([5, 8]);
});
