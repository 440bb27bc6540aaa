"""The fixtures kit's own tests: the plugin runs as a user's suite would, through pytester
(enabled in tests/conftest.py)."""
