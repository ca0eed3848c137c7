// Finds the exported step functions in a steps.ts source and cuts out each
// one's text, so the screen can show "the code" exactly as the author wrote it.
// A small scanner rather than the TypeScript compiler: the compiler is far too
// big to ship, and step files are plain top-level functions. It understands
// strings, template literals, comments and regular expressions well enough to
// match braces.

export interface StepFunctionSource {
  name: string;
  /** 1-based line of the `export` keyword. */
  line: number;
  /** The function's text, with the comment lines directly above it. */
  source: string;
}

export interface ScannedSteps {
  functions: StepFunctionSource[];
  /** Where the scanner lost its way (an unclosed brace or string), 1-based. */
  unbalancedAt?: number;
}

const EXPORT_FUNCTION = /^export\s+(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[<(]/;
const EXPORT_ARROW = /^export\s+const\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:\(|[A-Za-z_$][\w$]*\s*=>|function\b)/;

export function scanStepFunctions(source: string): ScannedSteps {
  const text = source.replace(/\r\n?/g, '\n');
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };

  const { topLevelLineStarts, unbalancedAt } = walk(text);
  const functions: StepFunctionSource[] = [];
  const lines = text.split('\n');

  for (const offset of topLevelLineStarts) {
    const rest = text.slice(offset, text.indexOf('\n', offset) < 0 ? undefined : text.indexOf('\n', offset));
    const m = EXPORT_FUNCTION.exec(rest) ?? EXPORT_ARROW.exec(rest);
    if (!m) continue;
    const end = endOfDeclaration(text, offset);
    const line = lineOf(offset);
    let first = line;
    while (first > 1 && /^\s*(\/\/|\/\*|\*)/.test(lines[first - 2]!)) first--;
    const last = lineOf(end);
    functions.push({ name: m[1]!, line, source: lines.slice(first - 1, last).join('\n') });
  }
  return { functions, unbalancedAt: unbalancedAt === undefined ? undefined : lineOf(unbalancedAt) };
}

/** Offsets of lines that start at brace depth 0 outside strings and comments, plus where balance broke. */
function walk(text: string): { topLevelLineStarts: number[]; unbalancedAt?: number } {
  const starts: number[] = [];
  const scanner = new Scanner(text);
  let atLineStart = true;
  const stack: number[] = [];
  while (scanner.pos < text.length) {
    const ch = text[scanner.pos]!;
    if (atLineStart && stack.length === 0 && !/\s/.test(ch)) starts.push(scanner.pos);
    atLineStart = false;
    if (ch === '\n') {
      atLineStart = true;
      scanner.pos++;
      continue;
    }
    if (scanner.skipTrivia()) {
      // comments and strings may span lines; a line starting inside them is not top level
      if (text[scanner.pos - 1] === '\n') atLineStart = true;
      continue;
    }
    if (ch === '{' || ch === '(' || ch === '[') stack.push(scanner.pos);
    else if (ch === '}' || ch === ')' || ch === ']') {
      if (stack.length === 0) return { topLevelLineStarts: starts, unbalancedAt: scanner.pos };
      stack.pop();
    }
    scanner.pos++;
  }
  if (scanner.unterminatedAt !== undefined) return { topLevelLineStarts: starts, unbalancedAt: scanner.unterminatedAt };
  return { topLevelLineStarts: starts, unbalancedAt: stack.length ? stack[stack.length - 1] : undefined };
}

/** Offset of the last character of the declaration starting at `offset`: its body's closing brace (or `;`). */
function endOfDeclaration(text: string, offset: number): number {
  const scanner = new Scanner(text);
  scanner.pos = offset;
  let depth = 0;
  let sawBody = false;
  while (scanner.pos < text.length) {
    if (scanner.skipTrivia()) continue;
    const ch = text[scanner.pos]!;
    if (ch === '{' || ch === '(' || ch === '[') {
      // the body's brace follows `)` or `=>` (or a return type's `>`), never `:` or `<` of a type
      if (ch === '{' && depth === 0 && /[)>]/.test(previousNonSpace(text, scanner.pos))) sawBody = true;
      depth++;
    } else if (ch === '}' || ch === ')' || ch === ']') {
      depth--;
      if (depth === 0 && ch === '}' && sawBody) {
        // an arrow function `= async () => { ... };` ends at the brace (a trailing `;` stays on its line)
        return scanner.pos;
      }
    } else if (ch === ';' && depth === 0) return scanner.pos;
    scanner.pos++;
  }
  return text.length - 1;
}

function previousNonSpace(text: string, pos: number): string {
  let i = pos - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return i < 0 ? '' : text[i]!;
}

/** Skips strings, template literals (with nested `${}`), comments and regex literals. */
class Scanner {
  pos = 0;
  unterminatedAt: number | undefined;
  constructor(private readonly text: string) {}

  /** If a string, comment or regex starts at pos, moves past it and returns true. */
  skipTrivia(): boolean {
    const t = this.text;
    const ch = t[this.pos];
    const next = t[this.pos + 1];
    if (ch === '/' && next === '/') {
      const end = t.indexOf('\n', this.pos);
      this.pos = end < 0 ? t.length : end;
      return true;
    }
    if (ch === '/' && next === '*') {
      const end = t.indexOf('*/', this.pos + 2);
      if (end < 0) this.unterminatedAt ??= this.pos;
      this.pos = end < 0 ? t.length : end + 2;
      return true;
    }
    if (ch === '"' || ch === "'") {
      this.skipQuoted(ch);
      return true;
    }
    if (ch === '`') {
      this.skipTemplate();
      return true;
    }
    if (ch === '/' && this.regexAllowed()) {
      this.skipRegex();
      return true;
    }
    return false;
  }

  private skipQuoted(quote: string) {
    const start = this.pos;
    const t = this.text;
    this.pos++;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === quote) {
        this.pos++;
        return;
      } else if (c === '\n') break;
      else this.pos++;
    }
    this.unterminatedAt ??= start;
  }

  private skipTemplate() {
    const start = this.pos;
    const t = this.text;
    this.pos++;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '`') {
        this.pos++;
        return;
      } else if (c === '$' && t[this.pos + 1] === '{') {
        this.pos += 2;
        let depth = 1;
        while (this.pos < t.length && depth > 0) {
          if (this.skipTrivia()) continue;
          const d = t[this.pos];
          if (d === '{') depth++;
          else if (d === '}') depth--;
          this.pos++;
        }
      } else this.pos++;
    }
    this.unterminatedAt ??= start;
  }

  private regexAllowed(): boolean {
    // A `/` starts a regex after an operator or keyword, not after a value.
    let i = this.pos - 1;
    while (i >= 0 && /\s/.test(this.text[i]!)) i--;
    if (i < 0) return true;
    const prev = this.text[i]!;
    if (/[(,=:[!&|?{};+\-*%<>~^]/.test(prev)) return true;
    const word = /[A-Za-z_$]+$/.exec(this.text.slice(Math.max(0, i - 10), i + 1))?.[0];
    return word !== undefined && ['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await'].includes(word);
  }

  private skipRegex() {
    const t = this.text;
    let inClass = false;
    this.pos++;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '\n') return; // not a regex after all; leave it
      else if (inClass) {
        if (c === ']') inClass = false;
        this.pos++;
      } else if (c === '[') {
        inClass = true;
        this.pos++;
      } else if (c === '/') {
        this.pos++;
        while (/[a-z]/i.test(t[this.pos] ?? '')) this.pos++;
        return;
      } else this.pos++;
    }
  }
}
