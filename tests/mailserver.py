"""A real SMTP server on localhost (aiosmtpd) that the app sends to during a test.

It can refuse chosen addresses (`refuse`), go away in the middle of a run
(`go_away_after`), be down (`stop`) and come back (`start`).
"""

from __future__ import annotations

import asyncio
import threading

from aiosmtpd.controller import Controller
from flask import Flask


class _AnyFreePort(Controller):
    """Binds port 0 itself, so the kernel picks a free port: no pick-then-bind race.

    aiosmtpd 1.4 connects to (hostname, self.port) once bound to check the server
    answers; with port 0 it has to learn the real port from the bound socket first.
    """

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailServer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.messages: list = []  # envelopes, in the order the server accepted them
        self.refuse: dict[str, str] = {}  # address → the reply, e.g. "550 5.1.1 User unknown"
        self.refused: list[str] = []  # every address it refused, each time it was tried
        self.reject_data: dict[str, str] = {}  # recipient → the answer to the message itself
        self.refuse_sender: str | None = None  # the answer to MAIL FROM, e.g. "553 …"
        self._go_away_at: int | None = None
        self._controller: Controller | None = None
        self._stopped = threading.Event()
        self._open = threading.Event()  # cleared by hold(): DATA waits until release()
        self._open.set()

    # aiosmtpd's hooks -------------------------------------------------------------------

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            self.refused.append(address)
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if not self._open.is_set():
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self._open.wait, 60)
        if self._go_away_at is not None and len(self.messages) >= self._go_away_at:
            # The server dies with this message unanswered: the connection drops and
            # nothing listens on the port any more.
            self._go_away_at = None
            server.transport.abort()
            threading.Thread(target=self.stop, daemon=True).start()
            return "421 going away"
        if envelope.rcpt_tos[0] in self.reject_data:
            return self.reject_data[envelope.rcpt_tos[0]]
        self.messages.append(envelope)
        return "250 OK"

    # control ----------------------------------------------------------------------------

    def start(self) -> None:
        # A generous start-up time: a loaded machine can need more than aiosmtpd's 5 s.
        self._controller = _AnyFreePort(self, hostname="127.0.0.1", port=0, ready_timeout=60)
        self._controller.start()
        self._stopped.clear()
        self.port = self._controller.port
        assert self.port != 0
        self.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port)
        ext = self.app.extensions["mail"]
        ext.server, ext.port = "127.0.0.1", self.port

    def stop(self) -> None:
        self._open.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        self._stopped.set()

    def hold(self) -> None:
        """Keep every message waiting for the server's answer until release()."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def go_away_after(self, n: int) -> None:
        """Accept n more messages, then drop the connection and stop listening."""
        self._go_away_at = len(self.messages) + n

    def wait_until_stopped(self, timeout: float = 60) -> None:
        assert self._stopped.wait(timeout), "the SMTP server did not stop"
