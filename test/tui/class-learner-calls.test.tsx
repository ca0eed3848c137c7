import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { callerName, parametersText } from '../../src/tui/class/learner-calls/call-text.js';
import { LearnerCalls } from '../../src/tui/class/learner-calls/learner-calls.js';
import { roomCall } from './class-room-fixtures.js';

test('each call: time, outcome, operation, service, caller, the error; then its parameters', () => {
  const calls = [
    roomCall({ operation: 'GenerateDataKey', parameters: { KeyId: 'alias/workshop', KeySpec: 'AES_256', EncryptionContext: { project: 'workshop' } } }),
    roomCall({ operation: 'Decrypt', outcome: { ok: false, code: 'InvalidCiphertextException', message: 'the context does not match' }, parameters: { CiphertextBlob: 'AQIDAHh…' } }),
    roomCall({ operation: 'GenerateDataKey', caller: 's3.amazonaws.com' }),
  ];
  const lines = render(<LearnerCalls calls={calls} width={120} rows={20} />).lastFrame()!.split('\n');
  expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d ✔ GenerateDataKey kms · user\/workshop-learner$/);
  expect(lines[1]).toBe('  KeyId=alias/workshop · KeySpec=AES_256 · EncryptionContext={project=workshop}');
  expect(lines[2]).toMatch(/✘ Decrypt kms · user\/workshop-learner InvalidCiphertextException: the context does not match$/);
  expect(lines[4]).toMatch(/✔ GenerateDataKey kms · s3\.amazonaws\.com$/);
  expect(lines[5]).toBe('  (no parameters)');
});

test('a secret field the engine left unmasked is masked here; one already masked is shown as it came', () => {
  const text = parametersText({ Plaintext: 'c2VjcmV0IGRhdGEga2V5IG1hdGVyaWFsIDEyMzQ1Ng==', Nested: { SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG', Plaintext: ['abcdefgh'] }, Masked: { Plaintext: '97**...**OOL' } });
  expect(text).not.toContain('c2VjcmV0IGRhdGEga2V5IG1hdGVyaWFsIDEyMzQ1Ng==');
  expect(text).not.toContain('wJalrXUtnFEMI/K7MDENG');
  expect(text).not.toContain('abcdefgh');
  expect(text).toContain('Plaintext=c2**...**g==');
  expect(text).toContain('Masked={Plaintext=97**...**OOL}');
});

test('key ids and key ARNs by their first block, so the context fits on the line', () => {
  expect(parametersText({ keyId: 'b1c29189-11ff-4796-979c-c68c2eeba0ce', KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', alias: 'alias/b1c29189' })).toBe(
    'keyId=b1c29189… · KeyId=1234abcd… · alias=alias/b1c29189',
  );
});

test('callers by the last part of their ARN, services by name', () => {
  expect(callerName('arn:aws:iam::123456789012:user/workshop-learner')).toBe('user/workshop-learner');
  expect(callerName('arn:aws:sts::123456789012:assumed-role/Auditor/session')).toBe('assumed-role/Auditor/session');
  expect(callerName('s3.amazonaws.com')).toBe('s3.amazonaws.com');
});

test('the newest calls that fit, with how many came before; scrolled back, how many are newer', () => {
  const calls = Array.from({ length: 30 }, (_, i) => roomCall({ operation: `Op${i + 1}` }));
  const live = render(<LearnerCalls calls={calls} width={80} rows={11} />).lastFrame()!;
  expect(live.split('\n')).toHaveLength(11);
  expect(live).toContain('↑ 25 earlier');
  expect(live).toMatch(/Op30 kms/);
  expect(live).not.toMatch(/Op25 kms/);
  const back = render(<LearnerCalls calls={calls} width={80} rows={11} back={3} />).lastFrame()!;
  expect(back).toMatch(/Op27 kms/);
  expect(back).not.toMatch(/Op28 kms/);
  expect(back).toContain('↓ 3 newer');
});

test('no calls yet says they show as they come', () => {
  expect(render(<LearnerCalls calls={[]} width={80} rows={10} />).lastFrame()).toContain('No calls yet');
});
