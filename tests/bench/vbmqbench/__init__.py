"""vbmq benchmark package, driven by tests/bench/bench.py (the command line).

  plan      targets, profiles, the run plan and its ids
  filters   select()/values(): the one filter over run records
  stats     ratios of counters, summaries (median, min, max) of repeats
  parse     @@BENCH console records, fio JSON, per-run derived figures
  work      the work per request (xentrace counts) and its table
  results   aggregation: per-point summaries, paired ratios, round trips
  verdicts  issue 14's targets as data, and the evidence rows
  tables    cell formatting, the results/targets/sweep tables
  report    results from a serial log, the notes, table.md/table.txt
  plots     the gnuplot PNGs
  host      real-host checks: device findings, option validation, CPU lists
  cli       the subcommands (plan, parse, host-check, cpus-within, cpus-except)
"""
