// S3's XML, both ways: a small builder for responses, and the request bodies S3 accepts
// (bucket configuration, encryption rules, deletes, part lists) read with fast-xml-parser
// under strict limits: bounded depth, no DOCTYPE, no entities but XML's own.
// Namespaces and attributes are not needed by any operation here, so the parser drops them.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

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

// CR is written as a reference: a parser turns a literal CR (or CRLF) into LF, and keys must round-trip.
export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' })[c]!);
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
  /** The element's own text, entities decoded (whitespace kept; childText trims). */
  text: string;
}

export class XmlSyntaxError extends Error {}

/** S3's deepest request document nests 4 elements. */
const MAX_DEPTH = 32;

// Characters XML allows in a document (the Char production of XML 1.0).
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** Whether XML can carry the string as text at all (some characters it cannot, even escaped). */
export const isXmlText = (s: string) => !NOT_XML_CHAR.test(s);
const isXmlChar = (cp: number) => cp <= 0x10ffff && isXmlText(String.fromCodePoint(cp));
const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeReferences(text: string): string {
  return text.replace(/&(?:(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);)?/g, (whole, ref: string | undefined) => {
    if (ref === undefined) throw new XmlSyntaxError(`undeclared entity or bare & near ${JSON.stringify(text.slice(text.indexOf(whole), 20))}`);
    if (!ref.startsWith('#')) return XML_ENTITIES[ref]!;
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (!isXmlChar(cp)) throw new XmlSyntaxError(`&${ref}; is not a character XML allows`);
    return String.fromCodePoint(cp);
  });
}

// Only XML's five entities and character references are expanded, so nothing can grow
// (no entity expansion, no external entities); a DOCTYPE, which no S3 document needs, is refused.
const strictEntities = {
  decode: decodeReferences,
  addInputEntities: () => {
    throw new XmlSyntaxError('document type declarations are not accepted');
  },
  setExternalEntities: () => {},
  setXmlVersion: () => {},
  reset: () => {},
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: { enabled: true, maxEntityCount: 1, maxEntitySize: 1 },
  entityDecoder: strictEntities,
  maxNestedTags: MAX_DEPTH,
});

// fast-xml-parser's preserveOrder shape: [{tag: [...children]}, {'#text': '...'}]
type Ordered = Record<string, unknown>;

function toNode(entry: Ordered): XmlNode {
  const name = Object.keys(entry).find((k) => k !== ':@')!;
  const node: XmlNode = { name, children: [], text: '' };
  for (const child of entry[name] as Ordered[]) {
    if ('#text' in child) node.text += String(child['#text']);
    else node.children.push(toNode(child));
  }
  return node;
}

/**
 * Parses one UTF-8 XML document into its root element; throws XmlSyntaxError when it is not well formed.
 * Documents arrive bounded by the request body limit (body.ts, MAX_DOCUMENT_BYTES).
 */
export function parseXml(document: Buffer): XmlNode {
  const source = document.toString('utf8');
  if (!isXmlText(source)) throw new XmlSyntaxError('the document holds a character XML does not allow');
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  let top: Ordered[];
  try {
    top = parser.parse(source) as Ordered[];
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw e;
    // The parser's own refusals (nesting too deep, reserved names, a broken DOCTYPE) are about the input.
    throw new XmlSyntaxError(e instanceof Error ? e.message : String(e));
  }
  const elements = top.filter((entry) => !('#text' in entry));
  if (elements.length !== 1) throw new XmlSyntaxError(elements.length ? 'more than one root element' : 'no root element');
  return toNode(elements[0]!);
}

export const childrenNamed = (node: XmlNode, name: string) => node.children.filter((c) => c.name === name);
export const childNamed = (node: XmlNode, name: string) => node.children.find((c) => c.name === name);
export const childText = (node: XmlNode, name: string) => childNamed(node, name)?.text.trim();
