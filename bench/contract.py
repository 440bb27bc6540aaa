"""What ``billing-mock contract`` reports, and how long it takes, for each server the tests use.

Run from the repository root: ``python bench/contract.py [--max-examples 25]``

For the mock, the faithful-but-different server (tests/contract/faithful.py) and every planted
defect (tests/contract/broken.py), at the default level with the CLI's defaults (two tokens, no
--allow-send; the planted send defect needs the sends, so its row runs with --allow-send), it
prints one row: findings, the checks that named them, "mock guessed differently" entries, the
generated cases and the seconds. The mock's own row is the time of a default run.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mockserver.contract.runner import ContractRun  # noqa: E402
from mockserver.settings import Settings  # noqa: E402
from mockserver.testing import LiveServer  # noqa: E402
from tests.contract.broken import DEFECTS, SendAllowedFromPaid  # noqa: E402
from tests.contract.faithful import FaithfulButDifferent  # noqa: E402


def row(name: str, wrap, token: str, examples: int, level: str = "published") -> str:
    started = time.perf_counter()
    with LiveServer(Settings(seed=42), wrap=wrap) as server:
        run = ContractRun(server.api_url, token, "us-token" if token != "demo-token" else
                          "eu-token", max_examples=examples, out=lambda _: None, level=level,
                          allow_send=wrap is SendAllowedFromPaid)
        run.execute()
    seconds = time.perf_counter() - started
    checks = ", ".join(f"{c} {n}" for c, n in sorted(Counter(f.check for f in run.findings)
                                                      .items()))
    return (f"| {name} | {level} | {len(run.findings)} | {checks or '-'} | {len(run.guesses)} | "
            f"{run.cases} | {seconds:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=25)
    args = parser.parse_args()
    print("| server | level | findings | by check | guessed differently | cases | s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(row("the mock", None, "demo-token", args.max_examples), flush=True)
    print(row("the mock", None, "demo-token", args.max_examples, "mock"), flush=True)
    print(row("faithful but different", FaithfulButDifferent, "demo-token", args.max_examples),
          flush=True)
    print(row("faithful but different", FaithfulButDifferent, "demo-token", args.max_examples,
              "mock"), flush=True)
    for defect, (_, token) in DEFECTS.items():
        print(row(defect.__name__, defect, token, args.max_examples), flush=True)


if __name__ == "__main__":
    main()
