"""Run every benchmark in turn (``make bench``) and print their headline lines together at the end.

Each benchmark is a script of its own (run it alone for its full table and options); this runner
only sequences them so one core is not shared between two measurements.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# In pipeline order; a script not written yet is skipped with a note.
BENCHMARKS = [
    "extraction", "clean", "times", "quantities", "places", "entities", "quotes",
    "clustering", "clustering_scale", "incremental", "copies_scale", "throughput", "story_report",
]


def main() -> int:
    """Run each benchmark script, stream its output, then print all headline lines."""
    headlines, failed = [], []
    for name in BENCHMARKS:
        script = HERE / f"{name}.py"
        if not script.exists():
            print(f"== {name}: not written yet, skipped")
            continue
        print(f"== {name}", flush=True)
        proc = subprocess.run([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, check=False)
        print(proc.stdout, end="")
        lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
        if proc.returncode != 0 or not lines:
            failed.append(name)
        else:
            headlines.append(lines[-1])
    print("\n== summary")
    for line in headlines:
        print(line)
    for name in failed:
        print(f"{name}: FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
