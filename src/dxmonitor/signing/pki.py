"""Certificates made by the product: the demo's certification authority and its signers.

The same helpers make the certificates the tests need (expired, not yet valid, issued by a CA
nobody trusts), so that every case is a real X.509 certificate and a real PKCS#12 file.
"""

import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PrivateKey = ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key."""

    certificate: x509.Certificate
    key: PrivateKey

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def new_key() -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organisation: str = "", country: str = "VN") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def make_ca(
    *,
    common_name: str,
    organisation: str = "",
    years: int = 10,
    not_before: datetime.datetime | None = None,
) -> Issued:
    """A self-signed root that may issue end-entity certificates."""
    key = new_key()
    start = not_before or _now() - datetime.timedelta(days=1)
    name = _name(common_name, organisation)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * years + years // 4))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def issue(
    *,
    ca: Issued,
    common_name: str,
    organisation: str = "",
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
    days: int = 730,
    signing: bool = True,
) -> Issued:
    """An end-entity certificate for signing documents (digitalSignature and nonRepudiation);
    `signing=False` gives one for key exchange only, which documents must not be signed with."""
    key = new_key()
    start = not_before or _now() - datetime.timedelta(minutes=5)
    end = not_after or start + datetime.timedelta(days=days)
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=signing,
                content_commitment=signing,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=not signing,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(certificate, key)


def export_pkcs12(
    issued: Issued, *, password: str, chain: list[x509.Certificate] | None = None, name: str = ""
) -> bytes:
    """A PKCS#12 file (.p12/.pfx) with the key, its certificate and the issuer chain."""
    label = (name or issued.certificate.subject.rfc4514_string()).encode("utf-8")
    return pkcs12.serialize_key_and_certificates(
        label,
        issued.key,
        issued.certificate,
        list(chain or []) or None,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def load_pem(text: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(text.encode("ascii"))
