"""The edge: everything between the HTTP request and a thin handler, in one package.

Request ids and ``Prefer`` (``request``), the journal (``journal``), who is calling
(``auth``), FastAPI-shaped validation (``validation``, ``fastapi_errors``), the envelope and
its encoding (``envelope``), the handler wrapper (``operation``), scripted and preferred answers
(``scripted``, ``dynamic``), which requests run on the event loop (``scheduling``), and the one
error exit (``exit``, with its table in ``errors``). ``api/`` and ``control/`` build on it;
neither knows the other.
"""
