// A real terminal for end-to-end tests: a tmux server on its own socket, one
// window of a given size running a plain shell. Keys go in with send-keys; the
// screen comes back with capture-pane, as a person would see it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export class Terminal {
  private readonly socket = `kmsws-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly dir = mkdtempSync(join(tmpdir(), 'kmsws-pty-'));

  constructor({ columns = 80, rows = 24, env = {} }: { columns?: number; rows?: number; env?: Record<string, string> } = {}) {
    // A shell with a known prompt, no rc files, and none of CI's variables (Ink draws nothing live under CI).
    const vars = Object.entries({ TERM: 'xterm-256color', PS1: 'ready$ ', HOME: this.dir, ...env }).map(([k, v]) => `${k}=${v}`);
    this.tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(columns), '-y', String(rows), '-s', 'w', 'env', '-u', 'CI', '-u', 'CONTINUOUS_INTEGRATION', ...vars, 'bash', '--norc', '--noprofile');
    this.tmux('set-option', '-t', 'w', 'status', 'off');
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Literal text, then Enter. */
  type(text: string) {
    this.tmux('send-keys', '-t', 'w', '-l', text);
    this.tmux('send-keys', '-t', 'w', 'Enter');
  }

  /** tmux key names: Enter, Escape, Down, Right, C-c, or single characters. */
  press(...keys: string[]) {
    for (const key of keys) this.tmux('send-keys', '-t', 'w', key);
  }

  screen({ escapes = false } = {}): string {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'w');
  }

  /** A tmux format variable of the pane, e.g. alternate_on, cursor_flag. */
  info(name: string): string {
    return this.tmux('display-message', '-p', '-t', 'w', `#{${name}}`).trim();
  }

  resize(columns: number, rows: number) {
    this.tmux('resize-window', '-t', 'w', '-x', String(columns), '-y', String(rows));
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}; it shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Ends the terminal and whatever runs in it, then removes its folder (best effort: a leftover temp folder harms nothing). */
  async close() {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    for (let attempt = 0; attempt < 30; attempt++) {
      try {
        rmSync(this.dir, { recursive: true, force: true });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // the program may still be writing its home as it exits
      }
    }
  }
}
