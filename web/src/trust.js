// The organisation's recipient list, trusted only when signed by the key this
// browser pinned the first time it saw one (trust on first use). The server
// signs with its audit key, kept outside its database (app.intake.recipients_doc):
// someone who can only write the database cannot make a list this accepts.

import { ed25519 } from "@noble/curves/ed25519.js";
import { t } from "./messages.js";

const DOMAIN = "witnessbox-intake-recipients-v1\n";
const PIN = "witnessbox.intake.pinned-signing-key";

const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export class UntrustedList extends Error {}

// The list's recipients, once its signature checks out with its own key.
export function verifyList(doc) {
  const message = new TextEncoder().encode(DOMAIN + doc.payload);
  let good = false;
  try {
    good = ed25519.verify(fromBase64(doc.signature), message, fromBase64(doc.public_key));
  } catch (error) {
    good = false;
  }
  if (!good) throw new UntrustedList(t("bad_signature"));
  const payload = JSON.parse(doc.payload);
  if (payload.version !== 1 || !Array.isArray(payload.recipients) || payload.recipients.length === 0
      || !payload.recipients.every((r) => typeof r.recipient === "string" && r.recipient.startsWith("age1"))) {
    throw new UntrustedList(t("malformed_list"));
  }
  return payload;
}

// "first" (pinned now), "same", or "changed" (refuse until a person accepts it).
export function checkPin(doc) {
  const pinned = localStorage.getItem(PIN);
  if (pinned === null) {
    localStorage.setItem(PIN, JSON.stringify({ public_key: doc.public_key, fingerprint: doc.fingerprint }));
    return { status: "first" };
  }
  const previous = JSON.parse(pinned);
  if (previous.public_key === doc.public_key) return { status: "same" };
  return { status: "changed", previous };
}

export function acceptNewKey(doc) {
  localStorage.setItem(PIN, JSON.stringify({ public_key: doc.public_key, fingerprint: doc.fingerprint }));
}
