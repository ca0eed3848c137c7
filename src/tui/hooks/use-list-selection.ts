// Choosing one item of a list with up/down (or k/j), Home/End, or its number.
import { useInput } from 'ink';
import { useState } from 'react';

export function useListSelection(count: number, { initial = 0, active = true, onChoose }: { initial?: number; active?: boolean; onChoose?: (index: number) => void } = {}) {
  const [selected, setSelected] = useState(Math.max(0, Math.min(count - 1, initial)));
  useInput(
    (input, key) => {
      if (count === 0) return;
      if (key.upArrow || input === 'k') setSelected((s) => (s + count - 1) % count);
      else if (key.downArrow || input === 'j') setSelected((s) => (s + 1) % count);
      else if (key.home) setSelected(0);
      else if (key.end) setSelected(count - 1);
      else if (key.return) onChoose?.(selected);
      else if (/^[1-9]$/.test(input) && Number(input) <= count) setSelected(Number(input) - 1);
    },
    { isActive: active },
  );
  return { selected, setSelected };
}
