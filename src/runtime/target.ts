// What differs between running lessons locally and against AWS, and nothing
// else: how SDK clients are configured, how the calls a service makes on the
// learner's behalf are followed, and how a CloudTrail wait is done.
// `--target aws` (later) is one more implementation of this interface.
import type { CapturedCall } from './capture.js';
import type { TargetKind } from './types.js';

/** Plain SDK client configuration (endpoint, region, credentials), shared by every client. */
export interface ClientSettings {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Locally: no retries, so a failure shows at once and is counted once. */
  maxAttempts?: number;
}

export interface Target {
  readonly kind: TargetKind;
  readonly label: string;
  readonly clientSettings: ClientSettings;
  /** Calls a service made on the learner's behalf (S3 -> KMS), as they happen. */
  followServiceCalls(listener: (call: CapturedCall) => void): () => void;
  /**
   * Waits until CloudTrail has delivered the events of the calls made so far.
   * Locally the engine clock is moved forward; on AWS this polls, reporting progress.
   */
  waitForCloudTrail(progress: (done: number, total: number) => void): Promise<{ seconds: number; fastForwarded: boolean }>;
  close(): Promise<void>;
}
