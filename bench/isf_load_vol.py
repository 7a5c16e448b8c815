#!/usr/bin/env python3
"""isf_load_vol.py VOL_PY N ISF... - Volatility 3's own load of an ISF, timed.

For the "ISF load" figure of bench/README.md: each ISF is loaded N times
the way Volatility does for every run (resources.ResourceAccessor opens and
decompresses it, json.load parses it, schemas.validate checks it unless its
hash is in the validation cache, IntermediateSymbolTable builds the table),
then the two lookups a Linux or Windows profile starts with are made. The
validation cache is Volatility's own (warm after the first load), as a user
sees it. Prints median and min wall seconds per ISF. Volatility is imported
from the directory of VOL_PY (never part of this repository)."""
import os
import pathlib
import statistics
import sys
import time

vol, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sys.path.insert(0, os.path.dirname(os.path.abspath(vol)))
from volatility3.framework import contexts  # noqa: E402
from volatility3.framework.symbols import intermed  # noqa: E402

for f in files:
    url = pathlib.Path(f).absolute().as_uri()
    times = []
    for i in range(n):
        ctx = contexts.Context()
        t = time.perf_counter()
        table = intermed.IntermediateSymbolTable(ctx, f"bench{i}", f"t{i}", url)
        try:
            table.get_type("task_struct").vol.size
            table.get_symbol("init_task").address
        except Exception:
            table.get_type("_EPROCESS").vol.size
            table.get_symbol("PsActiveProcessHead").address
        times.append(time.perf_counter() - t)
    print(f"{os.path.basename(f)}: Volatility load median {statistics.median(times):.3f} s "
          f"min {min(times):.3f} s ({n} loads)")
