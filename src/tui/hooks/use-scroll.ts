// Up/down (and page up/down, Home/End) scroll a panel; the offset is clamped to
// the content, and snaps back when the content or the panel shrinks.
import { useInput } from 'ink';
import { useCallback, useEffect, useState } from 'react';

export interface Scroll {
  offset: number;
  contentHeight: number;
  setContentHeight: (rows: number) => void;
  reset: () => void;
}

export function useScroll(height: number, { active = true }: { active?: boolean } = {}): Scroll {
  const [offset, setOffset] = useState(0);
  const [contentHeight, setContentHeight] = useState(0);
  const max = Math.max(0, contentHeight - height);
  useEffect(() => {
    if (offset > max) setOffset(max);
  }, [offset, max]);
  useInput(
    (input, key) => {
      if (key.upArrow || input === 'k') setOffset((o) => Math.max(0, o - 1));
      else if (key.downArrow || input === 'j') setOffset((o) => Math.min(max, o + 1));
      else if (key.pageUp) setOffset((o) => Math.max(0, o - Math.max(1, height - 1)));
      else if (key.pageDown || input === ' ') setOffset((o) => Math.min(max, o + Math.max(1, height - 1)));
      else if (key.home) setOffset(0);
      else if (key.end) setOffset(max);
    },
    { isActive: active },
  );
  const reset = useCallback(() => setOffset(0), []);
  return { offset: Math.min(offset, max), contentHeight, setContentHeight, reset };
}
