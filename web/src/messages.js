// The sealing script's messages, in the page's language: the intake page
// renders them from the catalogs (app/intake/seal_messages.py) into
// #browser-seal's data-messages attribute, JSON that is never executed.
// The English here is only the fallback for an id the page did not send;
// keep the ids in step with that module.

const ENGLISH = {
  queue_heading: "Cases on this device",
  fingerprint: "Recipient list (keys: %(count)s) signed by the server key with fingerprint %(fingerprint)s.",
  accept_key: "I have checked the new fingerprint: trust it",
  sealed_here: "Sealed in this browser before anything is sent.",
  key_changed: "Warning: the key that signs this organisation's recipient list has changed since this browser last used it (it was %(previous)s). Nothing will be sealed or sent until you have checked the new fingerprint with your organisation by another channel.",
  stopped: "Sealing is stopped: the recipient list's signing key changed.",
  ready: "Sealed in this browser before anything is sent: the server receives only ciphertext.",
  sign_in_seal: "Sign in again to seal and send cases.",
  no_list: "This browser has no recipient list yet; connect once to seal interviews here.",
  offline: "Offline: cases are sealed in this browser and wait here until the network returns.",
  untrusted_saved: "The saved recipient list cannot be trusted (%(reason)s); nothing will be sealed.",
  bad_signature: "the recipient list's signature does not verify",
  malformed_list: "the recipient list is malformed",
  field_required: "%(field)s: this field is required",
  not_whole_number: "%(field)s: not a whole number",
  out_of_range: "%(field)s: must be between %(minimum)s and %(maximum)s",
  not_date: "%(field)s: not a date",
  not_choice: "%(field)s: not one of the choices",
  too_long_chars: "%(field)s: longer than %(limit)s characters",
  below_band: "a sealed amount is below its lowest band",
  narrative_required: "narrative: this field is required",
  narrative_too_long: "narrative: too long",
  files_too_large: "the files are larger than the %(megabytes)s MB allowed",
  choose_kind: "Choose audio, photo or document for each file.",
  file_refused: "A file could not be accepted: %(reason)s.",
  sealing_attachment: "Sealing attachment %(number)s of %(total)s in this browser…",
  sealing_texts: "Sealing the narrative and fields…",
  checking: "Checking that everything sealed opens again…",
  selfcheck_text: "self-check failed: a sealed text does not open to what was typed",
  selfcheck_attachment: "self-check failed: attachment %(number)s does not open to what was sealed",
  sign_in_send: "Sign in again to send this case.",
  other_member: "Sealed by another member on this device: it is sent when they sign in here.",
  server_later: "The server answered %(status)s; trying again later.",
  upload_too_large: "The upload is larger than the server allows.",
  server_answered: "The server answered %(status)s.",
  no_connection: "No connection to the server; it will be sent when there is.",
  state_waiting: "Waiting to be sent",
  state_signin: "Waiting: sign in to send",
  state_refused: "Refused by the server",
  state_sent: "Sent",
  queue_line: "sealed %(when)s, attachments: %(count)s, %(size)s of ciphertext",
  kilobytes: "%(amount)s KB",
  megabytes: "%(amount)s MB",
  sent_case: "case",
  receipt: "receipt",
  sign_in: "Sign in",
  remove: "Remove from this list",
  no_trusted_list: "This case cannot be sealed here yet: no trusted recipient list. Connect and reload the page.",
  nothing_sealed_key: "Nothing was sealed: the recipient list's signing key changed since this browser last used it (it was %(previous)s). Check the new fingerprint with your organisation first.",
  sending: "Sealed. Sending…",
  kept_offline: "Sealed and kept on this device: it is sent when the network returns.",
  refused_now: "The server refused this case and nothing was stored: %(reason)s Correct the form and seal it again.",
  nothing_stored: "Nothing was stored.",
  kept_state: "Sealed and kept on this device: %(state)s.",
  sealing_failed: "Sealing failed: %(reason)s",
  nothing_sealed_sent: "Nothing was sealed or sent. %(reason)s",
  nothing_sealed: "Nothing was sealed.",
};

let page = null;

function catalog() {
  if (page === null) {
    page = {};
    const root = document.getElementById("browser-seal");
    try {
      const parsed = JSON.parse((root && root.dataset.messages) || "{}");
      if (parsed && typeof parsed === "object") page = parsed;
    } catch (error) {
      // A damaged attribute: English is better than no message.
    }
  }
  return page;
}

// The message `id` with its %(name)s placeholders filled from `values`.
export function t(id, values = {}) {
  const messages = catalog();
  const text = typeof messages[id] === "string" ? messages[id] : (ENGLISH[id] ?? id);
  return text.replace(/%\((\w+)\)s/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// The same, as nodes to append: a value that is a DOM node (a fingerprint in
// <code>, say) goes in as it is, so technical text stays marked as such.
export function tNodes(id, values = {}) {
  const messages = catalog();
  const text = typeof messages[id] === "string" ? messages[id] : (ENGLISH[id] ?? id);
  return text.split(/(%\(\w+\)s)/).filter((piece) => piece !== "").map((piece) => {
    const name = /^%\((\w+)\)s$/.exec(piece);
    if (!name || !(name[1] in values)) return piece;
    const value = values[name[1]];
    return value instanceof Node ? value : String(value);
  });
}
