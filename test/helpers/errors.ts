import { expect } from 'vitest';
import { AwsError } from '../../src/engine/errors.js';

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

/** The AwsError a direct (in-process) call throws, as type and message; fails the test if it throws none or another error. */
export function errorOf(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    return { type: (e as AwsError).code, message: (e as AwsError).message };
  }
  throw new Error('expected an AwsError');
}
