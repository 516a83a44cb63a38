"""Sign-in and page access (dashboard/auth.py) in AppTest: open with a banner when
sign-in is not configured; the sign-in screen and nothing else before sign-in;
the analysts' pages only for the analysts' group."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1 import AppTest

from dashboard.auth import OPEN_ACCESS_BANNER, claim_values

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "cx-dashboard", "client_secret": "s" * 16,
        "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}
ACCESS = {"group_claim": "groups", "analyst_group": "cx-analysts"}
SIGN_IN = "Sign in with your council account"


def app(user: dict | None = None, configured: bool = True) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if configured:
        at.secrets["auth"] = AUTH
        at.secrets["access"] = ACCESS
    if user is not None:
        at.user = user
    return at


@pytest.fixture
def no_secrets_file(tmp_path, monkeypatch):
    """As on a fresh checkout: no .streamlit/secrets.toml anywhere."""
    saved = st_config.get_option("secrets.files")
    st_config.set_option("secrets.files", [str(tmp_path / "absent" / "secrets.toml")])
    monkeypatch.setattr(secrets_singleton, "_secrets", None)
    yield
    st_config.set_option("secrets.files", saved)


def test_without_sign_in_configured_every_page_is_open_with_a_banner(marts_env, no_secrets_file):
    at = app(configured=False).run()
    assert not at.exception
    assert not [c for c in at.sidebar.caption if "Signed in" in c.value]
    assert [w.value for w in at.warning][:1] == [OPEN_ACCESS_BANNER]
    assert not [b for b in at.button if b.label == SIGN_IN]
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    assert [w.value for w in at.warning][:1] == [OPEN_ACCESS_BANNER]
    assert "Freshness by source" in [s.value for s in at.header]


def test_configured_but_not_signed_in_shows_only_the_sign_in_screen(marts_env):
    at = app({"is_logged_in": False}).run()
    assert not at.exception
    assert [b.label for b in at.button] == [SIGN_IN]
    assert OPEN_ACCESS_BANNER not in [w.value for w in at.warning]
    assert not at.metric and not at.dataframe and not at.header  # no figures before sign-in
    with pytest.raises(ValueError, match=r"Known pages: \['Sign in'\]"):  # the only page there is
        at.switch_page("pages/data_quality.py")


def test_signed_in_without_the_group_sees_the_board_pages_but_not_the_analysts(marts_env):
    at = app({"is_logged_in": True, "name": "A Officer", "email": "officer@example.org",
              "groups": ["staff", "cx-board"]}).run()
    assert not at.exception
    assert OPEN_ACCESS_BANNER not in [w.value for w in at.warning]
    assert "Signed in as A Officer" in [c.value for c in at.sidebar.caption]
    assert "Sign out" in [b.label for b in at.sidebar.button]
    assert at.metric or at.header  # the overview is drawn
    links = " ".join(p.proto.label for p in at.get("page_link"))
    assert "Data quality" not in links
    with pytest.raises(ValueError, match="Could not find a navigation page") as e:  # not in their navigation
        at.switch_page("pages/data_quality.py")
    assert "complaints.py" in str(e.value) and "data_quality.py" not in str(e.value).split("Known pages")[1]


def test_signed_in_analyst_sees_the_analysts_pages(marts_env):
    at = app({"is_logged_in": True, "email": "analyst@example.org", "groups": "staff cx-analysts"}).run()
    assert "Signed in as analyst@example.org" in [c.value for c in at.sidebar.caption]
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    assert "Freshness by source" in [s.value for s in at.header]


@pytest.mark.parametrize("claim, groups", [
    (["cx-analysts", "staff"], {"cx-analysts", "staff"}), ("cx-analysts staff", {"cx-analysts", "staff"}),
    ("cx-analysts,staff", {"cx-analysts", "staff"}), (None, set()), ("", set()),
])
def test_group_claim_shapes(claim, groups):
    assert claim_values(claim) == groups


def test_a_page_run_without_app_py_meets_the_same_gate(marts_env):
    """Before the first st.navigation call in a process, Streamlit runs a file of
    dashboard/pages/ by itself for its address (AppTest does the same when a page
    is chosen before the first run): the page still meets the sign-in gate."""
    at = app({"is_logged_in": False})
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    assert [b.label for b in at.button] == [SIGN_IN] and not at.header and not at.dataframe

    officer = app({"is_logged_in": True, "name": "A Officer", "groups": ["staff"]})
    officer.switch_page("pages/data_quality.py").run()
    assert [i.value for i in officer.info] == ["This page is for the analysts' group."]
    assert not officer.header and not officer.dataframe

    officer.switch_page("pages/overview.py").run()  # a board page is theirs
    assert not officer.exception and "Board overview" in officer.title[0].value
