import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import type { ApiCall } from '../../src/runtime/types.js';
import { CallLog, contextLabel, keyLabel } from '../../src/tui/calls/call-log.js';

let seq = 0;
function call(over: Partial<ApiCall>): ApiCall {
  return { seq: ++seq, time: '2025-01-01T00:00:00Z', service: 'kms', operation: 'GenerateDataKey', caller: 'you', outcome: { ok: true }, durationMs: 3, ...over };
}

test('each call shows its outcome, operation, caller, error, key alias and encryption context', () => {
  const { lastFrame } = render(
    <CallLog
      calls={[
        call({ operation: 'GenerateDataKey', alias: 'alias/ImportedCMK', keyId: 'alias/ImportedCMK', encryptionContext: { project: 'workshop' } }),
        call({ operation: 'Decrypt', keyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', outcome: { ok: false, code: 'InvalidCiphertextException', message: '' } }),
        call({ operation: 'GenerateDataKey', caller: 's3.amazonaws.com', alias: 'alias/kms_key_sse_usecase_1' }),
      ]}
    />,
  );
  const lines = lastFrame()!.split('\n');
  expect(lines[0]).toMatch(/^✔ GenerateDataKey\s+you alias\/ImportedCMK \{project=workshop\}$/);
  expect(lines[1]).toMatch(/^✘ Decrypt\s+you InvalidCiphertextException key 1234abcd…$/);
  expect(lines[2]).toMatch(/^✔ GenerateDataKey\s+s3\.amazonaws\.com for you alias\/kms_key_sse_usecase_1$/);
});

test('keeps only the newest calls when limited, and says how many came before', () => {
  const calls = Array.from({ length: 6 }, (_, i) => call({ operation: `Op${i}` }));
  const { lastFrame } = render(<CallLog calls={calls} limit={2} />);
  expect(lastFrame()).toMatch(/^… 4 earlier\n✔ Op4\s+you\n✔ Op5\s+you$/);
});

test('an empty log tells the learner how to make calls', () => {
  expect(render(<CallLog calls={[]} />).lastFrame()).toContain('no API calls yet');
});

test('labels: S3 objects by their s3:// address before the key, contexts as key=value', () => {
  expect(keyLabel({ bucket: 'b', objectKey: 'plaintext_u.txt' })).toBe('s3://b/plaintext_u.txt');
  expect(keyLabel({ bucket: 'b', objectKey: 'o', keyId: 'arn:aws:kms:us-east-1:111122223333:key/d8cc2857-ee19-4223-9d2c-2d595e7ff3b4' })).toBe('s3://b/o key d8cc2857…');
  expect(keyLabel({ keyId: 'alias/x', alias: 'alias/x' })).toBe('alias/x');
  expect(contextLabel({ project: 'kmsworkshop', team: 'a' })).toBe('{project=kmsworkshop, team=a}');
  expect(contextLabel({})).toBe('');
});
