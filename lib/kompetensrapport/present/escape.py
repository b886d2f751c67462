"""Escaping of values from parameter files and data for each place they reach a reader.

One module, so that every writer of a page, the navbar, a title, a download or a file uses the
same rules:

- :func:`markdown`: Markdown that Quarto (pandoc) reads, which covers the pages, the navbar and
  page titles (Quarto reads both as Markdown) and, through pandoc, the PDF (Typst): pandoc escapes
  text for Typst itself, so a value escaped for Markdown reaches the PDF as text.
- :func:`html`: HTML (the tables and figures of the website).
- :func:`spreadsheet_text`: a cell of an Excel download (text, never a formula).

YAML is written with ``yaml.safe_dump`` only, which quotes whatever needs quoting.

>>> markdown("<img src=x> *b* [l](http://x)")
'\\\\<img src=x\\\\> \\\\*b\\\\* \\\\[l\\\\](http://x)'
>>> markdown('- "a" -- b...')
'\\\\- \\\\"a\\\\" \\\\-\\\\- b\\\\.\\\\.\\\\.'
>>> unmarkdown(markdown("a\\\\b *c*")) == "a\\\\b *c*"
True
"""

from __future__ import annotations

import html as _html
import re

#: ASCII punctuation that pandoc's Markdown, Quarto or CommonMark may read as markup anywhere in
#: a line; quotes too, so that pandoc's "smart" typography keeps them as typed.
_MD_SPECIAL = re.compile(r"""([\\`*_{}\[\]<>#|$@~^!&"'])""")
#: Runs that pandoc's "smart" typography would turn into dashes or an ellipsis.
_MD_RUNS = re.compile(r"(?<=[-.])([-.])|([-.])(?=[-.])")
#: What would start a list, a definition, a caption or a div when a value begins a line.
_MD_LEADING_MARK = re.compile(r"^([-+:=])")
_MD_LEADING_NUMBER = re.compile(r"^(\d+)([.)])")
_MD_UNESCAPE = re.compile(r"\\(.)")


def markdown(text) -> str:
    """A value as Markdown that reads as the value itself: every character pandoc or Quarto could
    take as markup is escaped with a backslash, a line break becomes a space, and white space at
    the start (which Markdown would read as indentation: a code block) is dropped."""
    text = " ".join(str(text).splitlines()).lstrip()
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _MD_RUNS.sub(lambda m: "\\" + (m.group(1) or m.group(2)), text)
    text = _MD_LEADING_MARK.sub(r"\\\1", text)
    return _MD_LEADING_NUMBER.sub(r"\1\\\2", text)


def unmarkdown(text: str) -> str:
    """The value that :func:`markdown` escaped (its inverse for every value of one line that does
    not start with white space)."""
    return _MD_UNESCAPE.sub(r"\1", text)


def html(text) -> str:
    """A value as HTML text or attribute value (quotes escaped too)."""
    return _html.escape(str(text), quote=True)


#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@")


def spreadsheet_text(cell) -> None:
    """Make an openpyxl cell that holds text keep it as text: a value such as
    ``=HYPERLINK(…)`` is stored as a string, never as a formula, and a value that starts with
    ``=``, ``+``, ``-`` or ``@`` gets Excel's quote prefix, so that editing the cell in Excel does
    not turn it into one either."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_START):
            cell.quotePrefix = True
