"""sonnys_async: drive Sonny's Carwash Controls Backoffice user management over HTTP.

The public API lives in this namespace; submodules starting with ``_`` are private.
"""

from ._version import __version__ as __version__

__all__ = ["__version__"]
