"""DKIM signing with dkimpy and a configured RSA key; a bad key fails at start-up with the reason."""

from __future__ import annotations

from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.outreach.errors import DkimKeyError

SIGNED_HEADERS = [
    b"from", b"to", b"subject", b"date", b"message-id", b"reply-to", b"mime-version", b"content-type",
    b"list-unsubscribe", b"list-unsubscribe-post",
]  # fmt: skip


class DkimSigner:
    """Signs raw RFC 5322 bytes; build it once with :meth:`from_file` so a bad key is caught early."""

    def __init__(self, domain: str, selector: str, private_key_pem: bytes) -> None:
        try:
            key = serialization.load_pem_private_key(private_key_pem, password=None)
        except (ValueError, TypeError) as exc:
            raise DkimKeyError(
                "the DKIM key is not an unencrypted PEM private key (generate one with `dknewkey`)"
            ) from exc
        if not isinstance(key, rsa.RSAPrivateKey):
            raise DkimKeyError("the DKIM key must be an RSA key (ed25519 is not accepted by every receiver)")
        if key.key_size < 1024:
            raise DkimKeyError(f"the DKIM key has {key.key_size} bits; receivers ignore keys under 1024 bits")
        self.domain = domain
        self.selector = selector
        self._pem = private_key_pem

    @classmethod
    def from_file(cls, domain: str | None, selector: str, key_path: str | None) -> DkimSigner:
        if not domain or not key_path:
            raise DkimKeyError("outreach.dkim.enabled needs outreach.dkim.domain and outreach.dkim.key_path")
        path = Path(key_path)
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise DkimKeyError(f"cannot read the DKIM key {path}: {exc.strerror}") from exc
        return cls(domain, selector, pem)

    def sign(self, raw: bytes) -> bytes:
        try:
            signature = dkim.sign(
                raw,
                selector=self.selector.encode(),
                domain=self.domain.encode(),
                privkey=self._pem,
                include_headers=SIGNED_HEADERS,
            )
        except dkim.DKIMException as exc:
            raise DkimKeyError(f"DKIM signing failed: {exc}") from exc
        return bytes(signature) + raw
