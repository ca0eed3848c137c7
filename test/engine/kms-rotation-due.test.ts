// An automatic rotation falls due at its NextRotationDate to the millisecond on the engine clock
// (model.ts applies what fell due before each request): not one millisecond before, and at that
// instant the key has new material, dated then.
import { CreateKeyCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { expect, test } from 'vitest';
import { startTestEngine } from '../helpers/engine.js';

test('automatic rotation happens at NextRotationDate exactly, not a millisecond before', async () => {
  const e = await startTestEngine();
  try {
    const key = (await e.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await e.kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const { NextRotationDate } = await e.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    const rotations = async () => (await e.kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
    e.clock.advance((NextRotationDate!.getTime() - e.clock.now().getTime() - 1) / 1000);
    expect(await rotations()).toEqual([]);
    e.clock.advance(0.001);
    const [rotation, ...more] = await rotations();
    expect(more).toEqual([]);
    expect(rotation).toMatchObject({ RotationType: 'AUTOMATIC', RotationDate: NextRotationDate });
    expect((await e.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate).toEqual(new Date(NextRotationDate!.getTime() + 90 * 86_400_000));
  } finally {
    await e.stop();
  }
});
