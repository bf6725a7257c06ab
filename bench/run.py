"""`make bench`: every benchmark under bench/, on SQLite and (when a server is named) PostgreSQL.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make bench

Results are written down by hand in docs/benchmarks.md, with the machine they ran on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import import_bench  # noqa: E402


def main() -> None:
    postgres = os.environ.get("BENCH_DATABASE_URL")
    import_bench.run(staff=100_000, units=3_000)  # SQLite
    if postgres:
        import_bench.run(staff=100_000, units=3_000, database_url=postgres)
    else:
        print("(PostgreSQL skipped: set BENCH_DATABASE_URL to a server to run there too)")


if __name__ == "__main__":
    main()
