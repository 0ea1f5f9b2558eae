"""A private Dovecot IMAP server for tests: throw-away config and mail store, a free loopback
port, started in its own session and stopped as a whole process group."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from imapclient import IMAPClient

from tests.conftest import free_port, port_open

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{ssl}
mail_location = maildir:{root}/mail/%u
# IDLE learns of new mail from inotify; when a busy machine has run out of inotify
# instances it falls back to looking every 30 s, longer than a test waits.
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
{imaps}}}
"""
TLS = "ssl = yes\nssl_cert = <{root}/cert.pem\nssl_key = <{root}/key.pem"
IMAPS_LISTENER = "  inet_listener imaps {{\n    port = {port}\n    ssl = yes\n  }}\n"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")


class Dovecot:
    """One running server with one user (any user name logs in with the password)."""

    def __init__(self, user: str = "desk", password: str = "secret", *, tls: bool = False) -> None:
        self.user, self.password = user, password
        self.port = free_port()
        self.tls = tls  # STARTTLS on `port`, implicit TLS on `imaps_port`, self-signed
        self.imaps_port = free_port() if tls else 0
        self.root = Path(tempfile.mkdtemp(prefix="consultant-dovecot-"))
        self.config = self.root / "dovecot.conf"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10.0) -> Dovecot:
        binary = dovecot_binary()
        assert binary, "dovecot is not installed"
        self.root.chmod(0o755)  # the mail processes run as nobody and must reach the store
        mail = self.root / "mail"
        mail.mkdir()
        shutil.chown(mail, "nobody", "nogroup")
        if self.tls:
            self._make_certificate()
        self.config.write_text(
            CONFIG.format(
                root=self.root,
                password=self.password,
                port=self.port,
                ssl=TLS.format(root=self.root) if self.tls else "ssl = no",
                imaps=IMAPS_LISTENER.format(port=self.imaps_port) if self.tls else "",
            )
        )
        self.process = subprocess.Popen(
            [binary, "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "stderr.log").open("wb"),
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not start: {self.log()}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # The master, its log process and every client's imap process share the group.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # stragglers of the group
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _make_certificate(self) -> None:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(self.root / "key.pem"), "-out", str(self.root / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip

    # Helpers for tests ----------------------------------------------------------------

    @property
    def certificate(self) -> Path:
        return self.root / "cert.pem"

    def url(self, folder: str = "INBOX", scheme: str = "imap") -> str:
        port = self.imaps_port if scheme == "imaps" else self.port
        return f"{scheme}://{self.user}:{self.password}@127.0.0.1:{port}/{folder}"

    def client(self) -> IMAPClient:
        """A second, independent client (the sender's side, or an observer)."""
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                client.append(folder, raw)

    def doveadm(self, *args: str) -> str:
        doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
        result = subprocess.run(
            [doveadm, "-c", str(self.config), *args], capture_output=True, text=True, timeout=30
        )
        if result.returncode != 0:
            raise RuntimeError(f"doveadm {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def kick(self) -> None:
        """Disconnect every session of the user (kills their imap processes' connections)."""
        self.doveadm("kick", self.user)

    def log(self) -> str:
        parts = [self.root / "dovecot.log", self.root / "stderr.log"]
        return "\n".join(p.read_text(errors="replace") for p in parts if p.exists())
