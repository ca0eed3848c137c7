// A value in a line the learner pastes into a POSIX shell (bash, zsh):
// single quotes, and a single quote inside closed, escaped with a backslash and reopened (the shell has no escape inside single quotes).

/** `v` single-quoted for a POSIX shell, always. */
export function posixQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** `v` as one shell word: as it is when it holds nothing the shell would read, else quoted. */
export function posixWord(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : posixQuote(v);
}
