// A policy document the policy language refuses, with a message in AWS's words. IAM
// answers it as MalformedPolicyDocument, KMS as MalformedPolicyDocumentException; a
// document over its size quota is `quota` (IAM: LimitExceeded).
export class MalformedPolicyError extends Error {
  constructor(
    message: string,
    readonly quota = false,
  ) {
    super(message);
    this.name = 'MalformedPolicyError';
  }
}
