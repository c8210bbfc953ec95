"""The benchmark's Python tests (test_*.py) under unittest, with TAP output.

CheckCase.check(desc, cond, why) is one check: a unittest subtest named
DESC that fails with WHY, so that a failing check does not stop the next.
main() runs the calling module's TestCases and prints TAP on stdout, one
test point per check (or per test without checks), then the plan line;
the exit status is 1 when any failed.  scripts/check (stage_unit) runs
each test file so; `python3 -m unittest discover -s tests/bench -p
'test_*.py'` runs the same tests with unittest's own report.

check() and done() are the plain TAP of a script without TestCases
(tests/testbed/lib/test_results.py).
"""
import sys
import traceback
import unittest

_n = 0
_failed = 0


def check(desc, cond, why=''):
    """one TAP test point; WHY is printed as a comment when it fails"""
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
    """the plan line; exit 1 when a check failed"""
    print('1..%d' % _n)
    sys.exit(1 if _failed else 0)


class CheckCase(unittest.TestCase):
    """A TestCase whose checks are subtests: every one is reported."""

    longMessage = False         # a failed check says its WHY, nothing else

    def check(self, desc, cond, why=''):
        with self.subTest(desc):
            self.assertTrue(cond, str(why))


class TapResult(unittest.TestResult):
    """Prints a TAP test point for each check, and for each test that has
    none, as the results arrive."""

    def __init__(self, stream=sys.stdout):
        super().__init__()
        self.stream = stream
        self.n = 0
        self.with_checks = set()

    def _point(self, ok, desc, comment=None, skip=None):
        self.n += 1
        line = '%s %d - %s' % ('ok' if ok else 'not ok', self.n, desc)
        if skip is not None:
            line += ' # SKIP ' + skip
        self.stream.write(line + '\n')
        if comment:
            self.stream.write('# ' + comment.rstrip('\n').replace('\n', '\n# ') + '\n')
        self.stream.flush()

    @staticmethod
    def _desc(test):
        """a check's name, else the test's id without the module"""
        msg = getattr(test, '_message', None)
        if isinstance(msg, str):
            return msg
        return test.id().split('.', 1)[-1]

    @staticmethod
    def _why(test, err):
        """the assertion's message for a failed check, else the traceback"""
        if issubclass(err[0], AssertionError):
            return str(err[1])
        return ''.join(traceback.format_exception(*err))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        self.with_checks.add(test.id())
        if err is None:
            self._point(True, self._desc(subtest))
        else:
            self._point(False, self._desc(subtest), self._why(test, err))

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() not in self.with_checks:
            self._point(True, self._desc(test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._point(False, self._desc(test), self._why(test, err))

    def addError(self, test, err):
        super().addError(test, err)
        self._point(False, self._desc(test), ''.join(traceback.format_exception(*err)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._point(True, self._desc(test), skip=reason)


def main(module='__main__'):
    """run MODULE's tests, print TAP, exit 0 when all passed"""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[module])
    result = TapResult()
    suite.run(result)
    print('1..%d' % result.n)
    sys.exit(0 if result.wasSuccessful() else 1)
