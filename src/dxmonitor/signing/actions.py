"""Every write of the signing app: keys uploaded or held for units, trusted authorities, signatures,
and the record of verifications. Each function owns its transaction."""

import datetime
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.db import IntegrityError, transaction
from django.utils import timezone
from pyhanko.sign import signers

from dxmonitor.accounts.permissions import APPROVE, can, is_national_admin
from dxmonitor.common.errors import DomainError, Forbidden, NotFound
from dxmonitor.common.users import AnyUser
from dxmonitor.geo.models import Unit

from . import pki, vault
from .certificates import Facts, facts_of, load_certificate_text
from .models import Credential, SignatureCheck, TrustedRoot
from .pdfsign import Box, sign_document

MAX_PKCS12_BYTES = 256 * 1024


def _date(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y")


def _not_pkcs12() -> DomainError:
    return DomainError(
        "the file is not a certificate file (.p12 or .pfx, PKCS#12)",
        "Tệp không phải tệp chứng thư số (.p12 hoặc .pfx, PKCS#12)",
        field="file",
    )


def open_pkcs12(data: bytes, password: str | None) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    """The private key, the certificate and the issuer chain of a PKCS#12 file."""
    if len(data) > MAX_PKCS12_BYTES:
        raise DomainError(
            f"the certificate file is {len(data) // 1024} kB; a .p12/.pfx file is at most "
            f"{MAX_PKCS12_BYTES // 1024} kB",
            f"Tệp chứng thư số nặng {len(data) // 1024} kB; "
            f"tệp .p12/.pfx chỉ tối đa {MAX_PKCS12_BYTES // 1024} kB",
            field="file",
        )
    try:
        # Tell "not a PKCS#12 at all" from "wrong password": cryptography says the same for both.
        parsed = asn1_pkcs12.Pfx.load(data, strict=True)
        parsed["auth_safe"]["content_type"].native  # noqa: B018 - forces the parse
    except Exception as exc:
        raise _not_pkcs12() from exc
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            data, password.encode("utf-8") if password else None
        )
    except ValueError as exc:
        raise DomainError(
            "the password of the certificate file is wrong",
            "Mật khẩu tệp chứng thư số không đúng",
            field="password",
        ) from exc
    except Exception as exc:
        raise _not_pkcs12() from exc
    if key is None:
        raise DomainError(
            "the certificate file holds no private key; export it with its private key",
            "Tệp chứng thư số không chứa khóa bí mật; hãy xuất tệp kèm khóa bí mật",
            field="file",
        )
    if certificate is None:
        raise DomainError(
            "the certificate file holds no certificate",
            "Tệp chứng thư số không chứa chứng thư số",
            field="file",
        )
    return key, certificate, list(chain)


def check_in_force(facts: Facts, *, at: datetime.datetime) -> None:
    if at < facts.not_before:
        raise DomainError(
            f"the certificate is valid only from {_date(facts.not_before)}",
            f"Chứng thư số chỉ có hiệu lực từ ngày {_date(facts.not_before)}",
            field="file",
        )
    if at > facts.not_after:
        raise DomainError(
            f"the certificate expired on {_date(facts.not_after)}",
            f"Chứng thư số đã hết hạn ngày {_date(facts.not_after)}",
            field="file",
        )


def check_usage(certificate: x509.Certificate) -> None:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise DomainError(
            "the certificate is not for signing (its key usage allows neither digital signature "
            "nor non-repudiation)",
            "Chứng thư số không dùng để ký (mục đích sử dụng khóa không có chữ ký số hay chống chối bỏ)",
            field="file",
        )


def _checked(data: bytes, password: str) -> tuple[x509.Certificate, Facts]:
    _, certificate, _ = open_pkcs12(data, password)
    facts = facts_of(certificate)
    check_in_force(facts, at=timezone.now())
    check_usage(certificate)
    return certificate, facts


def _fields(facts: Facts) -> dict:
    return {
        "certificate_pem": facts.pem,
        "subject_name": facts.common_name[:300],
        "organisation": facts.organisation[:300],
        "issuer_name": facts.issuer[:300],
        "serial": facts.serial,
        "not_before": facts.not_before,
        "not_after": facts.not_after,
    }


def upload_credential(*, user: AnyUser, pkcs12: bytes, password: str, label: str = "") -> Credential:
    """Keep a person's own key. Its password is checked now and never stored: the owner types it
    again at each signing. The same certificate uploaded again gives back the kept one."""
    _, facts = _checked(pkcs12, password)
    existing = Credential.objects.filter(owner=user, fingerprint=facts.fingerprint).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Credential.objects.create(
                owner=user,
                label=(label or facts.common_name)[:200],
                fingerprint=facts.fingerprint,
                pkcs12=vault.seal(pkcs12),
                secret=b"",
                created_by=user,
                **_fields(facts),
            )
    except IntegrityError:
        return Credential.objects.get(owner=user, fingerprint=facts.fingerprint)


def create_unit_credential(
    *, unit: Unit, pkcs12: bytes, password: str, label: str = "", by: AnyUser
) -> Credential:
    """Keep a key for a unit, usable by the unit's approvers without a password: the password is
    kept encrypted. Only an approver or administrator of the unit may do this."""
    if not can(by, APPROVE, unit):
        raise Forbidden(
            f"only approvers of {unit.name} may keep a signing key for it",
            f"Chỉ người phê duyệt của {unit.name} được lưu khóa ký cho đơn vị",
        )
    return keep_unit_key(unit=unit, pkcs12=pkcs12, password=password, label=label, by=by)


def keep_unit_key(
    *, unit: Unit, pkcs12: bytes, password: str, label: str = "", by: AnyUser | None
) -> Credential:
    """The keeping part of `create_unit_credential`, without its permission check: for the
    demo and operator commands that act as the system."""
    _, facts = _checked(pkcs12, password)
    existing = Credential.objects.filter(unit=unit, fingerprint=facts.fingerprint).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        return Credential.objects.create(
            unit=unit,
            label=(label or f"{unit.name} — {facts.common_name}")[:200],
            fingerprint=facts.fingerprint,
            pkcs12=vault.seal(pkcs12),
            secret=vault.seal(password.encode("utf-8")),
            created_by=by,
            **_fields(facts),
        )


def deactivate_credential(*, credential: Credential, by: AnyUser) -> Credential:
    """Stop using a key; signatures already made with it stay verifiable."""
    if not _may_use(by, credential) and not is_national_admin(by):
        raise Forbidden("this key is not yours", "Đây không phải khóa ký của bạn")
    with transaction.atomic():
        credential.is_active = False
        credential.save(update_fields=["is_active"])
    return credential


def add_trusted_root(*, certificate_pem: str | bytes, name: str, by: AnyUser) -> TrustedRoot:
    """Trust a certification authority: national administrators only. Adding it again reactivates it."""
    if not is_national_admin(by):
        raise Forbidden(
            "only national administrators choose the trusted certification authorities",
            "Chỉ quản trị viên cấp quốc gia chọn tổ chức chứng thực được tin cậy",
        )
    return trust_root(certificate_pem=certificate_pem, name=name, by=by)


def trust_root(*, certificate_pem: str | bytes, name: str, by: AnyUser | None) -> TrustedRoot:
    """The keeping part of `add_trusted_root`, without its permission check (demo, operators)."""
    certificate = load_certificate_text(certificate_pem)
    facts = facts_of(certificate)
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        is_ca = constraints.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise DomainError(
            "the certificate is not a certification authority's (no CA basic constraint)",
            "Chứng thư số này không phải của tổ chức chứng thực (không có ràng buộc CA)",
            field="file",
        )
    with transaction.atomic():
        root, created = TrustedRoot.objects.get_or_create(
            fingerprint=facts.fingerprint,
            defaults={
                "name": (name or facts.common_name)[:200],
                "certificate_pem": facts.pem,
                "subject_name": facts.common_name[:300],
                "not_after": facts.not_after,
                "added_by": by,
            },
        )
        if not created and not root.is_active:
            root.is_active = True
            root.save(update_fields=["is_active"])
    return root


def remove_trusted_root(*, root: TrustedRoot, by: AnyUser) -> TrustedRoot:
    """Stop trusting an authority; it stays listed as inactive."""
    if not is_national_admin(by):
        raise Forbidden(
            "only national administrators choose the trusted certification authorities",
            "Chỉ quản trị viên cấp quốc gia chọn tổ chức chứng thực được tin cậy",
        )
    with transaction.atomic():
        root.is_active = False
        root.save(update_fields=["is_active"])
    return root


def _may_use(user: AnyUser | None, credential: Credential) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if credential.owner_id is not None:
        return credential.owner_id == user.pk
    return can(user, APPROVE, credential.unit)


def get_credential(*, credential_id: int, user: AnyUser) -> Credential:
    credential = Credential.objects.select_related("unit", "owner").filter(pk=credential_id).first()
    if credential is None or not _may_use(user, credential):
        raise NotFound(f"no signing key {credential_id}", f"Không có khóa ký {credential_id}")
    return credential


def sign_pdf(
    *,
    pdf: bytes,
    credential: Credential,
    password: str | None,
    user: AnyUser,
    reason: str,
    location: str,
    box: Box | None = None,
    field_name: str = "ChuKySo",
) -> bytes:
    """The PDF signed PAdES B-B (ETSI.CAdES.detached, SHA-256) with the signing time, reason and
    location; with `box` (page index from 0, rectangle in points) the signature shows on the page,
    otherwise it is invisible. Nothing is written to the database."""
    if not _may_use(user, credential):
        if credential.owner_id is not None:
            raise Forbidden(
                "only its owner may sign with a personal signing key",
                "Chỉ người sở hữu được ký bằng khóa ký cá nhân",
            )
        raise Forbidden(
            f"only approvers of {credential.unit.name} may sign with its key",
            f"Chỉ người phê duyệt của {credential.unit.name} được ký bằng khóa của đơn vị",
        )
    if not credential.is_active:
        raise DomainError(
            "this signing key is no longer in use",
            "Khóa ký này đã ngừng sử dụng",
            field="credential",
        )
    data = vault.unseal(credential.pkcs12)
    if credential.unit_id is not None:
        password = vault.unseal(credential.secret).decode("utf-8")
    elif not password:
        raise DomainError(
            "type the password of your certificate file to sign",
            "Hãy nhập mật khẩu tệp chứng thư số để ký",
            field="password",
        )
    _, certificate, _ = open_pkcs12(data, password)
    facts = facts_of(certificate)
    now = timezone.now().replace(microsecond=0)
    check_in_force(facts, at=now)
    check_usage(certificate)
    signer = signers.SimpleSigner.load_pkcs12_data(
        data, other_certs=[], passphrase=password.encode("utf-8") if password else None
    )
    return sign_document(
        pdf=pdf,
        signer=signer,
        signer_name=facts.common_name,
        reason=reason[:200],
        location=location[:200],
        field_name=field_name,
        box=box,
        signing_time=now,
    )


def record_check(*, file_name: str, sha256: str, summary: dict, by: AnyUser | None) -> SignatureCheck:
    with transaction.atomic():
        return SignatureCheck.objects.create(
            file_name=file_name[:255],
            sha256=sha256,
            signed=bool(summary.get("signed")),
            valid=bool(summary.get("valid")),
            result=summary,
            checked_by=by if by is not None and by.is_authenticated else None,
        )


def new_secret() -> str:
    return secrets.token_urlsafe(18)


DEMO_CA_NAME = "dxmonitor Demo CA (không dùng thật)"


@dataclass
class DemoKey:
    """A demo signing key: whose, where its PKCS#12 file is, and its password (demo only)."""

    holder: str
    common_name: str
    file: Path
    password: str
    credential: Credential


@dataclass
class DemoPki:
    directory: Path
    root: TrustedRoot
    ca_created: bool = False
    issued: int = 0
    keys: list[DemoKey] = field(default_factory=list)


def _read_passwords(path: Path) -> dict[str, str]:
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, password = line.strip().partition(" ")
            if name and password:
                known[name] = password
    return known


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def _demo_ca(directory: Path) -> tuple[pki.Issued, bool]:
    cert_path, key_path = directory / "demo-ca.pem", directory / "demo-ca.key.pem"
    if cert_path.exists() and key_path.exists():
        certificate = pki.load_pem(cert_path.read_text(encoding="ascii"))
        if certificate.not_valid_after_utc > timezone.now() + datetime.timedelta(days=30):
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            return pki.Issued(certificate, key), False  # type: ignore[arg-type]
    ca = pki.make_ca(common_name=DEMO_CA_NAME, organisation="dxmonitor")
    cert_path.write_text(ca.pem, encoding="ascii")
    _write_private(
        key_path,
        ca.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    return ca, True


def _demo_p12(
    *, ca: pki.Issued, fresh_ca: bool, path: Path, password: str, common_name: str, organisation: str
) -> tuple[bytes, bool]:
    """The demo key kept in `path`, issued again only when the CA is new or the key is near its end."""
    if path.exists() and not fresh_ca:
        data = path.read_bytes()
        try:
            _, certificate, _ = open_pkcs12(data, password)
        except DomainError:
            certificate = None
        if (
            certificate is not None
            and certificate.issuer == ca.certificate.subject
            and certificate.not_valid_after_utc > timezone.now() + datetime.timedelta(days=30)
        ):
            return data, False
    leaf = pki.issue(ca=ca, common_name=common_name, organisation=organisation, days=730)
    data = pki.export_pkcs12(leaf, password=password, chain=[ca.certificate])
    _write_private(path, data)
    return data, True


def _organisation_of(user: AnyUser) -> str:
    from dxmonitor.accounts.models import RoleAssignment

    assignment = RoleAssignment.objects.filter(user=user, unit__isnull=False).select_related("unit").first()
    return assignment.unit.name if assignment else "dxmonitor"


def create_demo_pki(*, directory: Path, people: list[tuple[str, str]], units: list[Unit]) -> DemoPki:
    """The demo's certification authority, trusted, and a signing key for each named user
    (username, full name) and each unit. PKCS#12 files and their passwords are written to
    `directory` (the passwords in passwords.txt, readable by the owner only): demo material,
    never for real documents. Running it again creates nothing new."""
    from django.contrib.auth import get_user_model

    directory.mkdir(parents=True, exist_ok=True)
    ca, fresh_ca = _demo_ca(directory)
    root = trust_root(certificate_pem=ca.pem, name=DEMO_CA_NAME, by=None)
    report = DemoPki(directory=directory, root=root, ca_created=fresh_ca)
    passwords_path = directory / "passwords.txt"
    passwords = _read_passwords(passwords_path)
    holders: list[tuple[str, str, str, object]] = []
    for username, full_name in people:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise NotFound(
                f"no user {username}; create the demo accounts first (dxmonitor demo)",
                f"Không có tài khoản {username}; hãy tạo các tài khoản mẫu trước (dxmonitor demo)",
            )
        holders.append((username, full_name, _organisation_of(user), user))
    for unit in units:
        holders.append((f"unit-{unit.code}", unit.name, unit.name, unit))
    for holder, common_name, organisation, target in holders:
        password = passwords.setdefault(holder, new_secret())
        data, issued = _demo_p12(
            ca=ca,
            fresh_ca=fresh_ca,
            path=directory / f"{holder}.p12",
            password=password,
            common_name=common_name,
            organisation=organisation,
        )
        report.issued += issued
        if isinstance(target, Unit):
            credential = keep_unit_key(
                unit=target, pkcs12=data, password=password, label=f"{common_name} (mẫu)", by=None
            )
        else:
            credential = upload_credential(
                user=target, pkcs12=data, password=password, label=f"{common_name} (mẫu)"
            )
        report.keys.append(DemoKey(holder, common_name, directory / f"{holder}.p12", password, credential))
    _write_private(
        passwords_path, "".join(f"{name} {password}\n" for name, password in passwords.items()).encode()
    )
    return report
