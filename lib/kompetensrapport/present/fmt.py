"""Swedish number formatting for everything a reader sees, built on babel.

Decimal comma, a no-break space (U+00A0) between thousands and before the unit, a true minus
sign (U+2212), and rounding half away from zero (the convention of printed Swedish budgets;
Python's and babel's default is half to even).

>>> tkr(196900)
'196\\xa0900\\xa0tkr'
>>> mkr(-34.2)
'\\u221234,2\\xa0mkr'
>>> procent(2.345)
'2,3\\xa0%'
>>> number(90.1, 1, sign=True)
'+90,1'
>>> number(None)
'–'
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

LOCALE = "sv_SE"
NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "–"  # en dash: value not given


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except TypeError:
        return False


def number(value, decimals: int = 0, sign: bool = False) -> str:
    """A number the Swedish way: ``number(1234567.891, 1)`` gives ``'1 234 567,9'`` (no-break
    spaces). ``sign=True`` writes ``+`` before positive values (``+90,1``); zero has no sign."""
    if _is_missing(value):
        return MISSING
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)  # never "−0,0"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(q, format=pattern, locale=LOCALE)
    text = text.replace("-", MINUS).replace("\u2212", MINUS).replace(" ", NBSP)
    if sign and q > 0:
        text = "+" + text
    return text


def _with_unit(value, unit: str, decimals: int, sign: bool) -> str:
    text = number(value, decimals, sign)
    return text if text == MISSING else f"{text}{NBSP}{unit}"


def tkr(value, decimals: int = 0, sign: bool = False) -> str:
    """Thousands of kronor: ``'196 900 tkr'``."""
    return _with_unit(value, "tkr", decimals, sign)


def mkr(value, decimals: int = 1, sign: bool = False) -> str:
    """Millions of kronor: ``'−34,2 mkr'``."""
    return _with_unit(value, "mkr", decimals, sign)


def mnkr(value, decimals: int = 1, sign: bool = False) -> str:
    """Millions of kronor as the internbudget writes it: ``'196,9 mnkr'``."""
    return _with_unit(value, "mnkr", decimals, sign)


def kr(value, sign: bool = False) -> str:
    """Kronor: ``'5 000 000 kr'``."""
    return _with_unit(value, "kr", 0, sign)


def procent(value, decimals: int = 1, sign: bool = False) -> str:
    """Per cent, already multiplied by 100: ``procent(2.3)`` gives ``'2,3 %'``."""
    return _with_unit(value, "%", decimals, sign)


def procentenheter(value, decimals: int = 1) -> str:
    """A difference of two percentages: ``'−2,0 procentenheter'``."""
    return _with_unit(value, "procentenheter", decimals, True)


def share(part, whole, decimals: int = 1) -> str:
    """``part`` as a per cent of ``whole``; ``'–'`` when either is missing or whole is 0."""
    if _is_missing(part) or _is_missing(whole) or whole == 0:
        return MISSING
    return procent(100 * part / whole, decimals)


#: The numbers zero to twelve as words, as Swedish prose writes them; one in the common gender
#: (``en``), as in ``en insats``.
WORDS = ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva", "tolv")


def word(n: int) -> str:
    """``n`` as a word up to twelve, as Swedish prose writes small numbers, and in digits above:
    ``word(3)`` gives ``'tre'``, ``word(13)`` ``'13'``."""
    return WORDS[n] if 0 <= n < len(WORDS) else number(n)


def count(n: int, singular: str, plural: str) -> str:
    """A count with its noun in the right number: ``count(1, "sida", "sidor")`` gives
    ``'1 sida'``, ``count(10, "sida", "sidor")`` ``'10 sidor'`` (a no-break space between)."""
    return f"{number(n)}{NBSP}{singular if n == 1 else plural}"


def join(items: list[str]) -> str:
    """Swedish enumeration: ``join(["a", "b", "c"])`` gives ``'a, b och c'``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def is_iso_date(value) -> bool:
    """Whether ``value`` is a date written ``YYYY-MM-DD`` (what :func:`date` formats).

    >>> is_iso_date("2023-02-15"), is_iso_date("våren 2023"), is_iso_date(None)
    (True, False, False)
    """
    import re

    return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is not None


def date(iso: str) -> str:
    """An ISO date the Swedish way: ``date("2026-12-07")`` gives ``'7 december 2026'``."""
    import datetime as dt

    from babel.dates import format_date

    return format_date(dt.date.fromisoformat(iso), "d MMMM y", locale=LOCALE)
