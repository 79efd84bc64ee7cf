"""Construction from arguments and the environment; the public writes and their request
models."""

from __future__ import annotations

import pytest

from sonnys_async._client import AsyncBackofficeClient


def test_constructor_and_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    c = AsyncBackofficeClient(subdomain="washu", username="bot", password="pw")
    assert c.base_url == "https://washu.sonnyscontrols.com"
    assert "pw" not in repr(c)
    monkeypatch.setenv("SONNYS_SUBDOMAIN", "acme")
    monkeypatch.setenv("SONNYS_BOT_USERNAME", "bot")
    monkeypatch.setenv("SONNYS_BOT_PASSWORD", "secret-pw")
    env = AsyncBackofficeClient.from_env()
    assert env.base_url == "https://acme.sonnyscontrols.com"
    assert AsyncBackofficeClient.from_env(base_url="http://x.test").base_url == "http://x.test"
    monkeypatch.delenv("SONNYS_BOT_PASSWORD")
    with pytest.raises(Exception, match="SONNYS_BOT_PASSWORD"):
        AsyncBackofficeClient.from_env()


@pytest.mark.parametrize(
    ("method", "model"),
    [
        ("create_employee", "CreateEmployeeRequest"),
        ("disable_employee", "DisableEmployeeRequest"),
        ("modify_employee", "ModifyEmployeeRequest"),
        ("create_backoffice_user", "CreateBackofficeUserRequest"),
        ("modify_backoffice_user", "ModifyBackofficeUserRequest"),
        ("reset_backoffice_password", "ResetBackofficePasswordRequest"),
        ("rehire_employee", "RehireEmployeeRequest"),
    ],
)
def test_public_writes_take_exactly_their_request_fields(method: str, model: str) -> None:
    # The public methods forward their arguments to the request model by name (locals()).
    import inspect

    from sonnys_async import models

    params = list(inspect.signature(getattr(AsyncBackofficeClient, method)).parameters)[1:]
    assert sorted(params) == sorted(getattr(models, model).model_fields)
