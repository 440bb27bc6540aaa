"""Scenario files: scripted worlds that QA can load, drive and replay.

A file is validated as a whole (``scenario.schema.json`` here, plus checks against the API
document and the provider simulations) before anything is built, and the world is built by
walking the real domain transitions, so numbers and totals are what the rules give.
"""

from mockserver.scenarios.builder import build_store
from mockserver.scenarios.catalogue import LIBRARY_DIR, describe_all, resolve, resolve_served
from mockserver.scenarios.loader import ScenarioError, load_file, parse, parse_behaviour

__all__ = ["ScenarioError", "LIBRARY_DIR", "build_store", "describe_all", "load_file", "parse",
           "parse_behaviour", "resolve", "resolve_served"]
