import { render } from 'ink-testing-library';
import { Box } from 'ink';
import React from 'react';
import { expect, test } from 'vitest';
import { Markdown } from '../../src/tui/markdown/markdown.js';

const NARRATIVE = `# Envelope encryption

A **data key** encrypts the file; the *KMS key* encrypts the data key.
Call \`GenerateDataKey\` with \`--key-spec AES_256\` & keep <ciphertext>.

1. Generate a data key
2. Encrypt locally

- discard the plaintext key
- keep the encrypted one

\`\`\`sh
aws kms generate-data-key --key-id alias/ImportedCMK --key-spec AES_256
\`\`\`

> Plaintext data keys never touch the disk.
`;

test('draws headings, emphasis, inline code, numbered and bulleted lists, code blocks and quotes as text a person reads', () => {
  const { lastFrame } = render(<Markdown text={NARRATIVE} />);
  const frame = lastFrame()!;
  expect(frame).toContain('Envelope encryption');
  expect(frame).not.toContain('#');
  expect(frame).toContain('A data key encrypts the file; the KMS key encrypts the data key. Call GenerateDataKey with');
  expect(frame).not.toContain('**');
  expect(frame).toContain('--key-spec AES_256 & keep <ciphertext>.');
  expect(frame).toMatch(/1\. Generate a data key\n2\. Encrypt locally/);
  expect(frame).toMatch(/• discard the plaintext key\n• keep the encrypted one/);
  expect(frame).toContain('aws kms generate-data-key --key-id alias/ImportedCMK --key-spec AES_256');
  expect(frame).not.toContain('```');
  expect(frame).toContain('│ Plaintext data keys never touch the disk.');
});

test('wraps a long paragraph to the width it is given instead of overflowing', () => {
  const long = 'word '.repeat(60).trim();
  const { lastFrame } = render(<Markdown text={long} />);
  const lines = lastFrame()!.split('\n');
  expect(lines.length).toBeGreaterThan(2);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
});

test('a paragraph flows to the panel width: soft line breaks become spaces, no wrapped line starts with a space', () => {
  const { lastFrame } = render(
    <Box width={30}>
      <Markdown text={'The encryption context is\nbound to the ciphertext as authenticated data, and Decrypt needs it.'} />
    </Box>,
  );
  const lines = lastFrame()!.split('\n');
  expect(lines.length).toBeGreaterThan(2);
  for (const line of lines) {
    expect(line.length).toBeLessThanOrEqual(30);
    expect(line.startsWith(' ')).toBe(false);
  }
  expect(lines.join(' ').replace(/\s+/g, ' ').trim()).toBe('The encryption context is bound to the ciphertext as authenticated data, and Decrypt needs it.');
});
