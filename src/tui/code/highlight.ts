// A small token colourizer for the two languages the lessons show: TypeScript
// (a step's function) and shell (the equivalent AWS CLI command). It only has
// to make code easier to read, not to parse it, so a handful of regular
// expressions is enough and costs nothing at start-up.
export type SpanKind = 'plain' | 'keyword' | 'string' | 'number' | 'comment' | 'function' | 'type' | 'flag' | 'command';
export interface Span {
  text: string;
  kind: SpanKind;
}
export type Language = 'ts' | 'sh' | 'plain';

export function languageOf(name: string | undefined): Language {
  const n = (name ?? '').toLowerCase();
  if (['ts', 'typescript', 'tsx', 'js', 'javascript', 'jsx', 'mjs'].includes(n)) return 'ts';
  if (['sh', 'bash', 'shell', 'console', 'zsh', 'aws'].includes(n)) return 'sh';
  return 'plain';
}

const TS_KEYWORDS = new Set(
  ('as async await break case catch class const continue default delete do else export extends false finally for from ' +
    'function if import in instanceof interface let new null of return static switch this throw true try type typeof ' +
    'undefined var void while yield').split(' '),
);

// Order matters: comments and strings first, so keywords inside them stay plain.
const TS_RULES: Array<[RegExp, SpanKind | 'word']> = [
  [/\/\/[^\n]*/y, 'comment'],
  [/\/\*[\s\S]*?(?:\*\/|$)/y, 'comment'],
  [/`(?:\\[\s\S]|[^\\`])*`?/y, 'string'],
  [/'(?:\\.|[^\\'\n])*'?/y, 'string'],
  [/"(?:\\.|[^\\"\n])*"?/y, 'string'],
  [/\b(?:0x[\da-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?n?)\b/y, 'number'],
  [/[A-Za-z_$][\w$]*/y, 'word'],
  [/\s+/y, 'plain'],
  [/[^\sA-Za-z_$\d'"`/]+|\//y, 'plain'],
];

const SH_RULES: Array<[RegExp, SpanKind | 'word']> = [
  [/#[^\n]*/y, 'comment'],
  [/'[^'\n]*'?/y, 'string'],
  [/"(?:\\.|[^\\"\n])*"?/y, 'string'],
  [/(?<=^|\s)--?[A-Za-z][\w-]*/y, 'flag'],
  [/[^\s'"#]+/y, 'word'],
  [/\s+/y, 'plain'],
  [/[\s\S]/y, 'plain'],
];

/** Splits source into lines of coloured spans. Never throws: unknown text is 'plain'. */
export function highlight(source: string, language: Language): Span[][] {
  const spans = language === 'ts' ? tokenizeTs(source) : language === 'sh' ? tokenizeSh(source) : [{ text: source, kind: 'plain' as const }];
  return splitLines(spans);
}

function tokenizeTs(source: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  while (i < source.length) {
    const [text, kind] = next(source, i, TS_RULES);
    if (kind === 'word') out.push({ text, kind: classifyTsWord(text, source, i + text.length) });
    else out.push({ text, kind });
    i += text.length;
  }
  return out;
}

function classifyTsWord(word: string, source: string, after: number): SpanKind {
  if (TS_KEYWORDS.has(word)) return 'keyword';
  if (/^\s*\(/.test(source.slice(after, after + 8))) return 'function';
  if (/^[A-Z]/.test(word)) return 'type';
  return 'plain';
}

function tokenizeSh(source: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  let atCommand = true; // the first word of a command line, and after | ; && or a line break
  while (i < source.length) {
    const [text, kind] = next(source, i, SH_RULES);
    if (kind === 'word') {
      out.push({ text, kind: atCommand ? 'command' : /^\d+$/.test(text) ? 'number' : 'plain' });
      atCommand = /^(\||;|&&|\|\|)$/.test(text);
    } else {
      out.push({ text, kind });
      if (kind === 'plain' && text.includes('\n') && !/\\\s*$/.test(source.slice(0, i))) atCommand = true;
    }
    i += text.length;
  }
  return out;
}

function next(source: string, at: number, rules: Array<[RegExp, SpanKind | 'word']>): [string, SpanKind | 'word'] {
  for (const [re, kind] of rules) {
    re.lastIndex = at;
    const m = re.exec(source);
    if (m && m[0].length > 0) return [m[0], kind];
  }
  return [source[at]!, 'plain'];
}

function splitLines(spans: Span[]): Span[][] {
  const lines: Span[][] = [[]];
  for (const span of spans) {
    const parts = span.text.split('\n');
    parts.forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines[lines.length - 1]!.push({ text: part, kind: span.kind });
    });
  }
  return lines;
}
