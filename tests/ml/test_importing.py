"""Staff import of outside opinions: CSV (UTF-8, BOM, Shift_JIS/CP932, UTF-16, tab/semicolon) and xlsx,
column choice, clear errors and all-or-nothing storage."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from ml import selectors, services
from ml.importing import MAX_ROWS, TableError, parse_date, pick_opinions, read_table
from ml.models import ExternalOpinion, ExternalSource


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


CSV = "番号,意見,受付日,年代\n1,公園の遊具を新しくしてほしい,2026/1/5,30代\n2,バスの本数を増やして,2026-01-06,70代\n3,,2026/1/7,40代\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis", "utf-16"])
def test_csv_encodings(encoding):
    table = read_table(CSV.encode(encoding), "comments.csv")
    assert table.columns == ["番号", "意見", "受付日", "年代"] and len(table.rows) == 3
    assert table.rows[0][1] == "公園の遊具を新しくしてほしい"


@pytest.mark.parametrize("delimiter", ["\t", ";"])
def test_delimiters(delimiter):
    table = read_table(CSV.replace(",", delimiter).encode(), "comments.txt")
    assert table.columns[1] == "意見" and table.rows[1][1] == "バスの本数を増やして"


def test_quoted_multiline_cells_and_line_numbers():
    table = read_table('id,text\n1,"一行目\n二行目"\n\n2,"a, b"\n'.encode(), "x.csv")
    assert table.rows == [["1", "一行目\n二行目"], ["2", "a, b"]]
    assert [table.line(0), table.line(1)] == [3, 5]


def test_xlsx():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "ご意見", "日付"])
    sheet.append([101, "避難所の場所が分からない", dt.datetime(2026, 2, 1)])
    sheet.append([None, None, None])
    sheet.append([102, "図書館を夜も開けて", None])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "ikenn.xlsx")
    assert table.kind == "xlsx" and table.columns == ["ID", "ご意見", "日付"]
    assert table.rows == [["101", "避難所の場所が分からない", "2026-02-01"], ["102", "図書館を夜も開けて", ""]]
    opinions = pick_opinions(table, text_column="ご意見", id_column="ID", date_column="日付")
    assert [o["id"] for o in opinions.items] == ["101", "102"] and opinions.items[0]["date"] == "2026-02-01"
    assert opinions.items[1]["line"] == 4


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.csv", "empty"),
        ("意見\n".encode(), "a.csv", "no rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "a.xls", ".xls"),
        (b"PK\x03\x04broken", "a.xlsx", "Excel workbook"),
        (b"\x81\x00\xff\xfe\xfd" * 10, "a.csv", "UTF-8"),
    ],
)
def test_bad_files_have_clear_messages(data, name, message):
    with pytest.raises(TableError, match=message):
        read_table(data, name)


def test_too_many_rows():
    data = ("text\n" + "意見\n" * 11).encode()
    with pytest.raises(TableError, match="more than 10 rows"):
        read_table(data, "a.csv", max_rows=10)
    assert MAX_ROWS == 100_000


def test_a_hundred_thousand_rows_are_read():
    data = ("id,text\n" + "".join(f"{i},意見その{i}\n" for i in range(MAX_ROWS))).encode()
    table = read_table(data, "big.csv")
    assert len(table.rows) == MAX_ROWS
    assert len(pick_opinions(table, text_column="text", id_column="id").items) == MAX_ROWS


def test_pick_opinions_skips_empty_texts_and_reports_bad_choices():
    table = read_table(CSV.encode(), "c.csv")
    opinions = pick_opinions(
        table, text_column="意見", id_column="番号", date_column="受付日", attribute_columns=["年代"]
    )
    assert [o["id"] for o in opinions.items] == ["1", "2"] and opinions.skipped_empty == 1
    assert opinions.items[0] == {
        "id": "1",
        "text": "公園の遊具を新しくしてほしい",
        "date": "2026-01-05",
        "attributes": {"年代": "30代"},
        "line": 2,
    }
    assert [o["id"] for o in pick_opinions(table, text_column="意見").items] == ["2", "3"]  # line numbers
    with pytest.raises(TableError, match="no column “本文”"):
        pick_opinions(table, text_column="本文")
    with pytest.raises(TableError, match="is not a date"):
        pick_opinions(table, text_column="意見", date_column="年代")
    duplicated = read_table(b"id,text\n1,a\n1,b\n", "d.csv")
    with pytest.raises(TableError, match="appears twice"):
        pick_opinions(duplicated, text_column="text", id_column="id")
    with pytest.raises(TableError, match="no text in any row"):
        pick_opinions(read_table(b"id,text\n1, \n", "e.csv"), text_column="text")


def test_duplicate_and_empty_headings_get_names():
    table = read_table("メモ,メモ,\na,b,c\n".encode(), "h.csv")
    assert table.columns == ["メモ", "メモ (2)", "Column 3"]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2026/1/31", "2026-01-31"),
        ("2026年1月31日", "2026-01-31"),
        ("令和8年1月31日", "2026-01-31"),
        ("R8.1.31", "2026-01-31"),
        ("２０２６－０１－３１", "2026-01-31"),
        ("2026-02-30", None),
        ("昨日", None),
    ],
)
def test_dates(value, iso):
    assert parse_date(value) == iso


@pytest.mark.django_db
def test_import_stores_everything_or_nothing():
    source = services.external_import(
        consultation_id=5,
        name="パブコメ",
        data=CSV.encode("cp932"),
        filename="pc.csv",
        text_column="意見",
        id_column="番号",
        date_column="受付日",
        attribute_columns=["年代"],
    )
    assert source.rows == 2 and source.skipped_empty == 1 and source.encoding == "cp932"
    items = selectors.external_items(5)
    assert [(i["external_id"], i["kind"], i["date"]) for i in items] == [
        ("1", "external", "2026-01-05"),
        ("2", "external", "2026-01-06"),
    ]
    assert all(i["id"].startswith("x") for i in items) and selectors.external_items(6) == []

    bad = "番号,意見\n1,a\n2,b\n2,c\n".encode()
    with pytest.raises(ValidationError, match="appears twice"):
        services.external_import(
            consultation_id=5, name="bad", data=bad, filename="b.csv", text_column="意見", id_column="番号"
        )
    assert ExternalSource.objects.count() == 1 and ExternalOpinion.objects.count() == 2
    services.external_delete(source=source)
    assert ExternalOpinion.objects.count() == 0


def test_messages_are_japanese_first():
    from django.utils import translation

    with translation.override("ja"), pytest.raises(TableError, match="Shift_JIS"):
        read_table(b"\x81\x00\xff\xfe\xfd" * 10, "a.csv")
    with translation.override("ja"):
        with pytest.raises(TableError) as error:
            pick_opinions(read_table(CSV.encode(), "c.csv"), text_column="本文")
        assert str(error.value).startswith("ファイルに「本文」という列がありません")


def test_a_title_column_is_the_first_line_of_each_opinion():
    table = read_table(
        "件名,意見,年代\nバス路線,バスの本数を増やして,30代\n,件名のない意見,40代\n図書館の開館時間,,50代\n,,60代\n".encode(),
        "letters.csv",
    )
    opinions = pick_opinions(table, text_column="意見", title_column="件名")
    assert [o["text"] for o in opinions.items] == [
        "バス路線\nバスの本数を増やして",  # as a proposal is analysed: title, then its text
        "件名のない意見",
        "図書館の開館時間",  # only a subject: kept
    ]
    assert opinions.skipped_empty == 1  # neither: left out, counted
    with pytest.raises(TableError, match="no column “タイトル”"):
        pick_opinions(table, text_column="意見", title_column="タイトル")
