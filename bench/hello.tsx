// The baseline for bench/startup.ts: the smallest Ink app, bundled like the CLI.
import { Text, render } from 'ink';
import React from 'react';

render(<Text>hello from ink</Text>);
setInterval(() => {}, 1 << 30); // stay up like the menu does, until the bench ends it
