// Text that wraps as prose. Kept apart from the markdown renderer so the menu
// can use it without loading `marked` before its first frame.
import { Transform } from 'ink';
import React from 'react';

/**
 * Prose wraps to the panel: Ink wraps at a space but keeps that space at the
 * start of the next line, so continuation lines lose one leading space.
 */
export function Prose({ children }: { children: React.ReactNode }) {
  return <Transform transform={(line, index) => (index === 0 ? line : line.replace(/^((?:\u001B\[[0-9;]*m)*) /, '$1'))}>{children}</Transform>;
}

