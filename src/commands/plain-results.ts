// Step results and calls as plain text for a log or a pipe (no colours, no
// cursor tricks), and as JSON for `run --json`. Knows the result kinds of
// src/runtime/types.ts, nothing of AWS.
import type { ApiCall, Lesson, StepListener, StepOutcome, StepResult } from '../runtime/types.js';

const INDENT = '    ';

export function callLine(call: ApiCall): string {
  const who = call.caller === 'you' ? 'you' : call.caller.endsWith('.amazonaws.com') ? `${call.caller} on your behalf` : `as ${call.caller}`;
  const key = call.alias ?? call.keyId;
  const parts = [
    `${call.service}:${call.operation}`,
    who,
    key ? `key ${key}` : '',
    call.bucket ? `s3://${call.bucket}${call.objectKey ? `/${call.objectKey}` : ''}` : '',
    call.encryptionContext ? `context ${formatContext(call.encryptionContext)}` : '',
    call.outcome.ok ? 'ok' : `error ${call.outcome.code}`,
    call.durationMs ? `${call.durationMs} ms` : '',
  ];
  return parts.filter(Boolean).join('  ');
}

function formatContext(ctx: Record<string, string>): string {
  return Object.entries(ctx)
    .map(([k, v]) => `${k}=${v.length > 40 ? `${v.slice(0, 12)}...` : v}`)
    .join(',');
}

/** A result as text lines, without indentation. */
export function resultLines(result: StepResult): string[] {
  switch (result.kind) {
    case 'text':
      return result.text.split('\n');
    case 'table': {
      const widths = result.columns.map((c, i) => Math.max(c.length, ...result.rows.map((r) => (r[i] ?? '').length)));
      const row = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
      return [...(result.title ? [`${result.title}:`] : []), row(result.columns), ...result.rows.map(row), ...(result.rows.length === 0 ? ['(none)'] : [])];
    }
    case 'json':
      return [...(result.title ? [`${result.title}:`] : []), ...JSON.stringify(result.value, null, 2).split('\n')];
    case 'hexdump':
      return [`${result.title ?? 'bytes'} (${result.totalBytes} bytes):`, ...hexLines(result.bytes, result.totalBytes)];
    case 'diff':
      if (result.identical) return [`diff ${result.before} ${result.after}: identical, not one byte differs`];
      return [
        `diff ${result.before} ${result.after}: they differ`,
        ...result.lines.filter((l) => l.kind !== 'same').map((l) => `${l.kind === 'added' ? '+' : '-'} ${l.text}`),
      ];
    case 'counter':
      return [
        `${result.title ?? 'calls'}:`,
        ...result.counts.map((c) => `  ${c.operation.padEnd(24)} ${String(c.count).padStart(3)}  ${c.caller === 'you' ? 'by you' : c.caller.endsWith('.amazonaws.com') ? `by ${c.caller} on your behalf` : `as ${c.caller}`}`),
      ];
    case 'expectedError':
      return [
        `expected error: ${result.code}${result.operation ? ` from ${result.operation}` : ''}${result.message ? `: ${result.message}` : ''}`,
        `  why: ${result.why}`,
        `  fix: ${result.fix}`,
      ];
    case 'wait':
      return [
        result.fastForwarded
          ? `${result.label}: fast-forwarded the local engine clock by ${result.seconds} s instead of waiting`
          : `${result.label}: waited ${result.seconds} s`,
      ];
    case 'file':
      return [`wrote ${result.path} (${result.bytes} bytes)${result.note ? `: ${result.note}` : ''}`];
    case 'check':
      return [`${result.ok ? '✔' : '✘'} ${result.label}${result.detail && !result.ok ? ` (${result.detail})` : ''}`];
  }
}

export function hexLines(bytes: Uint8Array, total = bytes.length): string[] {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const chunk = bytes.subarray(at, at + 16);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (total > bytes.length) lines.push(`... ${total - bytes.length} more bytes`);
  return lines;
}

/** A lesson's introduction and what it is based on, as printed before its first step. */
export function introText(lesson: Pick<Lesson, 'intro' | 'basedOn'>): string {
  const lines = lesson.intro.trim() ? lesson.intro.trim().split('\n').map((l) => (l ? `${INDENT}${l}` : '')) : [];
  if (lesson.basedOn.length) lines.push(...(lines.length ? [''] : []), `${INDENT}Based on:`, ...lesson.basedOn.map((b) => `${INDENT}- ${b}`));
  return lines.length ? `${lines.join('\n')}\n\n` : '';
}

/**
 * The plain report of one step: its calls and results in the order they
 * happened (`order`: the kinds of the step's 'call' and 'result' events as
 * they came, from stepOrder), then how it ended. Without an order, calls first.
 */
export function stepReport(outcome: StepOutcome, header: string, order: ReadonlyArray<'call' | 'result'> = []): string {
  const lines = [header];
  const calls = outcome.calls.values();
  const results = outcome.results.values();
  const putCall = (call: ApiCall) => lines.push(`${INDENT}call  ${callLine(call)}`);
  const putResult = (result: StepResult) => {
    for (const [i, line] of resultLines(result).entries()) lines.push(`${INDENT}${i === 0 ? '' : '  '}${line}`);
  };
  for (const kind of order) {
    const next = kind === 'call' ? calls.next() : results.next();
    if (next.done) continue;
    if (kind === 'call') putCall(next.value as ApiCall);
    else putResult(next.value as StepResult);
  }
  for (const call of calls) putCall(call);
  for (const result of results) putResult(result);
  if (outcome.status === 'passed') lines.push(`${INDENT}passed (${outcome.durationMs} ms)`);
  else {
    lines.push(`${INDENT}FAILED: ${outcome.error.message}`);
    if (outcome.error.requestId) lines.push(`${INDENT}request id: ${outcome.error.requestId}`);
  }
  return lines.join('\n') + '\n';
}

/** A step listener that notes the order of its calls and results, for stepReport. */
export function stepOrder(): { order: Array<'call' | 'result'>; listener: StepListener } {
  const order: Array<'call' | 'result'> = [];
  return { order, listener: (event) => (event.type === 'call' || event.type === 'result' ? void order.push(event.type) : undefined) };
}

/** A result as JSON: hex dumps carry their bytes as hex text. */
export function resultJson(result: StepResult): unknown {
  if (result.kind === 'hexdump') return { ...result, bytes: Buffer.from(result.bytes).toString('hex') };
  return result;
}
