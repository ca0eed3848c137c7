// Names of what a lesson creates. Locally they are the workshop's own
// (alias/kms_key_sse_usecase_1); on AWS they carry the learner's prefix, so a
// lesson never touches an alias or bucket it did not make, and two learners
// sharing an account never collide (bucket names are global on AWS).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../atomic-file.js';
import { join } from 'node:path';

export interface Names {
  /** An alias name: 'alias/<name>' locally, 'alias/<prefix>/<name>' on AWS. */
  alias(name: string): string;
  /** A bucket name: as given locally, '<prefix>-<name>' on AWS (lower case, at most 63 characters). */
  bucket(name: string): string;
  /**
   * An IAM user, role or policy name: as given locally, '<prefix>-<name>' on AWS (at most
   * 64 characters, IAM's limit for users and roles), so the lesson's identities are its own.
   */
  iam(name: string): string;
}

export function lessonNames(prefix?: string): Names {
  return {
    alias(name) {
      const bare = name.replace(/^alias\//, '');
      return prefix ? `alias/${prefix}/${bare}` : `alias/${bare}`;
    },
    bucket(name) {
      return prefix ? `${prefix}-${name}`.toLowerCase().slice(0, 63).replace(/[-.]+$/, '') : name;
    },
    iam(name) {
      return prefix ? `${prefix}-${name}`.slice(0, 64) : name;
    },
  };
}

export const LEARNER_FILE = 'aws-learner.json';

/**
 * The learner's prefix, made once and kept in the home so every run (and the
 * clean-up of an interrupted one) uses the same names: 'kms-workshop-' and 6
 * random hex digits. A home that cannot be written still gets a prefix, for this run.
 */
export function learnerPrefix(home: string): string {
  const file = join(home, LEARNER_FILE);
  if (existsSync(file)) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { prefix?: unknown };
      if (typeof saved.prefix === 'string' && /^[a-z0-9][a-z0-9-]{2,30}$/.test(saved.prefix)) return saved.prefix;
    } catch {
      /* unreadable: make a new one below */
    }
  }
  const prefix = `kms-workshop-${randomBytes(3).toString('hex')}`;
  try {
    writeFileAtomic(file, JSON.stringify({ prefix, created: new Date().toISOString() }, null, 2) + '\n');
  } catch {
    /* a read-only home: the prefix holds for this run */
  }
  return prefix;
}
