"""Figures computed once, written in any language: deferred texts (ssc_mining.i18n.Text).

The analysers run once with their texts deferred; each language is written afterwards. The check that matters:
a result analysed once and written in Dutch equals the result the analyser gives when it runs in Dutch
directly (texts translated as they are made) — on every sample and on real logs. A text fixed in one language
too early would make them differ.
"""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, load_real

from ssc_mining.analysers import discover, run_analysers_deferred
from ssc_mining.i18n import (
    Message,
    Text,
    TextRenderedTooEarlyError,
    deferred,
    fill,
    format_number,
    format_share,
    gettext,
    join_texts,
    language,
    ngettext,
    render_texts,
)
from ssc_mining.loaders import load


def test_a_deferred_text_is_written_in_each_language():
    with deferred():
        text = gettext("%(share)s of the tickets are solved by the first line alone.") % {
            "share": format_share(0.125)}
        both = join_texts(" ", [text, ngettext("%(n)s ticket", "%(n)s tickets", 1234) % {"n": format_number(1234)}])
    assert isinstance(both, Text)
    assert render_texts(both, "en") == "12.5 % of the tickets are solved by the first line alone. 1,234 tickets"
    with language("nl"):
        eager = (gettext("%(share)s of the tickets are solved by the first line alone.") % {
            "share": format_share(0.125)} + " " + ngettext("%(n)s ticket", "%(n)s tickets", 1234)
            % {"n": format_number(1234)})
    assert render_texts(both, "nl") == eager
    assert "12,5 %" in eager and "1.234" in eager


def test_texts_compare_and_hash_by_what_they_are_made_of():
    with deferred():
        a, b = gettext("tickets"), gettext("tickets")
        series = {a: [1, 2]}
    assert a == b and hash(a) == hash(b) and a != Message("days") and a != "tickets"
    assert render_texts(series, "nl") == {gettext_in("nl", "tickets"): [1, 2]}


def gettext_in(lang: str, msgid: str) -> str:
    with language(lang):
        return gettext(msgid)


def test_a_text_made_into_a_string_too_early_is_an_error_in_the_tests():
    with deferred():
        text = gettext("tickets")
        with pytest.raises(TextRenderedTooEarlyError, match="before the language is known"):
            f"{text}"
        with pytest.raises(TypeError):
            ", ".join([text])  # type: ignore[list-item]
        assert isinstance(fill("%(a)s: %(b)s", {"a": text, "b": 3}), Text)
    assert fill("%(a)s: %(b)s", {"a": "x", "b": 3}) == "x: 3"  # outside deferred(): a plain string


def _direct(log, analyser, lang: str) -> dict:
    """The analyser run the old way: texts translated as they are made, in ``lang``."""
    with language(lang):
        return analyser.analyse(log).to_dict()


@pytest.mark.parametrize("sample", ["generic-events.csv", "generic-events-nl.csv", "servicenow-history.csv",
                                    "topdesk-export.csv", "jira-changelog.csv", "events.xes.gz"])
def test_analysed_once_equals_analysed_in_each_language(sample):
    log = load(SAMPLES / sample)
    analysers = [cls() for cls in discover().analysers.values()]
    once = run_analysers_deferred(log, analysers)
    assert all(r.status == "ok" for r in once), [(r.analyser, r.reason) for r in once if r.status != "ok"]
    for lang in ("en", "nl"):
        written = [r.to_dict() for r in render_texts(once, lang)]
        direct = [_direct(log, a, lang) for a in analysers]
        for w, d in zip(written, direct, strict=True):
            assert json.dumps(w, sort_keys=True) == json.dumps(d, sort_keys=True), (sample, lang, w["analyser"])
    # and the languages differ where they should: the Dutch titles are Dutch
    assert render_texts(once[0], "nl").title != render_texts(once[0], "en").title


@pytest.mark.parametrize("parts", [("helpdesk-full", "helpdesk.csv"), ("receipt-wabo", "receipt.csv")])
def test_analysed_once_equals_analysed_in_dutch_on_real_logs(parts):
    log = load_real(*parts)
    analysers = [cls() for cls in discover().analysers.values() if cls.name != "comparison"]
    once = render_texts(run_analysers_deferred(log, analysers), "nl")
    for result, analyser in zip(once, analysers, strict=True):
        assert result.status == "ok", (analyser.name, result.reason)
        assert json.dumps(result.to_dict(), sort_keys=True) == json.dumps(_direct(log, analyser, "nl"),
                                                                          sort_keys=True), analyser.name


def test_long_number_series_are_rounded_as_one_by_one():
    """The fast path for long series (returned as they are when numpy finds them already rounded) gives what
    rounding each value to six decimals gives: on rounded values, on values that need rounding, with NaN and
    infinity, and with very large values."""
    import math
    import random

    from ssc_mining.results.items import jsonable

    rng = random.Random(5)
    series = [
        [round(rng.uniform(0, 500), 4) for _ in range(1000)],
        [rng.uniform(0, 500) for _ in range(1000)],
        [round(rng.uniform(-1, 1), 6) for _ in range(999)] + [float("nan")],
        [round(rng.uniform(0, 9), 3) for _ in range(999)] + [float("inf")],
        [rng.choice([0.1, 0.2, 0.3, 1e12 + 0.5, 123456.1234565]) for _ in range(1000)],
    ]
    for values in series:
        one_by_one = [None if math.isnan(v) or math.isinf(v) else round(v, 6) for v in values]
        assert jsonable(values) == one_by_one
