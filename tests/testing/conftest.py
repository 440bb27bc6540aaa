"""The fixtures kit's own tests: the plugin runs as a user's suite would, through pytester
(enabled in tests/conftest.py)."""

# pytester's in-process runs put ``sys.modules`` back after each run. httpx imports httpcore
# lazily and keeps the exception classes of the first httpcore it saw; imported first inside an
# inner run, a later run would get a fresh httpcore whose errors httpx no longer recognises (a
# refused connection while a server starts would escape as a raw ``httpcore.ConnectError``).
# Imported here, every inner run shares this one.
import httpcore  # noqa: F401
