"""Window names read as noun phrases: dates from the window, words from the label (issue 9, "Words")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trustreport.params import load_params
from trustreport.window_names import label_words, period_heading, sentence_opening, short_window, window_name

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2014, 1, 1), date(2014, 12, 31), "2014"),
        (date(2021, 1, 1), date(2023, 12, 31), "2021–2023"),
        (date(2016, 1, 1), date(2016, 9, 30), "Jan–Sep 2016"),
        (date(2016, 1, 1), date(2016, 9, 29), "1 Jan – 29 Sep 2016"),
        (date(2020, 2, 1), date(2020, 2, 29), "Feb 2020"),
        (date(2023, 3, 27), date(2024, 10, 31), "27 Mar 2023 – Oct 2024"),
        (date(2021, 1, 1), date(2023, 3, 26), "Jan 2021 – 26 Mar 2023"),
    ],
)
def test_short_window(start: date, end: date, expected: str) -> None:
    assert short_window(start, end) == expected


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("2014", ""),
        ("2016 (Jan–Sep)", ""),
        ("2009–2013 (before federal oversight)", "before federal oversight"),
        ("before the state takeover (2021 – Mar 2023)", "before the state takeover"),
        ("2017–2018 (before the consent decree)", "before the consent decree"),
        ("Sept. 2019 to May 2020", ""),
    ],
)
def test_label_words_keep_only_what_is_not_a_date(label: str, words: str) -> None:
    assert label_words(label) == words


def test_paterson_and_newark_read_as_noun_phrases() -> None:
    """The issue's examples: 'In after the state takeover…', 'then (2009–2013 (before federal oversight))',
    'Then: 2014 (2014)'."""
    paterson = load_params(ROOT / "params" / "paterson.yaml").params
    newark = load_params(ROOT / "params" / "newark.yaml").params
    hartford = load_params(ROOT / "params" / "hartford.yaml").params
    opening = sentence_opening(paterson.now.label, *paterson.now.dates)
    assert opening == "From 27 Mar 2023 to Oct 2024 (after the state takeover)"
    assert period_heading("then", newark.then.label, *newark.then.dates) == "then (2009–2013, before federal oversight)"
    assert window_name(hartford.then.label, *hartford.then.dates) == "2014"


def test_no_demo_window_phrase_nests_brackets_or_repeats_a_year() -> None:
    for path in sorted((ROOT / "params").glob("*.yaml")):
        p = load_params(path).params
        for period, win in (("then", p.then), ("now", p.now)):
            for text in (
                period_heading(period, win.label, *win.dates),
                sentence_opening(win.label, *win.dates),
                window_name(win.label, *win.dates),
            ):
                assert "((" not in text and "))" not in text and text.count("(") <= 1, (path.name, text)
                assert not text.startswith(("In after", "In before", "In under")), (path.name, text)
            dates = short_window(*win.dates)
            assert window_name(win.label, *win.dates).count(dates) == 1, (path.name, dates)
