import sonnys_async


def test_version_is_exposed() -> None:
    assert sonnys_async.__version__.count(".") == 2
