"""`amia doctor` check for outgoing mail: the SMTP server answers (TLS and login as configured), the DKIM key
loads, and the signing secret is set. Returns (status, detail, fix) for bot/doctor.py to wrap."""

from __future__ import annotations

import aiosmtplib

from bot.outreach.dkim import DkimSigner
from bot.outreach.errors import DkimKeyError
from bot.settings import Settings


async def smtp_status(settings: Settings) -> tuple[str, str, str]:
    cfg = settings.outreach
    if cfg.transport != "smtp":
        return "skip", f"transport '{cfg.transport}': messages go to {cfg.outbox_dir} (dry run)", ""
    if settings.secrets.AMIA_SECRET_KEY is None:
        return "fail", "AMIA_SECRET_KEY is not set", "export AMIA_SECRET_KEY=$(openssl rand -hex 32)"
    dkim_note = "DKIM off"
    if cfg.dkim.enabled:
        try:
            signer = DkimSigner.from_file(cfg.dkim.domain, cfg.dkim.selector, cfg.dkim.key_path)
        except DkimKeyError as exc:
            return "fail", f"DKIM: {exc}", "fix outreach.dkim.* (generate a key with `dknewkey`)"
        dkim_note = f"DKIM {signer.selector}._domainkey.{signer.domain}"
    where = f"{cfg.smtp.host}:{cfg.smtp.port}"
    client = aiosmtplib.SMTP(
        hostname=cfg.smtp.host,
        port=cfg.smtp.port,
        use_tls=cfg.smtp.tls == "ssl",
        start_tls=cfg.smtp.tls == "starttls",
        timeout=min(cfg.smtp.timeout_seconds, 10),
    )
    try:
        await client.connect()
        user, password = settings.secrets.SMTP_USERNAME, settings.secrets.SMTP_PASSWORD
        if user and password:
            await client.login(user, password.get_secret_value())
        await client.quit()
    except aiosmtplib.SMTPAuthenticationError:
        return "fail", f"{where} refused the login", "check SMTP_USERNAME and SMTP_PASSWORD"
    except (aiosmtplib.SMTPException, OSError) as exc:
        return "fail", f"cannot talk to {where}: {exc}", "check outreach.smtp.host, port and tls"
    return "ok", f"{where} ({cfg.smtp.tls}) answers; {dkim_note}", ""
