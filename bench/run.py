"""`make bench`: run every benchmark under bench/ on SQLite and PostgreSQL.

Each benchmark writes its own section of docs/benchmarks.md. PostgreSQL is the
development server at 127.0.0.1 unless BENCH_DATABASE_URL names another; each
benchmark creates and drops a database of its own there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PG = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

BENCHES = [
    ["reports_bench.py", "--sqlite", "--database-url", PG, "--write-docs"],
]
if (HERE / "import_bench.py").exists():
    BENCHES += [["import_bench.py"], ["import_bench.py", "--database-url", PG]]


def main() -> int:
    failed = []
    for script, *args in BENCHES:
        print(f"== {script} {' '.join(args)}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *args], check=False)  # noqa: S603
        if done.returncode:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
