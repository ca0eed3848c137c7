// STS temporary credentials, bounded: past MAX_SESSIONS the expired ones go, then the oldest.
// Held here in clear for authentication; iam/directory.ts persists them with the secret and
// the token wrapped, so a restart ends no session before its expiry.
import type { RoleRecord } from '../iam/model.js';

export interface Session {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** Epoch ms on the engine clock. */
  expiresAt: number;
  /** When it was issued, epoch ms on the engine clock (CloudTrail's sessionContext creationDate). */
  createdAt: number;
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

/** Adds a session; returns the access key ids of the sessions dropped to make room. */
  add(session: Session, now: number): string[] {
    const dropped: string[] = [];
    const drop = (id: string) => {
      this.byKey.delete(id);
      dropped.push(id);
    };
    if (this.byKey.size >= MAX_SESSIONS) {
      for (const [id, s] of this.byKey) if (s.expiresAt <= now) drop(id);
      // Still full: the oldest sessions go first (Map keeps insertion order).
      for (const id of this.byKey.keys()) {
        if (this.byKey.size < MAX_SESSIONS) break;
        drop(id);
      }
    }
    this.byKey.set(session.accessKeyId, session);
    return dropped;
  }

  values(): IterableIterator<Session> {
    return this.byKey.values();
  }

  get size() {
    return this.byKey.size;
  }
}

export const assumedRoleArn = (accountId: string, roleName: string, sessionName: string) => `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;

export type RoleSummary = Pick<RoleRecord, 'RoleName' | 'RoleId' | 'Arn' | 'AccountId'>;
