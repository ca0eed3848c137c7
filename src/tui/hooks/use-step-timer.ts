// Presenting: how long the current step has been on screen, ticking each second,
// so a presenter keeps to time. Off, it costs nothing (no timer runs).
import { useEffect, useState } from 'react';

/** Seconds since `resetKey` last changed, while `on`. */
export function useStepTimer(on: boolean, resetKey: unknown, now: () => number = Date.now): number {
  const [startedAt, setStartedAt] = useState(now);
  const [, setTick] = useState(0);
  useEffect(() => setStartedAt(now()), [resetKey]);
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return Math.max(0, Math.floor((now() - startedAt) / 1000));
}

export function formatTimer(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
