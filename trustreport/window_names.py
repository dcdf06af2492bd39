"""How a report window reads: its dates in short form and the words of its label, as one noun phrase.

A params label is free text ("2009–2013 (before federal oversight)", "after the state takeover (Mar 2023 – Oct
2024)", "2016 (Jan–Sep)"). Prose that wrote it raw read "In after the state takeover …", nested brackets in
headings and said a year twice ("Then: 2014 (2014)"). Here the dates always come from the window itself and the
label contributes only its words, so every phrase reads the same way.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTHS = tuple(calendar.month_abbr)  # ('', 'Jan', …, 'Dec'), the C locale's English abbreviations
_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|\bto\b|\d+|[\s–—\-/,.:;]+", re.IGNORECASE
)


def short_window(start: date, end: date) -> str:
    """An inclusive window in reader's form: '2014', '2021–2023', 'Jan–Sep 2016', 'Mar 2023 – Oct 2024',
    'Jan 2021 – 26 Mar 2023' (whole months as months, whole years as years, otherwise the day)."""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    month_start = start.day == 1
    month_end = end.day == calendar.monthrange(end.year, end.month)[1]
    if start.year == end.year:
        if month_start and month_end:
            if start.month == end.month:
                return f"{_MONTHS[start.month]} {start.year}"
            return f"{_MONTHS[start.month]}–{_MONTHS[end.month]} {start.year}"
        return f"{_day(start)} – {_day(end)} {end.year}"
    first = f"{_MONTHS[start.month]} {start.year}" if month_start else f"{_day(start)} {start.year}"
    last = f"{_MONTHS[end.month]} {end.year}" if month_end else f"{_day(end)} {end.year}"
    return f"{first} – {last}"


def _day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month]}"


def label_words(label: str) -> str:
    """The words of a window label that are not dates: 'before federal oversight' from '2009–2013 (before
    federal oversight)', '' from '2016 (Jan–Sep)'. Bracketed parts are unwrapped and joined with commas."""
    parts = [part.strip(" ,;:") for part in re.split(r"[()\[\]]", label)]
    return ", ".join(part for part in parts if part and _DATE_WORDS.sub("", part))


def window_name(label: str, start: date, end: date) -> str:
    """The window as a noun phrase for headings and lists: '2009–2013, before federal oversight', 'Jan–Sep 2016'."""
    words = label_words(label)
    dates = short_window(start, end)
    return f"{dates}, {words}" if words else dates


def period_heading(period: str, label: str, start: date, end: date) -> str:
    """'then (2009–2013, before federal oversight)': a table column or heading for one of the two windows."""
    return f"{period} ({window_name(label, start, end)})"


def sentence_opening(label: str, start: date, end: date) -> str:
    """How a sentence about one window begins: 'In 2014', 'In Jan–Sep 2016', 'From 1 Jan to 29 Sep 2016',
    'In 2009–2013 (before federal oversight)', 'From Jan 2021 to 26 Mar 2023 (before the state takeover)'."""
    dates = short_window(start, end)
    if " – " in dates:
        first, last = dates.split(" – ")
        opening = f"From {first} to {last}"
    else:
        opening = f"In {dates}"
    words = label_words(label)
    return f"{opening} ({words})" if words else opening
