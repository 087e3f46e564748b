// In-browser sealing and offline intake for the interviewer's form
// (issue 13). A progressive enhancement: without this script the form posts
// to the server, which seals (app.intake.routes). With it, this page makes
// the case key, seals everything to it, wraps it to the organisation's signed
// recipient list, re-opens what it sealed (self-check), forgets the key, and
// queues the ciphertext on this device until the server takes it
// (app.intake.presealed_routes). See docs/security.md for what this does and
// does not protect against.

import * as age from "age-encryption";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { sniff, SNIFF_BYTES } from "./sniff.js";
import { cleanPhoto, UnsupportedPhoto, BROWSER_CLEANS } from "./clean.js";
import { asSubmitted, pyDumps, pyNow, pyStrip } from "./pyjson.js";
import { verifyList, checkPin, acceptNewKey } from "./trust.js";
import { putCase, allCases, deleteCase } from "./queue.js";

const CONTEXT = "witnessbox.intake.context";  // the last verified context, for offline use
const ATTACHMENT = /^attachment_(\d{1,2})$/;
const CONTROL = new Set(["csrf_token", "submission_token"]);
const encoder = new TextEncoder();

const root = document.getElementById("browser-seal");
const form = root && root.closest("form");
const state = { context: null, list: null, pin: null, busy: false, sending: false };

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

const ui = {};

function buildUi() {
  ui.status = el("p", { class: "seal-status", role: "status" });
  ui.fingerprint = el("p", { class: "muted seal-fingerprint" });
  ui.warning = el("div", { class: "flash error seal-warning", role: "alert" });
  ui.warning.hidden = true;
  ui.queueHeading = el("h2", {}, "Cases on this device");
  ui.queue = el("ul", { class: "seal-queue" });
  ui.queueBox = el("section", { class: "seal-queue-box", "aria-live": "polite" }, ui.queueHeading, ui.queue);
  root.hidden = false;
  root.append(ui.status, ui.fingerprint, ui.warning, ui.queueBox);
}

function say(text) { ui.status.textContent = text; }

function warn(text, button) {
  ui.warning.replaceChildren(el("p", {}, text));
  if (button) ui.warning.append(button);
  ui.warning.hidden = false;
}

// ---- the sealing context: signed recipients, schema, limits, CSRF ----

async function fetchContext() {
  const response = await fetch(root.dataset.contextUrl, { credentials: "same-origin",
    headers: { Accept: "application/json" } });
  const type = response.headers.get("Content-Type") || "";
  if (response.redirected || !type.startsWith("application/json")) return { signIn: true };
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return { context: await response.json() };
}

function adopt(context) {
  const list = verifyList(context.recipients);
  const pin = checkPin(context.recipients);
  state.context = context;
  state.list = list;
  state.pin = pin;
  const { csrf_token: _unused, ...keep } = context;
  localStorage.setItem(CONTEXT, JSON.stringify(keep));
  ui.fingerprint.textContent = `Recipient list (${list.recipients.length} keys) signed by the `
    + `server key with fingerprint ${context.recipients.fingerprint}.`;
  if (pin.status === "changed") {
    const accept = el("button", { type: "button" }, "I have checked the new fingerprint: trust it");
    state.accept = accept;
    accept.addEventListener("click", () => {
      acceptNewKey(context.recipients);
      state.pin = { status: "same" };
      ui.warning.hidden = true;
      say("Sealed in this browser before anything is sent.");
    });
    warn("Warning: the key that signs this organisation's recipient list has changed since this "
      + `browser last used it (it was ${pin.previous.fingerprint}). Nothing will be sealed or sent `
      + "until you have checked the new fingerprint with your organisation by another channel.", accept);
    say("Sealing is stopped: the recipient list's signing key changed.");
    return;
  }
  say("Sealed in this browser before anything is sent: the server receives only ciphertext.");
}

async function loadContext() {
  try {
    const { context, signIn } = await fetchContext();
    if (signIn) { say("Sign in again to seal and send cases."); return; }
    adopt(context);
    return;
  } catch (error) {
    // Offline (or the server is unreachable): the last verified list, checked again.
  }
  const saved = localStorage.getItem(CONTEXT);
  if (saved === null) {
    say("This browser has no recipient list yet; connect once to seal interviews here.");
    return;
  }
  try {
    adopt(JSON.parse(saved));
    if (state.pin.status !== "changed") {
      say("Offline: cases are sealed in this browser and wait here until the network returns.");
    }
  } catch (error) {
    warn(`The saved recipient list cannot be trusted (${error.message}); nothing will be sealed.`);
  }
}

// ---- plaintexts, exactly as the server-sealed path makes them ----

class Invalid extends Error {}

const codePoints = (text) => [...text].length;

function sealedValue(field, raw) {
  if (raw === null || raw instanceof File) return null;
  const value = field.kind === "long_text" ? asSubmitted(raw) : raw.toWellFormed();
  if (field.kind === "number") {
    const text = pyStrip(value);
    if (text === "") {
      if (field.required) throw new Invalid(`${field.name}: this field is required`);
      return null;
    }
    if (!/^[+-]?\d+$/.test(text)) throw new Invalid(`${field.name}: not a whole number`);
    const number = Number.parseInt(text, 10);
    if ((field.minimum !== null && number < field.minimum) || (field.maximum !== null && number > field.maximum)) {
      throw new Invalid(`${field.name}: must be between ${field.minimum} and ${field.maximum}`);
    }
    return number;
  }
  if (field.kind === "date") {
    const text = pyStrip(value);
    if (text === "") {
      if (field.required) throw new Invalid(`${field.name}: this field is required`);
      return null;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new Invalid(`${field.name}: not a date`);
    return text;
  }
  if (field.kind === "choice" && value !== "" && !field.choices.includes(value)) {
    throw new Invalid(`${field.name}: not one of the choices`);
  }
  if (field.limit && codePoints(value) > field.limit) {
    throw new Invalid(`${field.name}: longer than ${field.limit} characters`);
  }
  const stripped = pyStrip(value);
  if (field.required && stripped === "") throw new Invalid(`${field.name}: this field is required`);
  return stripped === "" ? null : stripped;
}

function band(bounds, value) {
  const lower = bounds.filter((bound) => bound <= value);
  if (lower.length === 0) throw new Invalid("a sealed amount is below its lowest band");
  const index = bounds.indexOf(lower[lower.length - 1]);
  return index + 1 === bounds.length ? `${bounds[index]}+` : `${bounds[index]}-${bounds[index + 1] - 1}`;
}

function newToken() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// ---- sealing ----

function hashing(tally) {
  return new TransformStream({
    transform(chunk, controller) {
      tally.hash.update(chunk);
      tally.size += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

async function sealBytes(recipient, bytes) {
  const encrypter = new age.Encrypter();
  encrypter.addRecipient(recipient);
  return new Blob([await encrypter.encrypt(bytes)]);
}

async function sealAttachment(caseRecipient, file, label) {
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const detected = sniff(head);
  let source = file;
  let metadata = "not removed";
  let reason = `sealed in the browser, which removes metadata from JPEG and PNG photos only`;
  if (BROWSER_CLEANS.includes(detected.format)) {
    const cleaned = cleanPhoto(detected.format, new Uint8Array(await file.arrayBuffer()));
    source = new Blob([cleaned.bytes]);
    metadata = cleaned.metadata;
    reason = null;
  }
  const tally = { hash: sha256.create(), size: 0 };
  const encrypter = new age.Encrypter();
  encrypter.addRecipient(caseRecipient);
  const sealed = await encrypter.encrypt(source.stream().pipeThrough(hashing(tally)));
  const blob = await new Response(sealed).blob();
  const meta = {
    object_id: crypto.randomUUID(), kind: detected.kind, label, format: detected.format,
    metadata, filename: file.name.toWellFormed(), content_type: file.type || "application/octet-stream",
    size: tally.size, sha256: bytesToHex(tally.hash.digest()),
  };
  if (reason !== null) meta.metadata_reason = reason;
  return { meta, blob };
}

async function selfCheck(identity, narrative, fieldsText, attachments, parts) {
  const opener = new age.Decrypter();
  opener.addIdentity(identity);
  const narrativeBack = await opener.decrypt(new Uint8Array(await parts[0].blob.arrayBuffer()), "text");
  const fieldsBack = await opener.decrypt(new Uint8Array(await parts[1].blob.arrayBuffer()), "text");
  if (narrativeBack !== narrative || fieldsBack !== fieldsText) {
    throw new Error("self-check failed: a sealed text does not open to what was typed");
  }
  for (const [index, { meta, blob }] of attachments.entries()) {
    const tally = { hash: sha256.create(), size: 0 };
    const plain = (await opener.decrypt(blob.stream())).pipeThrough(hashing(tally));
    const reader = plain.getReader();
    while (!(await reader.read()).done) { /* hashed on the way */ }
    if (tally.size !== meta.size || bytesToHex(tally.hash.digest()) !== meta.sha256) {
      throw new Error(`self-check failed: attachment ${index + 1} does not open to what was sealed`);
    }
  }
}

async function sealCase(data) {
  const schema = state.context.schema;
  const sealed = {};
  const bands = {};
  for (const field of schema.sealed_fields) {
    const value = sealedValue(field, data.get(field.name));
    sealed[field.name] = value;
    if (field.bands && value !== null) bands[field.band_field] = band(field.bands, value);
  }
  const narrative = asSubmitted(String(data.get(schema.narrative_field) || ""));
  if (narrative === "") throw new Invalid("narrative: this field is required");
  if (codePoints(narrative) > schema.narrative_limit) throw new Invalid("narrative: too long");

  const sealedNames = new Set([schema.narrative_field, ...schema.sealed_fields.map((f) => f.name)]);
  const coded = [];
  const files = [];
  for (const [name, value] of data.entries()) {
    const slot = ATTACHMENT.exec(name);
    if (slot) {
      if (value instanceof File && value.name) files.push({ slot: slot[1], file: value });
      continue;
    }
    if (/^attachment_\d{1,2}_kind$/.test(name) || CONTROL.has(name) || sealedNames.has(name)) continue;
    coded.push([name, value]);
  }
  for (const name of schema.coded_required) {
    if (!data.getAll(name).some((value) => value !== "")) throw new Invalid(`${name}: this field is required`);
  }
  const total = files.reduce((sum, { file }) => sum + file.size, 0);
  if (total > state.context.max_upload_bytes) {
    throw new Invalid(`the files are larger than the ${Math.round(state.context.max_upload_bytes / 1048576)} MB allowed`);
  }

  const identity = await age.generateX25519Identity();
  const caseRecipient = await age.identityToRecipient(identity);
  const attachments = [];
  for (const [index, { slot, file }] of files.entries()) {
    say(`Sealing attachment ${index + 1} of ${files.length} in this browser…`);
    const label = String(data.get(`attachment_${slot}_kind`) || "");
    if (!schema.attachment_kinds.includes(label)) throw new Invalid("Choose audio, photo or document for each file.");
    try {
      attachments.push(await sealAttachment(caseRecipient, file, label));
    } catch (error) {
      if (error instanceof UnsupportedPhoto) throw new Invalid(`A file could not be accepted: ${error.message}.`);
      throw error;
    }
  }
  sealed.attachments = attachments.map((a) => a.meta);
  const fieldsText = pyDumps(sealed);
  say("Sealing the narrative and fields…");
  const parts = [
    { name: "object_0", blob: await sealBytes(caseRecipient, encoder.encode(narrative)), kind: "narrative" },
    { name: "object_1", blob: await sealBytes(caseRecipient, encoder.encode(fieldsText)), kind: "fields" },
    ...attachments.map((a, i) => ({ name: `object_${i + 2}`, blob: a.blob, kind: "attachment", meta: a.meta })),
  ];
  // The case key as the server-sealed path wraps it (crypto.Identity.to_age_identity_file).
  const keyFile = encoder.encode(`# created: ${pyNow()}\n# public key: ${caseRecipient}\n${identity}\n`);
  const wraps = [];
  for (const [i, reader] of state.list.recipients.entries()) {
    wraps.push({ name: `wrap_${i}`, blob: await sealBytes(reader.recipient, keyFile), recipient: reader.recipient });
  }
  performance.mark("witnessbox:sealed");  // for bench/browser_seal.py
  say("Checking that everything sealed opens again…");
  await selfCheck(identity, narrative, fieldsText, attachments, parts);
  const manifest = {
    version: 1, case_recipient: caseRecipient, bands,
    objects: parts.map((p) => (p.kind === "attachment"
      ? { part: p.name, kind: p.kind, size: p.blob.size, object_id: p.meta.object_id,
          media_kind: p.meta.kind, metadata: p.meta.metadata }
      : { part: p.name, kind: p.kind, size: p.blob.size })),
    wraps: wraps.map((w) => ({ part: w.name, recipient: w.recipient, size: w.blob.size })),
  };
  // From here on only ciphertext exists: the identity goes out of scope with this call.
  return {
    id: crypto.randomUUID(), created: new Date().toISOString(), state: "waiting",
    membership_id: state.context.membership_id,
    token: newToken(), manifest: JSON.stringify(manifest), coded,
    parts: [...parts, ...wraps].map((p) => ({ name: p.name, blob: p.blob })),
    bytes: [...parts, ...wraps].reduce((sum, p) => sum + p.blob.size, 0),
    attachments: attachments.length,
  };
}

// ---- sending ----

async function send(item) {
  const { context, signIn } = await fetchContext();
  if (signIn) return { ...item, state: "signin", error: "Sign in again to send this case." };
  if (item.membership_id !== undefined && context.membership_id !== item.membership_id) {
    return { ...item, state: "signin",
      error: "Sealed by another member on this device: it is sent when they sign in here." };
  }
  state.context.csrf_token = context.csrf_token;
  const body = new FormData();
  body.append("csrf_token", context.csrf_token);
  body.append("submission_token", item.token);
  body.append("manifest", item.manifest);
  for (const [name, value] of item.coded) body.append(name, value);
  for (const part of item.parts) body.append(part.name, part.blob, part.name);
  const response = await fetch(context.submit_url, { method: "POST", body, credentials: "same-origin" });
  const type = response.headers.get("Content-Type") || "";
  if (response.redirected || !type.startsWith("application/json")) {
    if (response.status >= 500) return { ...item, state: "waiting", error: `The server answered ${response.status}; trying again later.` };
    if (response.status === 413) return { ...item, state: "refused", error: "The upload is larger than the server allows." };
    return { ...item, state: "signin", error: "Sign in again to send this case." };
  }
  const answer = await response.json();
  if (response.ok && answer.stored) {
    return { id: item.id, created: item.created, state: "sent", case_id: answer.case_id,
      receipt_url: answer.receipt_url, attachments: item.attachments, bytes: item.bytes };
  }
  if (response.status >= 500) return { ...item, state: "waiting", error: answer.error };
  return { ...item, state: "refused", error: answer.error || `The server answered ${response.status}.` };
}

async function sync() {
  if (state.sending || !navigator.onLine) return null;
  // Only when something waits: a request every few seconds would keep the
  // session from ever reaching its idle timeout.
  const pending = (await allCases()).filter((item) => ["waiting", "signin"].includes(item.state));
  if (pending.length === 0) return null;
  state.sending = true;
  let lastSent = null;
  try {
    for (const item of pending) {
      let next;
      try {
        next = await send(item);
      } catch (error) {
        next = { ...item, state: "waiting", error: "No connection to the server; it will be sent when there is." };
      }
      await putCase(next);
      if (next.state === "sent") lastSent = next;
      if (next.state === "signin" && !next.error.startsWith("Sealed by another")) break;
    }
  } finally {
    state.sending = false;
    await render();
  }
  return lastSent;
}

// ---- the visible queue ----

const LABELS = {
  waiting: "Waiting to be sent", signin: "Waiting: sign in to send", refused: "Refused by the server",
  sent: "Sent",
};

const size = (bytes) => (bytes < 1048576 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1048576).toFixed(1)} MB`);

async function render() {
  const items = (await allCases()).sort((a, b) => a.created.localeCompare(b.created));
  ui.queueBox.hidden = items.length === 0;
  ui.queue.replaceChildren(...items.map((item) => {
    const when = new Date(item.created).toLocaleString();
    const line = el("li", { class: `seal-item seal-${item.state}`, "data-state": item.state });
    line.append(el("strong", {}, LABELS[item.state] || item.state), ` — sealed ${when}, `
      + `${item.attachments} attachment${item.attachments === 1 ? "" : "s"}, ${size(item.bytes)} of ciphertext`);
    if (item.state === "sent") {
      line.append(": case ", el("span", { class: "seal-case-id" }, item.case_id), " ",
        el("a", { href: item.receipt_url, class: "seal-receipt" }, "receipt"));
    }
    if (item.error && item.state !== "sent") line.append(el("br"), el("span", { class: "muted" }, item.error));
    if (item.state === "signin") line.append(" ", el("a", { href: root.dataset.loginUrl }, "Sign in"));
    if (["refused", "sent"].includes(item.state)) {
      const remove = el("button", { type: "button", class: "seal-remove" }, "Remove from this list");
      remove.addEventListener("click", async () => { await deleteCase(item.id); await render(); });
      line.append(" ", remove);
    }
    return line;
  }));
}

// ---- the form ----

async function onSubmit(event) {
  performance.mark("witnessbox:submit");
  if (!state.list) {
    // No trusted list (never online, or sign-in needed): only the server can seal.
    if (navigator.onLine && !(state.pin && state.pin.status === "changed")) return;
    event.preventDefault();
    say("This case cannot be sealed here yet: no trusted recipient list. Connect and reload the page.");
    return;
  }
  event.preventDefault();
  if (state.pin.status === "changed") {
    warn("Nothing was sealed: the recipient list's signing key changed since this browser last "
      + `used it (it was ${state.pin.previous.fingerprint}). Check the new fingerprint with your `
      + "organisation first.", state.accept);
    return;
  }
  if (state.busy) return;
  state.busy = true;
  ui.warning.hidden = true;
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    performance.mark("witnessbox:seal-start");
    const item = await sealCase(new FormData(form));
    performance.mark("witnessbox:checked");
    await putCase(item);
    performance.mark("witnessbox:queued");
    const online = navigator.onLine;
    if (!online) form.reset();  // the typed plaintext leaves the page; only ciphertext remains
    say(online ? "Sealed. Sending…" : "Sealed and kept on this device: it is sent when the network returns.");
    await render();
    performance.mark("witnessbox:shown");
    const sent = await sync();
    if (sent && sent.id === item.id) {
      form.reset();
      window.location.assign(sent.receipt_url);
      return;
    }
    const now = (await allCases()).find((c) => c.id === item.id);
    if (now && now.state === "refused") {
      // Refused at once (e.g. an answer the server does not accept): the form
      // still holds what was typed, so it can be corrected and sealed anew.
      await deleteCase(item.id);
      await render();
      warn(`The server refused this case and nothing was stored: ${now.error} `
        + "Correct the form and seal it again.");
      say("Nothing was stored.");
      return;
    }
    form.reset();
    if (now) say(`Sealed and kept on this device: ${LABELS[now.state].toLowerCase()}.`);
  } catch (error) {
    const message = error instanceof Invalid ? error.message : `Sealing failed: ${error.message}`;
    warn(`Nothing was sealed or sent. ${message}`);
    say("Nothing was sealed.");
  } finally {
    state.busy = false;
    if (button) button.disabled = false;
  }
}

async function registerWorker() {
  if (!("serviceWorker" in navigator) || !root.dataset.workerUrl) return;
  try {
    const registration = await navigator.serviceWorker.register(root.dataset.workerUrl,
      { scope: root.dataset.workerScope, type: "classic" });
    const worker = registration.active || registration.waiting || registration.installing;
    await navigator.serviceWorker.ready;
    (registration.active || worker).postMessage("cache-shell");
  } catch (error) {
    // Offline intake is unavailable; online sealing still works.
  }
}

async function start() {
  if (!root || !form) return;
  // Chromium keeps typed form values for autofill and session restore; a
  // sealed case must not leave its plaintext there.
  form.setAttribute("autocomplete", "off");
  buildUi();
  form.addEventListener("submit", onSubmit);
  await render();
  await loadContext();
  registerWorker();
  window.addEventListener("online", () => { sync(); });
  setInterval(() => { sync(); }, 30000);
  sync();
}

start();
