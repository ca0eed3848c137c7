// The room's calls per operation, in the order the screen and the plain text say them.

/** The operation the class watches together: the caching lesson's point is how few of these the room makes. */
export const FEATURED_OPERATION = 'GenerateDataKey';

/** The operations other than `featured`, busiest first, as 'Decrypt 12'. */
export function otherCounts(operations: Readonly<Record<string, number>>, featured: string): string[] {
  return Object.entries(operations)
    .filter(([op]) => op !== featured)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`);
}

/** The counts made since `baseline` (the counts as they were when the instructor zeroed them). */
export function countsSince(operations: Readonly<Record<string, number>>, baseline: Readonly<Record<string, number>> | undefined): Record<string, number> {
  if (!baseline) return { ...operations };
  return Object.fromEntries(
    Object.entries(operations)
      .map(([op, n]) => [op, Math.max(0, n - (baseline[op] ?? 0))] as const)
      .filter(([, n]) => n > 0),
  );
}
