"""Every log record masks tokens, passwords and Digest secrets, whoever logs it and however."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from server.log_masking import mask, mask_every_log_record

TOKEN = "Xy3kQ9$wF1-abcDEF_0123456789abcdefghijKLMNOPqr"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /v1/key/{TOKEN}/projects/1/formList", "GET /v1/key/***/projects/1/formList"),
        (f'"GET /f/{TOKEN}/household_survey HTTP/1.1"', '"GET /f/***/household_survey HTTP/1.1"'),
        (f"GET /f/{TOKEN}", "GET /f/***"),
        ("GET /f/staff/household_survey", "GET /f/staff/household_survey"),
        ("GET /f/sw.js", "GET /f/sw.js"),
        (f"GET /v1/health?token={TOKEN}&x=1", "GET /v1/health?token=***&x=1"),
        (f"GET /v1/projects/1/forms?st={TOKEN}", "GET /v1/projects/1/forms?st=***"),
        ("email=a%40b.vn&password=M%E1%BA%ADt", "email=a%40b.vn&password=***"),
        (f"Authorization: Bearer {TOKEN}", "Authorization: Bearer ***"),
        (
            'Digest username="abc", nonce="n0nce", uri="/formList", response="9f2e", cnonce="c1"',
            'Digest username="abc", nonce="***", uri="/formList", response="***", cnonce="***"',
        ),
        (f"Cookie: session={TOKEN}; lang=vi", "Cookie: session=***; lang=vi"),
        ("API sessions (bearer tokens), audit", "API sessions (bearer tokens), audit"),
    ],
)
def test_a_secret_in_a_line_is_masked_and_the_rest_kept(line: str, expected: str) -> None:
    assert mask(line) == expected


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    factory = logging.getLogRecordFactory()
    mask_every_log_record()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("tests.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logging.setLogRecordFactory(factory)


def test_a_message_with_arguments_is_masked_when_formatted(captured: io.StringIO) -> None:
    logging.getLogger("tests.masking").error("Exception on %s [%s]", f"/v1/key/{TOKEN}/x", "GET")
    assert TOKEN not in captured.getvalue()
    assert "Exception on /v1/key/***/x [GET]" in captured.getvalue()


def test_a_traceback_quoting_a_token_is_masked(captured: io.StringIO) -> None:
    try:
        raise ValueError(f"could not open /f/{TOKEN}/form")
    except ValueError:
        logging.getLogger("tests.masking").exception("failed")
    assert "Traceback" in captured.getvalue()
    assert TOKEN not in captured.getvalue()
    assert "/f/***/form" in captured.getvalue()


def test_installing_twice_keeps_one_masking_factory() -> None:
    factory = logging.getLogRecordFactory()
    try:
        mask_every_log_record()
        installed = logging.getLogRecordFactory()
        mask_every_log_record()
        assert logging.getLogRecordFactory() is installed
    finally:
        logging.setLogRecordFactory(factory)
