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

test('wraps a long paragraph, list item and quote to the width it is given, losing no word; list and quote lines stay indented', () => {
  const words = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');
  const text = `${words('p', 30)}\n\n- ${words('li', 30)}\n\n> ${words('q', 30)}\n`;
  const { lastFrame } = render(
    <Box width={40}>
      <Markdown text={text} />
    </Box>,
  );
  const lines = lastFrame()!.split('\n');
  for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(40);
  const all = lines.join(' ');
  for (const tag of ['p', 'li', 'q']) for (let i = 0; i < 30; i++) expect(all).toMatch(new RegExp(`(^|[\\s│•])${tag}${i}(\\s|$)`));
  const linesWith = (tag: string) => lines.filter((l) => new RegExp(`\\b${tag}\\d`).test(l));
  for (const tag of ['p', 'li', 'q']) expect(linesWith(tag).length, tag).toBeGreaterThan(2);
  // A wrapped list item continues under its text, not under the bullet; a quote keeps its bar on every line.
  const [firstItem, ...moreItem] = linesWith('li');
  expect(firstItem).toMatch(/^• li0 /);
  for (const line of moreItem) expect(line).toMatch(/^ {2}li\d/);
  for (const line of linesWith('q')) expect(line).toMatch(/^│ q\d/);
  // Lines are filled: a paragraph line ends only where the next word would not fit.
  const paragraph = linesWith('p');
  for (let i = 0; i < paragraph.length - 1; i++) expect(paragraph[i]!.trimEnd().length + 1 + paragraph[i + 1]!.split(' ')[0]!.length).toBeGreaterThan(40);
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

test("a title's backticks render as code, not literally", async () => {
  const { InlineMarkdown } = await import('../../src/tui/markdown/markdown.js');
  const { lastFrame } = render(<InlineMarkdown text="Decrypt with `aws kms decrypt` and **care**" />);
  expect(lastFrame()).toBe('Decrypt with aws kms decrypt and care');
});
