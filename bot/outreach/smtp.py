"""SMTP transport (aiosmtplib): STARTTLS, implicit TLS or plain; library errors become Temporary/Permanent."""

from __future__ import annotations

import ssl

import aiosmtplib

from bot.outreach.errors import PermanentFailure, TemporaryFailure


class SmtpTransport:
    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ca_file: str | None = None,
    ) -> None:
        if tls not in ("starttls", "ssl", "none"):
            raise ValueError("tls must be starttls, ssl or none")
        self.host, self.port, self.tls = host, port, tls
        self._username, self._password, self._timeout = username, password, timeout
        self._ca_file = ca_file

    async def send(self, raw: bytes, *, sender: str, recipients: list[str], rfc_message_id: str) -> str:
        where = f"{self.host}:{self.port}"
        try:
            errors, response = await aiosmtplib.send(
                raw,
                sender=sender,
                recipients=recipients,
                hostname=self.host,
                port=self.port,
                use_tls=self.tls == "ssl",
                start_tls=self.tls == "starttls",
                username=self._username,
                password=self._password,
                timeout=self._timeout,
                validate_certs=True,  # never sent in the clear to an impostor: no option switches this off
                cert_bundle=self._ca_file,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [e.code for e in exc.recipients]
            detail = "; ".join(f"{e.recipient}: {e.code} {e.message}" for e in exc.recipients)
            if all(400 <= c < 500 for c in codes):
                raise TemporaryFailure(f"{where} deferred the recipient: {detail}") from exc
            raise PermanentFailure(f"{where} refused the recipient: {detail}") from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise PermanentFailure(
                f"{where} refused the login: check SMTP_USERNAME/SMTP_PASSWORD ({exc.code})"
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            kind = TemporaryFailure if 400 <= exc.code < 500 else PermanentFailure
            raise kind(f"{where} answered {exc.code} {exc.message}") from exc
        except ssl.SSLCertVerificationError as exc:
            raise TemporaryFailure(
                f"the SMTP server {where} presented a certificate we cannot verify ({exc.verify_message}); fix the "
                "relay's certificate, or trust its CA with outreach.smtp.ca_file"
            ) from exc
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPTimeoutError, aiosmtplib.SMTPServerDisconnected) as exc:
            if isinstance(exc.__cause__, ssl.SSLCertVerificationError):
                cause = exc.__cause__
                raise TemporaryFailure(
                    f"the SMTP server {where} presented a certificate we cannot verify ({cause.verify_message}); "
                    "fix the relay's certificate, or trust its CA with outreach.smtp.ca_file"
                ) from exc
            raise TemporaryFailure(f"cannot reach the SMTP server {where}: {exc}") from exc
        except aiosmtplib.SMTPException as exc:
            raise TemporaryFailure(f"SMTP with {where} failed: {exc}") from exc
        except OSError as exc:
            raise TemporaryFailure(f"cannot reach the SMTP server {where}: {exc.strerror or exc}") from exc
        if errors:
            detail = "; ".join(f"{r}: {e.code} {e.message}" for r, e in errors.items())
            raise PermanentFailure(f"{where} refused some recipients: {detail}")
        return str(response)

    async def delivered(self, rfc_message_id: str) -> bool | None:
        return None  # SMTP cannot tell us afterwards; an in-doubt step waits for a human
