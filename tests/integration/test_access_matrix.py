"""Every route the app registers is in one of the access matrices (test_web_access's pages,
test_access_openrosa, test_access_api, test_access_pages, test_access_web_form), so a new
route cannot come without its access test; and every route that writes (any method but GET)
is in the write matrix too (test_access_writes: tried across sibling communes)."""

from __future__ import annotations

import re

from flask import Flask

from tests.integration import test_web_access
from tests.integration.test_access_api import API
from tests.integration.test_access_openrosa import OPENROSA
from tests.integration.test_access_pages import WEB
from tests.integration.test_access_web_form import WEB_FORM
from tests.integration.test_access_writes import write_requests
from tests.support.access_world import World

EXEMPT = {  # rule: why it needs no access test
    "/static/<path:filename>": "the style sheet and images: public, no data",
    "/login": "the sign-in page itself (test_web_access: CSRF, rate limit, cookie flags)",
    "/webform/assets/<path:name>": "the web form's built bundle (ODK's engine, our page code,"
    " fonts): public, no data (test_web_form_pages: no path outside the bundle)",
    "/f/sw.js": "the web form's service worker script: public, no data",
}

WRITES_OF_ONES_OWN = {  # a writing rule with nothing of an area to aim at: why
    "/login": "signing in writes the caller's own new session, or a failure that counts towards"
    " the named account's lock (kept by design: test_lockout_recovery, test_web_access)",
    "/v1/sessions": "the same for an API token (test_access_api, test_lockout_recovery)",
}
READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def matrix_requests() -> list[tuple[str, str]]:
    """(method, path) of every request the matrices above make."""
    placeholder = World("", {}, {}, "uuid:a", "uuid:b", "may-a")
    token_prefix = "/v1/key/" + "Q" * 64 + "/projects/1"
    requests_made = [("GET", path) for path, _ in test_web_access.ROUTES]
    requests_made += [(method, path_of(placeholder)) for method, path_of, _, _ in WEB]
    requests_made += [(method, path) for method, path, _, _ in API]
    for method, route, _ in OPENROSA:
        requests_made += [(method, prefix + route) for prefix in ("", token_prefix)]
    requests_made += [("GET", "/f/" + "Q" * 64 + route) for route, _ in WEB_FORM]
    return requests_made


def test_every_route_of_the_app_is_in_an_access_matrix(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, path in matrix_requests():
        rule, _ = adapter.match(re.split(r"[?#]", path)[0], method=method, return_rule=True)
        covered.add((rule.rule, "GET" if method == "HEAD" else method))
    rules = list(app.url_map.iter_rules())
    missing = sorted(
        (rule.rule, method)
        for rule in rules
        if rule.rule not in EXEMPT
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
        if (rule.rule, method) not in covered
    )
    assert missing == [], "add these routes to an access matrix (or to EXEMPT, with a reason)"
    assert set(EXEMPT) <= {rule.rule for rule in rules}, "an exemption names a route that is gone"


def routes_matched(app: Flask, requests_made: list[tuple[str, str]]) -> set[tuple[str, str]]:
    adapter = app.url_map.bind("localhost")
    return {
        (adapter.match(path, method=method, return_rule=True)[0].rule, method)
        for method, path in requests_made
    }


def test_every_writing_route_of_the_app_is_in_the_write_matrix(app: Flask) -> None:
    covered = routes_matched(app, write_requests())
    writing = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - READ_METHODS
    }
    missing = sorted(
        (rule, method) for rule, method in writing - covered if rule not in WRITES_OF_ONES_OWN
    )
    assert missing == [], "add these to test_access_writes (or to WRITES_OF_ONES_OWN, with why)"
    assert set(WRITES_OF_ONES_OWN) <= {rule for rule, _ in writing}, "an exemption is gone"
    assert not covered & {(rule, m) for rule, m in writing if rule in WRITES_OF_ONES_OWN}
