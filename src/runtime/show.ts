// The results a step shows. Each helper builds a plain StepResult (see
// types.ts), hands it to the session at once (so a screen shows it while the
// step still runs) and returns it, so a step can also `return show.json(...)`.
import { diffLines } from 'diff';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { toDisplayJson } from '../mask.js';
import type { ApiCall, CallCount, DiffLine, StepResult } from './types.js';

type Of<K extends StepResult['kind']> = Extract<StepResult, { kind: K }>;

/** At most this much of a file goes into a hex dump: enough to see it is not text. */
export const HEXDUMP_MAX_BYTES = 256;

export interface Show {
  text(text: string, tone?: 'info' | 'ok' | 'warn'): Of<'text'>;
  table(columns: string[], rows: unknown[][], title?: string): Of<'table'>;
  /** A response or document, with data-key plaintext (and any `secrets` fields) masked. */
  json(value: unknown, title?: string, opts?: { secrets?: string[] }): Of<'json'>;
  /** A file in the workspace (by name) or bytes, as a hex editor shows them. */
  hexdump(fileOrBytes: string | Uint8Array, title?: string): Of<'hexdump'>;
  /** Two files in the workspace compared line by line. */
  diff(before: string, after: string): Of<'diff'>;
  /** This step's calls so far (or the ones given) counted by operation and caller. */
  counter(opts?: { title?: string; operations?: string[]; calls?: readonly ApiCall[] }): Of<'counter'>;
  /** A file the step wrote in the workspace, with its size. */
  file(name: string, note?: string): Of<'file'>;
  /** Something the lesson expects to be true; when it is not, the step fails. */
  check(label: string, ok: boolean, detail?: string): Of<'check'>;
}

export function createShow(workspace: string, stepCalls: () => readonly ApiCall[], emit: (result: StepResult) => void): Show {
  const inWorkspace = (name: string) => (isAbsolute(name) ? name : join(workspace, name));
  const label = (name: string) => (isAbsolute(name) ? relative(workspace, name) || name : name);
  const out = <R extends StepResult>(result: R): R => {
    emit(result);
    return result;
  };
  return {
    text: (text, tone) => out({ kind: 'text', text, ...(tone ? { tone } : {}) }),
    table: (columns, rows, title) => out({ kind: 'table', ...(title ? { title } : {}), columns, rows: rows.map((r) => r.map(cell)) }),
    json: (value, title, opts) => out({ kind: 'json', ...(title ? { title } : {}), value: toDisplayJson(value, opts?.secrets) }),
    hexdump(fileOrBytes, title) {
      const bytes = typeof fileOrBytes === 'string' ? readFileSync(inWorkspace(fileOrBytes)) : Buffer.from(fileOrBytes);
      const path = typeof fileOrBytes === 'string' ? label(fileOrBytes) : undefined;
      return out({
        kind: 'hexdump',
        ...(title ?? path ? { title: title ?? path } : {}),
        ...(path ? { path } : {}),
        bytes: new Uint8Array(bytes.subarray(0, HEXDUMP_MAX_BYTES)),
        totalBytes: bytes.length,
      });
    },
    diff(before, after) {
      const a = readFileSync(inWorkspace(before));
      const b = readFileSync(inWorkspace(after));
      return out({ kind: 'diff', before: label(before), after: label(after), identical: a.equals(b), lines: lineDiff(a.toString('utf8'), b.toString('utf8')) });
    },
    counter(opts = {}) {
      const calls = (opts.calls ?? stepCalls()).filter((c) => !opts.operations || opts.operations.includes(c.operation));
      const counts = countCalls(calls);
      for (const op of opts.operations ?? []) if (!counts.some((c) => c.operation === op)) counts.push({ operation: op, caller: 'you', count: 0 });
      return out({ kind: 'counter', ...(opts.title ? { title: opts.title } : {}), counts });
    },
    file: (name, note) => out({ kind: 'file', path: label(name), bytes: statSync(inWorkspace(name)).size, ...(note ? { note } : {}) }),
    check: (label, ok, detail) => out({ kind: 'check', label, ok: Boolean(ok), ...(detail ? { detail } : {}) }),
  };
}

export function countCalls(calls: readonly ApiCall[]): CallCount[] {
  const counts: CallCount[] = [];
  for (const call of calls) {
    const found = counts.find((c) => c.operation === call.operation && c.caller === call.caller);
    if (found) found.count++;
    else counts.push({ operation: call.operation, caller: call.caller, count: 1 });
  }
  return counts;
}

function lineDiff(a: string, b: string): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const part of diffLines(a, b)) {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    const texts = part.value.replace(/\n$/, '').split('\n');
    for (const text of texts) lines.push({ kind, text });
  }
  return lines;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(toDisplayJson(v));
  return String(v);
}
