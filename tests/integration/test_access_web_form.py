"""The web form's token pages (/f/<token>, /f/<token>/<form>) answer each phone as its OpenRosa
URLs do: its own project's open forms, nothing for a revoked or unknown token. (The officers'
/f/staff pages are in test_web_access's ROUTES; the form, its media and the submission go
through the OpenRosa URLs of test_access_openrosa.)"""

from __future__ import annotations

import requests

from tests.integration import test_web_access
from tests.integration.test_access_openrosa import HOUSEHOLD_FORM
from tests.support import access_world
from tests.support.access_world import OTHER_FORM, World

site = test_web_access.site  # the fixtures: see tests/support/access_world.py
world = access_world.world
PHONES = ("phone 19603", "phone 19612", "phone of project 2")

WEB_FORM = [  # (route after /f/<token>, {caller: status}); every other caller: 403
    ("", {"phone 19603": 200, "phone 19612": 200, "phone of project 2": 200}),
    (HOUSEHOLD_FORM.removeprefix("/forms"), {"phone 19603": 200, "phone 19612": 200}),
    (f"/{OTHER_FORM}", {"phone of project 2": 200}),
]
NOT_THEIRS = 404  # a form of another project, for a phone whose token works


def test_the_web_form_pages_of_a_token_answer_each_phone_as_it_should(
    world: World,
) -> None:
    callers = {name: token for name, (token, _) in world.tokens.items()}
    callers["unknown token"] = "Q" * 64
    wrong = []
    for route, allowed in WEB_FORM:
        for name, token in callers.items():
            expected = allowed.get(name, NOT_THEIRS if name in PHONES else 403)
            got = requests.get(f"{world.base}/f/{token}{route}", timeout=30)
            if got.status_code != expected:
                wrong.append((name, route, got.status_code, expected))
            if got.status_code == 403:
                assert "Lê Thị Hiếu" not in got.text and "household_survey" not in got.text
    assert wrong == []


def test_a_phone_s_form_list_in_the_browser_names_only_its_own_project_s_forms(
    world: World,
) -> None:
    token, _ = world.tokens["phone 19603"]
    page = requests.get(f"{world.base}/f/{token}", timeout=30).text
    assert "household_survey" in page
    assert OTHER_FORM not in page
