// A question step: pick a choice with the arrows or its number, Enter to
// answer; then the verdict and the explanation. A prediction (asked before the
// step runs) keeps its verdict back until the step has run (`reveal`), and once
// closed takes no answer and shows the right one.
import { Box, Text, useInput } from 'ink';
import React, { useRef, useState } from 'react';
import { Prose } from './layout/prose.js';
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
  /** `choice`: the 0-based index chosen (kept for the transcript). */
  onAnswered?: (correct: boolean, choice: number) => void;
  /** Show the verdict and explanation once answered (default); false keeps them back, for a prediction. */
  reveal?: boolean;
  /** No more answers: when unanswered and revealed, the right choice and the explanation show. */
  closed?: boolean;
}

export function Question({ prompt, choices, answer, explanation, active = true, arrowKeys = true, onAnswered, reveal = true, closed = false }: QuestionProps) {
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
      if (now.current.chosen !== null || closed) return;
      const n = Number(input);
      if (Number.isInteger(n) && n >= 1 && n <= choices.length) return choose(n - 1);
      if (!arrowKeys) return;
      if (key.upArrow) moveTo((now.current.cursor + choices.length - 1) % choices.length);
      else if (key.downArrow) moveTo((now.current.cursor + 1) % choices.length);
      else if (key.return) choose(now.current.cursor);
    },
    { isActive: active && !closed },
  );
  function choose(i: number) {
    now.current.chosen = i;
    setChosen(i);
    moveTo(i);
    onAnswered?.(i === answer, i);
  }
  return (
    <Box flexDirection="column">
      <Text bold>? {prompt}</Text>
      {choices.map((choice, i) => {
        const judged = reveal && (chosen !== null || closed);
        const mark = judged ? (i === answer ? '✔' : i === chosen ? '✘' : ' ') : chosen === i ? '•' : arrowKeys && chosen === null && !closed && i === cursor ? '›' : ' ';
        const colour = judged ? (i === answer ? tone('ok') : i === chosen ? tone('error') : tone('muted')) : chosen === i || (arrowKeys && chosen === null && i === cursor) ? tone('accent') : undefined;
        // A choice that wraps keeps its indent, under its own text, not at column 0.
        const label = `${mark} ${i + 1}. `;
        return (
          <Box key={i}>
            <Box width={label.length} flexShrink={0}>
              <Text color={colour}>{label}</Text>
            </Box>
            <Prose>
              <Text color={colour}>{choice}</Text>
            </Prose>
          </Box>
        );
      })}
      {chosen === null && !closed ? (
        <Text color={tone('muted')}>{arrowKeys ? `1-${choices.length} or ↑↓ and Enter to answer` : `press 1-${choices.length} to answer`}</Text>
      ) : !reveal ? (
        chosen !== null ? <Text color={tone('muted')}>Your prediction: {chosen + 1}. Run the step to see.</Text> : null
      ) : (
        <Box flexDirection="column" marginTop={1}>
          <Text bold color={chosen === null ? undefined : chosen === answer ? tone('ok') : tone('error')}>
            {chosen === null ? `The answer: ${answer + 1}.` : chosen === answer ? 'Right.' : `Not quite: the answer is ${answer + 1}.`}
          </Text>
          <Markdown text={explanation} />
        </Box>
      )}
    </Box>
  );
}
