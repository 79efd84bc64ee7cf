"""`sonnys-backoffice sandbox` pads pages with the realistic sidebar unless --no-padding."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from sonnys_async import sandbox
from sonnys_async.cli import cli


@pytest.mark.parametrize(("flags", "kb"), [((), sandbox.SERVED_SIDEBAR_KB), (("--no-padding",), 0)])
def test_the_served_sandbox_is_padded_by_default(
    monkeypatch: pytest.MonkeyPatch, flags: tuple[str, ...], kb: int
) -> None:
    served: list[sandbox.SandboxOptions] = []

    def serve(options: sandbox.SandboxOptions, **_: Any) -> None:
        served.append(options)

    monkeypatch.setattr(sandbox, "serve", serve)
    result = CliRunner().invoke(cli, ["sandbox", *flags], catch_exceptions=False)
    assert result.exit_code == 0
    assert [o.sidebar_kb for o in served] == [kb]
    assert sandbox.SERVED_SIDEBAR_KB == 130  # the real sidebar's size (protocol §0)
