// IAM's and STS's error codes, with the HTTP status each has (IAM API Reference, "Errors" of each
// operation and "Common Errors"); the query protocol renders them as <ErrorResponse>.
import { AwsError } from '../errors.js';

export const iamErrors = {
  noSuchEntity: (msg: string) => new AwsError('NoSuchEntity', msg, 404),
  entityAlreadyExists: (msg: string) => new AwsError('EntityAlreadyExists', msg, 409),
  deleteConflict: (msg: string) => new AwsError('DeleteConflict', msg, 409),
  limitExceeded: (msg: string) => new AwsError('LimitExceeded', msg, 409),
  malformedPolicy: (msg: string) => new AwsError('MalformedPolicyDocument', msg, 400),
  validation: (msg: string) => new AwsError('ValidationError', msg, 400),
  invalidInput: (msg: string) => new AwsError('InvalidInput', msg, 400),
  accessDenied: (msg: string) => new AwsError('AccessDenied', msg, 403),
  invalidAction: (msg: string) => new AwsError('InvalidAction', msg, 400),
  missingAction: (msg: string) => new AwsError('MissingAction', msg, 400),
};

/** AWS's wording for a parameter that breaks its constraints (the Smithy validation message). */
export function constraintError(member: string, value: string | null, constraint: string) {
  const shown = value === null ? 'null' : `'${value.length > 200 ? `${value.slice(0, 200)}...` : value}'`;
  return iamErrors.validation(`1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`);
}
