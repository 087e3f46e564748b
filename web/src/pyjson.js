// The sealed plaintexts exactly as the server-sealed path makes them, so the
// reviewer's case view opens a browser-sealed case unchanged.

// Python's str.strip(): Unicode whitespace as str.isspace() defines it.
const PY_SPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
  + "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

export function pyStrip(value) {
  let start = 0, end = value.length;
  while (start < end && PY_SPACE.includes(value[start])) start++;
  while (end > start && PY_SPACE.includes(value[end - 1])) end--;
  return value.slice(start, end);
}

// What the server receives from a form: line breaks as CRLF, and text made of
// whole Unicode characters (a lone surrogate becomes U+FFFD when encoded).
export function asSubmitted(value) {
  return value.toWellFormed().replace(/\r\n|\r|\n/g, "\r\n");
}

// json.dumps(value, ensure_ascii=False): ", " and ": " separators, keys in
// insertion order; JSON.stringify escapes strings the way Python does then.
export function pyDumps(value) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error("only integers are sealed as numbers");
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(pyDumps).join(", ") + "]";
  return "{" + Object.keys(value).map((key) => JSON.stringify(key) + ": " + pyDumps(value[key])).join(", ") + "}";
}

// Python's datetime.now(UTC).replace(microsecond=0).isoformat()
export function pyNow() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "+00:00");
}
