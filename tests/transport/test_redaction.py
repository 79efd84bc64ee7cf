"""Redaction: secrets masked in bodies, URLs, headers and free log text, and never in the
transport's logs, errors or reprs."""

from __future__ import annotations

import logging

import httpx
import pytest
from transport_fakes import PASSWORD, FakeBackoffice, make_transport

from sonnys_async._transport import AmbiguousWriteError
from sonnys_async.redaction import (
    MASK,
    RedactingFilter,
    redact_body,
    redact_headers,
    redact_pairs,
    redact_text,
    redact_url,
)


def test_redact_pairs_masks_only_secret_fields() -> None:
    pairs = [
        ("_username", "bot"),
        ("_password", "pw1"),
        ("user[password]", "pw2"),
        ("user[confirmPassword]", "pw2"),
        ("posCredential[POSLoginPassword]", "12345"),
        ("posCredential[POSLoginID]", "90001"),
    ]
    assert redact_pairs(pairs) == [
        ("_username", "bot"),
        ("_password", MASK),
        ("user[password]", MASK),
        ("user[confirmPassword]", MASK),
        ("posCredential[POSLoginPassword]", MASK),
        ("posCredential[POSLoginID]", "90001"),
    ]


def test_redact_body_decodes_and_masks() -> None:
    body = b"_username=bot&_password=s%26cret+x&posCredential%5BPOSLoginPassword%5D=48213"
    text = redact_body(body)
    assert "s&cret" not in text
    assert "48213" not in text
    assert text.startswith("_username=bot&_password=***")
    assert redact_body(None) == ""


def test_redact_url_masks_secret_query_values() -> None:
    assert redact_url("/x?_password=abc&n=1") == "/x?_password=***&n=1"
    assert redact_url("/employee?filter%5Bname%5D=Ann") == "/employee?filter%5Bname%5D=Ann"


def test_redact_headers_masks_cookies() -> None:
    assert redact_headers({"Cookie": "PHPSESSID=abc", "Accept": "text/html"}) == {
        "Cookie": MASK,
        "Accept": "text/html",
    }
    assert redact_headers([("set-cookie", "PHPSESSID=abc")]) == {"set-cookie": MASK}


@pytest.mark.parametrize(
    "raw",
    [
        "sent _password=hunter22&x=1",
        "sent user%5Bpassword%5D=hunter22",
        "sent posCredential[POSLoginPassword]=hunter22",
        "Cookie: PHPSESSID=hunter22",
        "{'set-cookie': 'PHPSESSID=hunter22; path=/'}",
    ],
)
def test_redact_text_scrubs_free_text(raw: str) -> None:
    assert "hunter22" not in redact_text(raw)


def test_filter_rewrites_records_and_literal_secrets(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.redact")
    handler_filter = RedactingFilter(["Sup3rS3cret!", "p"])
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="test.redact"):
            log.info("body %s", "_password=abc")
            log.info("oops the password is %s", "Sup3rS3cret!")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "abc" not in caplog.text
    assert "Sup3rS3cret!" not in caplog.text
    assert "oops the password is ***" in caplog.text  # a 1-letter literal is not masked


def test_literal_secrets_are_counted_and_forgotten_when_released() -> None:
    f = RedactingFilter()
    f.add_secret("hunter2-long")
    f.add_secret("hunter2-long")  # two clients with the same password
    f.discard_secret("hunter2-long")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pw hunter2-long", None, None)
    f.filter(record)
    assert "hunter2-long" not in record.getMessage()
    f.discard_secret("hunter2-long")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pw hunter2-long", None, None)
    f.filter(record)
    assert "hunter2-long" in record.getMessage()


# --------------------------------------------------------------------------- secrets


async def test_secrets_never_reach_logs_or_errors(
    fake: FakeBackoffice, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sonnys_async")
    fake.router.post("/user/insert").mock(side_effect=httpx.ReadTimeout("lost"))
    errors: list[str] = []
    async with make_transport(fake) as t:
        await t.post_form(
            "/employee/insert",
            [("employee[firstName]", "Ann"), ("posCredential[POSLoginPassword]", "48213")],
        )
        try:
            await t.post_form(
                "/user/insert",
                [
                    ("user[username]", "ann1"),
                    ("user[password]", "N3wUserPw99"),
                    ("user[confirmPassword]", "N3wUserPw99"),
                ],
            )
        except AmbiguousWriteError as exc:
            errors.append(str(exc))
            errors.append(repr(exc))
        errors.append(repr(t))
    cookie = fake.page_sessions[0]
    text = caplog.text + "".join(errors)
    assert "user[username]=ann1" in caplog.text  # bodies are logged, redacted
    for secret in (PASSWORD, "48213", "N3wUserPw99", f"PHPSESSID={cookie}"):
        assert secret not in text
