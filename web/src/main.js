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
import { t, tNodes } from "./messages.js";

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
  ui.queueHeading = el("h2", {}, t("queue_heading"));
  ui.queue = el("ul", { class: "seal-queue" });
  ui.queueBox = el("section", { class: "seal-queue-box", "aria-live": "polite" }, ui.queueHeading, ui.queue);
  root.hidden = false;
  root.append(ui.status, ui.fingerprint, ui.warning, ui.queueBox);
}

function say(text) { ui.status.textContent = text; }

// `text` is a string or the nodes from tNodes.
function warn(text, button) {
  ui.warning.replaceChildren(el("p", {}, ...[].concat(text)));
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
  ui.fingerprint.replaceChildren(...tNodes("fingerprint",
    { count: list.recipients.length, fingerprint: el("code", {}, context.recipients.fingerprint) }));
  if (pin.status === "changed") {
    const accept = el("button", { type: "button" }, t("accept_key"));
    state.accept = accept;
    accept.addEventListener("click", () => {
      acceptNewKey(context.recipients);
      state.pin = { status: "same" };
      ui.warning.hidden = true;
      say(t("sealed_here"));
    });
    warn(tNodes("key_changed", { previous: el("code", {}, pin.previous.fingerprint) }), accept);
    say(t("stopped"));
    return;
  }
  say(t("ready"));
}

async function loadContext() {
  try {
    const { context, signIn } = await fetchContext();
    if (signIn) { say(t("sign_in_seal")); return; }
    adopt(context);
    return;
  } catch (error) {
    // Offline (or the server is unreachable): the last verified list, checked again.
  }
  const saved = localStorage.getItem(CONTEXT);
  if (saved === null) {
    say(t("no_list"));
    return;
  }
  try {
    adopt(JSON.parse(saved));
    if (state.pin.status !== "changed") {
      say(t("offline"));
    }
  } catch (error) {
    warn(t("untrusted_saved", { reason: error.message }));
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
      if (field.required) throw new Invalid(t("field_required", { field: field.name }));
      return null;
    }
    if (!/^[+-]?\d+$/.test(text)) throw new Invalid(t("not_whole_number", { field: field.name }));
    const number = Number.parseInt(text, 10);
    if ((field.minimum !== null && number < field.minimum) || (field.maximum !== null && number > field.maximum)) {
      throw new Invalid(t("out_of_range", { field: field.name, minimum: field.minimum, maximum: field.maximum }));
    }
    return number;
  }
  if (field.kind === "date") {
    const text = pyStrip(value);
    if (text === "") {
      if (field.required) throw new Invalid(t("field_required", { field: field.name }));
      return null;
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new Invalid(t("not_date", { field: field.name }));
    return text;
  }
  if (field.kind === "choice" && value !== "" && !field.choices.includes(value)) {
    throw new Invalid(t("not_choice", { field: field.name }));
  }
  if (field.limit && codePoints(value) > field.limit) {
    throw new Invalid(t("too_long_chars", { field: field.name, limit: field.limit }));
  }
  const stripped = pyStrip(value);
  if (field.required && stripped === "") throw new Invalid(t("field_required", { field: field.name }));
  return stripped === "" ? null : stripped;
}

function band(bounds, value) {
  const lower = bounds.filter((bound) => bound <= value);
  if (lower.length === 0) throw new Invalid(t("below_band"));
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
    throw new Error(t("selfcheck_text"));
  }
  for (const [index, { meta, blob }] of attachments.entries()) {
    const tally = { hash: sha256.create(), size: 0 };
    const plain = (await opener.decrypt(blob.stream())).pipeThrough(hashing(tally));
    const reader = plain.getReader();
    while (!(await reader.read()).done) { /* hashed on the way */ }
    if (tally.size !== meta.size || bytesToHex(tally.hash.digest()) !== meta.sha256) {
      throw new Error(t("selfcheck_attachment", { number: index + 1 }));
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
  if (narrative === "") throw new Invalid(t("narrative_required"));
  if (codePoints(narrative) > schema.narrative_limit) throw new Invalid(t("narrative_too_long"));

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
    if (!data.getAll(name).some((value) => value !== "")) throw new Invalid(t("field_required", { field: name }));
  }
  const total = files.reduce((sum, { file }) => sum + file.size, 0);
  if (total > state.context.max_upload_bytes) {
    throw new Invalid(t("files_too_large", { megabytes: Math.round(state.context.max_upload_bytes / 1048576) }));
  }

  const identity = await age.generateX25519Identity();
  const caseRecipient = await age.identityToRecipient(identity);
  const attachments = [];
  for (const [index, { slot, file }] of files.entries()) {
    say(t("sealing_attachment", { number: index + 1, total: files.length }));
    const label = String(data.get(`attachment_${slot}_kind`) || "");
    if (!schema.attachment_kinds.includes(label)) throw new Invalid(t("choose_kind"));
    try {
      attachments.push(await sealAttachment(caseRecipient, file, label));
    } catch (error) {
      if (error instanceof UnsupportedPhoto) throw new Invalid(t("file_refused", { reason: error.message }));
      throw error;
    }
  }
  sealed.attachments = attachments.map((a) => a.meta);
  const fieldsText = pyDumps(sealed);
  say(t("sealing_texts"));
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
  say(t("checking"));
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
  if (signIn) return { ...item, state: "signin", error: t("sign_in_send"), other: false };
  if (item.membership_id !== undefined && context.membership_id !== item.membership_id) {
    return { ...item, state: "signin",
      error: t("other_member"), other: true };
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
    if (response.status >= 500) return { ...item, state: "waiting", error: t("server_later", { status: response.status }) };
    if (response.status === 413) return { ...item, state: "refused", error: t("upload_too_large") };
    return { ...item, state: "signin", error: t("sign_in_send"), other: false };
  }
  const answer = await response.json();
  if (response.ok && answer.stored) {
    return { id: item.id, created: item.created, state: "sent", case_id: answer.case_id,
      receipt_url: answer.receipt_url, attachments: item.attachments, bytes: item.bytes };
  }
  if (response.status >= 500) return { ...item, state: "waiting", error: answer.error };
  return { ...item, state: "refused", error: answer.error || t("server_answered", { status: response.status }) };
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
        next = { ...item, state: "waiting", error: t("no_connection") };
      }
      await putCase(next);
      if (next.state === "sent") lastSent = next;
      if (next.state === "signin" && !next.other) break;
    }
  } finally {
    state.sending = false;
    await render();
  }
  return lastSent;
}

// ---- the visible queue ----

const STATES = ["waiting", "signin", "refused", "sent"];
const label = (state) => (STATES.includes(state) ? t(`state_${state}`) : state);

const size = (bytes) => (bytes < 1048576 ? t("kilobytes", { amount: Math.ceil(bytes / 1024) })
  : t("megabytes", { amount: (bytes / 1048576).toFixed(1) }));

async function render() {
  const items = (await allCases()).sort((a, b) => a.created.localeCompare(b.created));
  ui.queueBox.hidden = items.length === 0;
  ui.queue.replaceChildren(...items.map((item) => {
    const when = new Date(item.created).toLocaleString();
    const line = el("li", { class: `seal-item seal-${item.state}`, "data-state": item.state });
    line.append(el("strong", {}, label(item.state)), " — "
      + t("queue_line", { when, count: item.attachments, size: size(item.bytes) }));
    if (item.state === "sent") {
      line.append(`: ${t("sent_case")} `, el("span", { class: "seal-case-id" }, item.case_id), " ",
        el("a", { href: item.receipt_url, class: "seal-receipt" }, t("receipt")));
    }
    if (item.error && item.state !== "sent") line.append(el("br"), el("span", { class: "muted" }, item.error));
    if (item.state === "signin") line.append(" ", el("a", { href: root.dataset.loginUrl }, t("sign_in")));
    if (["refused", "sent"].includes(item.state)) {
      const remove = el("button", { type: "button", class: "seal-remove" }, t("remove"));
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
    say(t("no_trusted_list"));
    return;
  }
  event.preventDefault();
  if (state.pin.status === "changed") {
    warn(tNodes("nothing_sealed_key", { previous: el("code", {}, state.pin.previous.fingerprint) }), state.accept);
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
    say(online ? t("sending") : t("kept_offline"));
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
      warn(t("refused_now", { reason: now.error }));
      say(t("nothing_stored"));
      return;
    }
    form.reset();
    if (now) say(t("kept_state", { state: label(now.state).toLowerCase() }));
  } catch (error) {
    const message = error instanceof Invalid ? error.message : t("sealing_failed", { reason: error.message });
    warn(t("nothing_sealed_sent", { reason: message }));
    say(t("nothing_sealed"));
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
