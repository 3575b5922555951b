"""The layout of a raw export (formats/raw_export.py) on a small form with a group, a place, a
select-multiple and a repeat inside a repeat: headings, values and Central's KEY/PARENT_KEY."""

from __future__ import annotations

import csv
import io
import zipfile

from server.formats.instance import parse_xml
from server.formats.raw_export import (
    ExportOptions,
    ExportRecord,
    export_plan,
    write_csv_zip,
    write_xlsx,
)
from server.xlsform import compile_xlsform
from tests.support.xlsforms import xlsform

SURVEY = [
    ["type", "name", "label"],
    ["begin group", "place", "Nơi ở"],
    ["geopoint", "where", "Vị trí"],
    ["select_multiple fruit", "fruits", "Quả"],
    ["end group", "", ""],
    ["begin repeat", "plot", "Thửa"],
    ["integer", "area", "Diện tích"],
    ["begin repeat", "tree", "Cây"],
    ["text", "kind", "Loại cây"],
    ["end repeat", "", ""],
    ["end repeat", "", ""],
]
CHOICES = [["list_name", "name", "label"], ["fruit", "mango", "Xoài"], ["fruit", "lime", "Chanh"]]
ID = "uuid:00000000-0000-4000-8000-000000000001"
INSTANCE = f"""<data id="vuon" version="1">
<place><where>16.8 107.1 12 5</where><fruits>lime</fruits></place>
<plot><area>30</area><tree><kind>A</kind></tree><tree><kind>B</kind></tree></plot>
<plot><area>40</area><tree><kind>C</kind></tree></plot>
<meta><instanceID>{ID}</instanceID></meta></data>""".encode()


def tables(options: ExportOptions) -> dict[str, list[list[str]]]:
    xform = compile_xlsform(xlsform(SURVEY, form_id="vuon", choices=CHOICES), "vuon.xlsx").xform
    plan = export_plan("vuon", xform, options)
    out = io.BytesIO()
    record = ExportRecord(ID, parse_xml(INSTANCE), {"submissionDate": "2026-01-02T03:04:05.000Z"})
    assert write_csv_zip(plan, [record], out) == 1
    assert write_xlsx(plan, [record], io.BytesIO()) == 1
    archive = zipfile.ZipFile(out)
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
    }


def test_each_repeat_is_a_file_and_keys_follow_the_repeat_path_as_central_s() -> None:
    files = tables(ExportOptions())
    assert set(files) == {"vuon.csv", "vuon-plot.csv", "vuon-tree.csv"}
    plots, trees = files["vuon-plot.csv"], files["vuon-tree.csv"]
    assert plots[0] == ["area", "PARENT_KEY", "KEY"]
    assert plots[1:] == [["30", ID, f"{ID}/plot[1]"], ["40", ID, f"{ID}/plot[2]"]]
    assert [row[1:] for row in trees[1:]] == [
        [f"{ID}/plot[1]", f"{ID}/plot[1]/tree[1]"],
        [f"{ID}/plot[1]", f"{ID}/plot[1]/tree[2]"],
        [f"{ID}/plot[2]", f"{ID}/plot[2]/tree[1]"],
    ]


def test_a_place_is_four_columns_and_groups_prefix_the_headings() -> None:
    head, row = tables(ExportOptions())["vuon.csv"][:2]
    values = dict(zip(head, row, strict=True))
    assert values["place-where-Latitude"] == "16.8"
    assert values["place-where-Longitude"] == "107.1"
    assert values["place-where-Altitude"] == "12.0"
    assert values["place-where-Accuracy"] == "5.0"
    assert values["place-fruits"] == "lime" and values["KEY"] == ID


def test_labels_and_split_multiples_without_group_prefixes() -> None:
    options = ExportOptions(labels=True, split_multiples=True, group_prefixes=False)
    head, row = tables(options)["vuon.csv"][:2]
    values = dict(zip(head, row, strict=True))
    assert (values["Quả/Xoài"], values["Quả/Chanh"]) == ("0", "1")
    assert "Vị trí-Latitude" in values
    assert tables(options)["vuon-tree.csv"][0] == ["Loại cây", "PARENT_KEY", "KEY"]


def test_stored_xml_is_read_by_the_fast_parser_and_a_dtd_still_refused() -> None:
    import pytest

    from server.errors import InvalidInstance
    from server.formats.instance import parse_stored_xml

    assert parse_stored_xml(INSTANCE).find("plot/area").text == "30"  # type: ignore[union-attr]  # present
    bomb = b'<!DOCTYPE d [<!ENTITY a "aaaa">]><data>&a;</data>'
    with pytest.raises(InvalidInstance):
        parse_stored_xml(bomb)
