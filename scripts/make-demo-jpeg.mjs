#!/usr/bin/env node
// Makes lessons/10-developer-demo/assets/padlock.jpg, the picture lesson 10
// encrypts (the KMS developer demo encrypts a JPG of its own). Drawn here and
// written as a baseline JPEG (JFIF, 8-bit YCbCr 4:4:4, the standard Huffman
// tables of ITU T.81 Annex K), so the project ships no image it did not make.
// Deterministic: running it again writes the same bytes.
//   node scripts/make-demo-jpeg.mjs [out.jpg]
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WIDTH = 120;
export const HEIGHT = 90;
const QUALITY = 80;

/** The picture: a gold padlock with its keyhole, on a blue gradient. RGB per pixel. */
function draw(x, y) {
  const t = y / (HEIGHT - 1);
  let rgb = [20 + 30 * t, 60 + 80 * t, 120 + 60 * t];
  const cx = WIDTH / 2;
  // the shackle: a ring above the body, 6 px thick
  const dx = x - cx;
  const dy = y - 38;
  const r = Math.hypot(dx, dy);
  if (y < 42 && r >= 14 && r <= 20) rgb = [170, 175, 185];
  if (y >= 38 && y < 44 && Math.abs(Math.abs(dx) - 17) <= 3) rgb = [170, 175, 185];
  // the body, with a lighter top edge
  if (x >= cx - 26 && x <= cx + 26 && y >= 42 && y <= 80) {
    rgb = y < 46 ? [250, 215, 90] : [225, 170, 40];
    // the keyhole: a round head and a slot
    if (Math.hypot(x - cx, y - 56) <= 5 || (Math.abs(x - cx) <= 2 && y >= 56 && y <= 70)) rgb = [40, 30, 20];
  }
  return rgb;
}

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42,
  49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];
// Annex K.1, in natural (row by row) order
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100,
  103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...Array(32).fill(99),
];
// Annex K.3: code lengths (how many codes of 1..16 bits) and the values they code
const DC_LUMA = { bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const DC_CHROMA = { bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const AC_LUMA = {
  bits: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  values: hex(
    '01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa',
  ),
};
const AC_CHROMA = {
  bits: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  values: hex(
    '000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa',
  ),
};

function hex(s) {
  return [...Buffer.from(s, 'hex')];
}

/** The IJG scaling of a quantization table for a quality of 1..100. */
function scaled(table, quality) {
  const scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  return table.map((q) => Math.min(255, Math.max(1, Math.floor((q * scale + 50) / 100))));
}

/** Code and length for each value of a Huffman table (Annex C). */
function huffmanCodes({ bits, values }) {
  const codes = new Map();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < bits[length - 1]; i++) codes.set(values[k++], { code: code++, length });
    code <<= 1;
  }
  return codes;
}

class BitWriter {
  bytes = [];
  acc = 0;
  count = 0;
  write(value, length) {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.count === 8) this.flushByte();
    }
  }
  flushByte() {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0); // byte stuffing
    this.acc = 0;
    this.count = 0;
  }
  end() {
    while (this.count !== 0) this.write(1, 1); // pad with 1 bits
    return this.bytes;
  }
}

const COS = Array.from({ length: 8 }, (_, x) => Array.from({ length: 8 }, (_, u) => Math.cos(((2 * x + 1) * u * Math.PI) / 16)));

/** Forward DCT of an 8x8 block (level-shifted samples), quantized, in zigzag order. */
function transform(block, q) {
  const out = new Array(64);
  for (let v = 0; v < 8; v++)
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) sum += block[y * 8 + x] * COS[x][u] * COS[y][v];
      const c = (u === 0 ? Math.SQRT1_2 : 1) * (v === 0 ? Math.SQRT1_2 : 1) * 0.25 * sum;
      out[v * 8 + u] = Math.round(c / q[v * 8 + u]);
    }
  return ZIGZAG.map((i) => out[i]);
}

/** Category (bit length) and the bits that code a coefficient (Annex F.1.2). */
function magnitude(value) {
  const size = value === 0 ? 0 : Math.floor(Math.log2(Math.abs(value))) + 1;
  return { size, bits: value < 0 ? value + (1 << size) - 1 : value };
}

function encodeBlock(writer, coefficients, previousDc, dc, ac) {
  const diff = coefficients[0] - previousDc;
  const d = magnitude(diff);
  const dcCode = dc.get(d.size);
  writer.write(dcCode.code, dcCode.length);
  writer.write(d.bits, d.size);
  let run = 0;
  for (let i = 1; i < 64; i++) {
    const c = coefficients[i];
    if (c === 0) {
      run++;
      continue;
    }
    while (run > 15) {
      const zrl = ac.get(0xf0);
      writer.write(zrl.code, zrl.length);
      run -= 16;
    }
    const m = magnitude(c);
    const code = ac.get((run << 4) | m.size);
    writer.write(code.code, code.length);
    writer.write(m.bits, m.size);
    run = 0;
  }
  if (run > 0) {
    const eob = ac.get(0x00);
    writer.write(eob.code, eob.length);
  }
  return coefficients[0];
}

function segment(marker, body) {
  const length = body.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...body];
}

export function makeDemoJpeg() {
  const lumaQ = scaled(LUMA_Q, QUALITY);
  const chromaQ = scaled(CHROMA_Q, QUALITY);
  const tables = [huffmanCodes(DC_LUMA), huffmanCodes(AC_LUMA), huffmanCodes(DC_CHROMA), huffmanCodes(AC_CHROMA)];
  const writer = new BitWriter();
  const previous = [0, 0, 0];
  for (let by = 0; by < HEIGHT; by += 8)
    for (let bx = 0; bx < WIDTH; bx += 8) {
      const planes = [[], [], []];
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          // edge blocks repeat the last row and column
          const [r, g, b] = draw(Math.min(bx + x, WIDTH - 1), Math.min(by + y, HEIGHT - 1));
          planes[0].push(0.299 * r + 0.587 * g + 0.114 * b - 128);
          planes[1].push(-0.168736 * r - 0.331264 * g + 0.5 * b);
          planes[2].push(0.5 * r - 0.418688 * g - 0.081312 * b);
        }
      for (let c = 0; c < 3; c++) {
        const [dc, ac] = c === 0 ? [tables[0], tables[1]] : [tables[2], tables[3]];
        previous[c] = encodeBlock(writer, transform(planes[c], c === 0 ? lumaQ : chromaQ), previous[c], dc, ac);
      }
    }
  const huffmanTable = (tableClass, id, t) => [(tableClass << 4) | id, ...t.bits, ...t.values];
  return Buffer.from([
    0xff, 0xd8, // SOI
    ...segment(0xe0, [...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]), // APP0: JFIF 1.01, aspect 1:1
    ...segment(0xdb, [0x00, ...ZIGZAG.map((i) => lumaQ[i]), 0x01, ...ZIGZAG.map((i) => chromaQ[i])]), // DQT
    // SOF0: baseline, 8-bit, height, width, 3 components (id, sampling 1x1, quantization table)
    ...segment(0xc0, [8, HEIGHT >> 8, HEIGHT & 0xff, WIDTH >> 8, WIDTH & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
    ...segment(0xc4, [...huffmanTable(0, 0, DC_LUMA), ...huffmanTable(1, 0, AC_LUMA), ...huffmanTable(0, 1, DC_CHROMA), ...huffmanTable(1, 1, AC_CHROMA)]),
    // SOS: 3 components (id, DC table << 4 | AC table), spectral selection 0..63, no approximation
    ...segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]),
    ...writer.end(),
    0xff, 0xd9, // EOI
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = process.argv[2] ?? join(root, 'lessons', '10-developer-demo', 'assets', 'padlock.jpg');
  const jpeg = makeDemoJpeg();
  writeFileSync(out, jpeg);
  console.log(`${out}: ${jpeg.length} bytes, ${WIDTH}x${HEIGHT}`);
}
