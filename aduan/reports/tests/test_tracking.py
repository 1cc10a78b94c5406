"""Tracking numbers: PST-26-0000001-X, unique, per node, typed loosely, checked strictly."""

import re

import pytest
import time_machine

from aduan.reports import tracking
from conftest import aware

# The Damm quasigroup (H. M. Damm, 2004), written out here so the check digit is verified
# independently of the library the code uses.
DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_check_digit(digits: str) -> int:
    interim = 0
    for ch in digits:
        interim = DAMM[interim][int(ch)]
    return interim


def expected_number(node: str, year: int, seq: int) -> str:
    """Letters count as A=10 ... Z=35, so the node code is covered by the check digit."""
    yy, sq = f"{year % 100:02d}", f"{seq:07d}"
    letters = "".join(str(ord(ch) - ord("A") + 10) for ch in node)
    return f"{node}-{yy}-{sq}-{damm_check_digit(letters + yy + sq)}"


# ------------------------------------------------------------------------------ format


def test_a_number_reads_node_year_sequence_and_check_digit():
    assert tracking.format_number("PST", 2026, 1) == expected_number("PST", 2026, 1)
    assert re.fullmatch(r"PST-26-0000001-\d", tracking.format_number("PST", 2026, 1))
    assert tracking.format_number("PST", 2026, 1234) == expected_number("PST", 2026, 1234)
    assert tracking.format_number("BDG", 2031, 42) == expected_number("BDG", 2031, 42)


def test_a_submitted_report_gets_a_number_of_this_node_and_year(world):
    with time_machine.travel(aware(2027, 1, 4), tick=False):
        report = world.submit()

    assert re.fullmatch(r"PST-27-\d{7}-\d", report.tracking_number)
    node, yy, seq, check = report.tracking_number.split("-")
    assert expected_number(node, int(yy), int(seq)) == report.tracking_number
    assert tracking.normalise(report.tracking_number) == report.tracking_number


def test_a_sequence_past_seven_digits_still_round_trips():
    number = tracking.format_number("PST", 2026, 12_345_678)

    assert number.startswith("PST-26-12345678-")
    assert tracking.normalise(number) == number


# ------------------------------------------------------------------------------ uniqueness


def test_every_submission_gets_its_own_number(world):
    numbers = [world.submit().tracking_number for _ in range(40)]

    assert len(set(numbers)) == len(numbers)
    sequences = [int(n.split("-")[2]) for n in numbers]
    assert sequences == sorted(sequences)


def test_nodes_issue_numbers_with_their_own_prefix(world, settings):
    from_pusat = world.submit()
    settings.NODE_ID = "BDG"
    from_bandung = [world.submit() for _ in range(3)]
    settings.NODE_ID = "mks"  # configured in lower case: still an upper-case prefix
    from_makassar = world.submit()

    assert from_pusat.tracking_number.startswith("PST-")
    assert all(r.tracking_number.startswith("BDG-") for r in from_bandung)
    assert from_makassar.tracking_number.startswith("MKS-")
    numbers = [r.tracking_number for r in (from_pusat, *from_bandung, from_makassar)]
    assert len(set(numbers)) == len(numbers)
    assert [r.owner_node for r in from_bandung] == ["BDG"] * 3
    for number in numbers:
        assert tracking.normalise(number) == number


def test_the_same_sequence_on_two_nodes_gives_two_numbers():
    assert tracking.format_number("PST", 2026, 7) != tracking.format_number("BDG", 2026, 7)


# ------------------------------------------------------------------------------ normalise

NUMBER = expected_number("PST", 2026, 1234)  # PST-26-0001234-X


@pytest.mark.parametrize(
    "typed",
    [
        NUMBER,
        NUMBER.lower(),
        NUMBER.replace("-", ""),
        NUMBER.replace("-", "").lower(),
        NUMBER.replace("-", " "),
        NUMBER.replace("-", "."),
        f"  {NUMBER}\n",
        " ".join(NUMBER.replace("-", "")),
        "pst-26 0001234." + NUMBER[-1],
    ],
)
def test_a_number_may_be_typed_with_spaces_lower_case_or_without_dashes(typed):
    assert tracking.normalise(typed) == NUMBER


def test_every_wrong_check_digit_is_rejected():
    body, check = NUMBER[:-1], NUMBER[-1]
    for digit in "0123456789":
        if digit != check:
            assert tracking.normalise(body + digit) is None, body + digit


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        None,
        "   ",
        "PST",
        "PST-26",
        "PST-26-0001234",  # no check digit
        "PST-26-001234-" + NUMBER[-1],  # six-digit sequence
        "P-26-0001234-" + NUMBER[-1],  # one-letter node
        "26-0001234-" + NUMBER[-1],  # no node
        "PST-2026-0001234-" + NUMBER[-1],  # four-digit year shifts the digits
        "PST-26-000I234-" + NUMBER[-1],  # a letter I for a one
        "laporan saya tentang jalan",
        "'; DROP TABLE reports_report; --",
        "0b6a8f1e-4c1d-4d57-9a51-8f3c0e2f8f11",  # a UUID is not a tracking number
    ],
)
def test_garbage_is_not_a_number(garbage):
    assert tracking.normalise(garbage) is None


def test_the_canonical_form_is_plain_ascii_even_for_wide_or_foreign_digits():
    """Digits typed with a full-width or Arabic-Indic keyboard either become the ASCII
    number or are rejected; they never come back as a "canonical" number that no stored
    report can match."""
    for zero in ("\uff10", "\u0660"):
        assert tracking.normalise(NUMBER.replace("0", zero)) in (None, NUMBER)
