// A spinner with elapsed time, for anything that waits: a step running, or the
// CloudTrail delivery delay ("fast-forwarding the engine clock 2 min").
import { Text } from 'ink';
import React, { useEffect, useState } from 'react';
import { tone } from '../theme.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function Spinner({ label, startedAt, now = Date.now }: { label: string; startedAt?: number; now?: () => number }) {
  const [start] = useState(() => startedAt ?? now());
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 100);
    return () => clearInterval(timer);
  }, []);
  const elapsed = Math.max(0, now() - start);
  return (
    <Text>
      <Text color={tone('accent')}>{FRAMES[tick % FRAMES.length]}</Text> {label} <Text color={tone('muted')}>{formatElapsed(elapsed)}</Text>
    </Text>
  );
}

/** 0.4 s, 12.3 s, 2 min 05 s: precise when short, readable when long. */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
