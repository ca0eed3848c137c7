// A step run again after its lesson's clean-up: the session says the clean-up
// removed what the step builds on and that the lesson runs again from its
// start, instead of a raw NotFoundException or a missing file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadLesson } from '../../src/lessons/loader.js';
import { openSession } from '../../src/runtime/session.js';
import type { Lesson, RuntimeSession, StepOutcome } from '../../src/runtime/types.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/03-clean-up', import.meta.url));
let home: string;
let session: RuntimeSession;
let lesson: Lesson;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'kms-workshop-clean-up-'));
  const loaded = loadLesson(FIXTURE);
  expect(loaded.problems).toEqual([]);
  lesson = loaded.lesson!;
  session = await openSession({ home, freshEngine: true, recordProgress: false });
});
afterAll(async () => {
  await session.close();
  rmSync(home, { recursive: true, force: true });
});

async function run(stepId: string): Promise<StepOutcome> {
  return session.runStep(lesson, lesson.steps.find((s) => s.id === stepId)!);
}

function failure(outcome: StepOutcome) {
  expect(outcome.status).toBe('failed');
  return outcome.status === 'failed' ? outcome.error : undefined!;
}

test('after the clean-up, a step using the key by its alias is told the resources are gone and to run from the start', async () => {
  for (const id of ['create', 'use-key', 'read-file']) expect((await run(id)).status).toBe('passed');
  // A NotFoundException before any clean-up is an ordinary failure.
  const ordinary = failure(await run('other-failure'));
  expect(ordinary.code).toBe('NotFoundException');
  expect(ordinary.afterCleanUp).toBeUndefined();
  expect((await run('clean-up')).status).toBe('passed');

  const gone = failure(await run('use-key'));
  expect(gone.afterCleanUp).toBe(true);
  expect(gone.code).toBe('NotFoundException');
  expect(gone.message).toMatch(/^This lesson's clean-up \(step 5, “Clean up”\) has run since the steps this one builds on, so what they made .* is gone\. Run the lesson again from its start \(step 1\) to make them anew\. \(GenerateDataKey failed with NotFoundException/);
});

test('a workspace file the clean-up removed, and the clean-up itself run twice, are told the same way', async () => {
  const file = failure(await run('read-file'));
  expect(file.afterCleanUp).toBe(true);
  expect(file.message).toContain('ENOENT');
  const again = failure(await run('clean-up'));
  expect(again.afterCleanUp).toBe(true);
});

test('once the lesson runs again from its first step, a failure is its own again', async () => {
  expect((await run('create')).status).toBe('passed');
  expect((await run('use-key')).status).toBe('passed');
  const ordinary = failure(await run('other-failure'));
  expect(ordinary.afterCleanUp).toBeUndefined();
  expect(ordinary.message).not.toContain('clean-up');
});
