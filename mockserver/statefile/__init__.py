"""The state file: the whole world on disk, so a developer's world survives a restart.

``serve --state-file PATH`` loads the world from PATH at start (when the file exists) and
writes it back after each batch of changes (at most once a second) and on shutdown, by
atomic replace. The format is versioned JSON (``world.py``; README "The state file").
"""

from mockserver.statefile.codec import FormatError
from mockserver.statefile.keeper import (
    StateFileBackend,
    StateFileError,
    StateKeeper,
    load_state,
    save_state,
)
from mockserver.statefile.world import FORMAT, VERSION, decode_document, encode_document

__all__ = ["FORMAT", "FormatError", "StateFileBackend", "StateFileError", "StateKeeper", "VERSION",
           "decode_document", "encode_document", "load_state", "save_state"]
