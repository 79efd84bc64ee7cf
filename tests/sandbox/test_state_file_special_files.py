"""A sandbox state file is a regular file: a FIFO, a device, a folder or a symbolic link named
as one is refused and left as it was (never opened for writing, never replaced)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sonnys_async import RetryPolicy
from sonnys_async.cli import AppState, cli
from sonnys_async.sandbox import Sandbox, persisted
from sonnys_async.sandbox.snapshot import write_snapshot

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")


def test_persisted_refuses_a_fifo_and_leaves_it_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="named pipe"), persisted(fifo):
        pytest.fail("a FIFO was used as a state file")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_persisted_refuses_a_symbolic_link_and_leaves_its_target_alone(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    link = tmp_path / "state.json"
    link.symlink_to(target)
    with pytest.raises(ValueError, match="symbolic link"), persisted(link):
        pytest.fail("a symbolic link was followed")
    assert link.is_symlink()
    assert target.read_text() == "keep me\n"


def test_persisted_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="folder"), persisted(tmp_path):
        pytest.fail("a folder was used as a state file")


def test_saving_never_replaces_a_special_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        write_snapshot(Sandbox().state, fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_sandbox_state_naming_a_fifo_exits_2_and_keeps_the_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    state = AppState(client_options={"retry": RetryPolicy.no_wait()})
    result = CliRunner().invoke(
        cli, ["--sandbox-state", str(fifo), "sites"], obj=state, catch_exceptions=False
    )
    assert result.exit_code == 2
    assert "--sandbox-state" in result.stderr
    assert "not a regular file" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_regular_state_file_is_still_created_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "tenant.json"
    with persisted(path) as first:
        bot = first.username
    assert stat.S_ISREG(os.lstat(path).st_mode)
    with persisted(path) as second:
        assert second.username == bot
