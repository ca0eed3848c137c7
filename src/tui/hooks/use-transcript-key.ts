// `t` on a lesson: writes its transcript (the entry decides where) and says
// where it went, or why it could not, until the next key.
import { useState } from 'react';

export function useTranscriptKey(save: (() => Promise<string>) | undefined) {
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | undefined>();
  const write = () => {
    if (!save) return;
    setNotice({ ok: true, text: 'writing the transcript…' });
    save().then(
      (file) => setNotice({ ok: true, text: `Transcript written to ${file}` }),
      (e: unknown) => setNotice({ ok: false, text: `Could not write the transcript: ${(e as Error)?.message ?? String(e)}` }),
    );
  };
  return { notice, write, clear: () => setNotice(undefined) };
}
