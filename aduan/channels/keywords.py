"""The keywords a citizen types into an SMS (and later a chat), in Indonesian:

    LAPOR <isi>                a new report (free text without a keyword is one too)
    CEK <nomor>                the status of one's report
    BALAS <nomor> <isi>        a reply or more information to one's report
    TERIMA <nomor>             accept the answer (closes the report)
    BANDING <nomor> <alasan>   contest the answer, once
    BERHENTI                   no more SMS from Aduan; MULAI undoes it

Keywords are matched case-insensitively, with or without a colon or hash sign after them;
the tracking number may be typed with spaces, dots or dashes (`tracking.normalise`)."""

import re
from dataclasses import dataclass

KEYWORDS = {
    "LAPOR": "lapor",
    "CEK": "cek",
    "BALAS": "balas",
    "TERIMA": "terima",
    "BANDING": "banding",
    "BERHENTI": "berhenti",
    "STOP": "berhenti",
    "MULAI": "mulai",
}
WITH_NUMBER = {"cek", "balas", "terima", "banding"}

_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)\s*[:#.]?\s*(.*)", re.DOTALL)
# A tracking number as people type it: node code, year, sequence, check digit, with any
# separators between the parts (PST-26-0001234-7, pst 26 0001234 7, PST2600012347).
_NUMBER = re.compile(
    r"\s*([A-Za-z]{2,6}[\s.\-]*\d{2}[\s.\-]*\d{7,9}[\s.\-]*\d)\b\s*(.*)", re.DOTALL
)


@dataclass(frozen=True)
class Command:
    keyword: str  # one of KEYWORDS' values
    number: str = ""  # the tracking number as typed, "" when none could be read
    text: str = ""
    # What only some channels carry: a title (an e-mail's subject) and files (uploaded
    # file objects from an e-mail, or checked WhatsApp media sent with a reply).
    title: str = ""
    files: tuple = ()
    # An e-mail whose From domain the trusted mail server proved (`gateways.mail`): its
    # address is a verified contact, as an operator's sender number is.
    sender_proven: bool = False


def parse(text: str) -> Command:
    match = _FIRST_WORD.match(text)
    keyword = KEYWORDS.get(match.group(1).upper()) if match else None
    if keyword is None:
        return Command("lapor", text=text.strip())
    rest = match.group(2).strip()
    if keyword not in WITH_NUMBER:
        return Command(keyword, text=rest)
    number = _NUMBER.match(rest)
    if number is None:
        return Command(keyword, text=rest)
    return Command(keyword, number=number.group(1), text=number.group(2).strip())
