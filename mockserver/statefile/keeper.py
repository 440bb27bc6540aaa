"""Reading and writing the state file, and the keeper that writes it while the server runs."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.services.world import World
from mockserver.state import Snapshot, Store
from mockserver.statefile.codec import FormatError
from mockserver.statefile.world import decode_document, document_of, encode_document, world_of

log = logging.getLogger("billing_mock")
SAVE_EVERY = 1.0  # seconds: a kill -9 loses at most the changes of the last one
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class StateFileError(Exception):
    """A state file that cannot be loaded: nothing of it was used."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        super().__init__(f"state file {path} refused: {problem}")


def load_state(path: str | os.PathLike, max_tenants: int, outbox_size: int,
               start: Snapshot | None = None) -> Store | None:
    """The world saved in ``path`` as a new store (None: there is no such file yet); its
    ``start`` is the file's, else ``start``. A corrupt or foreign file raises
    :class:`StateFileError` and nothing of it is used."""
    path = Path(path)
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StateFileError(path, f"cannot read it ({exc.strerror})") from None
    try:  # UTF-8 only: json.loads would take UTF-16 and UTF-32 bytes too
        raw = json.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StateFileError(path, f"not UTF-8 (byte {exc.start}); the file is UTF-8 JSON"
                             ) from None
    except (ValueError, RecursionError) as exc:
        raise StateFileError(path, f"not JSON ({exc})") from None
    try:
        return decode_document(raw, max_tenants, outbox_size, start)
    except FormatError as exc:
        raise StateFileError(path, str(exc)) from None


def save_state(path: str | os.PathLike, store: Store) -> int:
    """Write the world to ``path`` by atomic replace (a reader, or a crash, sees the old file
    or the new one, never half of one). Answers the bytes written."""
    return write_document(path, encode_document(store))


def write_document(path: str | os.PathLike, document: dict) -> int:
    """Write a state file's document to ``path`` by atomic replace; the bytes written."""
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(directory)
    return len(data)


def _sync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class StateKeeper:
    """Writes the world to the state file after each batch of changes: a request that may
    change it (``touch``) or a change of the whole world (the generation) marks it, and a
    background thread writes at most once per ``interval``. ``stop`` writes a last time."""

    def __init__(self, world: World, path: str | os.PathLike,
                 interval: float = SAVE_EVERY) -> None:
        self.world, self.path, self.interval = world, Path(path), interval
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._seen_generation = world.generation
        self._thread: threading.Thread | None = None
        self._start: tuple[Snapshot | None, dict | None] = (None, None)  # encoded once
        self.saves = 0
        self.error: str | None = None  # why the last save failed (None: it did not)

    def touch(self) -> None:
        """Something may have changed the world: write it within ``interval``."""
        self._changed.set()

    def start(self) -> "StateKeeper":
        self._thread = threading.Thread(target=self._run, daemon=True, name="state-file")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.save()

    def save(self) -> None:
        """Write the world now. Never raises: a save that fails is logged (once per distinct
        reason), kept in ``error`` (``/_mock/health`` shows it) and tried again within
        ``interval``; the server and this keeper go on."""
        self._changed.clear()
        store = self.world.store
        try:
            with store.lock:  # a pickled snapshot is quick; it is encoded outside the lock
                self._seen_generation = store.generation
                current, start = store.snapshot(), store.start
            if start is not self._start[0]:
                self._start = (start, world_of(start) if start is not None else None)
            write_document(self.path, document_of(current, self._start[1]))
        except Exception as exc:  # noqa: BLE001 - whatever it is, the next save may work
            error = f"{type(exc).__name__}: {exc}"
            if error != self.error:
                log.error("state file %s not written: %s", self.path, error,
                          exc_info=not isinstance(exc, (OSError, FormatError)))
            self.error = error
            self._changed.set()  # try again within ``interval``
            return
        self.saves += 1
        if self.error is not None:
            log.warning("state file %s written again", self.path)
        self.error = None

    def status(self) -> dict:
        """What ``/_mock/health`` shows of the keeper (a lock-free read)."""
        return {"saves": self.saves, "error": self.error}

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self._changed.is_set() or self.world.generation != self._seen_generation:
                self.save()


class StateFileBackend:
    """The world kept in a state file (``serve --state-file PATH``): loaded from it at start
    when it exists, written back after changes and on shutdown (the ``Backend`` interface of
    ``mockserver.services.world``)."""

    name = "file"

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.keeper: StateKeeper | None = None
        self.loaded = False  # the world came from the file

    def open(self, store: Store) -> Store:
        """``store``, holding the file's world if there is one (its start stays the one
        ``store`` has, unless the file has its own); a bad file raises ``StateFileError``."""
        if not self.path.parent.is_dir():  # found at start, not at the first save
            raise StateFileError(self.path, f"its folder {self.path.parent} does not exist")
        saved = load_state(self.path, store.max_tenants, store.outbox_size, store.start)
        if saved is not None:
            store.replace_world(saved)
            self.loaded = True
        return store

    def start(self, world: World) -> None:
        self.keeper = StateKeeper(world, self.path).start()

    def stop(self) -> None:
        if self.keeper is not None:
            self.keeper.stop()  # the last changes, before the workers go

    def touch(self) -> None:
        if self.keeper is not None:
            self.keeper.touch()


class ChangeNotifier:
    """Tells the keeper after every request that may have changed the world (any method
    but GET, HEAD and OPTIONS, on any path: the API, /_mock, the hosted pages)."""

    def __init__(self, app: ASGIApp, keeper: "StateKeeper | StateFileBackend") -> None:
        self.app, self.keeper = app, keeper

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
                self.keeper.touch()


__all__ = ["ChangeNotifier", "SAVE_EVERY", "StateFileBackend", "StateFileError", "StateKeeper",
           "load_state", "save_state", "write_document"]
