"""HTTP Digest as Collect's okhttp-digest speaks it (openrosa.md §4.2)."""

from __future__ import annotations

import pytest

from server.openrosa import digest

SECRET = b"s3cret"


def creds(**changes: str) -> digest.DigestCredentials:
    values = {
        "username": "Mufasa",
        "realm": "testrealm@host.com",
        "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "uri": "/dir/index.html",
        "response": "6629fae49393a05397450978507c4ef1",
        "qop": "auth",
        "nc": "00000001",
        "cnonce": "0a4f113b",
    }
    values.update(changes)
    return digest.DigestCredentials(**values)  # type: ignore[arg-type]


def test_the_response_matches_the_worked_example_of_rfc_2617() -> None:
    ha1 = digest._md5("Mufasa:testrealm@host.com:Circle Of Life")
    assert digest.expected_response(ha1, "GET", creds()) == "6629fae49393a05397450978507c4ef1"


def test_a_nonce_is_valid_many_times_until_it_expires_then_stale() -> None:
    nonce = digest.make_nonce(SECRET, now=1_000_000)
    assert digest.nonce_state(SECRET, nonce, now=1_000_000 + 60) == "valid"
    assert digest.nonce_state(SECRET, nonce, now=1_000_000 + 3600) == "valid"
    later = 1_000_000 + digest.NONCE_LIFETIME_SECONDS + 1
    assert digest.nonce_state(SECRET, nonce, now=later) == "stale"


@pytest.mark.parametrize("nonce", ["", "not-base64!", "MTIzOmZha2U=", "dcd98b7102dd2f0e8b11"])
def test_a_forged_or_foreign_nonce_is_invalid(nonce: str) -> None:
    assert digest.nonce_state(SECRET, nonce) == "invalid"


def _verify(c: digest.DigestCredentials, uri: str) -> str:
    return digest.verify(
        c,
        method="GET",
        request_uri=uri,
        realm="r",
        secret=SECRET,
        ha1_for=lambda user: digest._md5(f"{user}:r:pw") if user == "u" else None,
    )


def test_verify_accepts_a_correct_answer_and_checks_the_uri_with_its_query() -> None:
    nonce = digest.make_nonce(SECRET)
    base = creds(username="u", realm="r", nonce=nonce, uri="/formList?deviceID=collect%3Ax")
    good = creds(
        **{
            **base.__dict__,
            "response": digest.expected_response(digest._md5("u:r:pw"), "GET", base),
        }
    )
    assert _verify(good, "/formList?deviceID=collect%3Ax") == "u"
    with pytest.raises(digest.DigestRefused):
        _verify(good, "/formList")
    with pytest.raises(digest.DigestRefused):
        _verify(creds(**{**good.__dict__, "response": "0" * 32}), good.uri)
    with pytest.raises(digest.DigestRefused):
        _verify(creds(**{**good.__dict__, "qop": "auth-int"}), good.uri)
