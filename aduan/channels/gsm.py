"""How many SMS a text costs (3GPP TS 23.038 alphabets, TS 23.040 concatenation).

A text that the GSM 7-bit default alphabet can carry is sent in it: 160 septets in one SMS,
153 per part of a concatenated message (the user data header takes 7). A character of the
extension table (`€ [ ] { } ~ ^ \\ |` and the form feed) is an escape plus the character,
two septets, and a part never splits such a pair. Any other character (é, ñ, emoji, Arabic
script) makes the whole message UCS-2: 70 UTF-16 code units in one SMS, 67 per part, a
character outside the Basic Multilingual Plane (most emoji) counting two, and a part never
splits such a surrogate pair.

The character tables come from the `gsm0338` codec (registered by importing the package):
encoding a text with it gives one byte per septet, so the escape of an extension character
is counted as the standard counts it.
"""

from dataclasses import dataclass

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec

SINGLE_GSM7, PART_GSM7 = 160, 153
SINGLE_UCS2, PART_UCS2 = 70, 67


@dataclass(frozen=True)
class Segments:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int


def _gsm7_units(text: str) -> list[int] | None:
    """The septets of each character, or None when the text is not GSM-7."""
    try:
        return [len(ch.encode("gsm03.38")) for ch in text]
    except UnicodeEncodeError:
        return None


def _parts(units: list[int], single: int, part: int) -> int:
    if sum(units) <= single:
        return 1 if units else 0
    count, used = 1, 0
    for width in units:
        if used + width > part:
            count, used = count + 1, 0
        used += width
    return count


def segments(text: str) -> Segments:
    """The encoding and number of SMS that `text` is sent in."""
    gsm = _gsm7_units(text)
    if gsm is not None:
        return Segments("gsm7", sum(gsm), _parts(gsm, SINGLE_GSM7, PART_GSM7))
    ucs = [len(ch.encode("utf-16-le")) // 2 for ch in text]
    return Segments("ucs2", sum(ucs), _parts(ucs, SINGLE_UCS2, PART_UCS2))


# Characters people (and word processors) type that GSM-7 lacks but has a plain twin for:
# replacing them keeps an Indonesian text in GSM-7, where it is 160 characters an SMS
# instead of 70.
_PLAIN = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
        "\t": " ",
        "•": "-",
    }
)


def to_gsm7_where_possible(text: str) -> str:
    """`text` with typographic quotes, dashes and ellipses made plain, so that a text
    whose other characters are GSM-7 is sent as GSM-7."""
    return text.translate(_PLAIN)


def fit(text: str, max_segments: int = 2, *, marker: str = "...") -> str:
    """`text` shortened at a word boundary (ending with `marker`) to fit `max_segments`."""
    text = to_gsm7_where_possible(text)
    if segments(text).count <= max_segments:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the marker
        middle = (low + high + 1) // 2
        if segments(text[:middle].rstrip() + marker).count <= max_segments:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip() + marker
