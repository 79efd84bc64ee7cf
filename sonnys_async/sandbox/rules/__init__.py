"""What the server does with a form POST: validation in its order (§16.2) and the state change.

Each endpoint's rule takes the decoded body (:mod:`.body`) and returns a
:class:`~.outcome.PostResult` (where to redirect, whether it failed, the flash for the next page).
Failures leave the state untouched (§2.4, §16.1). Modules: :mod:`.messages` (every alert string),
:mod:`.outcome`, :mod:`.body` (body decoding and field parsers), :mod:`.sites` (the availability a
body encodes), :mod:`.employees`, :mod:`.users`.
"""
