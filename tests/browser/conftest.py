"""Fixtures of the browser tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def oidc_provider():
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub="analyst", claims={"name": "Ana Analyst", "email": "ana@example.org",
                                          "groups": ["staff", "cx-analysts"]}),
             User(sub="officer", claims={"name": "Olu Officer", "email": "olu@example.org", "groups": ["staff"]})]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"
