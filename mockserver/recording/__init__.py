"""Recording a session into a scenario: a browser's HAR export, or the recording proxy.

    recording = record_har("session.har", name="mollie-setup")
    Path("mollie-setup.yaml").write_text(recording.text)

See ``recorder.py`` for what becomes of each request, ``redact.py`` for what never reaches
the file, and ``proxy.py`` for recording clients that cannot export HAR.
"""

from __future__ import annotations

from pathlib import Path

from mockserver.recording.exchanges import Exchange, RecordingError, read_har
from mockserver.recording.finished import Recording, finish
from mockserver.recording.recorder import Recorder

__all__ = ["Exchange", "Recorder", "Recording", "RecordingError", "read_har", "record_har",
           "record_exchanges"]


def record_exchanges(exchanges, name: str, source: str) -> Recording:
    recorder = Recorder(name, source)
    for exchange in exchanges:
        recorder.add(exchange)
    return finish(recorder)


def record_har(path: str | Path, name: str) -> Recording:
    """The scenario ``name`` of the HAR file at ``path``."""
    return record_exchanges(read_har(path), name, Path(path).name)
