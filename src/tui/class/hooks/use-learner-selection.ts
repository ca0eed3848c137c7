// Choosing a learner with up/down (k/j), Home/End; Enter opens them. The choice
// is kept by profile, not position: the room refreshes and the stuck filter
// changes the rows, and the instructor's choice stays on the same person
// (the first row when they are no longer shown).
import { useInput } from 'ink';
import { useRef, useState } from 'react';

export function useLearnerSelection(profiles: readonly string[], { active = true, onOpen }: { active?: boolean; onOpen: (profile: string) => void }): string | undefined {
  const [wanted, setWanted] = useState<string | undefined>(undefined);
  const current = wanted !== undefined && profiles.includes(wanted) ? wanted : profiles[0];
  // Keys can come faster than React re-subscribes the handler: it reads the latest rows and choice, not the ones it was made with.
  const latest = useRef<string | undefined>(current);
  latest.current = current;
  const rows = useRef(profiles);
  rows.current = profiles;
  const open = useRef(onOpen);
  open.current = onOpen;
  const choose = (profile: string | undefined) => {
    latest.current = profile;
    setWanted(profile);
  };
  useInput(
    (input, key) => {
      const profiles = rows.current;
      if (profiles.length === 0) return;
      const at = Math.max(0, profiles.indexOf(latest.current ?? ''));
      if (key.upArrow || input === 'k') choose(profiles[Math.max(0, at - 1)]);
      else if (key.downArrow || input === 'j') choose(profiles[Math.min(profiles.length - 1, at + 1)]);
      else if (key.home) choose(profiles[0]);
      else if (key.end) choose(profiles[profiles.length - 1]);
      else if (key.return && latest.current !== undefined) open.current(latest.current);
    },
    { isActive: active },
  );
  return current;
}
