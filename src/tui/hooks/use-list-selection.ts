// Choosing one item of a list with up/down (or k/j), Home/End, or its number;
// Enter chooses. The latest selection is kept in a ref as well: keys can
// arrive before React has re-subscribed the handler with the new state.
import { useInput } from 'ink';
import { useRef, useState } from 'react';

export function useListSelection(count: number, { initial = 0, active = true, onChoose }: { initial?: number; active?: boolean; onChoose?: (index: number) => void } = {}) {
  const [selected, setSelectedState] = useState(Math.max(0, Math.min(count - 1, initial)));
  const latest = useRef(selected);
  const setSelected = (i: number) => {
    latest.current = i;
    setSelectedState(i);
  };
  useInput(
    (input, key) => {
      if (count === 0) return;
      const now = latest.current;
      if (key.upArrow || input === 'k') setSelected((now + count - 1) % count);
      else if (key.downArrow || input === 'j') setSelected((now + 1) % count);
      else if (key.home) setSelected(0);
      else if (key.end) setSelected(count - 1);
      else if (key.return) onChoose?.(now);
      else if (/^[1-9]$/.test(input) && Number(input) <= count) setSelected(Number(input) - 1);
    },
    { isActive: active },
  );
  return { selected, setSelected };
}
