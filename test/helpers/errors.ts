import { expect } from 'vitest';

/** Awaits a call that must fail and checks the AWS error type (name) and HTTP status. */
export async function expectAwsError(call: Promise<unknown>, name: string, status = 400): Promise<Error & { $metadata?: { httpStatusCode?: number; requestId?: string } }> {
  let caught: unknown;
  try {
    await call;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${name}, but the call succeeded`).toBeInstanceOf(Error);
  const err = caught as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
  expect(err.name).toBe(name);
  expect(err.$metadata?.httpStatusCode).toBe(status);
  return err;
}
