// Cuts lesson.md into its parts, keeping line numbers for error messages:
//   ---            front matter (YAML)
//   ---
//   intro          markdown before the first `## ` heading
//   ## Title       each level-2 heading starts a step; inside it one
//   ```step        fenced block (YAML) holds the step's fields, the rest
//   ```            of the section is the step's narrative.
// Fenced code is respected: a `## ` inside a code block is not a heading.
import { problem, type LessonProblem } from './errors.js';

export interface YamlBlock {
  text: string;
  /** 1-based line of the block's first YAML line. */
  line: number;
}

export interface StepSection {
  title: string;
  /** 1-based line of the `## ` heading. */
  line: number;
  /** The narrative: the section's markdown without its step block, trimmed. */
  text: string;
  block?: YamlBlock;
}

export interface SplitLesson {
  frontMatter?: YamlBlock;
  intro: string;
  sections: StepSection[];
  problems: LessonProblem[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/;
const HEADING2 = /^##\s+(.*?)\s*#*\s*$/;

export function splitLessonMarkdown(source: string, file: string): SplitLesson {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const problems: LessonProblem[] = [];
  let i = 0;
  let frontMatter: YamlBlock | undefined;

  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, n) => n > 0 && l.trim() === '---');
    if (end < 0) {
      problems.push(problem(file, 1, "front matter starts with '---' but has no closing '---' line"));
      return { intro: '', sections: [], problems };
    }
    frontMatter = { text: lines.slice(1, end).join('\n'), line: 2 };
    i = end + 1;
  } else {
    problems.push(problem(file, 1, "lesson.md must start with front matter: a '---' line, YAML fields (id, title, summary, minutes, level), and '---'"));
  }

  const intro: string[] = [];
  const sections: Array<StepSection & { body: string[] }> = [];
  let fence: { marker: string; start: number; info: string; body: string[] } | undefined;

  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    const current = sections.at(-1);
    const target = current ? current.body : intro;

    if (fence) {
      const m = FENCE.exec(line);
      if (m && m[1]![0] === fence.marker[0] && m[1]!.length >= fence.marker.length && m[2]!.trim() === '') {
        if (fence.info === 'step') {
          if (!current) {
            problems.push(problem(file, fence.start, 'a ```step block must be inside a step: put a "## Step title" heading above it'));
          } else if (current.block) {
            problems.push(problem(file, fence.start, `step "${current.title}" has a second \`\`\`step block (its first is on line ${current.block.line - 1})`));
          } else {
            current.block = { text: fence.body.join('\n'), line: fence.start + 1 };
          }
        } else {
          target.push(line);
        }
        fence = undefined;
      } else if (fence.info === 'step') {
        fence.body.push(line);
      } else {
        target.push(line);
      }
      continue;
    }

    const open = FENCE.exec(line);
    if (open) {
      const info = open[2]!.trim().split(/\s+/)[0] ?? '';
      fence = { marker: open[1]!, start: lineNo, info, body: [] };
      if (info !== 'step') target.push(line);
      continue;
    }

    const heading = HEADING2.exec(line);
    if (heading) {
      sections.push({ title: heading[1]!, line: lineNo, text: '', body: [] });
      continue;
    }
    target.push(line);
  }

  if (fence) {
    problems.push(problem(file, fence.start, `code block opened with ${fence.marker} is never closed`));
  }

  return {
    frontMatter,
    intro: intro.join('\n').trim(),
    sections: sections.map(({ body, ...s }) => ({ ...s, text: body.join('\n').trim() })),
    problems,
  };
}
