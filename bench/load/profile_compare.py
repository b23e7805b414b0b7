"""CPU per request of two versions of Shenbao, measured in turns on this machine (same run).

    .venv/bin/python bench/load/profile_compare.py --before f643eab            # before: a commit
    .venv/bin/python bench/load/profile_compare.py --before f643eab --rounds 3 --n 60

The clock of this VM drifts 1.7-2x over minutes, so figures of different runs do not compare:
this script checks the older commit out into a temporary worktree and runs
bench/load/profile_requests.py there and here in turns (each after its own tree's seed, as the
password hashes differ between versions), then prints the median over the rounds of each
request type's CPU ms p50, the ratio after/before, and the SQL statements per request.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
ROW = re.compile(r"^(\w+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")


def run_tree(tree: Path, n: int, only: list[str] | None = None) -> dict[str, tuple[float, float]]:
    subprocess.run([str(PYTHON), "bench/load/seed.py"], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run([str(PYTHON), "bench/load/profile_requests.py", "--n", str(n),
                          *(["--only", *only] if only else [])], cwd=tree, check=True,
                         capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        m = ROW.match(line.strip())
        if m:
            rows[m.group(1)] = (float(m.group(2)), float(m.group(4)))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", required=True, help="the commit to compare this tree with")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--n", type=int, default=40, help="requests per type and round")
    ap.add_argument("--only", nargs="*", help="request types to run (more rounds in the same time)")
    args = ap.parse_args()
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="shenbao-before-") as tmp:
        before_tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(before_tree), args.before], cwd=ROOT, check=True)
        try:
            subprocess.run([str(ROOT / ".venv" / "bin" / "pybabel"), "-q", "compile", "-d", "app/translations"],
                           cwd=before_tree, check=True)
            results: dict[str, list[dict]] = {"before": [], "after": []}
            for round_ in range(args.rounds):
                order = (("before", before_tree), ("after", ROOT))
                for name, tree in order if round_ % 2 == 0 else order[::-1]:
                    print(f"round {round_ + 1}: {name}", file=sys.stderr, flush=True)
                    results[name].append(run_tree(tree, args.n, args.only))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=ROOT)
    print(f"CPU ms per request (p50 in process, median of {args.rounds} rounds in turns): "
          f"before = {args.before}, after = {head}{' + uncommitted changes' if dirty else ''}")
    print(f"{'request':<18} {'before':>8} {'after':>8} {'ratio':>7} {'SQL before':>11} {'SQL after':>10}")
    for name in results["after"][0]:
        if name not in results["before"][0]:
            continue
        b = statistics.median(r[name][0] for r in results["before"])
        a = statistics.median(r[name][0] for r in results["after"])
        print(f"{name:<18} {b:>8.1f} {a:>8.1f} {a / b:>7.2f} {results['before'][0][name][1]:>11.1f} "
              f"{results['after'][0][name][1]:>10.1f}")
    print("\nafter/before in each round (how far one round's ratio moves):")
    for name in results["after"][0]:
        if name in results["before"][0]:
            ratios = [a[name][0] / b[name][0] for a, b in zip(results["after"], results["before"])]
            print(f"{name:<18} " + " ".join(f"{r:5.2f}" for r in ratios))


if __name__ == "__main__":
    main()
