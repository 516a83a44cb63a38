"""Who may open the dashboard, and which pages they see.

Sign-in is Streamlit's built-in OpenID Connect (`st.login`), switched on by an
`[auth]` section in `.streamlit/secrets.toml` pointing at the council's
identity provider (see `.streamlit/secrets.toml.example` and the README).
When it is configured, nothing is shown before sign-in, and the analysts'
pages (data quality, quarantine: they list refused files and quarantined
records) are shown only to users whose ID token carries the analysts' group
in the configured claim. When it is not configured the dashboard is open to
whoever can reach it, and every page says so in a banner: that is for a
laptop or a trusted network only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

ANALYSTS_SECTION = "Analysts"
OPEN_ACCESS_BANNER = "Open access: sign-in is not configured (for use on a trusted network only)"
DEFAULT_GROUP_CLAIM = "groups"


@dataclass(frozen=True)
class AccessSettings:
    """The `[access]` section of secrets.toml, beside Streamlit's own `[auth]`."""
    provider: str | None        # a named provider ([auth.<name>]); None for the [auth] section itself
    group_claim: str            # the ID-token claim listing the user's groups
    analyst_group: str | None   # the group that may see the analysts' pages; None: nobody


@dataclass(frozen=True)
class Access:
    sign_in_configured: bool
    analyst: bool
    user_label: str | None = None


def _section(name: str) -> Mapping | None:
    try:
        value = st.secrets.get(name)
    except FileNotFoundError:  # no secrets.toml at all
        return None
    return value if isinstance(value, Mapping) and value else None


def settings() -> AccessSettings | None:
    """None when sign-in is not configured (no [auth] section)."""
    if _section("auth") is None:
        return None
    access = _section("access") or {}
    return AccessSettings(provider=access.get("provider") or None,
                          group_claim=str(access.get("group_claim") or DEFAULT_GROUP_CLAIM),
                          analyst_group=str(access["analyst_group"]) if access.get("analyst_group") else None)


def claim_values(claim) -> set[str]:
    """A groups claim as a set: providers send a list, a space- or comma-separated string, or nothing."""
    if claim is None:
        return set()
    if isinstance(claim, str):
        return {g for g in claim.replace(",", " ").split() if g}
    if isinstance(claim, Iterable):
        return {str(g) for g in claim}
    return {str(claim)}


def is_analyst(user: Mapping, cfg: AccessSettings) -> bool:
    return cfg.analyst_group is not None and cfg.analyst_group in claim_values(user.get(cfg.group_claim))


def _user() -> Mapping:
    return st.user.to_dict()


def gate() -> Access | None:
    """Call before st.navigation. Shows the open-access banner when sign-in is
    not configured; None for a visitor who has not signed in (show
    `sign_in_screen` as the only page)."""
    cfg = settings()
    if cfg is None:
        st.warning(OPEN_ACCESS_BANNER, icon=":material/lock_open:")
        return Access(sign_in_configured=False, analyst=True)
    user = _user()
    if not user.get("is_logged_in"):
        return None
    label = str(user.get("name") or user.get("email") or user.get("sub") or "signed in")
    return Access(sign_in_configured=True, analyst=is_analyst(user, cfg), user_label=label)


def sign_in_screen() -> None:
    cfg = settings()
    st.title("Customer Experience Strategy dashboard")
    st.write("Tower Hamlets Council. Sign in with your council account to see the dashboard.")
    st.button("Sign in with your council account", type="primary", icon=":material/login:",
              on_click=st.login, args=(cfg.provider,) if cfg and cfg.provider else ())


def guard_direct_page_run() -> None:
    """Apply the gate to a page script that runs without app.py.

    The pages live in dashboard/pages/, a folder name Streamlit also reads as
    an old-style multipage app: until the first st.navigation call in the
    server process, a request for /complaints or /data_quality runs that file
    itself, skipping app.py and its gate. app.py always calls st.navigation,
    which switches this off for the whole process; a page run before that
    meets the same gate here: the sign-in screen, or no analysts' page for a
    user outside the group."""
    if not PagesManager.uses_pages_directory:
        return  # app.py ran st.navigation: the gate has been applied
    access = gate()
    if access is None:
        sign_in_screen()
        st.stop()
    if not access.analyst and _running_page_file() not in BOARD_PAGE_FILES:
        st.info("This page is for the analysts' group.", icon=":material/lock:")
        st.stop()


# Pages any signed-in user may open; every other page is the analysts'.
BOARD_PAGE_FILES = {"overview.py", "outcome_1.py", "outcome_2.py", "outcome_3.py", "action_plan.py",
                    "channel_shift.py", "complaints.py", "voice_of_the_customer.py", "equality.py",
                    "kpi_catalogue.py"}


def _running_page_file() -> str | None:
    ctx = get_script_run_ctx()
    if ctx is None:
        return None
    info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    path = info.get("script_path")
    return Path(str(path)).name if path else None


def visible_sections(sections: dict[str, list], access: Access) -> dict[str, list]:
    """The navigation the viewer may use: the analysts' pages only for analysts.
    A page left out of st.navigation cannot be opened by its URL either."""
    return {name: pages for name, pages in sections.items() if name != ANALYSTS_SECTION or access.analyst}


def sidebar_account(access: Access) -> None:
    if not access.sign_in_configured:
        return
    with st.sidebar:
        st.caption(f"Signed in as {access.user_label}")
        st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="sign_out")
