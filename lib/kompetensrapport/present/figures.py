"""Figures a reader sees: every figure has a caption and alt text in Swedish.

Matplotlib/seaborn draw; :class:`Figure` carries the image with its caption and alt text. The
HTML representation is a ``<figure>`` with an ``<img alt=…>`` (the site); the Markdown one is
``![caption](file){fig-alt="…"}`` pointing at a PNG written next to the page (the PDF).

Colours: bars and lines are dark on a white background (contrast at least 3:1), and meaning is
never carried by colour alone (plan years are hatched and labelled, values are written out).

Size: every figure is :data:`WIDTH_IN` wide at :data:`DPI`, so that its PNG is no wider than the
site's text column and the browser shows it at its own size, unscaled; all text in it is
:data:`TEXT_PT` points (15,3 px on the page, 90 % of the body text). Layout is matplotlib's
constrained layout, so the PNG keeps that width whatever its labels (no ``bbox_inches="tight"``).
"""

from __future__ import annotations

import base64
import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from kompetensrapport.present.blocks import Block, esc, md
from kompetensrapport.present.files import write_atomic

#: Dark blue: 8.6:1 against white. Used for bars and lines.
PRIMARY = "#1f4e79"
#: Lighter blue for plan/preliminary values: 3.4:1 against white, and hatched.
SECONDARY = "#4a7fb0"
FIGURE_DIR = "figurer"
#: Pixels per inch of the PNG.
DPI = 110
#: Width of every figure in inches: 7,2 × 110 = 792 px, within the site's text column (799 px
#: in a 1280 px wide window), so the PNG is shown unscaled there.
WIDTH_IN = 7.2
#: Size in points of every text in a figure (tick labels, axis labels, values, legend): 10 pt
#: at 110 dpi is 15,3 px, at least 80 % of the site's body text (17 px).
TEXT_PT = 10
#: At most this many ticks on a value axis, so that tick labels such as ``150 000`` never crowd.
MAX_TICKS = 6


def pyplot():
    """matplotlib.pyplot with the file-only Agg backend; imported on first use, so that a
    process that draws nothing (the build computing the start page) does not pay for it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def new(width: float = WIDTH_IN, height: float = 3.6):
    """A figure and axes in the report's style: constrained layout, every text :data:`TEXT_PT`
    points, no frame on the right and top (values written beside bars never cross a line). Text
    is never read as mathtext, so that a value from data such as ``$\\foo$`` is drawn as typed
    instead of failing the notebook."""
    import seaborn as sns

    plt = pyplot()
    sns.set_theme(style="whitegrid", context="notebook",
                  rc={"axes.edgecolor": "#333333", "text.color": "#1a1a1a",
                      "axes.labelcolor": "#1a1a1a", "xtick.color": "#1a1a1a", "ytick.color": "#1a1a1a",
                      "text.parse_math": False, "font.size": TEXT_PT, "axes.labelsize": TEXT_PT,
                      "xtick.labelsize": TEXT_PT, "ytick.labelsize": TEXT_PT, "legend.fontsize": TEXT_PT,
                      "axes.spines.right": False, "axes.spines.top": False})
    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig, ax


def wrap(label: str, width: int = 30, lines: int = 3) -> str:
    """A long axis label on at most ``lines`` lines of ``width`` characters, with an ellipsis when
    cut: ``wrap("Region Skånes attraktivitet som arbetsgivare ska stärkas")`` gives
    ``'Region Skånes attraktivitet\\nsom arbetsgivare ska stärkas'``."""
    parts = textwrap.wrap(label, width, break_long_words=False)
    return "\n".join(parts[:lines]) + ("…" if len(parts) > lines else "")


@dataclass
class Figure(Block):
    """A drawn figure with ``caption`` (shown under it) and ``alt`` (what it shows, in words)."""

    fig: object
    caption: str
    alt: str
    name: str
    _png: bytes | None = field(default=None, repr=False)

    def __post_init__(self):
        if not self.alt.strip() or not self.caption.strip():
            raise ValueError("a figure needs a caption and alt text")

    def png(self) -> bytes:
        if self._png is None:
            buf = io.BytesIO()
            self.fig.savefig(buf, format="png", metadata={"Software": None})
            pyplot().close(self.fig)
            self._png = buf.getvalue()
        return self._png

    def write_files(self, folder) -> list:
        """Write the PNG the PDF shows into ``folder``/figurer (the page's folder); returns its path."""
        path = Path(folder) / FIGURE_DIR / f"{self.name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, self.png())
        return [path]

    def html(self) -> str:
        data = base64.b64encode(self.png()).decode("ascii")
        return (f'<figure class="kr-figure"><img src="data:image/png;base64,{data}" alt="{esc(self.alt)}" '
                f'style="max-width:100%;height:auto"><figcaption>{esc(self.caption)}</figcaption></figure>')

    def markdown(self) -> str:
        alt = md(self.alt)  # pandoc reads backslash escapes in attribute values, \" included
        return f'![{md(self.caption)}]({FIGURE_DIR}/{self.name}.png){{fig-alt="{alt}"}}'


def hbar(labels, values, value_text, title_x: str, hatches=None):
    """Sorted horizontal bars with the value written at each bar; long labels wrapped."""
    labels = [wrap(str(label)) for label in labels]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig, ax = new(height=0.5 * len(labels) + 0.18 * lines + 1.0)
    bars = ax.barh(range(len(labels)), list(values), color=PRIMARY, edgecolor="#1a1a1a", tick_label=labels)
    if hatches:
        for bar, h in zip(bars, hatches):
            if h:
                bar.set_hatch(h)
                bar.set_facecolor(SECONDARY)
    ax.invert_yaxis()
    ax.set_xlabel(title_x)
    vmax = max(values) if len(values) else 1
    for bar, text in zip(bars, value_text):
        ax.text(bar.get_width() + vmax * 0.01, bar.get_y() + bar.get_height() / 2, text,
                va="center", ha="left", color="#1a1a1a")
    ax.set_xlim(0, vmax * 1.05)
    ax.grid(axis="y", visible=False)
    swedish_ticks(ax.xaxis)
    return fig, ax


def swedish_ticks(axis, decimals: int = 0) -> None:
    """Tick labels the Swedish way (no-break space between thousands, decimal comma, U+2212), at
    most :data:`MAX_TICKS` of them at round values."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from kompetensrapport.present import fmt

    axis.set_major_locator(MaxNLocator(nbins=MAX_TICKS - 1, steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(v, decimals)))
