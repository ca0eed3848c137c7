// Reads a YAML block (front matter or a ```step block) into checked fields,
// turning every problem into a message with the line it is on.
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { problem, type LessonProblem } from './errors.js';
import type { YamlBlock } from './markdown.js';

export interface FieldReader {
  /** The value of each known field as plain JS, with its line. */
  get(name: string): { value: unknown; line: number } | undefined;
  /** Line of the block's first line (for "missing field" problems). */
  line: number;
}

/**
 * Parses `block` as a YAML mapping. Unknown fields, duplicate fields and YAML
 * syntax errors are reported against `file`; known fields come back for checking.
 */
export function readFields(block: YamlBlock, file: string, known: readonly string[], what: string, problems: LessonProblem[]): FieldReader | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(block.text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const lineAt = (offset: number | undefined) => block.line + (offset === undefined ? 0 : counter.linePos(offset).line - 1);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push(problem(file, lineAt(e.pos[0]), `${what}: ${firstLine(e.message)}`));
    return undefined;
  }
  const contents = doc.contents;
  if (contents === null) return { get: () => undefined, line: block.line };
  if (!isMap(contents)) {
    problems.push(problem(file, block.line, `${what} must be YAML fields (name: value), one per line`));
    return undefined;
  }
  const found = new Map<string, { value: unknown; line: number }>();
  for (const pair of contents.items) {
    const keyNode = pair.key as Node | null;
    const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const line = lineAt(keyNode?.range?.[0]);
    if (!known.includes(name)) {
      problems.push(problem(file, line, `${what}: unknown field '${name}' (known fields: ${known.join(', ')})`));
      continue;
    }
    const valueNode = pair.value as Node | null;
    found.set(name, { value: valueNode ? valueNode.toJSON() : null, line, ...nestedLines(valueNode, lineAt) });
  }
  return { get: (name) => found.get(name), line: block.line };
}

/** For a nested mapping (a question), the line of each of its keys, as `lines`. */
function nestedLines(node: Node | null, lineAt: (offset: number | undefined) => number): { lines?: Record<string, number> } {
  if (!node || !isMap(node)) return {};
  const lines: Record<string, number> = {};
  for (const pair of node.items) {
    const key = pair.key as Node | null;
    if (isScalar(key)) lines[String(key.value)] = lineAt(key.range?.[0]);
  }
  return { lines };
}

export function linesOf(field: { line: number } | undefined): Record<string, number> {
  return (field as { lines?: Record<string, number> } | undefined)?.lines ?? {};
}

function firstLine(message: string) {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
}

export function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}
