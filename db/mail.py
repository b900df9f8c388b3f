"""The address book and the mail log: who the daily report goes to, and what was sent when.
exports/mail.py talks to the mail server; it reads and writes these tables only through here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from db.connection import database
from db.models import MailLog, Recipient
from db.validate import Invalid, normalize_text


@dataclass(frozen=True)
class SentMail:
    at: datetime
    to: str
    subject: str
    files: list[str]
    ok: bool
    result: str


def recipient_address(name: str) -> str | None:
    """The address filed under an address-book name or unit, or None."""
    name = normalize_text(name)
    entry = Recipient.get_or_none((Recipient.name == name) | (Recipient.unit == name))
    return entry.address if entry is not None else None


def address_book(limit: int = 8) -> list[str]:
    """The first entries of the address book, as 单位姓名."""
    return [f"{r.unit or ''}{r.name}" for r in Recipient.select().limit(limit)]


def add_recipient(name: str, address: str, unit: str = "") -> Recipient:
    address = normalize_text(address)
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise Invalid(f"邮箱地址“{address}”不正确")
    if not normalize_text(name):
        raise Invalid("请填写收件人姓名")
    return Recipient.create(name=normalize_text(name), address=address, unit=normalize_text(unit))


def log_mail(to: list[str], subject: str, files: list[str], error: str, result: str) -> MailLog:
    """Record one sending, sent or not (the error says why not)."""
    with database.atomic():
        return MailLog.create(to=", ".join(to), subject=subject,
                              files=json.dumps(files, ensure_ascii=False), ok=not error,
                              result=f"{error}；{result}" if error else result)


def sent_mail(limit: int = 500) -> list[SentMail]:
    """The latest sendings, newest first."""
    return [SentMail(log.at, log.to, log.subject, json.loads(log.files), log.ok, log.result)
            for log in MailLog.select().order_by(MailLog.id.desc()).limit(limit)]
