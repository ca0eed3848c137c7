// Code wider than its panel wraps the way an editor would: at a token
// boundary (a space, or between an identifier and punctuation), never inside
// an identifier or a string unless the token alone is wider than the row, and
// each continuation hangs under the line's own indentation plus a little more,
// so it reads as the same statement and not as a new line at column 0.
import type { Span } from './highlight.js';

/** Columns a continuation hangs in from the line's own indentation. */
export const HANG = 4;

/** One highlighted line as rows of spans no wider than `width` (the first row unindented, continuations start with their indent). */
export function wrapLine(spans: Span[], width: number): Span[][] {
  const length = spans.reduce((n, s) => n + s.text.length, 0);
  if (width <= 0 || length <= width) return [spans];
  const indent = /^ */.exec(spans.map((s) => s.text).join(''))![0].length;
  // The hang leaves at least half the row for text on a very narrow panel.
  const hang = Math.min(indent + HANG, Math.floor(width / 2));
  const rows: Span[][] = [[]];
  let used = 0;
  const room = () => width - used;
  const newRow = () => {
    rows.push(hang > 0 ? [{ text: ' '.repeat(hang), kind: 'plain' }] : []);
    used = hang;
  };
  const rowHasText = () => used > (rows.length === 1 ? 0 : hang) && rows.at(-1)!.some((s) => s.text.trim());
  for (const unit of units(spans)) {
    if (unit.text.length <= room()) {
      put(unit);
      continue;
    }
    if (!unit.text.trim()) {
      // Spaces at a break are dropped: the continuation has its own indent.
      newRow();
      continue;
    }
    if (rowHasText()) newRow();
    // Wider than a whole row: split it where it must be, as little as possible.
    let rest = unit.text;
    while (rest.length > room()) {
      const fits = Math.max(1, room());
      put({ text: rest.slice(0, fits), kind: unit.kind });
      rest = rest.slice(fits);
      newRow();
    }
    if (rest) put({ text: rest, kind: unit.kind });
  }
  return rows;

  function put(span: Span) {
    rows.at(-1)!.push(span);
    used += span.text.length;
  }
}

/**
 * The pieces a line may break between: each highlighted token, with plain text
 * further cut at spaces and punctuation (a path or an ARN in a shell word may
 * break after a slash or a colon; a string or an identifier stays whole).
 */
function units(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const span of spans) {
    if (span.kind === 'string' || span.kind === 'comment') {
      // A comment is words: it may break between them.
      if (span.kind === 'comment') for (const part of span.text.split(/(?<= )/)) out.push({ text: part, kind: span.kind });
      else out.push(span);
      continue;
    }
    for (const part of span.text.match(/ +|[^ ]*?[.,:;/=&|({[]+|[^ ]+/g) ?? [span.text]) out.push({ text: part, kind: span.kind });
  }
  return out;
}
