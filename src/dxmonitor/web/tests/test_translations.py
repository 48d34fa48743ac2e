"""The Vietnamese interface is complete, and the committed .mo says what the .po says.

Vietnamese is the default language: an untranslated or fuzzy string shows English to an
official who may not read it, and a stale .mo (the .po edited, compilemessages forgotten)
shows old wording on every machine that has no gettext to rebuild it.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
VI_PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"
VI_MO = VI_PO.with_suffix(".mo")
EN_PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
TEMPLATES = PACKAGE / "web" / "templates"

# ---------------------------------------------------------------------------------------------
# A small .po reader: enough for what makemessages writes (context, plurals, flags, wrapping).


def _unquote(token: str) -> str:
    if not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"not a PO string: {token!r}")
    return ast.literal_eval(token)


def parse_po(path: Path) -> list[dict]:
    """Entries in file order: {"msgctxt", "msgid", "msgid_plural", "msgstr": {index: text}, "flags"}."""
    entries: list[dict] = []
    entry: dict | None = None
    field: tuple[str, int | None] | None = None

    def start() -> dict:
        return {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set()}

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            raise AssertionError(f"{path.name}:{number}: obsolete entry left in the catalogue")
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        opens = line.startswith("#") or (match is not None and match.group(1) in {"msgctxt", "msgid"})
        if opens and (entry is None or entry["msgstr"]):
            # A comment, context or msgid after a finished entry starts the next one.
            if entry is not None:
                entries.append(entry)
            entry = start()
            field = None
        if line.startswith("#"):
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if match:
            keyword, index, token = match.group(1), match.group(2), match.group(3)
            assert entry is not None
            text = _unquote(token)
            if keyword == "msgstr":
                field = ("msgstr", int(index) if index is not None else 0)
                entry["msgstr"][field[1]] = text
            else:
                field = (keyword, None)
                entry[keyword] = text
            continue
        if line.startswith('"') and field is not None and entry is not None:
            text = _unquote(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += text
            else:
                entry[field[0]] += text
            continue
        raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    if entry is not None:
        entries.append(entry)
    return entries


def _key(entry: dict) -> str:
    return entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"


def _messages(path: Path) -> list[dict]:
    return [e for e in parse_po(path) if e["msgid"] != ""]


def _header(path: Path) -> dict:
    return next(e for e in parse_po(path) if e["msgid"] == "")


# ---------------------------------------------------------------------------------------------
# The msgids the code asks for.

_LITERAL_TRANSLATE = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1[^%]*%\}""", re.S)
_UNDERSCORE = re.compile(r"""_\((["'])(.*?)\1\)""")
_BLOCK = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b([^%]*)%\}(.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
_PLURAL = re.compile(r"\{%\s*plural\s*%\}")
_VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _block_msgid(body: str, trimmed: bool) -> str:
    if trimmed:
        body = " ".join(line.strip() for line in body.strip().splitlines() if line.strip())
    return _VARIABLE.sub(lambda m: f"%({m.group(1)})s", body.replace("%", "%%"))


def template_msgids() -> dict[str, set[str]]:
    """msgid (or "singular\\x00plural") → templates that use it."""
    found: dict[str, set[str]] = {}
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates, f"no templates under {TEMPLATES}"
    for template in templates:
        source = template.read_text(encoding="utf-8")
        name = template.relative_to(TEMPLATES).as_posix()
        for match in _LITERAL_TRANSLATE.finditer(source):
            found.setdefault(match.group(2), set()).add(name)
        for match in _UNDERSCORE.finditer(source):
            found.setdefault(match.group(2), set()).add(name)
        for match in _BLOCK.finditer(source):
            options, body = match.group(1), match.group(2)
            trimmed = "trimmed" in options.split()
            parts = _PLURAL.split(body)
            msgid = "\x00".join(_block_msgid(part, trimmed) for part in parts)
            found.setdefault(msgid, set()).add(name)
    return found


_GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}


def python_msgids() -> dict[str, set[str]]:
    """Literal msgids passed to gettext functions in the package's code (tests and migrations aside)."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if {"tests", "migrations", "var"} & set(relative.parts[:-1]):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in _GETTEXT_NAMES:
                continue
            literals = [
                a.value for a in node.args[:2] if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if not literals:
                continue
            msgid = (
                "\x00".join(literals) if name.startswith("ngettext") and len(literals) == 2 else literals[0]
            )
            found.setdefault(msgid, set()).add(relative.as_posix())
    return found


def _po_msgids(path: Path) -> set[str]:
    ids = set()
    for e in _messages(path):
        ids.add(e["msgid"] if e["msgid_plural"] is None else f"{e['msgid']}\x00{e['msgid_plural']}")
    return ids


# ---------------------------------------------------------------------------------------------
# The catalogue itself.


def test_the_reader_understands_the_catalogue_format(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        '# header\nmsgid ""\nmsgstr ""\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: a.html:1\n#, python-format\nmsgid ""\n"long "\n"%(n)s \\"text\\""\n'
        'msgstr "dài %(n)s \\"chữ\\""\n\n'
        '#, fuzzy\nmsgid "unit"\nmsgid_plural "units"\nmsgstr[0] "đơn vị"\n\n'
        'msgctxt "menu"\nmsgid "Main"\nmsgstr ""\n',
        encoding="utf-8",
    )
    header, long, plural, context = parse_po(po)
    assert header["msgid"] == "" and "nplurals=1" in header["msgstr"][0]
    assert long["msgid"] == 'long %(n)s "text"' and long["msgstr"] == {0: 'dài %(n)s "chữ"'}
    assert long["flags"] == {"python-format"}
    assert (
        plural["msgid_plural"] == "units" and plural["msgstr"] == {0: "đơn vị"} and "fuzzy" in plural["flags"]
    )
    assert context["msgctxt"] == "menu" and context["msgstr"] == {0: ""}


def test_vietnamese_catalogue_has_one_plural_form():
    header = _header(VI_PO)["msgstr"][0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "Language: vi\n" in header
    assert "charset=UTF-8" in header


def test_every_vietnamese_msgid_is_translated_and_not_fuzzy():
    entries = _messages(VI_PO)
    assert len(entries) > 100, "the Vietnamese catalogue looks truncated"
    problems = []
    for e in entries:
        if "fuzzy" in e["flags"]:
            problems.append(f"fuzzy: {e['msgid']!r}")
        if e["msgid_plural"] is not None and sorted(e["msgstr"]) != [0]:
            problems.append(f"Vietnamese has one plural form, got {sorted(e['msgstr'])}: {e['msgid']!r}")
        if not e["msgstr"] or any(not text.strip() for text in e["msgstr"].values()):
            problems.append(f"untranslated: {e['msgid']!r}")
    header = _header(VI_PO)
    if "fuzzy" in header["flags"]:
        problems.append("the header is marked fuzzy")
    assert not problems, "\n".join(problems)


def test_translations_keep_their_placeholders():
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    problems = []
    for e in _messages(VI_PO):
        wanted = sorted(placeholder.findall(e["msgid"]))
        for text in e["msgstr"].values():
            if sorted(placeholder.findall(text)) != wanted:
                problems.append(f"{e['msgid']!r} → {text!r}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po():
    """django.mo is committed; it must hold exactly the translations in django.po."""
    assert VI_MO.exists(), "locale/vi/LC_MESSAGES/django.mo is missing: run `make messages`"
    with VI_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    in_mo = {key: text for key, text in compiled._catalog.items() if key != ""}

    in_po = {}
    for e in _messages(VI_PO):
        if "fuzzy" in e["flags"] or not all(e["msgstr"].values()):
            continue  # msgfmt leaves these out; the test above reports them
        if e["msgid_plural"] is None:
            in_po[_key(e)] = e["msgstr"][0]
        else:
            for index, text in e["msgstr"].items():
                in_po[(_key(e), index)] = text

    stale = {
        k: (in_po.get(k), in_mo.get(k)) for k in in_po.keys() | in_mo.keys() if in_po.get(k) != in_mo.get(k)
    }
    assert not stale, (
        "django.mo differs from django.po (run `make messages` and commit the .mo): "
        + "; ".join(f"{k!r}: po={po!r} mo={mo!r}" for k, (po, mo) in sorted(stale.items(), key=str)[:20])
    )
    assert compiled.ngettext("%(shown)s unit", "%(shown)s units", 5) == "%(shown)s đơn vị"


def test_english_catalogue_exists_and_compiles():
    assert _po_msgids(EN_PO) == _po_msgids(VI_PO), "en and vi catalogues list different msgids"
    with EN_PO.with_suffix(".mo").open("rb") as handle:
        gettext.GNUTranslations(handle)


# ---------------------------------------------------------------------------------------------
# The code against the catalogue.


def test_every_template_string_is_in_the_catalogue():
    used = template_msgids()
    assert "Administrative units" in used and "%(shown)s unit\x00%(shown)s units" in used
    known = _po_msgids(VI_PO)
    missing = {msgid: sorted(where) for msgid, where in used.items() if msgid not in known}
    assert not missing, "run `make messages` and translate: " + "; ".join(
        f"{msgid!r} ({', '.join(where)})" for msgid, where in sorted(missing.items())
    )


def test_every_python_string_is_in_the_catalogue():
    used = python_msgids()
    assert "No such indicator." in used
    known = _po_msgids(VI_PO)
    missing = {msgid: sorted(where) for msgid, where in used.items() if msgid not in known}
    assert not missing, "run `make messages` and translate: " + "; ".join(
        f"{msgid!r} ({', '.join(where)})" for msgid, where in sorted(missing.items())
    )


def test_levels_translated_from_variables_are_in_the_catalogue():
    """Templates write {% translate t.level %}: the stored level codes must be msgids."""
    from dxmonitor.geo.models import Level

    translated = {e["msgid"]: e["msgstr"][0] for e in _messages(VI_PO)}
    assert {level: translated.get(level) for level in Level.values} == {
        "province": "tỉnh",
        "district": "huyện",
        "commune": "xã",
        "village": "thôn, bản",
    }


def test_synthetic_data_label():
    translated = {e["msgid"]: e["msgstr"][0] for e in _messages(VI_PO)}
    assert translated["synthetic data"] == "dữ liệu mô phỏng"


# ---------------------------------------------------------------------------------------------
# What a visitor sees.


@pytest.mark.django_db
def test_pages_are_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/").content.decode()
    assert '<html lang="vi">' in page
    for text in ("Đơn vị hành chính", "Chỉ tiêu", "Tìm kiếm", "Đăng nhập", "Cơ cấu đến 30/06/2025"):
        assert text in page, text
    assert "Administrative units" not in page

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"

    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    for text in ("Administrative units", "Indicators", "Log in", "Structure until 30/06/2025"):
        assert text in page, text
    assert "Đơn vị hành chính" not in page

    client.post("/i18n/setlang/", {"language": "vi", "next": "/units/"})
    page = client.get("/units/").content.decode()
    assert re.search(r"\d+ đơn vị · có hiệu lực vào ngày", page), "unit count line not in Vietnamese"
