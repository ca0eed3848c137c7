// S3's XML, both ways: a small builder for responses and a small parser for the
// request bodies S3 accepts (bucket configuration, encryption rules, deletes).
// Namespaces and attributes are not needed by any operation here, so the parser drops them.
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An element to render: a name and either text or child elements (undefined children are skipped). */
export type XmlChild = XmlElement | undefined | false;
export interface XmlElement {
  name: string;
  text?: string;
  children?: XmlChild[];
  attrs?: Record<string, string>;
}

export const el = (name: string, content?: string | number | boolean | XmlChild[], attrs?: Record<string, string>): XmlElement =>
  Array.isArray(content) ? { name, children: content, attrs } : { name, text: content === undefined ? undefined : String(content), attrs };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function render(e: XmlElement): string {
  const attrs = Object.entries(e.attrs ?? {}).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  if (e.children) return `<${e.name}${attrs}>${e.children.filter((c): c is XmlElement => !!c).map(render).join('')}</${e.name}>`;
  if (e.text === undefined) return `<${e.name}${attrs}/>`;
  return `<${e.name}${attrs}>${escapeXml(e.text)}</${e.name}>`;
}

/** A whole document with the XML declaration; the root gets S3's namespace unless told otherwise. */
export function xmlDocument(root: XmlElement, withNamespace = true): string {
  const withNs = withNamespace ? { ...root, attrs: { xmlns: S3_XMLNS, ...root.attrs } } : root;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(withNs)}`;
}

// --- parsing ----------------------------------------------------------------

export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

export class XmlSyntaxError extends Error {}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ent: string) => {
    if (ent.startsWith('#x')) return String.fromCodePoint(parseInt(ent.slice(2), 16));
    if (ent.startsWith('#')) return String.fromCodePoint(parseInt(ent.slice(1), 10));
    const v = ENTITIES[ent];
    if (v === undefined) throw new XmlSyntaxError(`unknown entity ${whole}`);
    return v;
  });
}

const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** Parses one XML document into its root element; throws XmlSyntaxError when it is not well formed. */
export function parseXml(source: string): XmlNode {
  let i = 0;
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  const fail = (why: string): never => {
    throw new XmlSyntaxError(`${why} at offset ${i}`);
  };
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    if (text.trim()) {
      if (!stack.length) fail('text outside the root element');
      stack.at(-1)!.text += decodeEntities(text);
    }
    if (lt < 0) break;
    i = lt;
    if (source.startsWith('<?', i)) {
      const end = source.indexOf('?>', i);
      if (end < 0) fail('unterminated declaration');
      i = end + 2;
    } else if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (source.startsWith('<![CDATA[', i)) {
      const end = source.indexOf(']]>', i);
      if (end < 0 || !stack.length) fail('bad CDATA section');
      stack.at(-1)!.text += source.slice(i + 9, end);
      i = end + 3;
    } else if (source.startsWith('<!', i)) {
      fail('document type declarations are not accepted');
    } else if (source.startsWith('</', i)) {
      const end = source.indexOf('>', i);
      if (end < 0) fail('unterminated end tag');
      const name = localName(source.slice(i + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) fail(`mismatched end tag </${name}>`);
      i = end + 1;
    } else {
      const end = source.indexOf('>', i);
      if (end < 0) fail('unterminated start tag');
      let inner = source.slice(i + 1, end);
      const selfClosing = inner.endsWith('/');
      if (selfClosing) inner = inner.slice(0, -1);
      const m = /^\s*([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*$/.exec(inner);
      if (!m) fail('malformed start tag');
      const node: XmlNode = { name: localName(m![1]!), children: [], text: '' };
      if (stack.length) stack.at(-1)!.children.push(node);
      else if (root) fail('more than one root element');
      else root = node;
      if (!selfClosing) stack.push(node);
      i = end + 1;
    }
  }
  if (!root || stack.length) throw new XmlSyntaxError('the document is incomplete');
  return root;
}

export const childrenNamed = (node: XmlNode, name: string) => node.children.filter((c) => c.name === name);
export const childNamed = (node: XmlNode, name: string) => node.children.find((c) => c.name === name);
export const childText = (node: XmlNode, name: string) => childNamed(node, name)?.text.trim();
