"""TAP output of the benchmark's Python tests (test_*.py): check() prints
one test point, done() the plan line and the exit status."""
import sys

_n = 0
_failed = 0


def check(desc, cond, why=''):
    global _n, _failed
    _n += 1
    if cond:
        print('ok %d - %s' % (_n, desc))
    else:
        _failed += 1
        print('not ok %d - %s' % (_n, desc))
        if why:
            print('# ' + str(why).replace('\n', '\n# '))


def done():
    print('1..%d' % _n)
    sys.exit(1 if _failed else 0)
