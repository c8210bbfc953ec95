#!/usr/bin/env python3
"""vbmq benchmark: the run plan, and the results from the serial logs.

  bench.py plan [--profile demo|full] [--rounds N] [--runtime S] [--ramp S]
                [--targets "..."] [--jobs "1 2"] [--domu-vcpus N]
                [--poll-sweep "32 1000 5000"]
  bench.py parse --out DIR --plan FILE [--facts FILE] SERIAL_LOG...

`parse` reads the @@BENCH lines the guests printed (tests/bench/guest/
bench.lib), decodes each run's fio JSON, and writes DIR/results.json,
DIR/table.md, DIR/table.txt and the PNG plots (gnuplot).  Python 3 stdlib.

The code is the package vbmqbench/ beside this file (its __init__ lists
the modules); this is its command line.
"""
import sys

from vbmqbench.cli import main

if __name__ == '__main__':
    sys.exit(main())
