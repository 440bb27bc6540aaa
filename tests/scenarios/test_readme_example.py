"""The README's scenario-format example is a real scenario: it loads, and replays green."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from mockserver.cli import main
from mockserver.scenarios import parse

README = Path(__file__).resolve().parents[2] / "README.md"


def example() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- scenario-example -->\n```yaml\n(.*?)```", text, re.DOTALL)
    assert found, "README.md lost its scenario example"
    return found.group(1)


def test_the_readme_example_uses_every_part_the_format_section_names():
    data = parse(example(), "README.md")
    kinds = {kind for step in data["steps"] for kind in ("request", "hosted_page", "clock")
             if kind in step}
    assert kinds == {"request", "hosted_page", "clock"}
    assert data["tenants"] and data["clock"] and data["providers"]
    assert any("capture" in step for step in data["steps"])


def test_the_readme_example_replays_green(tmp_path):
    path = tmp_path / "first-card-declined.yaml"
    path.write_text(example(), encoding="utf-8")
    done = CliRunner().invoke(main, ["replay", str(path)])
    assert done.exit_code == 0, done.output
    assert "7 passed, 0 failed, 0 skipped" in done.output
