"""Summarise a py-spy ``--format raw`` profile (collapsed stacks): inclusive and self shares.

``python bench/stacks.py PROFILE.txt [--top 40] [--match TEXT ...]``

Inclusive: share of samples with the frame anywhere on the stack (counted once per sample).
Self: share of samples with the frame as the leaf. ``--match`` prints the inclusive share of
every frame whose text contains TEXT (e.g. ``--match validate jsonify``).
``--buckets`` attributes every sample to the innermost frame that falls in a named bucket
(see BUCKETS), which adds up to 100%.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# Innermost match wins: a sample in json.dumps called by our envelope counts as "json encode".
BUCKETS = [
    ("json encode (stdlib json, Connexion jsonifier)", r"\(json/|jsonifier\.py"),
    ("response validation", r"validators/.*response|ResponseValidat"),
    ("request validation (jsonschema, our validators)", r"jsonschema|mockserver/api/validation\.py|"
     r"validation_errors\.py|connexion/validators/|RequestValidationOperation|"
     r"connexion/middleware/request_validation\.py"),
    ("security (Connexion security + our token lookup)", r"connexion/security|"
     r"connexion/middleware/security\.py|mockserver/auth\.py"),
    ("our handler + serialisation (api/, services/, domain/, representations)",
     r"mockserver/(api/(invoices|profile|payments|overview|representations|envelope)|services/|"
     r"domain/|state\.py)"),
    ("Prefer/behaviour interception (control/intercept.py)", r"mockserver/control/intercept\.py"),
    ("operation wrapper (api/operation.py)", r"mockserver/api/operation\.py"),
    ("journal middleware", r"mockserver/control/journal\.py"),
    ("request-id middleware", r"mockserver/api/middleware\.py"),
    ("Flask/Werkzeug request handling", r"flask/|werkzeug/"),
    ("Connexion Flask decorators/parameter binding", r"connexion/decorators|"
     r"connexion/frameworks|connexion/apps/flask\.py|connexion/lifecycle\.py|connexion/context"),
    ("a2wsgi bridge (thread pool, WSGI<->ASGI)", r"a2wsgi/"),
    ("Connexion routing/middleware stack", r"connexion/middleware/|connexion/apps/abstract\.py|"
     r"connexion/operations"),
    ("Starlette middleware/routing (CORS, exceptions, Router)", r"starlette/"),
    ("uvicorn + httptools protocol, logging", r"uvicorn/|httptools|logging/"),
    ("asyncio event loop / threads", r"asyncio/|threading\.py|concurrent/|uvloop"),
]


def parse(path: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count = line.rpartition(" ")
        samples.append((stack.split(";"), int(count)))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", nargs="*", default=[])
    parser.add_argument("--buckets", action="store_true")
    args = parser.parse_args()
    samples = parse(Path(args.profile))
    total = sum(c for _, c in samples)
    inclusive, leaf = Counter(), Counter()
    for frames, count in samples:
        for frame in set(frames):
            inclusive[frame] += count
        leaf[frames[-1]] += count
    print(f"{total} samples")
    if args.buckets:
        compiled = [(name, re.compile(rx)) for name, rx in BUCKETS]
        shares = Counter()
        for frames, count in samples:
            for frame in reversed(frames):
                hit = next((name for name, rx in compiled if rx.search(frame)), None)
                if hit:
                    shares[hit] += count
                    break
            else:
                shares["other"] += count
        print("\nbuckets (innermost matching frame):")
        for name, count in shares.most_common():
            print(f"  {100 * count / total:5.1f}%  {name}")
    print(f"\ntop {args.top} inclusive:")
    for frame, count in inclusive.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {frame}")
    print(f"\ntop {args.top} self:")
    for frame, count in leaf.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {frame}")
    for text in args.match:
        print(f"\nframes matching {text!r} (inclusive):")
        for frame, count in inclusive.most_common():
            if text in frame:
                print(f"  {100 * count / total:5.1f}%  {frame}")


if __name__ == "__main__":
    main()
