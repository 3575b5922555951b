"""The QR payload ODK Collect scans: JSON → zlib → base64 (openrosa.md §4.4)."""

from __future__ import annotations

import base64
import zlib

import pytest

from server.formats import collect_settings


def test_the_payload_is_zlib_deflated_json_in_standard_base64_with_general_and_admin() -> None:
    url = "https://rasoat.example/v1/key/" + "T" * 64 + "/projects/1"
    text = collect_settings.encode(collect_settings.settings(url, "Rà soát", "Cán bộ A"))

    assert "\n" not in text
    raw = base64.b64decode(text, validate=True)
    assert raw[0] == 0x78, "a zlib stream with header, as Java's Inflater expects"
    payload = collect_settings.decode(text)
    assert payload["general"]["server_url"] == url
    assert payload["general"]["form_update_mode"] == "match_exactly"
    assert payload["admin"] == {}
    assert payload["project"]["name"] == "Rà soát"
    assert zlib.decompress(raw).decode("utf-8").startswith("{")


def test_a_payload_collect_could_not_read_is_refused() -> None:
    too_long = collect_settings.settings("http://x/" + "y" * 9000, "p")
    too_long["general"]["server_url"] += "".join(chr(0x4E00 + i) for i in range(3000))
    with pytest.raises(ValueError, match="4000"):
        collect_settings.encode(too_long)
