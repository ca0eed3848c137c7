// What was deleted stays deleted across a restart (model.ts replays its journal): an alias
// deleted by DeleteAlias, a key deleted at the end of its waiting period with its aliases,
// while what was kept beside them loads as it was.
import { CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, ListAliasesCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { expect, test } from 'vitest';
import { startTestEngine } from '../helpers/engine.js';
import { expectAwsError } from '../helpers/errors.js';

test('a deleted alias and a deleted key, with its alias, are still gone after a restart; the rest is kept', async () => {
  const first = await startTestEngine({ keepHome: true });
  let kept: string;
  let deleted: string;
  try {
    kept = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    deleted = (await first.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (const [AliasName, TargetKeyId] of [['alias/removed', kept], ['alias/stays', kept], ['alias/with-the-key', deleted]])
      await first.kms.send(new CreateAliasCommand({ AliasName, TargetKeyId }));
    await first.kms.send(new DeleteAliasCommand({ AliasName: 'alias/removed' }));
    await first.kms.send(new ScheduleKeyDeletionCommand({ KeyId: deleted, PendingWindowInDays: 7 }));
    first.clock.advance(8 * 24 * 3600);
    await expectAwsError(first.kms.send(new DescribeKeyCommand({ KeyId: deleted })), 'NotFoundException'); // deleted now, before the restart
  } finally {
    await first.stop();
  }
  const second = await startTestEngine({ home: first.home });
  try {
    const aliases = (await second.kms.send(new ListAliasesCommand({}))).Aliases!.filter((a) => !a.AliasName!.startsWith('alias/aws/'));
    expect(aliases.map((a) => [a.AliasName, a.TargetKeyId])).toEqual([['alias/stays', kept]]);
    await expectAwsError(second.kms.send(new DescribeKeyCommand({ KeyId: deleted })), 'NotFoundException');
    expect((await second.kms.send(new DescribeKeyCommand({ KeyId: 'alias/stays' }))).KeyMetadata!.KeyId).toBe(kept);
    await second.kms.send(new CreateAliasCommand({ AliasName: 'alias/removed', TargetKeyId: kept })); // the name is free again
  } finally {
    await second.stop();
  }
});
