#!/usr/bin/env python3
"""Unit test of the interop matrix's cells and table
(tests/testbed/lib/interop_matrix.py) on constructed TAP lines.  Prints TAP:
    python3 tests/testbed/lib/test_interop_matrix.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', 'bench'))
import interop_matrix  # noqa: E402
from tap import check, done  # noqa: E402

K61, K612 = '6.1.0-57-amd64', '6.12.95+deb12-amd64'


def cell(ok, fe, fek, be, bek, xen, secs=None):
    name = 'frontend=%s@%s backend=%s@%s xen=%s' % (fe, fek, be, bek, xen)
    lines = ['%s 9 - interop cell %s' % ('ok' if ok else 'not ok', name)]
    if secs is not None:
        lines.insert(0, '# interop-cell %s result=x seconds=%d' % (name, secs))
    return lines


tap = (['ok 1 - cell 0, im0 (xen-blkfront on 6.1): xvda connects'] +
       cell(True, 'xen-blkfront', K61, 'xen-blkback', K61, '4.17.5', 14) +
       cell(False, 'vbmq-blkfront', K612, 'vbmq-blkback', K61, '4.17.5'))
got = interop_matrix.cells(tap)
check('cells: only the cell points', len(got) == 2, got)
check('cells: pass with its seconds',
      got[0] == {'frontend': 'xen-blkfront', 'frontend_kernel': K61, 'backend': 'xen-blkback',
                 'backend_kernel': K61, 'xen': '4.17.5', 'result': 'pass', 'seconds': 14}, got)
check('cells: not ok is fail, no seconds', got[1]['result'] == 'fail' and
      got[1]['seconds'] is None, got)

runs = [{'cells': got}, {'cells': interop_matrix.cells(
    cell(True, 'vbmq-blkfront', K61, 'vbmq-blkback', K612, '4.20.5', 20))}]
lines = interop_matrix.table(runs)
check('table: a column per backend, 6.1 before 6.12',
      lines[0] == '| frontend \\ backend | xen-blkback 6.1 (Xen 4.17.5) | '
                  'vbmq-blkback 6.1 (Xen 4.17.5) | vbmq-blkback 6.12 (Xen 4.20.5) |', lines)
check('table: a row per frontend and kernel series', len(lines) == 2 + 4, lines)
check('table: pass with seconds, FAIL, not run',
      lines[2] == '| xen-blkfront 6.1 | pass (14s) | not run | not run |' and
      lines[5] == '| vbmq-blkfront 6.12 | not run | **FAIL** | not run |', lines)
check('table: the other run\'s cell', lines[4].endswith('| pass (20s) |'), lines)
done()
