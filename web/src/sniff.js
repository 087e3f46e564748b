// What a file is, from its first bytes: a port of app/intake/media/sniff.py,
// so a browser-sealed attachment gets the kind and format the server would give it.

const HEIF = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs",
  "mif1", "msf1", "avif", "avis"]);
const MP4 = new Set(["M4A ", "M4B ", "M4P ", "M4V ", "mp41", "mp42", "isom", "iso2", "iso4",
  "iso5", "iso6", "dash", "3gp4", "3gp5", "3gp6", "3gp7", "3g2a", "3g2b", "3g2c", "qt  ",
  "f4a ", "f4v ", "avc1", "MSNV"]);

export const SNIFF_BYTES = 4096;

const ascii = (bytes, start, end) => String.fromCharCode(...bytes.subarray(start, end));
const starts = (head, text) => ascii(head, 0, text.length) === text;

function isoMedia(head) {
  const major = ascii(head, 8, 12);
  const size = ((head[0] << 24) >>> 0) + (head[1] << 16) + (head[2] << 8) + head[3];
  const compatible = new Set();
  for (let i = 16; i < Math.min(size, head.length) - 3; i += 4) compatible.add(ascii(head, i, i + 4));
  const anyOf = (set) => [...compatible].some((brand) => set.has(brand));
  if (HEIF.has(major) || (!MP4.has(major) && anyOf(HEIF))) return { kind: "photo", format: "heif" };
  if (MP4.has(major) || anyOf(MP4)) return { kind: "audio", format: "mp4" };
  return { kind: "other", format: "unknown" };
}

function audio(head) {
  if (starts(head, "ID3")) return { kind: "audio", format: "mp3" };
  if (head.length >= 2 && head[0] === 0xff && (head[1] & 0xe0) === 0xe0) {
    return { kind: "audio", format: (head[1] & 0x06) === 0 ? "aac" : "mp3" };
  }
  if (starts(head, "RIFF") && ascii(head, 8, 12) === "WAVE") return { kind: "audio", format: "wav" };
  if (starts(head, "OggS")) return { kind: "audio", format: "ogg" };
  if (starts(head, "fLaC")) return { kind: "audio", format: "flac" };
  if (starts(head, "FORM") && ["AIFF", "AIFC"].includes(ascii(head, 8, 12))) {
    return { kind: "audio", format: "aiff" };
  }
  if (starts(head, "#!AMR\n") || starts(head, "#!AMR-WB\n")) return { kind: "audio", format: "amr" };
  return null;
}

function document(head) {
  if (ascii(head, 0, 1024).includes("%PDF-")) return { kind: "document", format: "pdf" };
  if (starts(head, "PK\x03\x04") && head.length >= 30) {
    const nameLength = head[26] | (head[27] << 8);
    const name = ascii(head, 30, 30 + nameLength);
    if (name === "mimetype" && ascii(head, 0, 200).includes("application/vnd.oasis.opendocument")) {
      return { kind: "document", format: "odf" };
    }
    if (["[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml"].includes(name)
        || name.startsWith("word/") || name.startsWith("xl/") || name.startsWith("ppt/")) {
      return { kind: "document", format: "ooxml" };
    }
    return { kind: "other", format: "zip" };
  }
  if (starts(head, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) return { kind: "document", format: "ole" };
  if (starts(head, "{\\rtf")) return { kind: "document", format: "rtf" };
  return null;
}

export function sniff(head) {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { kind: "photo", format: "jpeg" };
  if (starts(head, "\x89PNG\r\n\x1a\n")) return { kind: "photo", format: "png" };
  if (["GIF87a", "GIF89a"].includes(ascii(head, 0, 6))) return { kind: "photo", format: "gif" };
  if (starts(head, "RIFF") && ascii(head, 8, 12) === "WEBP") return { kind: "photo", format: "webp" };
  if (starts(head, "II*\x00") || starts(head, "MM\x00*")) return { kind: "photo", format: "tiff" };
  if (starts(head, "BM") && head.length >= 26 && ascii(head, 6, 10) === "\x00\x00\x00\x00") {
    return { kind: "photo", format: "bmp" };
  }
  if (ascii(head, 4, 8) === "ftyp") return isoMedia(head);
  return audio(head) || document(head) || { kind: "other", format: "unknown" };
}
