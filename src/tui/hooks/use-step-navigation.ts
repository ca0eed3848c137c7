// Moving between a lesson's steps: right/left or n/p, clamped to the lesson.
// Updates are functional: keys typed faster than React re-subscribes its input
// handler (the frame is drawn before effects run) must still each count.
import { useInput } from 'ink';
import { useCallback, useEffect, useRef, useState } from 'react';

export interface StepNavigation {
  index: number;
  /** The index as of the last key, even before React has re-rendered. */
  current: () => number;
  go: (index: number) => void;
  next: () => void;
  previous: () => void;
}

export function useStepNavigation(count: number, initial: number, { active = true, onMove }: { active?: boolean; onMove?: (index: number) => void } = {}): StepNavigation {
  const clamp = (i: number) => Math.max(0, Math.min(count - 1, i));
  const [index, setIndex] = useState(() => clamp(initial));
  const latest = useRef(index);
  const move = useCallback(
    (to: (i: number) => number) => {
      latest.current = clamp(to(latest.current));
      setIndex(latest.current);
    },
    [count],
  );
  const onMoveRef = useRef(onMove);
  onMoveRef.current = onMove;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    onMoveRef.current?.(index);
  }, [index]);
  const go = useCallback((i: number) => move(() => i), [move]);
  const next = useCallback(() => move((i) => i + 1), [move]);
  const previous = useCallback(() => move((i) => i - 1), [move]);
  useInput(
    (input, key) => {
      if (key.rightArrow || input === 'n') next();
      else if (key.leftArrow || input === 'p') previous();
    },
    { isActive: active },
  );
  return { index, current: () => latest.current, go, next, previous };
}
