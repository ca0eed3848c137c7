// The instructor's view as a whole screen: sized to the terminal, and a plain
// note instead of a cut-off frame when the terminal is too small.
import React from 'react';
import { useTerminalSize } from '../../hooks/use-terminal-size.js';
import { isTooSmall, TooSmall } from '../../layout/too-small.js';
import { ClassView, type ClassViewProps } from './class-view.js';

export function ClassApp(props: Omit<ClassViewProps, 'width' | 'height'>) {
  const size = useTerminalSize();
  if (isTooSmall(size)) return <TooSmall size={size} />;
  return <ClassView {...props} width={size.columns} height={size.rows} />;
}
