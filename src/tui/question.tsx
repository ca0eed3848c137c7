// A question step: pick a choice with the arrows or its number, Enter to
// answer; then the verdict and the explanation.
import { Box, Text, useInput } from 'ink';
import React, { useRef, useState } from 'react';
import { Markdown } from './markdown/markdown.js';
import { tone } from './theme.js';

export interface QuestionProps {
  prompt: string;
  choices: string[];
  /** Index of the right choice. */
  answer: number;
  explanation: string;
  active?: boolean;
  /** Off where the arrows and Enter already mean something (scroll, run): digits only. */
  arrowKeys?: boolean;
  onAnswered?: (correct: boolean) => void;
}

export function Question({ prompt, choices, answer, explanation, active = true, arrowKeys = true, onAnswered }: QuestionProps) {
  const [cursor, setCursor] = useState(0);
  const [chosen, setChosen] = useState<number | null>(null);
  // The key handler reads these, not the state: a key that comes before Ink re-binds the
  // handler after a render (Down then Enter in one burst) must see the move already made.
  const now = useRef({ cursor: 0, chosen: null as number | null });
  const moveTo = (i: number) => {
    now.current.cursor = i;
    setCursor(i);
  };
  useInput(
    (input, key) => {
      if (now.current.chosen !== null) return;
      const n = Number(input);
      if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choose(n - 1);
      if (!arrowKeys) return;
      if (key.upArrow) moveTo((now.current.cursor + choices.length - 1) % choices.length);
      else if (key.downArrow) moveTo((now.current.cursor + 1) % choices.length);
      else if (key.return) choose(now.current.cursor);
    },
    { isActive: active },
  );
  function choose(i: number) {
    now.current.chosen = i;
    setChosen(i);
    moveTo(i);
    onAnswered?.(i === answer);
  }
  return (
    <Box flexDirection="column">
      <Text bold>? {prompt}</Text>
      {choices.map((choice, i) => {
        const mark = chosen === null ? (arrowKeys && i === cursor ? '›' : ' ') : i === answer ? '✔' : i === chosen ? '✘' : ' ';
        const colour = chosen === null ? (arrowKeys && i === cursor ? tone('accent') : undefined) : i === answer ? tone('ok') : i === chosen ? tone('error') : tone('muted');
        return (
          <Text key={i} color={colour}>
            {mark} {i + 1}. {choice}
          </Text>
        );
      })}
      {chosen === null ? (
        <Text color={tone('muted')}>{arrowKeys ? `1-${choices.length} or ↑↓ and Enter to answer` : `press 1-${choices.length} to answer`}</Text>
      ) : (
        <Box flexDirection="column" marginTop={1}>
          <Text bold color={chosen === answer ? tone('ok') : tone('error')}>
            {chosen === answer ? 'Right.' : `Not quite: the answer is ${answer + 1}.`}
          </Text>
          <Markdown text={explanation} />
        </Box>
      )}
    </Box>
  );
}
