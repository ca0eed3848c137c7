// s shows only the learners who look stuck (and everyone again); + and - change
// how many minutes on one step count as stuck.
import { useInput } from 'ink';
import { useState } from 'react';
import { clampStuckMinutes, DEFAULT_STUCK_MINUTES } from '../stuck/stuck.js';

export interface StuckFilter {
  on: boolean;
  minutes: number;
}

export function useStuckFilter({ initialMinutes = DEFAULT_STUCK_MINUTES, active = true }: { initialMinutes?: number; active?: boolean } = {}): StuckFilter {
  const [on, setOn] = useState(false);
  const [minutes, setMinutes] = useState(clampStuckMinutes(initialMinutes));
  useInput(
    (input) => {
      // Keys pressed fast can come as one chunk ('+++'): each counts.
      if (!/^[s+=_-]+$/.test(input)) return;
      for (const key of input) {
        if (key === 's') setOn((o) => !o);
        else if (key === '+' || key === '=') setMinutes((m) => clampStuckMinutes(m + 1));
        else setMinutes((m) => clampStuckMinutes(m - 1));
      }
    },
    { isActive: active },
  );
  return { on, minutes };
}
