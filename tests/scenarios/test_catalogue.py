"""The library's names and file paths, read as package data (``importlib.resources``)."""

from __future__ import annotations

import shutil

import pytest

from mockserver.scenarios import LIBRARY_DIR, ScenarioError, describe_all, load_file, resolve
from mockserver.scenarios import loader, watcher
from mockserver.settings import Settings


def test_a_name_resolves_into_the_library_and_every_file_there_is_listed():
    assert resolve("dunning") == LIBRARY_DIR / "dunning.yaml"
    assert {entry["name"] for entry in describe_all()} == {
        e.name.removesuffix(".yaml") for e in LIBRARY_DIR.iterdir() if e.name.endswith(".yaml")}


def test_a_path_to_a_file_is_taken_as_it_is(tmp_path):
    mine = tmp_path / "dunning.yaml"
    shutil.copyfile(LIBRARY_DIR / "dunning.yaml", mine)
    assert resolve(str(mine)) == mine


@pytest.mark.parametrize("scenario", ["dunning", "path"])
def test_serve_takes_a_library_name_or_a_file_path(tmp_path, scenario):
    if scenario == "path":
        scenario = str(tmp_path / "my-world.yaml")
        shutil.copyfile(LIBRARY_DIR / "dunning.yaml", scenario)
    store = watcher.store_for(Settings(scenario=scenario))
    assert store.scenario == "dunning" and "dunning-token" in store.tokens


def test_a_file_over_the_bound_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("name: big\n" + "#" * 100)
    with pytest.raises(ScenarioError, match="larger than 100 bytes"):
        load_file(path)
    path.write_text("name: [unclosed" + " " * 80)
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_file(path)  # within the bound: parsed (and refused for what it says)
