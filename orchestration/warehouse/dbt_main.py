"""dbt's command line, with Python's cyclic garbage collector tuned for dbt's heap.

dbt keeps its whole manifest (every node, its SQL, the graph) in memory for the run and makes
many short-lived objects per node; at CPython's default thresholds (700, 10, 10) the collector
keeps walking that long-lived heap, with every dbt thread waiting on it. Measured at 100k leads
(`python -m orchestration.bench 100000 --no-refresh`, the same code run alternately, 2 runs
each): the build stage took 26.2 and 26.9 s at the defaults, 24.5 and 24.2 s at the thresholds
below, with its peak memory 0.1-0.25 GB higher.

Run as a script (`python -P dbt_main.py <dbt arguments>`, see orchestration/warehouse/dbt.py; -P
keeps this folder, whose dbt.py would shadow the dbt package, off sys.path): it imports nothing
from this package, so dbt starts as fast as its own console script.
"""

from __future__ import annotations

import gc
import sys

GC_THRESHOLDS = (50_000, 20, 100)


def main() -> None:
    gc.set_threshold(*GC_THRESHOLDS)
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
