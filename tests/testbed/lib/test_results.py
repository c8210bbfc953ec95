#!/usr/bin/env python3
"""Unit test of the test bed's serial-log reader (tests/testbed/lib/results.py):
TAP files and the summary CI prints, on constructed serial logs.  Prints TAP:
    python3 tests/testbed/lib/test_results.py
"""
import contextlib
import io
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', 'bench'))
import results  # noqa: E402
from tap import check, done  # noqa: E402


def run(serial_lines, scenarios, status=0):
    """results.main on a serial log: (exit status, stdout, {scenario: tap})"""
    with tempfile.TemporaryDirectory() as d:
        serial = os.path.join(d, 'serial.log')
        with open(serial, 'w') as f:
            f.write('\n'.join(serial_lines) + '\n')
        out = io.StringIO()
        sys.argv = ['results.py', '--serial', serial, '--qemu-status', str(status),
                    '--limit', '600', '--results', os.path.join(d, 'res')] + scenarios
        with contextlib.redirect_stdout(out):
            rc = results.main()
        taps = {}
        for s in scenarios:
            with open(os.path.join(d, 'res', s + '.tap')) as f:
                taps[s] = f.read()
        return rc, out.getvalue(), taps


def mark(kind, scen, text=''):
    return '@@VBMQ %s %s %s' % (kind, scen, text)


# A clean pass: one PASS line, TAP plan, exit 0.
rc, out, taps = run([mark('BEGIN', 'a'), mark('OK', 'a', 'one'), mark('OK', 'a', 'two'),
                     mark('END', 'a'), mark('DONE', 'boot')], ['a'])
check('all passed: exit 0', rc == 0, out)
check('all passed: summary line', out == 'PASS a: 2 passed, 0 failed\n', out)
check('all passed: TAP plan 1..2', taps['a'].rstrip().endswith('1..2'), taps['a'])

# A failure after a long kernel log: CI's stdout carries the suspicious lines
# and the trace after them, not the whole log.
log = [mark('BEGIN', 'k'), mark('OK', 'k', 'first')]
log += [mark('DIAG', 'k', 'kernel: tsc: Fast TSC calibration failed')]
log += [mark('DIAG', 'k', 'kernel: noise %d' % i) for i in range(100)]
log += [mark('DIAG', 'k', 'kernel: WARNING: CPU: 3 PID: 7 at block/blk-mq.c:1 x')]
log += [mark('DIAG', 'k', 'kernel: frame %d' % i) for i in range(20)]
log += [mark('NOTOK', 'k', 'kernel log clean'), mark('END', 'k'), mark('DONE', 'boot')]
rc, out, taps = run(log, ['k'])
check('failure: exit 1', rc == 1, out)
check('failure: the not-ok line', '    k: not ok 2 - kernel log clean' in out, out)
check('failure: the WARNING line is printed', 'WARNING: CPU: 3' in out, out)
check('failure: the line before it and the trace after it',
      'noise 99' in out and 'frame 7' in out and 'frame 8' not in out, out)
check('failure: the noise is not', 'noise 50' not in out, out)
check('failure: a milder word is not picked before the alarm', 'calibration' not in out, out)
check('failure: says how much it left out', '(10 of 122 diagnostic lines)' in out, out)
check('failure: the TAP file keeps every line', taps['k'].count('noise') == 100, taps['k'])

# Without an alarm, the milder words are what is printed.
log = [mark('BEGIN', 'm')] + [mark('DIAG', 'm', 'noise %d' % i) for i in range(60)]
log += [mark('DIAG', 'm', 'xenstore-read: couldn\'t read path /x: error'), mark('NOTOK', 'm', 'f'),
        mark('END', 'm'), mark('DONE', 'boot')]
rc, out, taps = run(log, ['m'])
check('no alarm: the suspicious line is printed', "couldn't read path" in out and 'noise 30' not in out, out)

# Diagnostics before an earlier passing point are not blamed on a later failure.
rc, out, taps = run([mark('BEGIN', 'd'), mark('DIAG', 'd', 'before the pass'),
                     mark('OK', 'd', 'p'), mark('DIAG', 'd', 'the cause'),
                     mark('NOTOK', 'd', 'f'), mark('END', 'd'), mark('DONE', 'boot')], ['d'])
check('short context: printed whole', '      # the cause' in out, out)
check('short context: starts after the last test point', 'before the pass' not in out, out)

# A boot killed at its time limit: the scenario in progress did not finish,
# the one after it never started.
rc, out, taps = run([mark('BEGIN', 's1'), mark('STEP', 's1', 'fio'), mark('OK', 's1', 'x')],
                    ['s1', 's2'], status=124)
check('time limit: exit 1', rc == 1, out)
check('time limit: names the step',
      'did not finish: the boot hit its time limit of 600s (QEMU killed), during step "fio"' in out,
      out)
check('time limit: the next scenario never started', 's2: not ok 1 - s2: never started' in out, out)
done()
