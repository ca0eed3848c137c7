// Bytes as a learner reads them in a hex editor: offset, bytes in hex, and the
// printable characters beside them, so ciphertext visibly is not the text.
import { Box, Text } from 'ink';
import React from 'react';
import { tone } from '../theme.js';

export function hexLines(bytes: Uint8Array, { bytesPerLine = 16, maxLines = 16, totalBytes = bytes.length }: { bytesPerLine?: number; maxLines?: number; totalBytes?: number } = {}): string[] {
  const lines: string[] = [];
  const shown = Math.min(Math.ceil(bytes.length / bytesPerLine), maxLines);
  for (let line = 0; line < shown; line++) {
    const chunk = bytes.subarray(line * bytesPerLine, (line + 1) * bytesPerLine);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(line * bytesPerLine).toString(16).padStart(8, '0')}  ${hex.padEnd(bytesPerLine * 3 - 1)}  ${ascii}`);
  }
  const rest = Math.max(totalBytes, bytes.length) - Math.min(bytes.length, shown * bytesPerLine);
  if (rest > 0) lines.push(`… ${rest} more bytes`);
  return lines;
}

/** A narrow terminal gets 8 bytes a line so the dump never wraps. */
export function HexDump({ bytes, totalBytes, title, width = 80, maxLines }: { bytes: Uint8Array; totalBytes?: number; title?: string; width?: number; maxLines?: number }) {
  const bytesPerLine = width >= 78 ? 16 : 8;
  const total = totalBytes ?? bytes.length;
  return (
    <Box flexDirection="column">
      {title ? (
        <Text bold>
          {title} <Text color={tone('muted')}>({total} bytes)</Text>
        </Text>
      ) : null}
      {hexLines(bytes, { bytesPerLine, maxLines, totalBytes: total }).map((line, i) => (
        <Text key={i} color={line.startsWith('…') ? tone('muted') : undefined}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
