"""Figures as a reader sees them: every figure the real 2023 data produce (each förvaltning's
page, from its parameter file, and the overview's) has tick labels that do not overlap, all its
text inside the image, and text at least 80 % of the site's body text size at the page's width.

The size on the page: a figure's PNG is shown at ``max-width: 100 %`` of the text column, so a
text of ``pt`` points is drawn ``pt × dpi / 72 × displayed width / PNG width`` CSS pixels tall.
The column and the body text were measured in Chromium on the rendered 2023 site at a 1280 px
wide window (``main`` and every figure's parent are 799 px wide; ``body`` has
``font-size: 17px``); :func:`test_the_measured_column_and_body_text_hold_on_the_rendered_site`
measures them again, so the constants cannot silently go stale.
"""

from __future__ import annotations

import inspect
import io
import itertools
import shutil
from typing import NamedTuple

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from PIL import Image

from conftest import ROOT
from kompetensrapport import sections as section_table
from kompetensrapport.domain import budget, kompetens, oversikt
from kompetensrapport.inputs import load, params
from kompetensrapport.present import sections
from kompetensrapport.present.figures import Figure, pyplot

YEAR = 2023
#: The site's text column in CSS px at a 1280 px wide window (measured, see the module docstring).
COLUMN_PX = 799
#: The site's body text in CSS px (measured, see the module docstring).
BODY_PX = 17
WINDOW_PX = 1280


class Drawn(NamedTuple):
    """A figure drawn: its renderer (for the texts' extents) and the width of its PNG in px."""

    figure: Figure
    renderer: object
    png_width: int


def _compute(section, data, previous, forvaltning):
    """The section's result for ``forvaltning``, calling its domain function with the arguments
    it takes (as the förvaltning notebook does)."""
    function = section.compute_function()
    given = {"data": data, "ar": YEAR, "forvaltning": forvaltning, "previous": previous}
    return function(**{k: v for k, v in given.items() if k in inspect.signature(function).parameters})


@pytest.fixture(scope="module")
def figures(real_data) -> list[Drawn]:
    """Every figure of the 2023 pages: each förvaltning's sections, then the overview's; each
    drawn once."""
    data, previous = real_data, load.previous_year(ROOT, YEAR)
    found = []
    forvaltningar = params.load_all(ROOT, YEAR)
    for p in forvaltningar:
        for key in p.avsnitt:
            section = section_table.get(key)
            found += section.present_function()(_compute(section, data, previous, p.forvaltning))
    found += sections.region.kompetens(kompetens.region(data, YEAR, previous, oversikt.names(forvaltningar)))
    found += sections.region.budget(budget.internbudget(data, YEAR))
    drawn = []
    for figure in (b for b in found if isinstance(b, Figure)):
        canvas = FigureCanvasAgg(figure.fig)  # the figure's own canvas goes when pyplot closes it
        canvas.draw()
        drawn.append(Drawn(figure, canvas.get_renderer(), Image.open(io.BytesIO(figure.png())).size[0]))
    yield drawn
    pyplot().close("all")


def _tick_labels(axis) -> list[Text]:
    """The axis's tick labels that are drawn: within the view limits and not empty."""
    low, high = sorted(axis.get_view_interval())
    return [tick.label1 for tick in axis.get_major_ticks()
            if low - 1e-9 <= tick.get_loc() <= high + 1e-9 and tick.label1.get_visible() and tick.label1.get_text()]


def _texts(figure: Figure) -> list[Text]:
    """The texts a reader sees in the figure: visible, not empty, and no tick label outside the
    axis's limits (matplotlib keeps those but does not draw them)."""
    drawn, hidden = set(), set()
    for ax in figure.fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn.update(_tick_labels(axis))
            hidden.update(t for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                          for t in (tick.label1, tick.label2))
    return [t for t in figure.fig.findobj(Text) if t.get_visible() and t.get_text().strip()
            and (t in drawn or t not in hidden)]


def test_the_2023_pages_have_their_figures(figures):
    names = {d.figure.name for d in figures}
    assert {"internbudget-andelar", "regionbidrag", "regionbidrag-brygga-2023", "fokus-finansiering",
            "koncernkontoret-hr-nyckeltal"} <= names
    assert any(n.startswith("fokus-tratt-") for n in names) and any(n.endswith("-kompetens-antal") for n in names)
    assert any(n.endswith("region-kompetens-brist") for n in names)  # the overview's


def test_tick_labels_do_not_overlap(figures):
    crowded = []
    for figure, renderer, _ in figures:
        for ax in figure.fig.axes:
            labels = _tick_labels(ax.xaxis) + _tick_labels(ax.yaxis)
            assert len(labels) >= 2, figure.name
            boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels]
            crowded += [(figure.name, a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
                        if box_a.overlaps(box_b)]
    assert crowded == []


def test_text_is_at_least_80_percent_of_the_body_text_at_the_page_width(figures):
    small = []
    for figure, _, png_width in figures:
        scale = min(1.0, COLUMN_PX / png_width)  # max-width: 100 % shrinks, never enlarges
        for t in _texts(figure):
            px = t.get_fontsize() * figure.fig.dpi / 72 * scale
            if px < 0.8 * BODY_PX:
                small.append((figure.name, t.get_text(), round(px, 1)))
    assert small == []


def test_every_text_lies_inside_the_image(figures):
    """The PNG is the figure's own size (no cropping to its contents), so a text outside the
    figure would be cut off."""
    outside = []
    for figure, renderer, _ in figures:
        box = figure.fig.bbox
        for t in _texts(figure):
            e = t.get_window_extent(renderer)
            if e.x0 < box.x0 - 1 or e.y0 < box.y0 - 1 or e.x1 > box.x1 + 1 or e.y1 > box.y1 + 1:
                outside.append((figure.name, t.get_text()))
    assert outside == []


@pytest.mark.quarto
def test_the_measured_column_and_body_text_hold_on_the_rendered_site(rendered_site):
    """At 1280 px every figure is shown at least as wide as min(its PNG, COLUMN_PX), and the body
    text is no larger than BODY_PX: the size check above is then on the safe side."""
    from playwright.sync_api import sync_playwright

    from kompetensrapport.pipeline.a11y import CHROMIUM_ARGS, serve

    pages = sorted((rendered_site / str(YEAR)).glob("*.html"))
    seen = 0
    with serve(rendered_site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WINDOW_PX, "height": 900})
            for path in pages:
                page.goto(base + f"{YEAR}/{path.name}", wait_until="load")
                got = page.evaluate("""() => ({
                    body: parseFloat(getComputedStyle(document.body).fontSize),
                    imgs: [...document.querySelectorAll('figure.kr-figure img')].map(
                        i => [i.naturalWidth, i.getBoundingClientRect().width])})""")
                assert got["body"] <= BODY_PX, path.name
                for natural, shown in got["imgs"]:
                    assert natural > 0 and shown >= min(natural, COLUMN_PX) - 1, (path.name, natural, shown)
                    seen += 1
        finally:
            browser.close()
    assert seen >= 8  # the figures of the förvaltning pages and the overview
