// The terminal's size, updated on resize, so screens lay themselves out to fit.
// On a resize the terminal may have re-wrapped the old frame, and Ink draws
// once more at the old size before React catches up: clear the (alternate)
// screen so the new frame starts from a clean page.
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export function useTerminalSize(fallback: TerminalSize = { columns: 80, rows: 24 }): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || fallback.columns, rows: stdout.rows || fallback.rows });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => {
      if (stdout.isTTY) stdout.write('\u001B[2J\u001B[H');
      setSize(read());
    };
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
