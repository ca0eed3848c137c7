import { render } from 'ink-testing-library';
import React from 'react';
import { expect, test } from 'vitest';
import { JsonView } from '../../src/tui/results/json-view.js';

test('pretty-prints a response with its masked secret as given, bytes as a length', () => {
  const { lastFrame } = render(
    <JsonView
      title="GenerateDataKey"
      value={{ KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234', Plaintext: '97**...**OOL', CiphertextBlob: new Uint8Array(184), Extra: undefined, Tags: [], Count: 2, On: true }}
    />,
  );
  expect(lastFrame()).toBe(
    [
      'GenerateDataKey',
      '{',
      '  "KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234",',
      '  "Plaintext": "97**...**OOL",',
      '  "CiphertextBlob": "<184 bytes>",',
      '  "Tags": [],',
      '  "Count": 2,',
      '  "On": true',
      '}',
    ].join('\n'),
  );
});

test('nests arrays and objects', () => {
  const { lastFrame } = render(<JsonView value={{ Keys: [{ KeyId: 'a' }, { KeyId: 'b' }] }} />);
  expect(lastFrame()).toContain('  "Keys": [\n    {\n      "KeyId": "a"\n    },\n    {\n      "KeyId": "b"\n    }\n  ]\n}');
});
