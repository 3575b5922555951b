"""The JSON shapes of the API (marshmallow is the only place that shapes JSON)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields

from server.formats.tables import Table, Words


def _plain(value: object, language: str) -> object:
    """Rates as fractions with 6 decimals (0.125 is 12.5 %), counts as integers, the table's
    own labels (total rows…) in the table's language."""
    if isinstance(value, Words):
        return value.text(language)
    if isinstance(value, Decimal):
        return round(float(value), 6)
    return value


class TokenSchema(Schema):
    token = fields.String()
    createdAt = fields.DateTime(attribute="created_at")  # noqa: N815 (ODK Central's names)
    expiresAt = fields.DateTime(attribute="expires_at")  # noqa: N815


class UserSchema(Schema):
    id = fields.Integer()
    type = fields.Constant("user")
    displayName = fields.String(attribute="display_name")  # noqa: N815
    email = fields.String()
    role = fields.Function(lambda user: str(user.role))
    createdAt = fields.DateTime(attribute="created_at")  # noqa: N815


class SignInSchema(Schema):
    email = fields.String(required=True)
    password = fields.String(required=True)


class PledgeSchema(Schema):
    pledged = fields.Integer(required=True, strict=True)


class TableSchema(Schema):
    """A table in one language: headings, then rows of cells keyed by column."""

    key = fields.String()
    title = fields.Method("_title")
    subtitle = fields.Method("_subtitle")
    language = fields.Method("_language")
    columns = fields.Method("_columns")
    rows = fields.Method("_rows")

    def _language(self, _table: Table) -> str:
        return str(self.context_language)

    def _title(self, table: Table) -> str:
        return table.title(self.context_language)

    def _subtitle(self, table: Table) -> str:
        return table.subtitle(self.context_language)

    def _columns(self, table: Table) -> list[dict[str, str]]:
        language = self.context_language
        return [
            {
                "key": c.key,
                "heading": c.heading(language),
                "group": c.group(language),
                "kind": str(c.kind),
            }
            for c in table.columns
        ]

    def _rows(self, table: Table) -> list[dict[str, Any]]:
        language = self.context_language
        return [
            {
                "kind": str(row.kind),
                "cells": {k: _plain(v, language) for k, v in row.cells.items()},
            }
            for row in table.rows
        ]

    def __init__(self, language: str = "vi", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context_language = language
