"""`make bench`: every benchmark under bench/, on SQLite and (when a server is named) PostgreSQL.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make bench

The HR import's, the unit page's and the load test's results are written down by hand in
docs/benchmarks.md, with the machine they ran on; the reports benchmark writes
its own section there (between its markers).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import import_bench  # noqa: E402


def _script(name: str, *args: str) -> int:
    """A benchmark that runs in a process of its own (its memory figures are its own)."""
    if not (HERE / name).exists():
        return 0
    print(f"== {name} {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, str(HERE / name), *args], check=False).returncode  # noqa: S603


def main() -> int:
    postgres = os.environ.get("BENCH_DATABASE_URL")
    import_bench.run(staff=100_000, units=3_000)  # SQLite
    if postgres:
        import_bench.run(staff=100_000, units=3_000, database_url=postgres)
    else:
        print("(PostgreSQL skipped: set BENCH_DATABASE_URL to a server to run there too)")
    failed = 0
    failed |= _script("unit_page_bench.py")
    if postgres:
        failed |= _script("unit_page_bench.py", "--database-url", postgres)
    reports = ["--sqlite", "--write-docs"] + (["--database-url", postgres] if postgres else [])
    failed |= _script("reports_bench.py", *reports)
    failed |= _script("load_test.py")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
