"""Themes by channel and by the columns staff chose when importing (ml.selectors.theme_breakdowns)."""

from types import SimpleNamespace

from django.utils import translation

from ml.models import AnalysisRun
from ml.selectors import theme_breakdowns


def entry(number, members, title):
    theme = SimpleNamespace(member_ids=members, label=title, generated_label=title, title=title)
    return {"theme": theme, "number": number, "colour": number - 1}


def run_of(items):
    return AnalysisRun(items=items)


def test_each_theme_divides_over_the_values_and_an_over_share_is_marked():
    ages = ["70代"] * 8 + ["20代"] * 2 + ["20代"] * 8 + ["70代"] * 2 + [""]  # parks, buses, one with no theme
    items = {
        f"x{i}": {"kind": "external", "source_name": "パブコメ.csv", "attributes": {"年代": age}}
        for i, age in enumerate(ages)
    }
    entries = [entry(1, [f"x{i}" for i in range(10)], "公園"), entry(2, [f"x{i}" for i in range(10, 20)], "バス")]
    with translation.override("ja"):
        (table,) = theme_breakdowns(run_of(items), entries)  # one channel only: no channel table
    assert table["name"] == "年代" and table["values"] == ["20代", "70代", "（未記入）"]
    assert table["total"] == 21 and [c["count"] for c in table["overall"]] == [10, 10, 1]
    parks, buses = table["rows"]
    assert (parks["title"], parks["total"]) == ("公園", 10)
    cells = [(c["count"], c["percent"], c["over"]) for c in parks["cells"]]
    assert cells == [(2, 20, False), (8, 80, True), (0, 0, False)]
    assert [c["over"] for c in buses["cells"]] == [True, False, False]


def test_channels_many_values_natural_order_and_other_values():
    items = {f"p{i}": {"kind": "proposal", "source": "proposals"} for i in range(6)}
    districts = [f"第{n}地区" for n in (10, 2, 1, 3, 4, 5, 6, 7, 8, 9)]
    for i, district in enumerate(districts * 2):
        items[f"x{i}"] = {"kind": "external", "source_name": "窓口の記録", "attributes": {"地区": district}}
    entries = [entry(1, list(items), "全部")]
    with translation.override("en"):
        channel, district = theme_breakdowns(run_of(items), entries, channel_labels={"proposals": "Proposals"})
    assert channel["name"] == "Channel" and channel["values"] == ["Proposals", "窓口の記録"]
    assert [c["count"] for c in channel["rows"][0]["cells"]] == [6, 20]
    # 10 districts: the 7 most common (ties in natural order) get columns, in natural order; the rest are one column
    assert district["values"] == [f"第{n}地区" for n in range(1, 8)] + ["Other values"]
    assert district["overall"][-1]["count"] == 6 and district["total"] == 20


def test_attributes_are_named_by_their_source_and_one_name_shares_a_table():
    """A survey answer's age band (key "age_band", named by its opinion source) and an import's 年代 column are one
    table where the label is 年代; in English the survey's is "Age band" and the import's stays 年代."""
    items = {
        f"sa{i}": {"kind": "survey_answer", "attributes": {"age_band": age}} for i, age in enumerate(["30代", "40代"])
    }
    items |= {f"x{i}": {"kind": "external", "attributes": {"年代": age}} for i, age in enumerate(["40代", "50代"])}
    entries = [entry(1, list(items), "全部")]
    with translation.override("en"):
        _channel, age = theme_breakdowns(run_of(items), entries, attribute_labels={"age_band": "年代"})
        assert age["name"] == "年代" and age["values"] == ["30代", "40代", "50代"] and age["total"] == 4
        tables = theme_breakdowns(run_of(items), entries, attribute_labels={"age_band": "Age band"})
    assert [(t["name"], t["values"]) for t in tables[1:]] == [
        ("Age band", ["30代", "40代"]),
        ("年代", ["40代", "50代"]),
    ]


def test_no_table_without_two_values():
    items = {f"p{i}": {"kind": "proposal", "source": "proposals"} for i in range(5)}
    assert theme_breakdowns(run_of(items), [entry(1, list(items), "t")], channel_labels={"proposals": "P"}) == []
    assert theme_breakdowns(run_of({}), []) == []


def test_themes_by_month_or_quarter_when_the_texts_span_more_months():
    items = {f"p{i}": {"kind": "proposal", "date": f"2026-0{1 + i % 3}-1{i % 9}"} for i in range(9)}
    with translation.override("en"):
        (month,) = theme_breakdowns(run_of(items), [entry(1, list(items), "t")])
    assert month["name"] == "Month" and month["values"] == ["2026-01", "2026-02", "2026-03"]
    two_years = {
        f"p{y}{m}": {"kind": "proposal", "date": f"{y}-{m:02d}-01"} for y in (2025, 2026) for m in range(1, 13)
    }
    with translation.override("ja"):
        (quarter,) = theme_breakdowns(run_of(two_years), [entry(1, list(two_years), "t")])
    assert (
        quarter["name"] == "四半期" and quarter["values"][:2] == ["2025-Q1", "2025-Q2"] and len(quarter["values"]) == 8
    )
    assert [c["count"] for c in quarter["overall"]] == [3] * 8


def test_a_theme_without_the_value_has_no_row():
    items = {f"p{i}": {"kind": "proposal", "source": "proposals"} for i in range(4)}
    items |= {
        f"x{i}": {"kind": "external", "source_name": "f", "attributes": {"年代": ["20代", "30代"][i % 2]}}
        for i in range(4)
    }
    entries = [entry(1, [f"p{i}" for i in range(4)], "提案だけ"), entry(2, [f"x{i}" for i in range(4)], "ファイル")]
    channel, age = theme_breakdowns(run_of(items), entries, channel_labels={"proposals": "Proposals"})
    assert [row["title"] for row in channel["rows"]] == ["提案だけ", "ファイル"]
    assert [row["title"] for row in age["rows"]] == ["ファイル"] and age["total"] == 4


def test_a_text_without_a_readable_date_is_left_out_of_the_period_table():
    items = {
        f"p{i}": {"kind": "proposal", "date": day} for i, day in enumerate(["2026-01-05", "2026-02-01", "", "20xx"])
    }
    (month,) = theme_breakdowns(run_of(items), [entry(1, list(items), "t")])
    assert month["values"] == ["2026-01", "2026-02"] and month["total"] == 2
