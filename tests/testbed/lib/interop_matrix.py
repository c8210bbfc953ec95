#!/usr/bin/env python3
"""The interop matrix of the test bed (scenario interop-matrix): its cells
from a run's TAP as JSON, and the table docs/testbed.md carries.

  interop_matrix.py cells TAP JSON
      the cells of one run ("interop cell frontend=DRV@KABI backend=DRV@KABI
      xen=VERSION" test points, their "# interop-cell ... seconds=N"
      diagnostics) into JSON; tests/testbed/run writes
      RESULTS/interop-matrix.json after every boot that ran the scenario
  interop_matrix.py doc DOC JSON...
      the table of every cell of those runs (frontends x backends) between
      DOC's "<!-- interop-matrix -->" and "<!-- /interop-matrix -->" lines
"""
import datetime
import json
import os
import re
import sys

CELL = re.compile(r'^(ok|not ok) \d+ - interop cell frontend=(\S+)@(\S+) '
                  r'backend=(\S+)@(\S+) xen=(\S+)\s*$')
TIME = re.compile(r'^# interop-cell frontend=(\S+) backend=(\S+) xen=(\S+) '
                  r'result=\S+ seconds=(\d+)')
BEGIN, END = '<!-- interop-matrix -->', '<!-- /interop-matrix -->'
FRONTENDS = ('xen-blkfront', 'vbmq-blkfront')
BACKENDS = ('xen-blkback', 'vbmq-blkback')


def series(kabi):
    """6.1.0-57-amd64 -> 6.1; 6.12.95+deb12-amd64 -> 6.12"""
    m = re.match(r'(\d+\.\d+)', kabi)
    return m.group(1) if m else kabi


def cells(tap_lines):
    seconds = {}
    for line in tap_lines:
        m = TIME.match(line)
        if m:
            seconds[m.group(1, 2, 3)] = int(m.group(4))
    out = []
    for line in tap_lines:
        m = CELL.match(line)
        if not m:
            continue
        res, fe, fek, be, bek, xen = m.groups()
        out.append({'frontend': fe, 'frontend_kernel': fek, 'backend': be,
                    'backend_kernel': bek, 'xen': xen,
                    'result': 'pass' if res == 'ok' else 'fail',
                    'seconds': seconds.get((fe + '@' + fek, be + '@' + bek, xen))})
    return out


def table(runs):
    """Markdown lines: a row per frontend, a column per backend, each cell
    pass or FAIL from the runs' cells (a later run's cell replaces an
    earlier one's)."""
    result, fe_series, be_cols = {}, set(), {}
    for run in runs:
        for c in run['cells']:
            fe = (c['frontend'], series(c['frontend_kernel']))
            be = (c['backend'], series(c['backend_kernel']))
            fe_series.add(fe[1])
            be_cols[be] = c['xen']
            mark = 'pass' if c['result'] == 'pass' else '**FAIL**'
            if c.get('seconds') is not None:
                mark += ' (%ds)' % c['seconds']
            result[fe, be] = mark

    def order(k):
        known = FRONTENDS + BACKENDS
        return (known.index(k[0]) if k[0] in known else len(known), k[0],
                [int(x) for x in re.findall(r'\d+', k[1])])
    cols = sorted(be_cols, key=order)
    rows = sorted({(f, s) for f in FRONTENDS for s in fe_series} |
                  {k[0] for k in result}, key=order)
    lines = ['| frontend \\ backend | ' +
             ' | '.join('%s %s (Xen %s)' % (b, s, be_cols[b, s]) for b, s in cols) + ' |',
             '|---|' + '---|' * len(cols)]
    for r in rows:
        lines.append('| %s %s | ' % r +
                     ' | '.join(result.get((r, c), 'not run') for c in cols) + ' |')
    return lines


def main(argv):
    if len(argv) == 3 and argv[0] == 'cells':
        with open(argv[1]) as f:
            found = cells(f.read().splitlines())
        stamp = datetime.datetime.fromtimestamp(os.path.getmtime(argv[1]),
                                                datetime.timezone.utc)
        with open(argv[2], 'w') as f:
            json.dump({'results': os.path.basename(os.path.dirname(os.path.abspath(argv[1]))),
                       'date': stamp.strftime('%Y-%m-%d %H:%M UTC'),
                       'cells': found}, f, indent=1)
            f.write('\n')
        return 0
    if len(argv) >= 3 and argv[0] == 'doc':
        runs = []
        for p in argv[2:]:
            with open(p) as f:
                runs.append(json.load(f))
        with open(argv[1]) as f:
            doc = f.read().splitlines()
        if BEGIN not in doc or END not in doc:
            sys.exit('%s: no %s ... %s lines' % (argv[1], BEGIN, END))
        a, b = doc.index(BEGIN), doc.index(END)
        src = ['', 'From the last runs (seconds: from the start of the cell\'s driver '
               'swaps to its verdict; both domUs\' cells of a swap run in parallel):']
        for r in runs:
            dom0 = sorted({c['backend_kernel'] for c in r['cells']})
            src.append('`%s/` %s, dom0 %s;' % (r['results'], r['date'], ', '.join(dom0)))
        src[-1] = src[-1][:-1] + '.'
        doc[a + 1:b] = table(runs) + src
        with open(argv[1], 'w') as f:
            f.write('\n'.join(doc) + '\n')
        return 0
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
