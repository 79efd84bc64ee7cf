"""Private building blocks of :class:`~sonnys_async.AsyncBackofficeClient` (pure helpers)."""
