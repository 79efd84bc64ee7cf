"""Request handlers by area, each ``(Server, Request) -> Response``; the table is ``routes.py``."""
