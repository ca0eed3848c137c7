// The class's files (commands/class-setup.ts): where learners are told to connect, and the
// two files' form and modes whatever was there before.
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { classEndpoint, writeClassFiles } from '../../src/commands/class-setup.js';
import { tempHome } from '../helpers/engine.js';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

test('the endpoint learners are given: the address listened on, or on every address this machine\'s own reachable IPv4 one', () => {
  expect(classEndpoint('127.0.0.1', 4599)).toBe('http://127.0.0.1:4599');
  expect(classEndpoint('::1', 4599)).toBe('http://[::1]:4599');
  expect(classEndpoint('192.0.2.7', 80)).toBe('http://192.0.2.7:80');
  const external = Object.values(networkInterfaces()).flatMap((a) => a ?? []).find((a) => a.family === 'IPv4' && !a.internal);
  for (const any of ['0.0.0.0', '::']) expect(classEndpoint(any, 4599)).toBe(`http://${external?.address ?? '127.0.0.1'}:4599`);
});

test('the credentials and config files replace earlier ones, owner-only, one section per profile in the AWS CLI\'s form', () => {
  const home = tempHome();
  homes.push(home);
  mkdirSync(join(home, 'class'), { mode: 0o755 });
  chmodSync(join(home, 'class'), 0o755);
  writeFileSync(join(home, 'class', 'credentials'), '[stale]\n', { mode: 0o644 });
  const files = writeClassFiles(home, 'http://10.0.0.5:4599', [
    { profile: 'instructor', accountId: '123456789012', userName: 'workshop-learner', accessKeyId: 'AKIAINSTRUCTOR000001', secretAccessKey: 'secret/one' },
    { profile: 'learner1', accountId: '210987654321', userName: 'workshop-learner', accessKeyId: 'AKIALEARNER100000001', secretAccessKey: 'secret+two' },
  ]);
  expect(statSync(files.dir).mode & 0o777).toBe(0o700);
  for (const f of [files.credentials, files.config]) expect(statSync(f).mode & 0o777).toBe(0o600);
  expect(readFileSync(files.credentials, 'utf8')).toBe(
    [
      '# instructor: user workshop-learner of account 123456789012',
      '[instructor]',
      'aws_access_key_id = AKIAINSTRUCTOR000001',
      'aws_secret_access_key = secret/one',
      '',
      '# learner1: user workshop-learner of account 210987654321',
      '[learner1]',
      'aws_access_key_id = AKIALEARNER100000001',
      'aws_secret_access_key = secret+two',
      '',
    ].join('\n'),
  );
  expect(readFileSync(files.config, 'utf8')).toBe(
    ['[profile instructor]', 'region = us-east-1', 'endpoint_url = http://10.0.0.5:4599', 'output = json', '', '[profile learner1]', 'region = us-east-1', 'endpoint_url = http://10.0.0.5:4599', 'output = json', ''].join('\n'),
  );
});
