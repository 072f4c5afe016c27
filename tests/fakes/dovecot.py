"""A throwaway Dovecot IMAP server on 127.0.0.1 (Debian's dovecot-imapd), one user, Maildir storage."""

from __future__ import annotations

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.smtp import free_port

CONF = """base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
  default_fields = uid=nobody gid=nogroup home={d}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver a message into the mailbox over IMAP APPEND (as a mail server would file it)."""
        client = imaplib.IMAP4(self.host, self.port)
        try:
            client.login(self.user, self.password)
            typ, data = client.append(folder, None, None, raw)
            assert typ == "OK", data
        finally:
            client.logout()


@contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not os.path.exists(binary):
        raise RuntimeError("Dovecot is not installed: run `apt-get install -y dovecot-imapd` (or `make system-deps`)")
    root = Path(tempfile.mkdtemp(prefix="amia-dovecot-", dir="/tmp"))
    os.chmod(root, 0o755)
    port = free_port()
    (root / "run").mkdir()
    (root / "state").mkdir()
    for sub in ("cur", "new", "tmp"):
        (root / "mail" / "amia" / "Maildir" / sub).mkdir(parents=True)
    (root / "users").write_text("amia:{PLAIN}secret::::::\n")
    shutil.chown(root / "mail", "nobody", "nogroup")
    for path in (root / "mail").rglob("*"):
        shutil.chown(path, "nobody", "nogroup")
    (root / "dovecot.conf").write_text(CONF.format(d=root, port=port))
    proc = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    if s.recv(64).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                raise RuntimeError(f"Dovecot did not start: {log[-500:]}")
            time.sleep(0.02)
        yield Dovecot("127.0.0.1", port, "amia", "secret")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)
