"""A real SMTP server on 127.0.0.1 for mail tests (aiosmtpd), with login and refused recipients,
and a slow one: it can wait before answering EHLO or the message's data, and call back when a
step begins (to cancel a send at a known moment)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "clerk@town.example", "secret"


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    # step ("ehlo" or "data") -> seconds the server waits before answering it
    delays: dict[str, float] = field(default_factory=dict)
    # step -> called (on the server's thread) when the step begins
    on_step: dict[str, Callable[[], None]] = field(default_factory=dict)

    async def step(self, name: str) -> None:
        if name in self.on_step:
            self.on_step[name]()
        if name in self.delays:
            await asyncio.sleep(self.delays[name])


class Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        await self.box.step("ehlo")
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        await self.box.step("data")
        self.box.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.box.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[int, Mailbox]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(Handler(box), hostname="127.0.0.1", port=port,
                            authenticator=_authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield port, box
    finally:
        controller.stop()
