"""The simulated pages, rendered from the Jinja2 templates in ``sonnys_async/sandbox/templates``.

:class:`~.pages.Views` is what handlers call; the other modules build typed template contexts.
"""
