"""The pure core: text in, frozen objects out. No I/O happens here.

* :mod:`.forms` builds a form's entry list as a browser would and replays it (protocol §2.1,
  §8.4); it knows HTML forms, not Backoffice endpoints.
* :mod:`.pages` has one parser per Backoffice page (protocol §0).
* :mod:`.sites` encodes requested site sets as the server's keys and reads them back (§5, §13).
* :mod:`.payloads` builds the bodies of the Backoffice forms the client submits.
* :mod:`.text` holds the text rules every layer shares (ASCII digits, case-folded comparison).

Nothing in this package imports httpx, anyio or any module that does; the client services
(:mod:`sonnys_async._services`) and the transport (:mod:`sonnys_async._transport`) are built on
it. ``tests/test_architecture.py`` keeps it so.
"""
