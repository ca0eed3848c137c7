// A panel of fixed height whose content scrolls: the content is laid out at its
// full height and shifted up by `offset` rows inside a box that clips. The panel
// reports how tall its content is, so the owner can clamp the offset and show
// "more below".
import { Box, measureElement, Text, type DOMElement } from 'ink';
import React, { useEffect, useLayoutEffect, useRef, type ReactNode } from 'react';
import { tone } from '../theme.js';

export interface ScrollPanelProps {
  height: number;
  offset: number;
  onContentHeight?: (rows: number) => void;
  children: ReactNode;
}

export function ScrollPanel({ height, offset, onContentHeight, children }: ScrollPanelProps) {
  const content = useRef<DOMElement>(null);
  const reported = useRef(-1);
  const report = useRef(onContentHeight);
  report.current = onContentHeight;
  const measure = () => {
    if (!content.current) return;
    const rows = measureElement(content.current).height;
    if (rows !== reported.current) {
      reported.current = rows;
      report.current?.(rows);
    }
  };
  // After every layout of the panel; and, since a child can change its own
  // height without the panel re-rendering (an answered question), now and then.
  useLayoutEffect(measure);
  useEffect(() => {
    const timer = setInterval(measure, 100);
    return () => clearInterval(timer);
  }, []);
  const rows = Math.max(1, height);
  return (
    <Box height={rows} flexDirection="column" overflowY="hidden" flexShrink={0}>
      <Box ref={content} flexDirection="column" flexShrink={0} marginTop={-Math.max(0, offset)}>
        {children}
      </Box>
    </Box>
  );
}

/** "↑ 3 more" / "↓ 12 more", so a learner knows the panel scrolls. */
export function ScrollHint({ offset, height, contentHeight }: { offset: number; height: number; contentHeight: number }) {
  const above = Math.max(0, offset);
  const below = Math.max(0, contentHeight - height - offset);
  if (above === 0 && below === 0) return null;
  return (
    <Text color={tone('muted')}>
      {above > 0 ? `↑ ${above} more` : ''}
      {above > 0 && below > 0 ? '  ' : ''}
      {below > 0 ? `↓ ${below} more (up/down to scroll)` : ''}
    </Text>
  );
}
