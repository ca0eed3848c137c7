// What the class engine sends comes, in part, from learners' requests (an encryption
// context, a key's description, a step title): any web page or script can put terminal
// escape sequences there. Control characters are replaced before anything is drawn, so no
// learner can clear, recolour or retitle the instructor's (projected) screen.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, '�');
}

/** Every string in a JSON-like value (keys too) made printable; anything else as it is. */
export function printableDeep<T>(value: T): T {
  if (typeof value === 'string') return printable(value) as T;
  if (Array.isArray(value)) return value.map((v) => printableDeep(v)) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableDeep(v)])) as T;
  return value;
}
