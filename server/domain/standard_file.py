"""Turning one standard file (`data/standards/<code>.toml`) into a checked `Standard`.

Everything that can be checked inside one file is checked here (keys, types, line order,
rule kinds and their parameters, unique codes); checks across files (the years) live in
`standards.py`. Every error names the file and the key path.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType

from server.domain.rule_params import AgeBand, Answers, ParamKind
from server.domain.rules import RULE_KINDS
from server.domain.scoring import ScoringRules
from server.domain.standard_model import (
    IncomeLines,
    Indicator,
    ListYearsNote,
    RelapseRules,
    RuleShape,
    Standard,
    Support,
)
from server.domain.toml_reader import TomlTable, read_toml

SOURCE_MARKS = frozenset({"V", "S", "R", "D"})  # the confidence marks of the domain reference
LINE_NAMES = ("poverty", "near_poverty", "middle")
Dimensions = Mapping[str, tuple[str, str]]  # code -> (name_vi, name_en)


def read_standard(path: Path) -> Standard:
    table = read_toml(path)
    code = table.text("code")
    if code != path.stem:
        raise table.error("code", f"must be the file name without .toml ({path.stem!r})")
    shape = _shape(table)
    standard = Standard(
        code=code,
        title_vi=table.text("title_vi"),
        title_en=table.text("title_en"),
        legal_basis=table.text("legal_basis"),
        first_year=table.integer("first_year"),
        last_year=table.integer("last_year"),
        named_last_year=table.optional("named_last_year", table.integer),
        shape=shape,
        rural=_lines(table.table("rural"), shape),
        urban=_lines(table.table("urban"), shape),
        deficiency_cutoff=table.integer("deficiency_cutoff"),
        indicators=_indicators(table, _dimensions(table.table("dimensions"))),
        income_support=_income_support(table.table("income_support")),
        relapse=_relapse(table.table("relapse_risk")),
        provisional=table.flag("provisional"),
        caveat_vi=table.optional("caveat_vi", table.text) or "",
        caveat_en=table.optional("caveat_en", table.text) or "",
        list_years_note=_list_years_note(table),
        scoring=_scoring(table),
    )
    table.finish()
    _check_numbers(table, standard)
    _check_caveat(table, standard)
    return standard


def _list_years_note(table: TomlTable) -> ListYearsNote | None:
    if not table.has("list_years"):
        return None
    entry = table.table("list_years")
    note = ListYearsNote(
        text_vi=entry.text("note_vi"),
        text_en=entry.text("note_en"),
        source_mark=_source_mark(entry),
        sources=entry.text("sources"),
    )
    entry.finish()
    return note


def _scoring(table: TomlTable) -> ScoringRules | None:
    if not table.has("scoring"):
        return None
    entry = table.table("scoring")
    rules = ScoringRules(
        rural_cutoff=entry.integer("rural_cutoff"),
        urban_cutoff=entry.integer("urban_cutoff"),
        points_per_deficiency=entry.integer("points_per_deficiency"),
        rural_table=entry.text("rural_table"),
        urban_table=entry.text("urban_table"),
        source_mark=_source_mark(entry),
        provisional=entry.flag("provisional"),
    )
    entry.finish()
    for key, value in (
        ("rural_cutoff", rules.rural_cutoff),
        ("urban_cutoff", rules.urban_cutoff),
        ("points_per_deficiency", rules.points_per_deficiency),
    ):
        if value <= 0:
            raise entry.error(key, "must be more than 0")
    return rules


def _check_caveat(table: TomlTable, standard: Standard) -> None:
    # A provisional standard must say so wherever it is named; a checked one must not.
    if standard.provisional and not (standard.caveat_vi and standard.caveat_en):
        raise table.error("caveat_vi", "a provisional standard needs caveat_vi and caveat_en")
    if not standard.provisional and (standard.caveat_vi or standard.caveat_en):
        raise table.error("caveat_vi", "only a provisional standard carries a caveat")


def _shape(table: TomlTable) -> RuleShape:
    value = table.text("shape")
    if value not in set(RuleShape):
        raise table.error("shape", f"must be one of {', '.join(RuleShape)}")
    return RuleShape(value)


def _lines(table: TomlTable, shape: RuleShape) -> IncomeLines:
    near = table.optional("near_poverty", table.decimal)
    if shape is RuleShape.TWO_BAND_OR and near is None:
        raise table.error("near_poverty", "required key is missing (two_band_or needs it)")
    if shape is RuleShape.SINGLE_LINE_AND and near is not None:
        raise table.error("near_poverty", "single_line_and has no near-poverty line; remove it")
    lines = IncomeLines(
        poverty=table.decimal("poverty"),
        near_poverty=near,
        middle=table.decimal("middle"),
        provisional=frozenset(table.optional("provisional", table.texts) or ()),
    )
    table.finish()
    _check_lines(table, lines)
    return lines


def _check_lines(table: TomlTable, lines: IncomeLines) -> None:
    unknown = sorted(lines.provisional - set(LINE_NAMES))
    if unknown:
        raise table.error("provisional", f"unknown line {unknown[0]!r}")
    if lines.poverty <= 0:
        raise table.error("poverty", "must be more than 0")
    ordered = zip(LINE_NAMES, (lines.poverty, lines.near_poverty, lines.middle), strict=True)
    present = [(name, value) for name, value in ordered if value is not None]
    for (low_name, low), (high_name, high) in pairwise(present):
        if not low < high:
            raise table.error(high_name, f"must be more than {low_name} ({low}), found {high}")


def _dimensions(table: TomlTable) -> Dimensions:
    names = {}
    for code in table.names():
        entry = table.table(code)
        names[code] = (entry.text("vi"), entry.text("en"))
        entry.finish()
    return names


def _indicators(table: TomlTable, dimensions: Dimensions) -> tuple[Indicator, ...]:
    indicators = tuple(_indicator(entry, dimensions) for entry in table.tables("indicators"))
    seen: set[str] = set()
    for indicator in indicators:
        if indicator.code in seen:
            raise table.error(f"indicators.{indicator.code}", "indicator code is used twice")
        seen.add(indicator.code)
    return indicators


def _indicator(table: TomlTable, dimensions: Dimensions) -> Indicator:
    dimension = table.text("dimension")
    if dimension not in dimensions:
        raise table.error("dimension", f"{dimension!r} is not in [dimensions]")
    rule = table.text("rule")
    if rule not in RULE_KINDS:
        raise table.error("rule", f"unknown rule kind {rule!r}; known: {', '.join(RULE_KINDS)}")
    indicator = Indicator(
        code=table.text("code"),
        dimension=dimension,
        dimension_vi=dimensions[dimension][0],
        dimension_en=dimensions[dimension][1],
        name_vi=table.text("name_vi"),
        name_en=table.text("name_en"),
        rule=rule,
        params=_params(table.table("params"), rule),
        source_mark=_source_mark(table),
        provisional=table.flag("provisional"),
        support=_support(table),
    )
    table.finish()
    return indicator


def _source_mark(table: TomlTable) -> str:
    mark = table.text("source_mark")
    if mark not in SOURCE_MARKS:
        raise table.error("source_mark", f"must be one of {', '.join(sorted(SOURCE_MARKS))}")
    return mark


def _params(table: TomlTable, rule: str) -> Mapping[str, object]:
    values = {name: _param(table, name, kind) for name, kind in RULE_KINDS[rule].params.items()}
    table.finish()
    return MappingProxyType(values)


def _param(table: TomlTable, name: str, kind: ParamKind) -> object:
    if kind is ParamKind.AGE_BANDS:
        return tuple(_band(band) for band in table.tables(name, label="name"))
    if kind is ParamKind.ANSWERS:
        return Answers(table.texts(name))
    if kind is ParamKind.FLAG:
        return table.flag(name)
    value = table.integer(name) if kind is ParamKind.INTEGER else table.decimal(name)
    if value < 0:
        raise table.error(name, "must not be negative")
    return value


def _band(table: TomlTable) -> AgeBand:
    band = AgeBand(
        min_age=table.integer("min_age"),
        max_age=table.optional("max_age", table.integer),
        min_birth_year=table.optional("min_birth_year", table.integer),
        finished=Answers(table.texts("finished")),
    )
    table.optional("name", table.text)  # a label for people and error messages only
    table.finish()
    if band.max_age is not None and band.max_age < band.min_age:
        raise table.error("max_age", f"must not be below min_age ({band.min_age})")
    return band


def _support(table: TomlTable) -> Support:
    return Support(
        action_vi=table.text("support_vi"),
        action_en=table.text("support_en"),
        responsible_vi=table.text("responsible_vi"),
        responsible_en=table.text("responsible_en"),
    )


def _income_support(table: TomlTable) -> Support:
    support = _support(table)
    table.finish()
    return support


def _relapse(table: TomlTable) -> RelapseRules:
    rules = RelapseRules(
        income_margin=table.decimal("income_margin"),
        min_deficiencies=table.integer("min_deficiencies"),
        shock_triggers_risk=table.flag("shock_triggers_risk"),
    )
    table.finish()
    if rules.income_margin < 0:
        raise table.error("income_margin", "must not be negative")
    if rules.min_deficiencies < 1:
        raise table.error("min_deficiencies", "must be at least 1")
    return rules


def _check_numbers(table: TomlTable, standard: Standard) -> None:
    if standard.last_year < standard.first_year:
        raise table.error("last_year", f"must not be before first_year ({standard.first_year})")
    named = standard.named_last_year
    if named is not None and not standard.first_year <= named < standard.last_year:
        raise table.error(
            "named_last_year",
            f"must lie from first_year ({standard.first_year}) to before last_year"
            f" ({standard.last_year}); leave it out when the title names every year",
        )
    if not 1 <= standard.deficiency_cutoff <= len(standard.indicators):
        raise table.error(
            "deficiency_cutoff", f"must be between 1 and {len(standard.indicators)} (indicators)"
        )
