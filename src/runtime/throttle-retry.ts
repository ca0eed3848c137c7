// The retries of the runtime's clients on the local engine and a class engine: throttling only.
// Any other failure shows at once and is counted once (the lesson is about it); but AWS's request
// quotas (CreateKey: 5 a second) hold on the engine too, and `run all` plays lessons back to back
// faster than any learner: a lesson must not fail for a ThrottlingException it did not ask for.
// A step that lowers a quota on purpose (lowerRequestQuota) sees every throttle: one attempt.
// (On AWS the SDK's own standard retries apply, throttles included.)

/** What the SDK's retry middleware asks of a retry strategy (RetryStrategyV2 of @smithy/types). */
interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** Attempts in all for a throttled call: with the backoff below, about 3 s at worst. */
export const THROTTLED_ATTEMPTS = 5;

export function retryThrottlingOnly(oneAttempt: () => boolean) {
  const token = (count: number, delay: number): RetryToken => ({ getRetryCount: () => count, getRetryDelay: () => delay });
  return {
    mode: 'standard' as const,
    acquireInitialRetryToken: async () => token(0, 0),
    async refreshRetryTokenForRetry(previous: RetryToken, error: { errorType?: string }): Promise<RetryToken> {
      const count = previous.getRetryCount() + 1;
      // Throwing tells the middleware not to retry: the call fails with its own error.
      if (error.errorType !== 'THROTTLING' || count >= THROTTLED_ATTEMPTS || oneAttempt()) throw new Error('not retried');
      // Equal jitter: half of 200 ms (a CreateKey token's refill), doubling, plus up to as much again.
      // Full jitter could spend all four retries inside the second the quota counts (a CI flake).
      const cap = 200 * 2 ** (count - 1);
      return token(count, Math.round(cap / 2 + (Math.random() * cap) / 2));
    },
    recordSuccess: () => {},
  };
}
