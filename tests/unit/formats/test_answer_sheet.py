"""Reading an instance against its XForm: labels of the chosen language, choices by their labels,
repeats as tables, files named, questions not asked left out, calculations at the end."""

from __future__ import annotations

from server.formats.answer_sheet import Answer, RepeatTable, Section, answer_sheet
from server.formats.instance import parse_xml
from server.formats.xform_outline import read_outline

XFORM = b"""<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:jr="http://openrosa.org/javarosa">
<h:head><h:title>Thu</h:title><model>
  <itext>
    <translation lang="Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t (vi)" default="true()">
      <text id="/d/name:label"><value>T\xc3\xaan</value></text>
      <text id="c-0"><value>\xc4\x90\xc3\xa0i</value></text>
      <text id="c-1"><value>Ti vi</value></text>
    </translation>
    <translation lang="English (en)">
      <text id="/d/name:label"><value>Name</value></text>
      <text id="c-0"><value>Radio</value></text>
      <text id="c-1"><value>TV</value></text>
    </translation>
  </itext>
  <instance><d id="t"><name/><devices/><photo/><kid><age/><g><sick/></g></kid>
    <skipped/><total/><meta><instanceID/></meta></d></instance>
  <instance id="device"><root>
    <item><itextId>c-0</itextId><name>radio</name></item>
    <item><itextId>c-1</itextId><name>tv</name></item>
  </root></instance>
</model></h:head>
<h:body>
  <input ref="/d/name"><label ref="jr:itext('/d/name:label')"/></input>
  <select ref="/d/devices"><label>Devices</label>
    <itemset nodeset="instance('device')/root/item"><value ref="name"/>
      <label ref="jr:itext(itextId)"/></itemset></select>
  <upload ref="/d/photo" mediatype="image/*"><label>Photo</label></upload>
  <group ref="/d/kid"><label>Children</label>
    <repeat nodeset="/d/kid">
      <input ref="/d/kid/age"><label>Age</label></input>
      <group ref="/d/kid/g"><label>Health</label>
        <select1 ref="/d/kid/g/sick"><label>Sick?</label>
          <item><label>Yes</label><value>y</value></item>
          <item><label>No</label><value>n</value></item></select1>
      </group>
    </repeat>
  </group>
  <input ref="/d/skipped"><label>Not asked</label></input>
</h:body></h:html>"""

INSTANCE = b"""<d id="t"><name>&lt;b&gt;An&lt;/b&gt;</name><devices>tv radio</devices>
<photo>nha.jpg</photo><kid><age>4</age><g><sick>y</sick></g></kid><kid><age>9</age></kid>
<total>2</total><meta><instanceID>uuid:1</instanceID></meta></d>"""


def test_answers_come_in_form_order_with_the_labels_of_the_chosen_language() -> None:
    sheet = answer_sheet(read_outline(XFORM), parse_xml(INSTANCE), "en")
    assert sheet[:3] == (
        Answer("Name", "<b>An</b>"),
        Answer("Devices", "TV, Radio"),
        Answer("Photo", "nha.jpg", file="nha.jpg"),
    )
    vietnamese = answer_sheet(read_outline(XFORM), parse_xml(INSTANCE), "vi")
    assert vietnamese[:2] == (Answer("Tên", "<b>An</b>"), Answer("Devices", "Ti vi, Đài"))


def test_a_repeat_is_a_table_with_its_groups_flattened_into_columns() -> None:
    table = answer_sheet(read_outline(XFORM), parse_xml(INSTANCE), "en")[3]
    assert table == RepeatTable("Children", ("Age", "Sick?"), (("4", "Yes"), ("9", "")))


def test_questions_not_asked_are_left_out_and_calculations_come_last() -> None:
    sheet = answer_sheet(read_outline(XFORM), parse_xml(INSTANCE), "en")
    assert len(sheet) == 5
    assert sheet[4] == Section(
        "", (Answer("total", "2"), Answer("meta/instanceID", "uuid:1")), kind="other"
    )
