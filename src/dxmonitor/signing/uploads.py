"""Uploaded files of the signing pages and API, read only when within their size bounds."""

from django.conf import settings

from dxmonitor.common.errors import DomainError

from .actions import MAX_PKCS12_BYTES

MAX_CERTIFICATE_BYTES = 64 * 1024


class TooLarge(DomainError):
    status = 413


def max_pdf_bytes() -> int:
    return int(settings.DXM_MAX_UPLOAD_MB) * 1024 * 1024


def _missing() -> DomainError:
    return DomainError("choose a file to upload", "Hãy chọn tệp để tải lên", field="file")


def read_pdf_upload(upload) -> bytes:
    if upload is None:
        raise _missing()
    limit = settings.DXM_MAX_UPLOAD_MB
    if (upload.size or 0) > max_pdf_bytes():
        raise TooLarge(
            f"the file is {upload.size / 1024 / 1024:.1f} MB; at most {limit} MB are accepted",
            f"Tệp nặng {upload.size / 1024 / 1024:.1f} MB; chỉ nhận tệp tối đa {limit} MB",
            field="file",
        )
    return upload.read()


def read_pkcs12_upload(upload) -> bytes:
    if upload is None:
        raise _missing()
    if (upload.size or 0) > MAX_PKCS12_BYTES:
        raise TooLarge(
            f"a certificate file (.p12/.pfx) is at most {MAX_PKCS12_BYTES // 1024} kB",
            f"Tệp chứng thư số (.p12/.pfx) chỉ tối đa {MAX_PKCS12_BYTES // 1024} kB",
            field="file",
        )
    return upload.read()


def read_certificate_upload(upload) -> bytes:
    if upload is None:
        raise _missing()
    if (upload.size or 0) > MAX_CERTIFICATE_BYTES:
        raise TooLarge(
            f"a certificate (.pem/.crt) is at most {MAX_CERTIFICATE_BYTES // 1024} kB",
            f"Tệp chứng thư số (.pem/.crt) chỉ tối đa {MAX_CERTIFICATE_BYTES // 1024} kB",
            field="file",
        )
    return upload.read()
