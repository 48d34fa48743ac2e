"""Encryption of the keys kept in the database.

PKCS#12 files and unit keys' passwords are stored encrypted with Fernet (AES-128-CBC with an
HMAC-SHA256), under a key derived from the installation's SECRET_KEY by HKDF-SHA256 with a fixed
label. A copy of the database alone therefore does not give the keys away; but if SECRET_KEY
changes, the stored keys can no longer be opened and must be uploaded again.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from dxmonitor.common.errors import DomainError

INFO = b"dxmonitor signing keys"


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(data: bytes) -> bytes:
    return _fernet(settings.SECRET_KEY).encrypt(data)


def unseal(token: bytes | memoryview) -> bytes:
    # PostgreSQL hands BinaryField values back as memoryview.
    try:
        return _fernet(settings.SECRET_KEY).decrypt(bytes(token))
    except InvalidToken as exc:
        raise DomainError(
            "the stored key cannot be opened: the installation's secret key changed since it was "
            "uploaded; upload the certificate file again",
            "Không mở được khóa đã lưu: khóa bí mật của hệ thống đã thay đổi kể từ khi tải lên; "
            "hãy tải lại tệp chứng thư số",
        ) from exc
