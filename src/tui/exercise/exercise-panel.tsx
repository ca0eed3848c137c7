// An exercise step's panel: what to do and where (the second shell's endpoint
// and folder, or the file to edit), then the checklist as the evidence comes
// in, each near miss with why it does not count, and for the editor kind what
// the last run of the learner's file showed. Knows the verdict, not AWS.
import { Box, Text } from 'ink';
import React from 'react';
import type { Exercise, ExerciseVerdict, StepResult } from '../../runtime/types.js';
import { ResultList } from '../results/result-view.js';
import { tone } from '../theme.js';

export interface ExercisePanelProps {
  exercise: Exercise;
  /** Where it stands; none before the learner starts it. */
  verdict?: ExerciseVerdict;
  watching: boolean;
  /** Locally: the engine's endpoint for the second shell. */
  endpoint?: string;
  /** A class engine joined: the lines that make the second shell sign as the learner, shown whole. */
  shellLines?: readonly string[];
  workspace?: string;
  width: number;
}

export function ExercisePanel({ exercise, verdict, watching, endpoint, shellLines, workspace, width }: ExercisePanelProps) {
  const terminal = exercise.kind === 'terminal';
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text>
        <Text bold color={tone('accent')}>
          Exercise
        </Text>
        <Text color={tone('muted')}> · {terminal ? 'in your own terminal: in a second shell, run' : 'in your editor'}</Text>
      </Text>
      <Box borderStyle="single" borderColor={tone('muted')} paddingX={1} flexDirection="column">
        {terminal ? <SecondShell endpoint={endpoint} lines={shellLines} workspace={workspace} /> : <EditedFile file={verdict?.file ?? (workspace ? `${workspace}/${exercise.starter}` : exercise.starter!)} />}
      </Box>
      {!watching && !verdict ? (
        <Text color={tone('muted')}>
          Press <Text bold>Enter</Text> to start: {terminal ? 'your calls count from then on' : 'the file is copied into the workspace and runs on every save'}.
          <Text bold> s</Text> solves it for you.
        </Text>
      ) : null}
      {verdict?.run ? <LastRun run={verdict.run} width={width} /> : null}
      {verdict ? <Checklist checks={verdict.checks} /> : watching ? <Text color={tone('muted')}>checking…</Text> : null}
    </Box>
  );
}

function SecondShell({ endpoint, lines, workspace }: { endpoint?: string; lines?: readonly string[]; workspace?: string }) {
  return (
    <Box flexDirection="column">
      {workspace ? <Text wrap="truncate-middle">cd {workspace}</Text> : null}
      {lines ? (
        lines.map((line) => <Text key={line}>{line}</Text>)
      ) : endpoint ? (
        <>
          <Text wrap="truncate-end">export AWS_ENDPOINT_URL={endpoint} AWS_DEFAULT_REGION=us-east-1</Text>
          <Text wrap="truncate-end">export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_PAGER=</Text>
        </>
      ) : (
        <Text color={tone('muted')}>with your AWS credentials: your calls reach your account</Text>
      )}
    </Box>
  );
}

function EditedFile({ file }: { file: string }) {
  return (
    <Box flexDirection="column">
      <Text color={tone('muted')}>Open this file in your editor and do its TODOs; it runs on every save:</Text>
      <Text wrap="truncate-middle">{file}</Text>
    </Box>
  );
}

function LastRun({ run, width }: { run: NonNullable<ExerciseVerdict['run']>; width: number }) {
  return (
    <Box flexDirection="column" marginTop={1} flexShrink={0}>
      <Text bold>Your file's last run</Text>
      {run.error ? <Text color={tone('error')}>✘ {run.error}</Text> : null}
      {run.results.length > 0 ? <ResultList results={run.results as StepResult[]} width={width} /> : null}
    </Box>
  );
}

export function Checklist({ checks }: { checks: ExerciseVerdict['checks'] }) {
  if (checks.length === 0) return null;
  return (
    <Box flexDirection="column" marginTop={1} flexShrink={0}>
      <Text bold>Done when</Text>
      {checks.map((c, i) => (
        <Box key={i} flexDirection="column">
          <Text>
            <Text color={c.ok ? tone('ok') : tone('muted')}>{c.ok ? '✔ ' : '○ '}</Text>
            {c.label}
          </Text>
          {!c.ok && c.why ? (
            <Text color={tone('warn')}>
              {'  '}↳ {c.why}
            </Text>
          ) : null}
        </Box>
      ))}
    </Box>
  );
}
