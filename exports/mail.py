"""Sending files upward by e-mail (SMTP with SSL, STARTTLS or none), with a log of every try.

A failure names its cause (login, recipient, network) in Chinese; nothing is marked sent that
was not, and the draft stays with the caller for a retry. One limit (about 60 s) covers connect,
login and send together, and a send can be cancelled from another thread; once the message was
handed to the server, a cancelled or timed-out send is logged as possibly sent, never as not
sent. A daily report attached to a mail every recipient accepted becomes 已报送.
"""

from __future__ import annotations

import mimetypes
import smtplib
import socket
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from db.config import DEFAULTS
from db.mail import SentMail, log_mail, recipient_address
from db.models import MailLog
from db.report import is_current
from db.settings import get_setting
from db.validate import Invalid, normalize_text
from exports.daily import snapshot_in

SEND_LIMIT = 60.0  # seconds for connect + login + send together
NOT_SENT = "未发送"
SENT = "已发送"
MAYBE_CANCELLED = "可能已发送（已取消等待）"
MAYBE_TIMED_OUT = "可能已发送（等待服务器确认超时）"


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
        raise MailError(f"请在“设置”（F9）中填写{_labels('smtp.from')}（邮箱账号留空时必填）")
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


def _labels(*keys: str) -> str:
    """F9's labels of some settings, as the clerk sees them: “SMTP 服务器”“SMTP 端口”."""
    return "".join(f"“{DEFAULTS[key][1].split('（')[0]}”" for key in keys)


class Sending:
    """One send under way: an overall time limit, and :meth:`cancel` from another thread.

    Either closes the connection at once (whatever step it is in); ``handed_over`` says whether
    the message had been given to the server by then."""

    def __init__(self, limit: float = SEND_LIMIT) -> None:
        self.limit = limit
        self.handed_over = False
        self.cancelled = False
        self.timed_out = False
        self._socket: socket.socket | None = None
        self._wake = threading.Event()
        self._finished = False
        self._lock = threading.Lock()

    def cancel(self) -> None:
        self.cancelled = True
        self._wake.set()

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._socket = sock
        if self._wake.is_set():
            self._close()

    def watch(self) -> None:
        """Start the clock: at the limit (or on cancel) the connection is closed."""
        threading.Thread(target=self._watch, daemon=True, name="eprc-mail-limit").start()

    def _watch(self) -> None:
        if not self._wake.wait(self.limit):
            self.timed_out = True
        self._close()

    def finish(self) -> None:
        with self._lock:
            self._finished = True
        self._wake.set()

    def _close(self) -> None:
        with self._lock:
            if self._finished or self._socket is None:
                return
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def stopped(self) -> bool:
        return self.cancelled or self.timed_out


def _guarded(base: type[smtplib.SMTP], sending: Sending) -> type[smtplib.SMTP]:
    """``base`` whose connection ``sending`` can close, and which says when data is handed over."""

    class Guarded(base):  # type: ignore[misc, valid-type]
        def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
            sock = super()._get_socket(host, port, timeout)
            sending.attach(sock)
            return sock

        def starttls(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
            reply = super().starttls(*args, **kwargs)
            sending.attach(self.sock)
            return reply

        def data(self, msg: object) -> tuple[int, bytes]:
            sending.handed_over = True
            return super().data(msg)

    return Guarded


def _check_server() -> None:
    if not get_setting("smtp.host"):
        raise MailError("尚未设置邮件服务器：请在“设置”（F9）中填写"
                        f"{_labels('smtp.host', 'smtp.port', 'smtp.user', 'smtp.password')}")


def _connect(sending: Sending) -> smtplib.SMTP:
    host = get_setting("smtp.host")
    port = int(get_setting("smtp.port"))
    security = get_setting("smtp.security")
    try:
        if security == "ssl":
            client: smtplib.SMTP = _guarded(smtplib.SMTP_SSL, sending)(
                host, port, timeout=sending.limit, context=ssl.create_default_context())
        else:
            client = _guarded(smtplib.SMTP, sending)(host, port, timeout=sending.limit)
            if security == "starttls":
                client.starttls(context=ssl.create_default_context())
    except (OSError, smtplib.SMTPException) as exc:
        if sending.stopped:
            raise
        raise MailError(f"无法连接邮件服务器 {host}:{port}（{exc}），请检查网络和"
                        f"“设置”（F9）中的{_labels('smtp.host', 'smtp.port', 'smtp.security')}"
                        ) from None
    return client


def _stale_reports(files: Sequence[Path]) -> None:
    """Refuse a daily report replaced since it was exported: its numbers were never sent."""
    for path in files:
        found = snapshot_in(path)
        if found and not is_current(found.snapshot_id, found.token):
            raise MailError(f"附件“{path.name}”是已被重新导出取代的日报，请附上新导出的日报")


def send(draft: Draft, sending: Sending | None = None) -> MailLog:
    """Send a draft within ``sending``'s limit; every try is logged with each recipient's own
    result. Raises MailError unless every recipient was accepted (the log says which were not).
    Every daily report attached becomes 已报送 once every recipient accepted the mail."""
    sending = sending or Sending()
    results = {address: NOT_SENT for address in draft.to}
    refused: dict[str, tuple[int, bytes]] = {}
    try:
        _check_server()
        message = build_message(draft)
        _stale_reports(draft.files)
        sending.watch()
        client = _connect(sending)
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
        results = {address: SENT for address in draft.to}
        for address, (code, reply) in refused.items():
            results[address] = f"被拒绝（{code} {_reply(reply)}）"
        error = f"以下收件人被拒绝：{'、'.join(refused)}" if refused else ""
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        error = _failure(exc, sending, results)
    except MailError as exc:
        error = str(exc)
    finally:
        sending.finish()
    per_recipient = "；".join(f"{address}：{result}" for address, result in results.items())
    reports = [] if error else [(found.snapshot_id, found.token) for found in
                                (snapshot_in(path) for path in draft.files) if found]
    log = log_mail(draft.to, draft.subject, [p.name for p in draft.files], error, per_recipient,
                   reports)
    if error:
        raise MailError(error)
    return log


def _failure(exc: Exception, sending: Sending, results: dict[str, str]) -> str:
    """The clerk's line for a send that did not complete; ``results`` says it per recipient."""
    if sending.stopped and sending.handed_over:
        word = MAYBE_CANCELLED if sending.cancelled else MAYBE_TIMED_OUT
        results.update({address: word for address in results})
        return f"{word}：邮件已交给服务器，但未等到确认，请向收件人核实是否收到"
    if sending.cancelled:
        results.update({address: f"{NOT_SENT}（已取消）" for address in results})
        return "已取消，邮件未发送"
    if sending.timed_out:
        return f"发送超时（超过{sending.limit:g}秒），邮件未发送；请检查网络后重试"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ("邮箱登录失败：“设置”（F9）中的"
                f"{_labels('smtp.user', 'smtp.password')}不对")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        for address, (code, reply) in exc.recipients.items():
            results[address] = f"被拒绝（{code} {_reply(reply)}）"
        return f"收件人被服务器拒绝：{'、'.join(exc.recipients)}"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"发件人被服务器拒绝，请检查“设置”（F9）中的{_labels('smtp.user', 'smtp.from')}"
    if sending.handed_over:
        results.update({address: "可能已发送（连接中断）" for address in results})
        return f"可能已发送：邮件交给服务器后连接中断（{exc}），请向收件人核实是否收到"
    return f"发送失败：{exc}"


def outcome(log: SentMail) -> str:
    """A logged try in a few words: 已发送, 可能已发送（…）or 未发送."""
    if log.ok:
        return SENT
    first = log.result.split("；", 1)[0]
    if first.startswith("可能已发送"):
        return first.split("：", 1)[0]
    return NOT_SENT


def _reply(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def send_test() -> MailLog:
    """A test mail to the account itself."""
    user = get_setting("smtp.user")
    if not user:
        raise MailError(f"请先在“设置”（F9）中填写{_labels('smtp.user')}")
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
