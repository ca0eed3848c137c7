// The aws-chunked content encoding, decoded as it arrives (any split of the bytes):
//   <hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0[;...]\r\n[trailer: value\r\n]*\r\n
// Memory stays bounded whatever a client sends: a chunk's bytes pass through as slices of
// the input, a header line or the trailers over a small limit are refused, and a body that
// carries more bytes than x-amz-decoded-content-length declared is refused at once.
import { s3Errors } from './errors.js';

const MAX_LINE_BYTES = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
const CR = 0x0d;
const LF = 0x0a;

type State = 'size' | 'data' | 'data-end' | 'trailers' | 'done';

export class AwsChunkedDecoder {
  /** Trailer fields by lower-case name, once the body has ended. */
  readonly trailers: Record<string, string> = {};
  private state: State = 'size';
  private line: number[] = [];
  private chunkLeft = 0;
  private decoded = 0;
  private trailerBytes = 0;

  constructor(private readonly declaredSize: number) {}

  /** The object bytes in `input` (slices of it, not copies). */
  push(input: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < input.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.chunkLeft, input.length - pos);
        out.push(input.subarray(pos, pos + take));
        pos += take;
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) this.state = 'data-end';
        continue;
      }
      const byte = input[pos++]!;
      if (byte !== LF) {
        this.line.push(byte);
        if (this.line.length > MAX_LINE_BYTES) throw this.malformed();
        continue;
      }
      if (this.line[this.line.length - 1] !== CR) throw this.malformed();
      const text = Buffer.from(this.line.slice(0, -1)).toString('latin1');
      this.line = [];
      this.onLine(text);
    }
    return out;
  }

  /** The body has ended: it must have reached the last chunk (trailers may end without a blank line). */
  end() {
    if (this.state !== 'trailers' && this.state !== 'done') throw s3Errors.incompleteBody();
    if (this.state === 'trailers' && this.line.length > 0) this.onLine(Buffer.from(this.line).toString('latin1').replace(/\r$/, ''));
  }

  private onLine(text: string) {
    if (this.state === 'data-end') {
      if (text !== '') throw s3Errors.invalidRequest('The aws-chunked body has a malformed chunk.');
      this.state = 'size';
      return;
    }
    if (this.state === 'trailers') {
      this.trailerBytes += text.length + 2;
      if (this.trailerBytes > MAX_TRAILER_BYTES) throw s3Errors.invalidRequest('The aws-chunked body has trailers that are too large.');
      if (text === '') {
        this.state = 'done';
        return;
      }
      const colon = text.indexOf(':');
      if (colon > 0) this.trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
      return;
    }
    const sizeText = text.split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText)) throw this.malformed();
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      this.state = 'trailers';
      return;
    }
    this.decoded += size;
    // More than the object's declared size: refused now rather than after reading it all.
    if (this.decoded > this.declaredSize) throw s3Errors.incompleteBody();
    this.chunkLeft = size;
    this.state = 'data';
  }

  private malformed() {
    return this.state === 'data-end'
      ? s3Errors.invalidRequest('The aws-chunked body has a malformed chunk.')
      : s3Errors.invalidRequest('The aws-chunked body has a malformed chunk header.');
  }
}
