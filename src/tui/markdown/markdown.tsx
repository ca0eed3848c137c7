// A step's narrative: markdown lexed by `marked` and drawn with Ink components.
// Only the shapes lesson authors use are drawn specially (headings, emphasis,
// lists, inline code, code blocks, quotes); anything else falls back to its text.
import { Box, Text } from 'ink';
import { Lexer, type Token, type Tokens } from 'marked';
import React, { useMemo } from 'react';
import { CodeBlock } from '../code/code-block.js';
import { Prose } from '../layout/prose.js';
import { tone } from '../theme.js';

export function Markdown({ text }: { text: string }) {
  const tokens = useMemo(() => Lexer.lex(text), [text]);
  return <Blocks tokens={tokens} />;
}

/** One line of inline markdown (a step's title): `code`, **bold** and _emphasis_ drawn, not shown literally. */
export function InlineMarkdown({ text }: { text: string }) {
  const tokens = useMemo(() => Lexer.lexInline(text), [text]);
  return (
    <Text>
      <Inline tokens={tokens} />
    </Text>
  );
}

function Blocks({ tokens }: { tokens: Token[] }) {
  const blocks = tokens.filter((t) => t.type !== 'space' && t.type !== 'def');
  return (
    <Box flexDirection="column">
      {blocks.map((token, i) => (
        <Box key={i} marginTop={i === 0 ? 0 : 1}>
          <Block token={token} />
        </Box>
      ))}
    </Box>
  );
}

function Block({ token }: { token: Token }) {
  switch (token.type) {
    case 'heading': {
      const t = token as Tokens.Heading;
      return (
        <Text bold color={tone('heading')} underline={t.depth <= 1}>
          <Inline tokens={t.tokens} />
        </Text>
      );
    }
    case 'paragraph':
      return (
        <Prose>
          <Text>
            <Inline tokens={(token as Tokens.Paragraph).tokens} />
          </Text>
        </Prose>
      );
    case 'list':
      return <List list={token as Tokens.List} />;
    case 'code': {
      const t = token as Tokens.Code;
      return <CodeBlock source={t.text} language={t.lang} />;
    }
    case 'blockquote':
      return (
        <Box borderStyle="single" borderLeft borderTop={false} borderRight={false} borderBottom={false} paddingLeft={1}>
          <Blocks tokens={(token as Tokens.Blockquote).tokens} />
        </Box>
      );
    case 'hr':
      return <Text color={tone('muted')}>{'─'.repeat(20)}</Text>;
    case 'text':
      return (
        <Prose>
          <Text>{(token as Tokens.Text).tokens ? <Inline tokens={(token as Tokens.Text).tokens!} /> : reflow((token as Tokens.Text).text)}</Text>
        </Prose>
      );
    default:
      return <Text>{token.raw.trimEnd()}</Text>;
  }
}

function List({ list }: { list: Tokens.List }) {
  const start = typeof list.start === 'number' ? list.start : 1;
  return (
    <Box flexDirection="column">
      {list.items.map((item, i) => {
        const bullet = list.ordered ? `${start + i}.` : '•';
        return (
          <Box key={i}>
            <Box width={bullet.length + 1} flexShrink={0}>
              <Text color={tone('accent')}>{bullet}</Text>
            </Box>
            <Box flexDirection="column" flexGrow={1}>
              {item.tokens
                .filter((t) => t.type !== 'space')
                .map((t, j) => (
                  <Block key={j} token={t} />
                ))}
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}

/** Inline tokens become nested <Text>, which Ink lays out and wraps as one run. */
function Inline({ tokens }: { tokens: Token[] }) {
  return (
    <>
      {tokens.map((token, i) => (
        <InlineToken key={i} token={token} />
      ))}
    </>
  );
}

function InlineToken({ token }: { token: Token }) {
  switch (token.type) {
    case 'strong':
      return (
        <Text bold>
          <Inline tokens={(token as Tokens.Strong).tokens} />
        </Text>
      );
    case 'em':
      return (
        <Text italic>
          <Inline tokens={(token as Tokens.Em).tokens} />
        </Text>
      );
    case 'del':
      return (
        <Text strikethrough>
          <Inline tokens={(token as Tokens.Del).tokens} />
        </Text>
      );
    case 'codespan':
      return <Text color={tone('code')}>{reflow((token as Tokens.Codespan).text)}</Text>;
    case 'link': {
      const t = token as Tokens.Link;
      const label = t.text;
      return (
        <Text>
          <Text underline color={tone('accent')}>
            <Inline tokens={t.tokens} />
          </Text>
          {label === t.href ? '' : ` (${t.href})`}
        </Text>
      );
    }
    case 'br':
      return <Text>{'\n'}</Text>;
    case 'text':
    case 'escape': {
      const t = token as Tokens.Text;
      return t.tokens ? <Inline tokens={t.tokens} /> : <Text>{reflow(t.text)}</Text>;
    }
    default:
      return <Text>{token.raw}</Text>;
  }
}

/** A paragraph's soft line breaks are the author's, not the screen's: let the text flow to the panel's width. */
function reflow(text: string): string {
  return unescape(text).replace(/[ \t]*\n[ \t]*/g, ' ');
}

// marked leaves HTML entities in some token texts; a terminal wants the characters.
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
function unescape(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}
