// z zeroes the room's counts on the instructor's screen (the engine keeps counting): before
// the caching lesson's encrypts, so the GenerateDataKey count the room sees is theirs alone.
// Pressing z again counts from then.
import { useInput } from 'ink';
import { useRef, useState } from 'react';

export interface CountBaseline {
  /** The counts when z was pressed; undefined: counting since the engine started. */
  baseline?: Readonly<Record<string, number>>;
  since?: Date;
}

export function useCountBaseline(operations: Readonly<Record<string, number>> | undefined, { active = true }: { active?: boolean } = {}): CountBaseline {
  const [state, setState] = useState<CountBaseline>({});
  // The handler may be one render old: it zeroes the counts last received, not the ones it was made with.
  const latest = useRef(operations);
  latest.current = operations;
  useInput(
    (input) => {
      if (input === 'z' && latest.current) setState({ baseline: { ...latest.current }, since: new Date() });
    },
    { isActive: active },
  );
  return state;
}
