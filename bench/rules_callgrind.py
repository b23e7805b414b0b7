"""Driver for counting the Tech-SME scorer's instructions per evaluation under callgrind.

    valgrind --tool=callgrind .venv/bin/python bench/rules_callgrind.py 0 [PATH]
    valgrind --tool=callgrind .venv/bin/python bench/rules_callgrind.py 20000 [PATH]

``rules`` is imported from the current directory, so another tree's scorer (say main's) is
measured by running this file from that tree's root.

Parses the 10,000 inputs of ``rules_throughput.py`` (seed 2017), keeps only those whose result
takes ``PATH`` (``scored``, ``direct``, ``entry_failed``) when one is given, warms up with 200
calls, then makes N ``evaluate`` calls cycling over them.  Instructions per evaluation = (the
"Collected" count with N = 20,000 − with N = 0) / 20,000: steady where the clock is not.
"""
from __future__ import annotations

import os
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, os.getcwd())

# rules first, from the current directory: rules_throughput puts its own tree first on sys.path.
from rules.sme import evaluate, parse_interchange  # noqa: E402

from rules_throughput import make_document  # noqa: E402


def main(argv: list[str]) -> int:
    rng = random.Random(2017)
    inputs = [parse_interchange(make_document(rng)) for _ in range(10_000)]
    if len(argv) > 1:
        inputs = [inp for inp in inputs if evaluate(inp).path == argv[1]]
    for inp in inputs[:200]:
        evaluate(inp)
    count = int(argv[0])
    for j in range(count):
        evaluate(inputs[j % len(inputs)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
