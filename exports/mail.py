"""Sending files upward by e-mail (SMTP with SSL, STARTTLS or none), with a log of every try.

A failure names its cause (login, recipient, network) in Chinese; nothing is marked sent that
was not, and the draft stays with the caller for a retry.
"""

from __future__ import annotations

import mimetypes
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from db.mail import log_mail, recipient_address
from db.models import MailLog
from db.settings import get_setting
from db.validate import Invalid, normalize_text


class MailError(Invalid):
    """Sending failed; ``str()`` says why in Chinese."""


@dataclass
class Draft:
    to: list[str]
    subject: str
    body: str
    files: list[Path]


def resolve_recipients(names: Sequence[str]) -> list[str]:
    """Address-book names (or units) and plain addresses, as addresses."""
    out = []
    for name in names:
        name = normalize_text(name)
        if "@" in name:
            out.append(name)
            continue
        address = recipient_address(name)
        if address is None:
            raise MailError(f"通讯录中没有“{name}”，请写邮箱地址或先添加到通讯录")
        out.append(address)
    if not out:
        raise MailError("请填写收件人")
    return out


def sender_address() -> str:
    """The From address: the account that logs in, else 发件邮箱 (a server without login)."""
    address = get_setting("smtp.user") or get_setting("smtp.from")
    if "@" not in address:
        raise MailError("请在“设置”（F9）中填写发件邮箱（邮箱账号留空时必填）")
    return address


def build_message(draft: Draft) -> EmailMessage:
    sender = sender_address()
    message = EmailMessage()
    message["Subject"] = draft.subject
    message["From"] = formataddr((get_setting("smtp.sender") or sender, sender))
    message["To"] = ", ".join(draft.to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(draft.body)
    for path in draft.files:
        if not path.is_file():
            raise MailError(f"附件“{path}”不存在")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = kind.split("/", 1)
        message.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    return message


def _connect() -> smtplib.SMTP:
    host = get_setting("smtp.host")
    port = int(get_setting("smtp.port"))
    security = get_setting("smtp.security")
    if not host:
        raise MailError("尚未设置邮件服务器：请在“设置”（F9）中填写 SMTP 服务器、端口、邮箱账号和密码")
    try:
        if security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=20,
                                                    context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=20)
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"无法连接邮件服务器 {host}:{port}（{exc}），请检查网络和服务器设置") from None
    return client


def send(draft: Draft) -> MailLog:
    """Send a draft; every try is logged with each recipient's own result. Raises MailError
    unless every recipient was accepted (the log says which were not)."""
    message = build_message(draft)
    results = {address: "未发送" for address in draft.to}
    try:
        client = _connect()
        try:
            user = get_setting("smtp.user")
            if user:  # a server that takes mail without an account is not asked to log in
                client.login(user, get_setting("smtp.password"))
            refused = client.send_message(message)
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass
        results = {address: "已发送" for address in draft.to}
        for address, (code, reply) in refused.items():
            results[address] = f"被拒绝（{code} {_reply(reply)}）"
        error = f"以下收件人被拒绝：{'、'.join(refused)}" if refused else ""
    except smtplib.SMTPAuthenticationError:
        error = "邮箱登录失败：账号或密码（授权码）错误"
    except smtplib.SMTPRecipientsRefused as exc:
        for address, (code, reply) in exc.recipients.items():
            results[address] = f"被拒绝（{code} {_reply(reply)}）"
        error = f"收件人被服务器拒绝：{'、'.join(exc.recipients)}"
    except smtplib.SMTPSenderRefused:
        error = "发件人被服务器拒绝，请检查邮箱账号或发件邮箱"
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        error = f"发送失败：{exc}"
    except MailError as exc:
        error = str(exc)
    per_recipient = "；".join(f"{address}：{result}" for address, result in results.items())
    log = log_mail(draft.to, draft.subject, [p.name for p in draft.files], error, per_recipient)
    if error:
        raise MailError(error)
    return log


def _reply(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def send_test() -> MailLog:
    """A test mail to the account itself."""
    user = get_setting("smtp.user")
    if not user:
        raise MailError("请先设置邮箱账号 smtp.user")
    return send(Draft([user], "eprc 测试邮件", "这是一封测试邮件，说明邮件设置正确。", []))


def subject_and_body(day: object) -> tuple[str, str]:
    """The daily-report mail's subject and body from the templates in settings."""
    from db.settings import township

    values = {"township": township(), "month": day.month, "day": day.day,
              "preparer": get_setting("preparer"), "phone": get_setting("phone")}
    try:
        return (get_setting("mail.subject").format(**values),
                get_setting("mail.body").format(**values))
    except (KeyError, IndexError, ValueError) as exc:
        raise Invalid(f"邮件模板有误（{exc}），可用：{{township}} {{month}} {{day}} "
                      "{{preparer}} {{phone}}") from None
