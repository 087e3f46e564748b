"""Closed classes of abbreviations the naming layers must tell apart from
initials: organisation and technical acronyms, and the role abbreviations of
reports (crew, police, military, school, care, legal). Shared by
``aliases.py`` and ``namings.py``; written out here, not taken from any
evaluation text.
"""

from __future__ import annotations

from app.redaction.stopwords import word_set

# Acronyms that are not anyone's initials.
ACRONYMS = word_set(
    """
    UN UK US USA EU ID OK TV SMS PDF FSB ILO IOM HRC NGO NGOS DPRK ROK PRC RF CIS KGB GP NHS
    TB HIV ER ICU CEO HR IT PR QR GPS ATM PIN VAT IMF WHO OSCE ICRC UNHCR OHCHR UNICEF AI FAQ
    ASAP FYI NB PS RE FW CC BCC AM PM INT RESP ANS ED TR TN SIC ANON BBC CNN RFA VOA KCNA
    NK SK NIS MOU MOFA MOJ OCR COI AL UA
    MP MSP NYC LLC LTD PLC INC CO JSC OOO ZAO OAO EST GMT UTC USD RUB KRW CNY EUR GBP
    """
)

# Roles written before a name in reports: crew, police, military, school,
# care and legal abbreviations (upper case), and titles spelled out.
ROLE_ABBREVIATIONS = word_set(
    """
    CA FA CC CSD FO SFO TA HLTA SENCO DSL SW HCA RN RGN SN PC DC DS DI DCI DSI PCSO WPC
    Sgt Cpl Pte Lt Capt Cpt Insp Supt Det Const Cllr Atty Adv Fr Br Col Maj Gen Cdr Adm Brig
    """
)
# Roles that follow a name in brackets ("Mr Okafor (TA)"), and the author of a
# thread (OP): not anyone's initials.
BRACKETED_ROLES = ROLE_ABBREVIATIONS | word_set("OP MSW LCSW PA EA")
