"""Sign-in on a production install (issue 11 item 4).

`pip install .` without the dev extra once had no httpx (only the dev extra's
oidc-provider-mock brought it), so st.login answered "Internal Server Error". Here
the package is installed as production installs it - a fresh virtual environment,
`pip install -c constraints.txt .`, no extra - and an analyst signs in through it
against the mock OpenID Connect provider in headless Chromium.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser.server import REPO, browser, free_port, page_errors, streamlit_server, wait_for_app
from tests.browser.test_sign_in_browser import write_secrets

pytestmark = [pytest.mark.browser, pytest.mark.install, pytest.mark.xdist_group("install")]


@pytest.fixture(scope="module")
def plain_install(tmp_path_factory):
    """The python of a fresh virtual environment holding the package, without the dev extra."""
    venv = tmp_path_factory.mktemp("plain") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-compile",
                           "--disable-pip-version-check", "-c", str(REPO / "constraints.txt"), str(REPO)],
                          capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return python


def test_the_install_has_what_sign_in_needs_and_no_dev_tools(plain_install):
    have = subprocess.run([str(plain_install), "-c", """
import importlib.util
print(' '.join(m for m in ('httpx', 'authlib', 'streamlit', 'pytest', 'playwright', 'psutil', 'oidc_provider_mock')
               if importlib.util.find_spec(m)))"""], capture_output=True, text=True, check=True).stdout.split()
    assert set(have) == {"httpx", "authlib", "streamlit"}


def test_an_analyst_signs_in_on_the_plain_install(plain_install, demo_marts, oidc_provider, tmp_path):
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    write_secrets(secrets, oidc_provider, port)
    with streamlit_server(demo_marts, extra_args=["--secrets.files", str(secrets)], port=port,
                          python=str(plain_install)) as url, browser() as b:
        page = b.new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.goto(url)
        page.get_by_role("button", name="Sign in with your council account").click()
        page.wait_for_load_state()
        assert "Internal Server Error" not in page.content()
        page.get_by_role("button", name="analyst", exact=True).click()  # the provider's one-click user
        page.wait_for_url(f"{url}/**", timeout=60_000)
        wait_for_app(page)
        assert "Signed in as Ana Analyst" in page.inner_text("[data-testid='stSidebar']")
        assert "Data quality" in page.inner_text("[data-testid='stSidebar']")
        assert page_errors(page) == []
