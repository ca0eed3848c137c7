// Scrolling back through a learner's calls: up goes to older calls and holds
// the log still while new ones arrive below, down comes back, End follows the
// learner live again (as does scrolling down to the newest).
import { useInput } from 'ink';
import { useState } from 'react';

/** Returns how many of the newest calls are scrolled past (0: live). */
export function useCallScroll(count: number, page: number, { active = true }: { active?: boolean } = {}): number {
  // The number of calls shown up to (exclusive) while held; null: live, the newest shown.
  const [end, setEnd] = useState<number | null>(null);
  const min = Math.min(count, Math.max(1, page));
  const move = (delta: number) =>
    setEnd((e) => {
      const next = Math.max(min, Math.min(count, (e ?? count) + delta));
      return next >= count ? null : next;
    });
  useInput(
    (input, key) => {
      if (key.upArrow || input === 'k') move(-1);
      else if (key.downArrow || input === 'j') move(1);
      else if (key.pageUp) move(-page);
      else if (key.pageDown) move(page);
      else if (key.home) setEnd(min >= count ? null : min);
      else if (key.end) setEnd(null);
    },
    { isActive: active },
  );
  return end === null ? 0 : Math.max(0, count - Math.max(min, Math.min(count, end)));
}
