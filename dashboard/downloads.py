"""Every download the dashboard offers: made on click, for the session that clicked, short-lived.

Streamlit serves a download's bytes at /media/<hash>, and that route checks no
sign-in cookie. Handed bytes up front (`data=b"..."`), st.download_button puts the
file there on every run of the page and keeps it while the page stays open: anyone
with the address (a copied link, a proxy's log) could fetch the analysts'
quarantine CSV or the Data Docs zip without signing in.

So no download is made until its button is clicked: `data=` is a callable, which
Streamlit 1.67 runs when that session's browser asks for it over its own
(signed-in) websocket, by a random id sent only to that browser; only then is the
file stored at /media/<hash>, for the browser to fetch at once. Streamlit would
leave it there until two of its orphan sweeps (the ends of later script runs, of
any session: minutes on a quiet server); here it is removed EXPIRES_AFTER_SECONDS
after it was made. (Serving it exactly once is not enough: Chromium fetches a CSV
download twice.) So there is no address to fetch before a click, and ten seconds
after it the address answers 404, with or without a cookie.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import streamlit as st
from streamlit import runtime
from streamlit.runtime.memory_media_file_storage import _calculate_file_id

EXPIRES_AFTER_SECONDS = 10.0


def _remove(manager, file_id: str) -> None:
    # MediaFileManager has no public "remove this file"; its own sweep does the same
    # under the same lock (pinned: streamlit 1.67, tested in the browser).
    with manager._lock:
        in_use = any(file_id in coords.values() for coords in manager._files_by_session_and_coord.values())
        if not in_use and file_id in manager._file_metadata:
            manager._delete_file(file_id)


def _remove_later(body: bytes, mime: str, file_name: str) -> None:
    """Drop the stored file a short while after it was made (the browser fetches it at once)."""
    if not runtime.exists():  # AppTest and bare scripts store nothing
        return
    manager = runtime.get_instance().media_file_mgr
    file_id = _calculate_file_id(body, mime, file_name)
    timer = threading.Timer(EXPIRES_AFTER_SECONDS, _remove, (manager, file_id))
    timer.daemon = True
    timer.start()


def on_click(make: Callable[[], bytes | str], mime: str, file_name: str) -> Callable[[], bytes]:
    """A download's contents, made only when its button is clicked, stored for a short while."""

    def generate() -> bytes:
        body = make()
        body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        _remove_later(body, mime, file_name)
        return body

    return generate


def download_button(label: str, make: Callable[[], bytes | str], *, file_name: str, mime: str, key: str,
                    icon: str | None = None, **kwargs) -> None:
    """st.download_button whose file is made on click (see the module's docstring)."""
    st.download_button(label, data=on_click(make, mime, file_name), file_name=file_name, mime=mime, key=key,
                       icon=icon, on_click="ignore", **kwargs)
