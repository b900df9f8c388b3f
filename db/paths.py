"""SQLite URIs for data files wherever they live, including Windows network shares.

``Path.as_uri()`` turns ``\\\\server\\share\\台账.db`` into ``file://server/share/…``, which SQLite
refuses ("invalid uri authority: server") unless it was built with SQLITE_ALLOW_URI_AUTHORITY;
the clerk was then told the file was damaged. SQLite copies the path of ``file:////server/share/…``
(empty authority) through unchanged, and Windows reads ``//server/share/…`` as the UNC path. A
mapped drive (``Z:``) resolves to such a UNC path, so it takes the same road.
"""

from __future__ import annotations

from pathlib import PurePath, PureWindowsPath
from urllib.parse import quote, urlencode

# Characters left as they are in the path part of the URI; everything else (including ?, #, %,
# & and =, which SQLite would read as URI syntax, and every non-ASCII character) is %-encoded.
_SAFE = "/:"


def _windows_uri_path(path: PureWindowsPath) -> str:
    """The URI path of an absolute Windows path: ``/C:/dir/f.db`` or ``//server/share/dir/f.db``."""
    text = str(path)
    if text.startswith("\\\\?\\UNC\\"):
        text = "\\\\" + text[len("\\\\?\\UNC\\"):]
    elif text.startswith("\\\\?\\"):
        text = text[len("\\\\?\\"):]
    plain = PureWindowsPath(text)
    if not plain.is_absolute():
        raise ValueError(f"not an absolute path: {path}")
    slashed = plain.as_posix()
    if slashed.startswith("//"):
        return slashed
    return "/" + slashed


def sqlite_uri(path: PurePath, **params: str) -> str:
    """The ``file:`` URI SQLite opens for the absolute ``path``, with query ``params``.

    Call it with a resolved path (``Path.resolve()``), so that a mapped drive has become the
    network path it stands for. Works for POSIX paths, drive paths and UNC paths alike.
    """
    if isinstance(path, PureWindowsPath):
        uri_path = _windows_uri_path(path)
    else:
        if not path.is_absolute():
            raise ValueError(f"not an absolute path: {path}")
        uri_path = path.as_posix()
    # "//" before the path keeps the authority empty; "////server/share" then survives intact.
    uri = "file://" + quote(uri_path, safe=_SAFE)
    if params:
        uri += "?" + urlencode(params, quote_via=quote)
    return uri
