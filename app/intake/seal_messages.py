"""Every message the in-browser sealing script (web/src, bundled into
app/static/intake-seal.js) shows, keyed by the id the script asks for.

The script has no catalogs of its own: the intake page renders these,
translated for the request's language, into a data attribute of
``#browser-seal`` (JSON, so nothing is executed and the CSP stays strict),
and the script's ``t(id, values)`` reads them. Placeholders are Python's
``%(name)s``, which pybabel flags as python-format so translators keep them;
the script substitutes them itself. Counts are written as "keys: 3", never
as a plural noun, so one msgstr serves every number in every language.

Keep the ids in step with web/src/messages.js, whose English copies are
only the fallback for an id missing here.
"""

from __future__ import annotations

from collections.abc import Callable

from app.i18n import N_

SEAL_MESSAGES: dict[str, str] = {
    # Status line and the trust of the recipient list.
    "queue_heading": N_("Cases on this device"),
    "fingerprint": N_("Recipient list (keys: %(count)s) signed by the server key with "
                      "fingerprint %(fingerprint)s."),
    "accept_key": N_("I have checked the new fingerprint: trust it"),
    "sealed_here": N_("Sealed in this browser before anything is sent."),
    "key_changed": N_("Warning: the key that signs this organisation's recipient list has "
                      "changed since this browser last used it (it was %(previous)s). Nothing "
                      "will be sealed or sent until you have checked the new fingerprint with "
                      "your organisation by another channel."),
    "stopped": N_("Sealing is stopped: the recipient list's signing key changed."),
    "ready": N_("Sealed in this browser before anything is sent: the server receives only "
                "ciphertext."),
    "sign_in_seal": N_("Sign in again to seal and send cases."),
    "no_list": N_("This browser has no recipient list yet; connect once to seal interviews "
                  "here."),
    "offline": N_("Offline: cases are sealed in this browser and wait here until the network "
                  "returns."),
    "untrusted_saved": N_("The saved recipient list cannot be trusted (%(reason)s); nothing "
                          "will be sealed."),
    "bad_signature": N_("the recipient list's signature does not verify"),
    "malformed_list": N_("the recipient list is malformed"),
    # Checks of the form before sealing.
    "field_required": N_("%(field)s: this field is required"),
    "not_whole_number": N_("%(field)s: not a whole number"),
    "out_of_range": N_("%(field)s: must be between %(minimum)s and %(maximum)s"),
    "not_date": N_("%(field)s: not a date"),
    "not_choice": N_("%(field)s: not one of the choices"),
    "too_long_chars": N_("%(field)s: longer than %(limit)s characters"),
    "below_band": N_("a sealed amount is below its lowest band"),
    "narrative_required": N_("narrative: this field is required"),
    "narrative_too_long": N_("narrative: too long"),
    "files_too_large": N_("the files are larger than the %(megabytes)s MB allowed"),
    "choose_kind": N_("Choose audio, photo or document for each file."),
    "file_refused": N_("A file could not be accepted: %(reason)s."),
    # Progress while sealing.
    "sealing_attachment": N_("Sealing attachment %(number)s of %(total)s in this browser…"),
    "sealing_texts": N_("Sealing the narrative and fields…"),
    "checking": N_("Checking that everything sealed opens again…"),
    "selfcheck_text": N_("self-check failed: a sealed text does not open to what was typed"),
    "selfcheck_attachment": N_("self-check failed: attachment %(number)s does not open to what "
                               "was sealed"),
    # Sending and the queue.
    "sign_in_send": N_("Sign in again to send this case."),
    "other_member": N_("Sealed by another member on this device: it is sent when they sign in "
                       "here."),
    "server_later": N_("The server answered %(status)s; trying again later."),
    "upload_too_large": N_("The upload is larger than the server allows."),
    "server_answered": N_("The server answered %(status)s."),
    "no_connection": N_("No connection to the server; it will be sent when there is."),
    "state_waiting": N_("Waiting to be sent"),
    "state_signin": N_("Waiting: sign in to send"),
    "state_refused": N_("Refused by the server"),
    "state_sent": N_("Sent"),
    "queue_line": N_("sealed %(when)s, attachments: %(count)s, %(size)s of ciphertext"),
    "kilobytes": N_("%(amount)s KB"),
    "megabytes": N_("%(amount)s MB"),
    "sent_case": N_("case"),
    "receipt": N_("receipt"),
    "sign_in": N_("Sign in"),
    "remove": N_("Remove from this list"),
    # Submitting.
    "no_trusted_list": N_("This case cannot be sealed here yet: no trusted recipient list. "
                          "Connect and reload the page."),
    "nothing_sealed_key": N_("Nothing was sealed: the recipient list's signing key changed "
                             "since this browser last used it (it was %(previous)s). Check the "
                             "new fingerprint with your organisation first."),
    "sending": N_("Sealed. Sending…"),
    "kept_offline": N_("Sealed and kept on this device: it is sent when the network returns."),
    "refused_now": N_("The server refused this case and nothing was stored: %(reason)s Correct "
                      "the form and seal it again."),
    "nothing_stored": N_("Nothing was stored."),
    "kept_state": N_("Sealed and kept on this device: %(state)s."),
    "sealing_failed": N_("Sealing failed: %(reason)s"),
    "nothing_sealed_sent": N_("Nothing was sealed or sent. %(reason)s"),
    "nothing_sealed": N_("Nothing was sealed."),
}


def seal_messages(translate: Callable[[str], str]) -> dict[str, str]:
    """The messages in the page's language: ``translate`` is the caller's
    gettext (this module stays free of Flask)."""
    return {key: translate(text) for key, text in SEAL_MESSAGES.items()}
