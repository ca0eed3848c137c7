// One learner's call in words fit for a projector: when, who (the ARN's last
// part, or the service that called on their behalf), and the parameters as
// key=value. The engine masks secrets before they leave it; known secret
// fields are masked again here, so a call from anywhere cannot show one.
import { maskSecret, SECRET_FIELDS } from '../../../mask.js';

/** 'arn:aws:iam::123456789012:user/workshop-learner' -> 'user/workshop-learner'; a service stays as it is. */
export function callerName(caller: string): string {
  const m = /^arn:aws[\w-]*:(?:iam|sts)::\d+:(.+)$/.exec(caller);
  return m ? m[1]! : caller;
}

/** HH:MM:SS of an ISO time, in the instructor's time zone; the text itself when it is not a time. */
export function clockTime(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toTimeString().slice(0, 8);
}

/** Parameters on one line: KeyId=alias/x · EncryptionContext={project=workshop}, key ids by their first block, secrets masked. */
export function parametersText(parameters: Record<string, unknown> | undefined): string {
  if (!parameters) return '';
  return Object.entries(parameters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${valueText(v, k)}`)
    .join(' · ');
}

function valueText(value: unknown, key?: string): string {
  if (key !== undefined && SECRET_FIELDS.has(key)) return secretText(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => valueText(v)).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${valueText(v, k)}`).join(', ')}}`;
  return typeof value === 'string' ? shortKeyId(value) : String(value);
}

/** A key's id (36 characters) or ARN (75) leaves no room for the context on a line: its first block tells keys apart. */
function shortKeyId(text: string): string {
  const m = /^(?:arn:aws[\w-]*:kms:[\w-]+:\d+:key\/)?([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(text);
  return m ? `${m[1]}…` : text;
}

/** Already masked ('97**...**OOL') stays; anything else under a secret field is masked here. */
function secretText(value: unknown): string {
  if (typeof value === 'string') return value.includes('**...**') ? value : maskSecret(value);
  if (Array.isArray(value)) return `[${value.map(secretText).join(', ')}]`;
  return maskSecret('');
}
