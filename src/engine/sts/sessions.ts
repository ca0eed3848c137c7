// STS temporary credentials: kept in memory only (a restart ends every session, as if each
// had expired), bounded: past MAX_SESSIONS the expired ones go, then the oldest.
import type { RoleRecord } from '../iam/model.js';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms on the engine clock. */
  expiresAt: number;
  accountId: string;
  /** The role the session was issued for, as it was then (its name finds its policies now). */
  roleName: string;
  roleId: string;
  roleArn: string;
  sessionName: string;
  /** The ARN of the principal who assumed the role (role chaining: an assumed role). */
  assumedBy: string;
}

export const MAX_SESSIONS = 10_000;

export class Sessions {
  private readonly byKey = new Map<string, Session>();

  get(accessKeyId: string): Session | undefined {
    return this.byKey.get(accessKeyId);
  }

  add(session: Session, now: number): void {
    if (this.byKey.size >= MAX_SESSIONS) {
      for (const [id, s] of this.byKey) if (s.expiresAt <= now) this.byKey.delete(id);
      // Still full: the oldest sessions go first (Map keeps insertion order).
      for (const id of this.byKey.keys()) {
        if (this.byKey.size < MAX_SESSIONS) break;
        this.byKey.delete(id);
      }
    }
    this.byKey.set(session.accessKeyId, session);
  }

  get size() {
    return this.byKey.size;
  }
}

export const assumedRoleArn = (accountId: string, roleName: string, sessionName: string) => `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;

export type RoleSummary = Pick<RoleRecord, 'RoleName' | 'RoleId' | 'Arn' | 'AccountId'>;
