"""Central's OData rows from a submission's XML (server/formats/odata.py)."""

from __future__ import annotations

import hashlib
from xml.etree.ElementTree import fromstring

from server.formats.instance import parse_xml
from server.formats.odata import (
    RowContext,
    metadata_document,
    repeat_rows,
    repeat_tables,
    schema_tree,
    submission_row,
)

XFORM = b"""<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
 xmlns:jr="http://openrosa.org/javarosa"><h:head><h:title>Simple</h:title><model>
<instance><data id="simple" version="1"><name/><age/><location/>
<children><child jr:template=""><child_name/></child></children>
<meta><instanceID/></meta></data></instance>
<bind nodeset="/data/name" type="string"/><bind nodeset="/data/age" type="int"/>
<bind nodeset="/data/location" type="geopoint"/>
<bind nodeset="/data/children/child/child_name" type="string"/>
<bind nodeset="/data/meta/instanceID" type="string"/>
</model></h:head><h:body><group ref="/data/children"><repeat nodeset="/data/children/child">
<input ref="/data/children/child/child_name"/></repeat></group></h:body></h:html>"""
SUBMISSION = b"""<data id="simple" version="1"><name>Alice</name><age>36</age>
<location>32.74 -117.13 53.8 13.9</location><children><child><child_name>A</child_name></child>
<child><child_name>B</child_name></child></children><meta><instanceID>uuid:abc</instanceID></meta>
</data>"""


def test_a_row_is_typed_from_the_form_with_groups_nested_and_repeats_linked() -> None:
    tree = schema_tree(XFORM)
    row = submission_row(parse_xml(SUBMISSION), tree, {"edits": 0}, RowContext("uuid:abc", False))
    assert row == {
        "__id": "uuid:abc",
        "name": "Alice",
        "age": 36,
        "location": {
            "type": "Point",
            "coordinates": [-117.13, 32.74, 53.8],
            "properties": {"accuracy": 13.9},
        },
        "children": {"child@odata.navigationLink": "Submissions('uuid%3Aabc')/children/child"},
        "meta": {"instanceID": "uuid:abc"},
        "__system": {"edits": 0},
    }
    wkt = submission_row(parse_xml(SUBMISSION), tree, {}, RowContext("uuid:abc", True))
    assert wkt["location"] == "POINT (-117.13 32.74 53.8)"


def test_a_repeat_s_rows_carry_central_s_sha1_ids_and_the_parent_s_key() -> None:
    tables = repeat_tables(schema_tree(XFORM))
    path, _ = tables["Submissions.children.child"]
    rows = list(repeat_rows(parse_xml(SUBMISSION), path, RowContext("uuid:abc", False)))
    seed = "Submissions#uuid:abc%%children#%%child#"
    assert rows == [
        {
            "child_name": name,
            "__id": hashlib.sha1(f"{seed}{n}".encode()).hexdigest(),
            "__Submissions-id": "uuid:abc",
        }
        for n, name in enumerate("AB")
    ]


def test_the_metadata_document_names_every_table_and_the_navigation_to_the_repeat() -> None:
    edmx = fromstring(metadata_document("simple", schema_tree(XFORM)))
    edm = "{http://docs.oasis-open.org/odata/ns/edm}"
    sets = [s.get("Name") for s in edmx.iter(f"{edm}EntitySet")]
    assert sets == ["Submissions", "Submissions.children.child"]
    navigation = next(edmx.iter(f"{edm}NavigationProperty"))
    assert (
        navigation.get("Type")
        == "Collection(org.opendatakit.user.simple.Submissions.children.child)"
    )
    types = {t.get("Name") for t in edmx.iter(f"{edm}ComplexType")}
    assert {"metadata", "children", "meta"} <= types


def test_each_column_of_a_repeat_s_rows_is_declared_in_its_entity_type() -> None:
    """A client that builds its model from $metadata keeps only declared properties."""
    edmx = fromstring(metadata_document("simple", schema_tree(XFORM)))
    edm = "{http://docs.oasis-open.org/odata/ns/edm}"
    child = next(
        t for t in edmx.iter(f"{edm}EntityType") if t.get("Name") == "Submissions.children.child"
    )
    declared = {p.get("Name") for p in child.iter(f"{edm}Property")}
    path, _ = repeat_tables(schema_tree(XFORM))["Submissions.children.child"]
    row = next(repeat_rows(parse_xml(SUBMISSION), path, RowContext("uuid:abc", False)))
    assert declared == set(row)


def test_expand_inlines_each_repeat_instance_with_the_id_of_its_own_row() -> None:
    tree = schema_tree(XFORM)
    row = submission_row(parse_xml(SUBMISSION), tree, {}, RowContext("uuid:abc", False, True))
    path, _ = repeat_tables(tree)["Submissions.children.child"]
    own = list(repeat_rows(parse_xml(SUBMISSION), path, RowContext("uuid:abc", False)))
    inline = row["children"]["child"]
    assert [i["__id"] for i in inline] == [r["__id"] for r in own]
    assert [i["child_name"] for i in inline] == ["A", "B"]
