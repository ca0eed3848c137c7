// StepContext.fastForward(days): locally the engine clock jumps and the step
// says so (what time does to keys: an automatic rotation, expiring material);
// on AWS time is real, nothing changes and the step says so.
import { CreateKeyCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, KMS, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createStepContext, type ContextParts } from '../../src/runtime/context.js';
import { startLocalTarget } from '../../src/runtime/local-target.js';
import type { Target } from '../../src/runtime/target.js';
import type { StepResult } from '../../src/runtime/types.js';

let target: Target;
let kms: KMS;
const home = mkdtempSync(join(tmpdir(), 'kms-workshop-fast-forward-'));

beforeAll(async () => {
  target = await startLocalTarget({ home: null });
  kms = new KMS(target.clientSettings);
});
afterAll(async () => {
  kms.destroy();
  await target.close();
  rmSync(home, { recursive: true, force: true });
});

function context(advanceClock: ContextParts['advanceClock'], shown: StepResult[]) {
  return createStepContext({
    kms: undefined as never, s3: undefined as never, cloudtrail: undefined as never, names: undefined as never, show: undefined as never,
    kmsWithRetries: undefined as never,
    region: 'us-east-1', target: advanceClock ? 'local' : 'aws', workspace: home, calls: [],
    emit: (r) => shown.push(r),
    progress: () => {},
    waitForCloudTrail: async () => ({ seconds: 0, fastForwarded: false }),
    ...(advanceClock ? { advanceClock } : {}),
  });
}

test('locally, 91 days forward brings a 90-day rotation due: ListKeyRotations shows it, and the step says where the clock is', async () => {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const KeyId = KeyMetadata!.KeyId!;
  await kms.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
  const before = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
  const shown: StepResult[] = [];
  const moved = await context((s) => target.advanceClock!(s), shown).fastForward(91);
  expect(moved.applied).toBe(true);
  if (!moved.applied) return;
  expect(moved.now.getTime() - Date.now()).toBeGreaterThan(90.9 * 86_400_000);
  expect(shown).toEqual([{ kind: 'text', tone: 'info', text: `The local engine's clock moved forward 91 days at once: it is now ${moved.now.toISOString()}.` }]);
  const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId }));
  expect(Rotations).toHaveLength(1);
  expect(Rotations![0]).toMatchObject({ RotationType: 'AUTOMATIC', RotationDate: before.NextRotationDate });
});

test('on AWS nothing moves: applied is false and the step says time cannot be moved', async () => {
  const shown: StepResult[] = [];
  expect(await context(undefined, shown).fastForward(90)).toEqual({ applied: false });
  expect(shown).toHaveLength(1);
  expect(shown[0]).toMatchObject({ kind: 'text', text: expect.stringMatching(/^On AWS time cannot be moved forward: nothing was changed/) });
});

test('a number of days that is not above 0 is refused before anything moves', async () => {
  let moved = 0;
  const ctx = context(async (s) => ((moved += s), new Date()), []);
  for (const days of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) await expect(ctx.fastForward(days)).rejects.toThrow(RangeError);
  expect(moved).toBe(0);
});
