// Colours for the TUI in one place, so NO_COLOR (https://no-color.org) switches
// every one of them off: a component asks `tone('ok')`, never names a colour itself.
export type Tone = 'accent' | 'ok' | 'error' | 'warn' | 'muted' | 'added' | 'removed' | 'key' | 'heading' | 'code';

const COLOURS: Record<Tone, string> = {
  accent: 'cyan',
  ok: 'green',
  error: 'red',
  warn: 'yellow',
  muted: 'gray',
  added: 'green',
  removed: 'red',
  key: 'magenta',
  heading: 'cyanBright',
  code: 'yellow',
};

/** NO_COLOR present and not empty turns colour off, as the convention says. */
export function colourEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(typeof env.NO_COLOR === 'string' && env.NO_COLOR !== '');
}

let enabled = colourEnabled();

/** For tests and for the entry point, which reads the environment once. */
export function setColour(on: boolean) {
  enabled = on;
}

/** The colour for a tone, or undefined when colour is off (Ink then prints plain text). */
export function tone(t: Tone): string | undefined {
  return enabled ? COLOURS[t] : undefined;
}
