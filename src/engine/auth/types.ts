// The contracts between who is calling (iam/, sts/, auth/sigv4), what policies say
// (auth/policy) and the one authorization decision every call passes through
// (auth/authorize). Each side codes against these, not against the others' modules.
import type { Caller } from '../caller.js';

/** A policy as stored: its name (or ARN, for a managed policy) and its JSON text. */
export interface NamedPolicy {
  name: string;
  document: string;
}

/** Credentials the engine issued: an IAM access key, or STS temporary credentials. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** STS credentials only: the token the request must carry (X-Amz-Security-Token). */
  sessionToken?: string;
  /** STS credentials only: epoch ms on the engine clock; after it, ExpiredTokenException. */
  expiresAt?: number;
  /** An IAM access key can be made Inactive (UpdateAccessKey); STS credentials are always Active. */
  status: 'Active' | 'Inactive';
  /** The principal the credentials act as, in the Region the request was signed for. */
  caller(region: string): Caller;
}

/** Where the engine's identities live (iam/): what authentication and authorization ask of it. */
export interface Directory {
  /** The credentials an access key id names, if the engine issued them. */
  credentials(accessKeyId: string): IssuedCredentials | undefined;
  /** The account's default learner (an administrator): who unknown access keys act as in the local mode. */
  defaultLearner(accountId: string, region: string): Caller;
  /** The identity-based policies in force for a principal: inline and attached (an assumed role's are its role's). */
  identityPolicies(caller: Caller): NamedPolicy[];
  /** Whether a principal a policy names exists (an account's root, a user, a role), for MalformedPolicyDocumentException. */
  principalExists(arn: string): boolean;
}

/**
 * Condition keys and their values for one request, as the policy language reads them.
 * Keys are lower-cased (condition keys are case-insensitive); multivalued keys are arrays.
 */
export type ConditionContext = ReadonlyMap<string, string | readonly string[]>;

/** One request as a policy sees it. */
export interface AuthzRequest {
  caller: Caller;
  /** 'kms:Encrypt', 's3:PutObject', 'iam:CreateUser'... */
  action: string;
  /** The resource's ARN, or '*' for actions on no resource (kms:CreateKey, kms:ListKeys). */
  resource: string;
  context: ConditionContext;
}

/** How one policy (or a set of them) answers a request. */
export type PolicyAnswer = 'Allow' | 'Deny' | 'NotApplicable';
