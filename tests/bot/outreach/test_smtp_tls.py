"""SMTP over STARTTLS and implicit TLS against a real aiosmtpd server with its own CA: the certificate is always
verified, a private CA is trusted through outreach.smtp.ca_file, an unverifiable one is refused with a clear fix."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from bot.outreach.errors import PermanentFailure, TemporaryFailure
from bot.outreach.smtp import SmtpTransport
from tests.fakes.smtp import SmtpHandler, free_port

RAW = b"From: alex@example.com\r\nTo: jane@acme.io\r\nSubject: Hi\r\nMessage-ID: <t1@example.com>\r\n\r\nHello.\r\n"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_pki(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca.pem, server.pem, server.key)."""
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("AMIA test CA")).issuer_name(_name("AMIA test CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


class TlsController(Controller):
    """aiosmtpd with STARTTLS required (the relay refuses MAIL before it)."""

    def __init__(self, handler: SmtpHandler, port: int, context: ssl.SSLContext) -> None:
        self._tls = context
        super().__init__(handler, hostname="127.0.0.1", port=port)

    def factory(self) -> SMTP:
        return SMTP(self.handler, tls_context=self._tls, require_starttls=True, hostname="relay.test")


@pytest.fixture
def pki(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    ca, cert, key = make_pki(tmp_path)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ca, ctx


@pytest.fixture
def starttls_relay(pki: tuple[Path, ssl.SSLContext]) -> Iterator[tuple[SmtpHandler, int]]:
    handler, port = SmtpHandler(), free_port()
    controller = TlsController(handler, port, pki[1])
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


async def test_starttls_with_a_private_ca_delivers_and_without_it_refuses_clearly(
    starttls_relay: tuple[SmtpHandler, int], pki: tuple[Path, ssl.SSLContext]
) -> None:
    handler, port = starttls_relay
    trusted = SmtpTransport("127.0.0.1", port, tls="starttls", ca_file=str(pki[0]), timeout=10)
    await trusted.send(RAW, sender="alex@example.com", recipients=["jane@acme.io"], rfc_message_id="<t1@example.com>")
    assert len(handler.messages) == 1 and b"Hello." in handler.messages[0].content

    untrusted = SmtpTransport("127.0.0.1", port, tls="starttls", timeout=10)
    with pytest.raises(TemporaryFailure, match=r"certificate we cannot verify .*outreach\.smtp\.ca_file"):
        await untrusted.send(RAW, sender="alex@example.com", recipients=["jane@acme.io"], rfc_message_id="<t2@x>")
    assert len(handler.messages) == 1, "nothing is sent over a connection we could not verify"

    plain = SmtpTransport("127.0.0.1", port, tls="none", timeout=10)
    with pytest.raises(PermanentFailure, match="530 Must issue a STARTTLS"):  # a relay that requires TLS: no send
        await plain.send(RAW, sender="alex@example.com", recipients=["jane@acme.io"], rfc_message_id="<t3@x>")
    assert len(handler.messages) == 1


async def test_implicit_tls_with_a_private_ca(pki: tuple[Path, ssl.SSLContext]) -> None:
    handler, port = SmtpHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=pki[1])
    controller.start()
    try:
        transport = SmtpTransport("127.0.0.1", port, tls="ssl", ca_file=str(pki[0]), timeout=10)
        await transport.send(RAW, sender="alex@example.com", recipients=["jane@acme.io"], rfc_message_id="<t4@x>")
    finally:
        controller.stop()
    assert len(handler.messages) == 1
