// Up/down (and page up/down, Home/End) scroll a panel. The offset asked for is
// kept as is and clamped when drawn, so "scroll to the results" can be asked
// before the results have streamed in and takes effect as they arrive.
import { useInput } from 'ink';
import { useCallback, useState } from 'react';

export interface Scroll {
  offset: number;
  contentHeight: number;
  setContentHeight: (rows: number) => void;
  reset: () => void;
  scrollTo: (row: number) => void;
}

export function useScroll(height: number, { active = true }: { active?: boolean } = {}): Scroll {
  const [wanted, setWanted] = useState(0);
  const [contentHeight, setContentHeight] = useState(0);
  const max = Math.max(0, contentHeight - height);
  const by = (delta: number) => setWanted((o) => Math.max(0, Math.min(max, Math.min(o, max) + delta)));
  useInput(
    (input, key) => {
      const page = Math.max(1, height - 1);
      if (key.upArrow || input === 'k') by(-1);
      else if (key.downArrow || input === 'j') by(1);
      else if (key.pageUp) by(-page);
      else if (key.pageDown || input === ' ') by(page);
      else if (key.home) setWanted(0);
      else if (key.end) setWanted(Number.MAX_SAFE_INTEGER);
    },
    { isActive: active },
  );
  const reset = useCallback(() => setWanted(0), []);
  const scrollTo = useCallback((row: number) => setWanted(Math.max(0, row)), []);
  return { offset: Math.min(wanted, max), contentHeight, setContentHeight, reset, scrollTo };
}
