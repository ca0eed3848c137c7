// Lesson 9 in the TUI, driven by keys through the real lesson, the real
// runtime and a fresh local engine: every step predicted (when it asks) and
// run, and its key moments read off the screen: each AccessDenied with its
// message and the fix that followed, the call log saying who made each call
// (as kms-workshop-novice, as kms-workshop-app, as another account), the
// grant, the Deny, the key used from another account.
import { expect, test } from 'vitest';
import { byId, closeAppsAfterEach, openLesson, playAll, start } from './lesson-player.js';

closeAppsAfterEach();

test('lesson 9 on screen: each AccessDenied and its fix, who made each call, the grant, the Deny, another account', async () => {
  const app = start();
  const lesson = byId('who-may-use-a-key');
  await openLesson(app, lesson);
  const frames = await playAll(app, lesson);
  // One line, without the boxes' side borders, so a wrapped message reads whole
  const flat = (id: string) => frames.get(id)!.replace(/[│]/g, ' ').replace(/\s+/g, ' ');

  const createKey = flat('create-key-denied');
  expect(createKey).toContain('Expected error from CreateKey: AccessDeniedException');
  expect(createKey).toMatch(/User: arn:aws:iam::111122223333:user\/kms-workshop-novice is not authorized to perform: kms:CreateKey/);
  expect(createKey).toMatch(/CreateKey.*as kms-workshop-novice/);

  const powerUser = flat('attach-power-user');
  expect(powerUser).toContain('AWSKeyManagementServicePowerUser (v2)');
  expect(powerUser).toMatch(/"kms:CreateKey"/);
  expect(powerUser).toMatch(/✔ CreateKey.*as kms-workshop-novice/);

  expect(flat('generate-data-key-denied')).toContain('Expected error from GenerateDataKey: AccessDeniedException');
  expect(flat('additional-permissions')).toMatch(/✔ GenerateDataKey.*as kms-workshop-novice/);
  expect(flat('default-key-policy')).toContain('"Sid": "Enable IAM User Permissions"');

  const admins = flat('admins-and-users');
  expect(admins).toMatch(/user\/workshop-learner is not authorized to perform: kms:GenerateDataKey/);

  const grant = flat('grant-for-an-app');
  expect(grant).toMatch(/✔ GenerateDataKey.*as kms-workshop-app/);
  expect(grant).toContain('Expected error from GenerateDataKey: AccessDeniedException');
  expect(flat('retire-the-grant')).toMatch(/✔ RetireGrant.*as kms-workshop-app/);

  expect(flat('deny-beats-allow')).toContain('with an explicit deny in an identity-based policy');

  const other = flat('cross-account');
  expect(other).toMatch(/user\/workshop-learner is not authorized .* on resource: arn:aws:kms:us-east-1:111122223333:key\//);
  expect(other).toMatch(/✔ GenerateDataKey.*as account 444455556666/);
  expect(other).toContain('Account 444455556666 generated a data key');
}, 180_000);
