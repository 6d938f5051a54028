"""A BI reader for the concurrent-reader test: opens the published copy read-only in a loop until a
stop file appears, and writes what it saw to a JSON file.

Each pass opens a fresh read-only connection (as a BI tool that reconnects for every query would),
reads the publication stamp and counts the rows of every stamped table in the same connection.
Nothing is retried: any error is recorded and ends the reader. Between passes it pauses (seconds,
the optional 4th argument, default 0.01).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def main(published: Path, stop: Path, out: Path, pause: float = 0.01) -> int:
    seen: dict[str, dict[str, int]] = {}
    passes = inconsistent = 0
    error = None
    try:
        while not stop.exists():
            with duckdb.connect(str(published), read_only=True) as con:
                rows = con.execute(
                    "select publication_id, table_name, row_count from audit.publication"
                ).fetchall()
                ids = {r[0] for r in rows}
                stamped = {r[1]: r[2] for r in rows}
                measured = {
                    name: con.execute(f"select count(*) from {name}").fetchone()[0]
                    for name in sorted(stamped)
                }
            passes += 1
            if len(ids) != 1 or measured != stamped:
                inconsistent += 1
            else:
                seen[ids.pop()] = stamped
            time.sleep(pause)
    except Exception as exc:  # noqa: BLE001 - the test reports whatever broke a reader
        error = f"{type(exc).__name__}: {exc}"
    out.write_text(json.dumps({"passes": passes, "inconsistent": inconsistent, "error": error, "seen": seen}))
    return 0


if __name__ == "__main__":
    pause = float(sys.argv[4]) if len(sys.argv) > 4 else 0.01
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), pause))
