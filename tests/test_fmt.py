"""Swedish formatting of what readers see (present/fmt.py): decimal comma, no-break spaces,
true minus, rounding half away from zero, units, counts in the right number, dates."""

from __future__ import annotations

import pytest

from kompetensrapport.present import fmt

NB, MINUS = "\u00a0", "\u2212"


@pytest.mark.parametrize("value, decimals, sign, expected", [
    (0, 0, False, "0"),
    (0.0, 1, True, "0,0"),  # zero has no sign
    (-0.04, 1, False, "0,0"),  # rounds to zero: never "−0,0"
    (-34.2, 1, False, f"{MINUS}34,2"),
    (90.1, 1, True, "+90,1"),
    (196900, 0, False, f"196{NB}900"),
    (1234567.891, 1, False, f"1{NB}234{NB}567,9"),
    (2.345, 1, False, "2,3"),
    (0.25, 1, False, "0,3"),  # half away from zero, not half to even
    (-0.25, 1, False, f"{MINUS}0,3"),
    (None, 0, False, "–"),
    (float("nan"), 1, False, "–"),
])
def test_number(value, decimals, sign, expected):
    assert fmt.number(value, decimals, sign) == expected


def test_units():
    assert fmt.tkr(196900) == f"196{NB}900{NB}tkr"
    assert fmt.procent(2.3) == f"2,3{NB}%"
    assert fmt.mkr(-34.2) == f"{MINUS}34,2{NB}mkr"
    assert fmt.mkr(90.1, sign=True) == f"+90,1{NB}mkr"
    assert fmt.kr(5_000_000) == f"5{NB}000{NB}000{NB}kr"
    assert fmt.share(63, 286) == f"22,0{NB}%"
    assert fmt.share(1, 0) == "–"


@pytest.mark.parametrize("n, expected", [(0, f"0{NB}sidor"), (1, f"1{NB}sida"), (2, f"2{NB}sidor"),
                                         (1000, f"1{NB}000{NB}sidor")])
def test_count_takes_the_noun_in_the_right_number(n, expected):
    assert fmt.count(n, "sida", "sidor") == expected


def test_dates_are_written_the_swedish_way():
    assert fmt.date("2026-12-07") == "7 december 2026"
    assert fmt.date("2023-02-15") == "15 februari 2023"


@pytest.mark.parametrize("n, expected", [(1, "en"), (2, "två"), (3, "tre"), (12, "tolv"), (13, "13"), (1000, f"1{NB}000")])
def test_small_numbers_as_words(n, expected):
    assert fmt.word(n) == expected


def test_enumeration_joins_with_och():
    assert fmt.join(["a"]) == "a"
    assert fmt.join(["a", "b"]) == "a och b"
    assert fmt.join(["a", "b", "c"]) == "a, b och c"
