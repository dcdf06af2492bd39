"""What every chart shares: the seaborn theme, the page size, one colour, marker and line style per group, measure
titles, the then/now shading with the params' events, legends outside the data, plain-number log axes, and the
`Chart` every chart function returns (a figure that carries its alt text). Imports nothing from the section
modules."""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import matplotlib.dates
import matplotlib.pyplot as plt
import matplotlib.ticker
import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure

from trustreport import fmt
from trustreport.params import Params
from trustreport.vocab import (
    CONDITIONAL_STAGES,
    GROUP_COLOURS,
    MEASURE_LABELS,
    MEASURE_SINGULAR,
    PERIOD_COLOURS,
    Group,
    Measure,
    Period,
)

# Drawn once at the size the page shows it: 6.5 in (a Letter page's text width inside 1 in margins) at 160 dpi is
# 1,040 px, sharp on a phone's 390 css px at 3x and never wider than the page; fonts a little larger than
# matplotlib's defaults so that they stay legible when a phone shrinks the chart to half its size.
WIDTH = 6.5
DPI = 160
# Display width in css px (96 per inch), so fonts read at their point size on a desktop page.
CSS_WIDTH = round(WIDTH * 96)
RC = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    # Event labels and titles come from params files: a `$` there is a dollar, never mathtext.
    "text.parse_math": False,
    "text.usetex": False,
}
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}
GUIDE_COLOUR = "#444444"  # parity lines, the 45° line of equal hit rates, event lines

# Group encoded by marker and line style as well as colour, so lines stay apart in grayscale and for readers who
# do not see the colours.
GROUP_MARKERS: dict[Group, str] = {
    Group.BLACK: "o",
    Group.HISPANIC: "s",
    Group.WHITE: "^",
    Group.ASIAN_PI: "D",
    Group.OTHER: "v",
    Group.UNKNOWN: "X",
    Group.ALL: "P",
}
GROUP_LINESTYLES: dict[Group, Any] = {
    Group.BLACK: "-",
    Group.HISPANIC: "--",
    Group.WHITE: "-.",
    Group.ASIAN_PI: (0, (1, 1.5)),
    Group.OTHER: (0, (5, 1, 1, 1, 1, 1)),
    Group.UNKNOWN: (0, (3, 3)),
    Group.ALL: ":",
}
# Then is hatched or hollow, now filled: the windows stay apart without colour.
PERIOD_HATCH: dict[Period, str] = {Period.THEN: "///", Period.NOW: ""}


def group_style(group: Group, *, markersize: float = 4.5) -> dict[str, Any]:
    """Colour, marker and line style of `group` for `Axes.plot` / `errorbar`."""
    return {
        "color": GROUP_COLOURS[group],
        "marker": GROUP_MARKERS[group],
        "ls": GROUP_LINESTYLES[group],
        "markersize": markersize,
    }


class Chart(Figure):
    """A report chart: a matplotlib figure that carries `alt`, the text a reader who cannot see it is given, and
    shows itself in a notebook as one PNG whose output metadata holds that text (`{"image/png": {"alt": …}}`,
    written by the HTML export into `<img alt>`)."""

    alt: str = ""

    def png(self) -> bytes:
        """The chart as PNG at the report's resolution."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.08)
        return buffer.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        data = {"image/png": base64.b64encode(self.png()).decode("ascii"), "text/plain": self.alt}
        return data, {"image/png": {"alt": self.alt, "width": CSS_WIDTH}}


def _no_second_drawing(chart: Chart) -> None:
    """IPython's per-type printer for a `Chart`: nothing, so the PNG in the chart's own bundle is kept."""
    return None


def show_charts_once() -> None:
    """Let a chart be drawn once when a notebook shows it.

    matplotlib's inline backend registers an image printer for every `Figure`, and IPython prefers a registered
    printer to an object's own bundle: each chart was drawn twice (once for its bundle, once by the backend, whose
    PNG then replaced the first and dropped nothing but time). A printer registered for `Chart` that returns
    nothing keeps the bundle's PNG and its alt text. Outside IPython this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    for mime in ("image/png", "image/jpeg", "image/svg+xml", "application/pdf"):
        formatter = shell.display_formatter.formatters.get(mime)
        if formatter is not None:
            formatter.for_type(Chart, _no_second_drawing)


def new_chart(rows: int = 1, cols: int = 1, *, height: float, **kw: Any) -> tuple[Chart, Any]:
    """A `Chart` of the report's width and `height` inches with a grid of axes (`plt.subplots`, always a 2-D array),
    laid out by matplotlib's constrained layout so that outside legends and titles get their room."""
    fig, axes = plt.subplots(
        rows, cols, figsize=(WIDTH, height), FigureClass=Chart, layout="constrained", squeeze=False, **kw
    )
    return fig, axes


def finish(fig: Chart, title: str, alt: str) -> Chart:
    """Give the chart its wrapped title and its alt text, and close it so that Jupyter shows it exactly once."""
    # Escaped, not parse_math=False: matplotlib measures wrapped text with mathtext whatever that setting says,
    # so a `$` in a city name would still fail; an escaped `\$` is drawn as `$`.
    fig.suptitle(title.replace("$", r"\$"), x=0.01, ha="left", fontsize=12, wrap=True)
    fig.alt = alt
    plt.close(fig)
    return fig


@contextmanager
def theme() -> Iterator[None]:
    """The report's one seaborn style; draw every chart inside it. Text is drawn as written: a `$` in an event
    label or a window label is a dollar sign, never the start of matplotlib mathtext."""
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", rc=RC), mpl.rc_context(PLAIN_TEXT):
        yield


def mark_windows_and_events(ax: Axes, params: Params) -> None:
    """On a time axis: shade the then and now windows in their period colours and draw each of `params.events`
    as a dashed vertical line with its number in a badge at the top; the labels go in the legend
    (`event_key`), so they never collide with each other or spill into the next panel. A badge closer than
    about two badge widths to another takes the first row down that none of its neighbours holds."""
    for period, win in params.windows:
        ax.axvspan(pd.Timestamp(win.start), pd.Timestamp(win.end), color=PERIOD_COLOURS[period], alpha=0.1, lw=0)
    whens = [pd.Timestamp(event.date) for event in params.events]
    for when in whens:
        ax.axvline(when, color=GUIDE_COLOUR, lw=0.8, ls="--")
    lo, hi = ax.get_xlim()  # after the lines, which may widen the axis
    placed: list[tuple[float, int]] = []
    for number, when in enumerate(whens, start=1):
        x = matplotlib.dates.date2num(when)
        taken = {row for other, row in placed if abs(other - x) < 0.05 * (hi - lo)}
        near = min(set(range(len(taken) + 1)) - taken)
        placed.append((x, near))
        ax.annotate(
            str(number),
            (when, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -3 - 14 * near),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=8,
            bbox={"boxstyle": "circle,pad=0.2", "fc": "white", "ec": GUIDE_COLOUR, "lw": 0.6},
            annotation_clip=True,
        )


def legend_below(
    fig: Chart, entries: Iterable[tuple[Artist, str]], *, events: Params | None = None, note: str = ""
) -> None:
    """One legend for the chart, under the plots and outside every axes, so it hides no data: the series in a
    row (entries with the same label shown once), and above them a `note` on how to read the chart and, when
    `events` (the params) has any, the numbered events one a line (`event_key`)."""
    unique: dict[str, Artist] = {}
    for handle, label in entries:
        if label and not label.startswith("_"):
            unique.setdefault(label, handle)
    key = "\n".join(part for part in (textwrap.fill(note, 90), event_key(events) if events is not None else "") if part)
    if not unique and not key:
        return
    longest = max((len(s) for s in unique), default=0)
    ncols = max(1, 1 if longest > 45 else min(2 if longest > 22 else 4, len(unique)))
    fig.legend(
        list(unique.values()),
        list(unique),
        loc="outside lower center",
        ncols=ncols,
        frameon=False,
        title=key or None,
        title_fontsize=9,
        alignment="left",
    )


def event_key(params: Params) -> str:
    """The events' key, one a line: "dashed lines: events" then "1  Consent decree approved (13 Jan 2019)"."""
    lines = [f"{i}  {event.label} ({event.date:%-d %b %Y})" for i, event in enumerate(params.events, start=1)]
    return "\n".join(["dashed lines, numbered: events", *lines]) if lines else ""


def handles_of(axes: Sequence[Axes]) -> list[tuple[Artist, str]]:
    """Every labelled artist of `axes`, as (handle, label) legend entries."""
    out: list[tuple[Artist, str]] = []
    for ax in axes:
        handles, labels = ax.get_legend_handles_labels()
        out += list(zip(handles, labels, strict=True))
    return out


def events_sentence(params: Params) -> str:
    """The events for an alt text: " Dashed lines mark events: 1, Consent decree approved, 13 Jan 2019; …"."""
    said = [f"{i}, {e.label}, {e.date:%-d %b %Y}" for i, e in enumerate(params.events, start=1)]
    return f" Dashed lines mark events: {'; '.join(said)}." if said else ""


def plain_log_axis(axis: Axis) -> None:
    """A log axis labelled in plain numbers at 1, 2, 5 × 10ⁿ (0.5, 1, 2, 5, 10), never 10⁰/10¹."""
    axis.set_major_locator(matplotlib.ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.tick(v)))
    axis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def count_axis(ax: Axes, top: float | None = None) -> None:
    """A count axis: from 0, whole-number ticks, a little headroom above `top` (the largest value drawn)."""
    upper = max(1.0, (top if top is not None else ax.get_ylim()[1]) * 1.12)
    ax.set_ylim(0, upper)
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True, min_n_ticks=2))


def window_title(params: Params) -> str:
    """ "then (2009–2013) and now (2019–2023)"; "in 2019–2023" alone for a "now only" report."""
    now = fmt.window(params.now.start, params.now.end)
    if params.then is None:
        return f"in {now}"
    return f"then ({fmt.window(params.then.start, params.then.end)}) and now ({now})"


def measure_title(measure: Measure) -> str:
    """'stops per resident' / 'searches per stop'."""
    if measure in CONDITIONAL_STAGES:
        return f"{MEASURE_LABELS[measure]} per {MEASURE_SINGULAR[CONDITIONAL_STAGES[measure]]}"
    return f"{MEASURE_LABELS[measure]} per resident"


def join_words(parts: Sequence[str]) -> str:
    """ "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
