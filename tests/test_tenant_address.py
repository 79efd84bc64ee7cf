"""Where the bot's password may go: the tenant address is checked before any client exists."""

from __future__ import annotations

import pytest

from sonnys_async import AsyncBackofficeClient, BackofficeClient, InputValidationError
from sonnys_async.core.tenant import tenant_base_url


@pytest.mark.parametrize(
    "subdomain",
    [
        "evil.com/x",
        "evil.com#",
        "user:pw@evil.com/",
        "washu.evil.com",
        "wash\uff0eevil",  # full-width dot
        "wa shu",
        "-washu",
        "",
        "x" * 64,
    ],
)
def test_a_subdomain_that_is_not_one_dns_label_is_refused(subdomain: str) -> None:
    with pytest.raises(InputValidationError) as exc:
        AsyncBackofficeClient(subdomain=subdomain, username="bot", password="secret-pass")
    assert exc.value.field == "subdomain"


def test_the_sync_client_checks_the_address_at_once() -> None:
    with pytest.raises(InputValidationError):
        BackofficeClient(subdomain="evil.com/x", username="bot", password="secret-pass")


def test_the_subdomain_names_a_sonnyscontrols_host() -> None:
    assert tenant_base_url(None, " WashU ") == "https://washu.sonnyscontrols.com"


@pytest.mark.parametrize(
    "url",
    [
        "http://washu.example.com",  # plain http to another machine
        "https://user:pw@evil.com",
        "https://evil.com/x",
        "https://evil.com?x=1",
        "https://evil.com#frag",
        "https://evil.com#",
        "ftp://washu.sonnyscontrols.com",
        "https://wash\uff0eu.sonnyscontrols.com",
        "https://",
        "https://bad_host.com",
    ],
)
def test_a_base_url_that_could_leak_the_password_is_refused(url: str) -> None:
    with pytest.raises(InputValidationError) as exc:
        AsyncBackofficeClient(url, username="bot", password="secret-pass")
    assert exc.value.field == "base_url"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://washu.sonnyscontrols.com/", "https://washu.sonnyscontrols.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:9000", "http://localhost:9000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://washu.sandbox.test", "http://washu.sandbox.test"),
    ],
)
def test_https_and_local_http_origins_are_accepted(url: str, origin: str) -> None:
    assert tenant_base_url(url, None) == origin


def test_plain_http_elsewhere_needs_the_explicit_opt_in() -> None:
    client = BackofficeClient(
        "http://10.0.0.5:8080", username="bot", password="secret-pass", allow_http=True
    )
    client.close()
    assert tenant_base_url("http://10.0.0.5:8080", None, allow_http=True) == "http://10.0.0.5:8080"


def test_the_environment_goes_through_the_same_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SONNYS_SUBDOMAIN", "evil.com/x")
    monkeypatch.setenv("SONNYS_BOT_USERNAME", "bot")
    monkeypatch.setenv("SONNYS_BOT_PASSWORD", "secret-pass")
    monkeypatch.delenv("SONNYS_BASE_URL", raising=False)
    with pytest.raises(InputValidationError) as exc:
        AsyncBackofficeClient.from_env()
    assert exc.value.field == "subdomain"
    assert "secret-pass" not in str(exc.value)
