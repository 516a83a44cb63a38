"""Sign-in through a real OpenID Connect provider (oidc-provider-mock, started here)
in headless Chromium: nothing before sign-in, the board's pages after it, and
the analysts' pages only for a user whose ID token carries the analysts' group;
the analysts' downloads (quarantined rows, Data Docs) are made on click for the
signed-in session and cannot be fetched again, least of all without its cookie."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from dashboard.downloads import EXPIRES_AFTER_SECONDS
from tests.browser.server import REPO, browser, free_port, page_errors, streamlit_server, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SIGN_IN = "Sign in with your council account"


def write_secrets(path, provider: str, port: int) -> None:
    path.write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-long-random-test-cookie-secret-0123456789"
client_id = "cx-dashboard"
client_secret = "test-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[access]
group_claim = "groups"
analyst_group = "cx-analysts"
""")


def main_text(page) -> str:
    return page.inner_text("[data-testid='stMain']")


def sign_in(page, url: str, who: str) -> None:
    page.goto(url)
    page.get_by_role("button", name=SIGN_IN).click()
    page.get_by_role("button", name=who, exact=True).click()  # the provider's one-click user
    page.wait_for_url(f"{url}/**", timeout=30_000)
    wait_for_app(page)


def status_without_cookie(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # a fresh request: no cookie at all
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def click_download(page, button) -> tuple[str, bytes]:
    """Click a download button; the address the browser fetched and the file it got."""
    with page.expect_download(timeout=60_000) as d:
        button.click()
    download = d.value
    return download.url, open(download.path(), "rb").read()


def analysts_downloads_stay_in_the_session(page) -> dict[str, tuple[int, int]]:
    """For the quarantine CSV and the Data Docs zip: (status without a cookie, status with the
    session's own cookies) of the address each was served from, once it has expired."""
    quarantine = page.locator("[data-testid='stExpander']", has_text="quarantined row(s): data table and download")
    buttons = {
        "quarantined-rows.csv": quarantine.get_by_role("button", name="Download CSV"),
        "data-docs.zip": page.get_by_role("button", name="Download this run's Data Docs (Great Expectations, HTML)"),
    }
    urls = {}
    for name, button in buttons.items():
        url, body = click_download(page, button)
        assert "/media/" in url
        assert body.startswith(b"PK") if name.endswith(".zip") else b"check_name" in body[:2000], name
        urls[name] = url
    page.wait_for_timeout(int(EXPIRES_AFTER_SECONDS * 1000) + 2000)
    return {name: (status_without_cookie(url), page.context.request.get(url).status) for name, url in urls.items()}


def test_sign_in_through_the_council_provider_and_the_analysts_group(demo_marts, oidc_provider, tmp_path):
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    write_secrets(secrets, oidc_provider, port)
    shots = REPO / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with streamlit_server(demo_marts, extra_args=["--secrets.files", str(secrets)], port=port) as url, \
            browser() as b:
        # Before sign-in: the sign-in screen whatever the address, and no figures. The first
        # request is a page's file name: Streamlit runs dashboard/pages/complaints.py itself,
        # without app.py, until app.py has run once (auth.guard_direct_page_run).
        page = b.new_page(viewport={"width": 1366, "height": 768})
        for path in ("/complaints", "/data-quality", ""):
            page.goto(url + path)
            page.get_by_role("button", name=SIGN_IN).wait_for(timeout=60_000)
            page.wait_for_timeout(1000)  # let the script finish: nothing more may appear
            text = main_text(page)
            assert "Freshness by source" not in text and "Data as at" not in text
            assert "Open access" not in text
        page.screenshot(path=str(shots / "sign-in.png"))
        page.set_viewport_size({"width": 820, "height": 1000})
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "sign-in-820.png"))

        # An officer: the board's pages, not the analysts'.
        officer = b.new_context(viewport={"width": 1366, "height": 768}).new_page()
        sign_in(officer, url, "officer")
        assert page_errors(officer) == []
        sidebar = officer.inner_text("[data-testid='stSidebar']")
        assert "Signed in as Olu Officer" in sidebar and "Board overview" in sidebar
        assert "Data quality" not in sidebar
        officer.goto(f"{url}/data-quality")
        wait_for_app(officer)
        assert "Freshness by source" not in main_text(officer)

        # An analyst: the analysts' page too.
        analyst = b.new_context(viewport={"width": 1366, "height": 768}).new_page()
        sign_in(analyst, url, "analyst")
        assert "Data quality" in analyst.inner_text("[data-testid='stSidebar']")
        analyst.goto(f"{url}/data-quality")
        wait_for_app(analyst)
        analyst.wait_for_selector("text=Freshness by source", timeout=60_000)
        assert page_errors(analyst) == []
        assert "Open access" not in main_text(analyst)
        analyst.get_by_role("button", name="Sign out").wait_for()
        analyst.wait_for_timeout(1500)
        analyst.screenshot(path=str(shots / "signed-in-analyst.png"))

        # The analysts' downloads: no address before a click; made on click for this session, gone soon after.
        assert analysts_downloads_stay_in_the_session(analyst) == {"quarantined-rows.csv": (404, 404),
                                                                   "data-docs.zip": (404, 404)}

        # Signing out clears the dashboard's cookie and ends the provider's session too.
        analyst.get_by_role("button", name="Sign out").click()
        analyst.wait_for_url("**/oauth2/end_session**", timeout=30_000)
        analyst.goto(url)
        analyst.get_by_role("button", name=SIGN_IN).wait_for(timeout=60_000)
