"""The SMTP password, kept out of the data file and its backups.

It goes to the operating system's credential store (Windows Credential Manager, macOS Keychain,
the Secret Service) through ``keyring``, or, where there is none, to an owner-only file in the
user's config folder. ``keyring`` is imported only when mail is configured or sent, never at
start-up. The password is filed under the mail account it belongs to (``user@host``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from db.models import Setting

SERVICE = "eprc-smtp"


def _account() -> str:
    return f"{_stored('smtp.user')}@{_stored('smtp.host')}"


def _stored(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else ""


def _fallback_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path("eprc", appauthor=False) / "mail-secrets.json"


def _keyring():  # noqa: ANN202 - the keyring module, or None where no store is usable
    try:
        import keyring
        from keyring.backends.fail import Keyring as NoStore
    except ImportError:
        return None
    return None if isinstance(keyring.get_keyring(), NoStore) else keyring


def _read_fallback() -> dict[str, str]:
    try:
        return json.loads(_fallback_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_fallback(values: dict[str, str]) -> None:
    path = _fallback_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(values, fh, ensure_ascii=False)
    if sys.platform != "win32":
        tmp.chmod(0o600)
    os.replace(tmp, path)


def store_password(password: str, account: str | None = None) -> None:
    """Keep (or, given "", forget) the mail password of ``account`` (default: the current one)."""
    account = account or _account()
    store = _keyring()
    if store is not None:
        if password:
            store.set_password(SERVICE, account, password)
        else:
            try:
                store.delete_password(SERVICE, account)
            except store.errors.PasswordDeleteError:
                pass
        return
    values = _read_fallback()
    if password:
        values[account] = password
    else:
        values.pop(account, None)
    _write_fallback(values)


def load_password(account: str | None = None) -> str:
    account = account or _account()
    store = _keyring()
    if store is not None:
        return store.get_password(SERVICE, account) or ""
    return _read_fallback().get(account, "")
