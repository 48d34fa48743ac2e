"""Digital signatures: verify a signed PDF, make the demo's certification authority and keys."""

import argparse
import json
from pathlib import Path

from .common import Adder, Subcommands, say


def cmd_signing_verify(args: argparse.Namespace) -> int:
    from dxmonitor.common.errors import DomainError
    from dxmonitor.signing.queries import verify_pdf
    from dxmonitor.signing.uploads import max_pdf_bytes

    path = Path(args.file)
    if not path.is_file():
        raise DomainError(f"no file {path}", f"Không có tệp {path}")
    if path.stat().st_size > max_pdf_bytes():
        raise DomainError(
            f"{path} is larger than DXM_MAX_UPLOAD_MB", f"Tệp {path} lớn hơn giới hạn DXM_MAX_UPLOAD_MB"
        )
    result = verify_pdf(pdf=path.read_bytes())
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0 if result.valid else 1
    verdict = "VALID" if result.valid else ("NOT SIGNED" if not result.signed else "INVALID")
    say(f"{path.name}: {verdict} ({len(result.signatures)} signature(s)), sha256 {result.sha256}")
    for s in result.signatures:
        when = s.signing_time.strftime("%d/%m/%Y %H:%M") if s.signing_time else "-"
        say(
            f"  {s.field_name}: {'valid' if s.valid else 'invalid'}; signer {s.signer}"
            + (f" ({s.organisation})" if s.organisation else "")
            + f"; signed {when}; issuer {s.issuer}, serial {s.serial}"
        )
        say(
            f"    intact {'yes' if s.intact else 'no'}, trusted {'yes' if s.trusted else 'no'}, "
            f"modified after signing {'yes' if s.modified_after_signing else 'no'} ({s.modification})"
        )
        if s.reason:
            say(f"    reason: {s.reason}")
    for problem in result.problems:
        say(f"  - {problem.message_en} / {problem.message_vi}")
    return 0 if result.valid else 1


def cmd_signing_demo_pki(args: argparse.Namespace) -> int:
    from dxmonitor.signing.demo import create_demo_signing_keys

    report = create_demo_signing_keys(directory=Path(args.directory) if args.directory else None)
    say(
        f"demo certification authority {'created' if report.ca_created else 'already there'} and trusted; "
        f"{report.issued} certificate(s) issued; files in {report.directory}"
    )
    for key in report.keys:
        say(f"  {key.holder}: {key.common_name}, {key.file.name}, password {key.password}")
    say("demo keys only: never sign a real document with them")
    return 0


def register(sub: Subcommands, add: Adder) -> None:
    signing = sub.add_parser("signing", help="digital signatures").add_subparsers(
        dest="signing_command", required=True
    )
    verify = add(
        "verify", cmd_signing_verify, "check the digital signatures of a PDF (exit 1 if not valid)", signing
    )
    verify.add_argument("file", help="the signed PDF")
    verify.add_argument("--json", action="store_true", help="print the verification as JSON")
    demo = add(
        "demo-pki",
        cmd_signing_demo_pki,
        "make the demo certification authority, trust it, and give the demo accounts signing keys",
        signing,
    )
    demo.add_argument("--directory", help="where the PKCS#12 files and passwords go (default: var/demo-pki)")
