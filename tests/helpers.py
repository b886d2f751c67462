"""Helpers shared by the tests: independent of the code under test, so expectations are not
computed by the code they check."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "2023"
HOOK = ROOT.parent / "shared" / "hooks" / "before-stop"
NBSP, MINUS, MISSING = "\u00a0", "\u2212", "–"


def csv(name: str) -> pd.DataFrame:
    """A 2023 data file read with plain pandas (not through the package)."""
    return pd.read_csv(DATA / name)


def swedish(value: float, decimals: int = 0, sign: bool = False) -> str:
    """Swedish formatting for expectations: half up, decimal comma, no-break spaces, U+2212."""
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(q):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    return (MINUS if q < 0 else "+" if sign and q > 0 else "") + text


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance."""
    rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def wcag_contrast(hex_a: str, hex_b: str = "#ffffff") -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted([luminance(hex_a), luminance(hex_b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def personal_names() -> list[str]:
    """The project's list of personal names, read from the before-stop hook (never copied)."""
    if not HOOK.is_file():
        pytest.skip(f"the hook with the list of names is not at {HOOK}")
    m = re.search(r"^names='([^']+)'", HOOK.read_text(encoding="utf-8"), re.M)
    if not m:
        pytest.skip("the hook has no list of names")
    return [n for n in m.group(1).split("|") if n]
