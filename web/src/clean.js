// Photo metadata stripped in the browser before sealing: ports of
// app/intake/media/jpeg.py and png.py, with the same rules (what is kept,
// what is dropped, what is refused). Only JPEG and PNG are cleaned here;
// every other format is sealed as chosen and reported "not removed" (the
// server's audio and document cleaners have no browser port).

export class UnsupportedPhoto extends Error {}

class Reader {
  constructor(bytes, what) { this.bytes = bytes; this.at = 0; this.what = what; }
  take(n) {
    if (this.at + n > this.bytes.length) throw new UnsupportedPhoto(`the ${this.what} is truncated`);
    const piece = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return piece;
  }
  skip(n) { this.take(n); }
}

const FRAMES = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);
const TABLES = new Set([0xc4, 0xcc, 0xdb, 0xdc, 0xdd, 0xde, 0xdf]);
const STANDALONE = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7]);
const SOI = 0xd8, EOI = 0xd9, SOS = 0xda, APP0 = 0xe0, APP14 = 0xee;

function concat(pieces) {
  const size = pieces.reduce((sum, piece) => sum + piece.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) { out.set(piece, at); at += piece.length; }
  return out;
}

const u16 = (n) => Uint8Array.of(n >> 8, n & 0xff);
const text = (bytes) => String.fromCharCode(...bytes);

export function stripJpeg(bytes) {
  const reader = new Reader(bytes, "JPEG");
  const out = [];
  const first = reader.take(2);
  if (first[0] !== 0xff || first[1] !== 0xd8) throw new UnsupportedPhoto("the file is not a JPEG");
  out.push(Uint8Array.of(0xff, 0xd8));
  const nextMarker = () => {
    if (reader.take(1)[0] !== 0xff) {
      throw new UnsupportedPhoto("the JPEG is malformed (data where a marker should be)");
    }
    let code = reader.take(1)[0];
    while (code === 0xff) code = reader.take(1)[0];
    return code;
  };
  const entropyCoded = () => {
    const start = reader.at;
    let position = reader.at;
    for (;;) {
      position = bytes.indexOf(0xff, position);
      if (position === -1 || position + 1 >= bytes.length) throw new UnsupportedPhoto("the JPEG is truncated");
      const following = bytes[position + 1];
      if (following === 0xff) { position += 1; continue; }
      if (following !== 0 && !(following >= 0xd0 && following <= 0xd7)) {
        out.push(bytes.subarray(start, position));
        reader.at = position + 2;
        return following;
      }
      position += 2;
    }
  };
  let framed = false, scanned = false;
  let code = nextMarker();
  for (;;) {
    if (code === EOI) {
      if (!scanned) throw new UnsupportedPhoto("the JPEG has no image data");
      out.push(Uint8Array.of(0xff, 0xd9));
      return concat(out);
    }
    if (code === SOI) throw new UnsupportedPhoto("the JPEG is malformed (a second start of image)");
    if (STANDALONE.has(code)) { code = nextMarker(); continue; }
    const lengthBytes = reader.take(2);
    const length = (lengthBytes[0] << 8) | lengthBytes[1];
    if (length < 2) throw new UnsupportedPhoto("the JPEG is malformed (bad segment length)");
    if (FRAMES.has(code) || TABLES.has(code) || code === SOS) {
      if (code === SOS && !framed) {
        throw new UnsupportedPhoto("the JPEG is malformed (a scan before the frame header)");
      }
      framed = framed || FRAMES.has(code);
      out.push(Uint8Array.of(0xff, code), lengthBytes, reader.take(length - 2));
      if (code === SOS) { code = entropyCoded(); scanned = true; continue; }
    } else if (code === APP0) {
      const body = reader.take(length - 2);
      if (text(body.subarray(0, 5)) === "JFIF\x00" && body.length >= 14) {
        const header = concat([body.subarray(0, 12), Uint8Array.of(0, 0)]);  // no thumbnail
        out.push(Uint8Array.of(0xff, 0xe0), u16(header.length + 2), header);
      }
    } else if (code === APP14) {
      const body = reader.take(length - 2);
      if (text(body.subarray(0, 5)) === "Adobe" && body.length >= 12) {
        out.push(Uint8Array.of(0xff, 0xee), u16(14), body.subarray(0, 12));
      }
    } else {
      reader.skip(length - 2);
    }
    code = nextMarker();
  }
}

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const KEPT_CHUNKS = new Set(["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB",
  "sBIT", "bKGD", "pHYs", "acTL", "fcTL", "fdAT"]);
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(pieces) {
  let c = 0xffffffff;
  for (const piece of pieces) for (let i = 0; i < piece.length; i++) c = CRC_TABLE[(c ^ piece[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function stripPng(bytes) {
  const reader = new Reader(bytes, "PNG");
  const signature = reader.take(8);
  if (!signature.every((b, i) => b === PNG_SIGNATURE[i])) throw new UnsupportedPhoto("the file is not a PNG");
  const out = [PNG_SIGNATURE];
  let first = true;
  for (;;) {
    const header = reader.take(8);
    const length = ((header[0] << 24) >>> 0) + (header[1] << 16) + (header[2] << 8) + header[3];
    const type = text(header.subarray(4, 8));
    if (length > 2 ** 31 - 1 || !/^[A-Za-z]{4}$/.test(type)) {
      throw new UnsupportedPhoto("the PNG is malformed (bad chunk header)");
    }
    if (first && (type !== "IHDR" || length !== 13)) {
      throw new UnsupportedPhoto("the PNG is malformed (it does not start with IHDR)");
    }
    first = false;
    if (!KEPT_CHUNKS.has(type)) { reader.skip(length + 4); continue; }
    const body = reader.take(length);
    const stored = reader.take(4);
    const crc = ((stored[0] << 24) >>> 0) + (stored[1] << 16) + (stored[2] << 8) + stored[3];
    if (crc !== crc32([header.subarray(4, 8), body])) {
      throw new UnsupportedPhoto("the PNG is damaged (a chunk checksum does not match)");
    }
    out.push(header, body, stored);
    if (type === "IEND") return concat(out);
  }
}

const CLEANERS = { jpeg: stripJpeg, png: stripPng };

function same(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// { bytes (cleaned, or null: seal the file as chosen), metadata, reason }
export function cleanPhoto(format, bytes) {
  const cleaner = CLEANERS[format];
  if (!cleaner) return null;
  const cleaned = cleaner(bytes);
  return { bytes: cleaned, metadata: same(cleaned, bytes) ? "none found" : "removed" };
}

export const BROWSER_CLEANS = Object.keys(CLEANERS);
