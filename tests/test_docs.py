"""The README and docs/ say what the code does today: an undocumented command or setting fails here."""

import argparse
import re
from pathlib import Path

from dxmonitor.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = command_paths(sub, (*prefix, name))
                paths.extend(nested or [(*prefix, name)])
    return paths


def options_of(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[str]:
    current = parser
    for name in path:
        sub = next(a for a in current._actions if isinstance(a, argparse._SubParsersAction))
        current = sub.choices[name]
    return [o for a in current._actions for o in a.option_strings if o.startswith("--") and o != "--help"]


def test_every_cli_command_and_option_is_documented():
    docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    parser = build_parser()
    paths = command_paths(parser)
    assert ("units", "load") in paths and ("demo",) in paths
    for path in paths:
        heading = "## `dxmonitor " + " ".join(path)
        assert heading in docs, f"docs/cli.md lacks a section for dxmonitor {' '.join(path)}"
        section = docs.split(heading, 1)[1].split("\n## ", 1)[0]
        for option in options_of(parser, path):
            assert f"`{option}" in section, (
                f"docs/cli.md does not explain {option} of dxmonitor {' '.join(path)}"
            )


def test_every_setting_is_documented():
    settings_source = (ROOT / "src" / "dxmonitor" / "settings.py").read_text(encoding="utf-8")
    runner_source = (ROOT / "scripts" / "run_tests.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:_flag)?\("([A-Z_]+)"', settings_source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', runner_source))
    assert {"DATABASE_URL", "DXM_SECRET_KEY", "DXM_VAR_DIR"} <= names
    docs = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if f"`{n}`" not in docs)
    assert not missing, f"docs/settings.md lacks {missing}"


def test_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:sh)?\n(.*?)```", readme, flags=re.S)
    assert first_block and readme.index("```") < readme.index("\n## ")
    assert first_block.group(1).split() == ["make", "demo", "make", "test"]


def test_every_make_target_in_the_readme_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"`make (\w+)`", readme):
        assert re.search(rf"^{target}:", makefile, flags=re.M), (
            f"README names make {target}, Makefile lacks it"
        )


def test_every_api_path_is_documented():
    from dxmonitor.api import api

    docs = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        short = path.removeprefix("/api/v1")
        short = re.sub(
            r"\{(\w+)\}", lambda m: "{id}" if m.group(1).endswith("_id") else "{" + m.group(1) + "}", short
        )
        for method in operations:
            assert f"{method.upper()} {short}" in docs, f"docs/api.md lacks {method.upper()} {short}"


def test_every_app_is_on_the_architecture_map():
    """docs/architecture.md names every package under src/dxmonitor and every installed app."""
    from django.conf import settings

    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    source = ROOT / "src" / "dxmonitor"
    packages = {p.name for p in source.iterdir() if (p / "__init__.py").exists()}
    apps = {name.split(".")[1] for name in settings.INSTALLED_APPS if name.startswith("dxmonitor.")}
    assert {"collection", "web"} <= packages and apps <= packages
    missing = sorted(name for name in packages | apps if f"`{name}`" not in doc)
    assert not missing, f"docs/architecture.md does not describe {missing}"
