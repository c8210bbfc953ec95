#!/usr/bin/env python3
"""Unit test of the benchmark's targets table (tests/bench/vbmqbench/
verdicts.py) and of the run filter (filters.py).  unittest; prints TAP
when run as
    python3 tests/bench/test_verdicts.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tap  # noqa: E402
from vbmqbench.filters import select, values  # noqa: E402
from vbmqbench.verdicts import (COMPARE, EVIDENCE, GOALS, POINTS,  # noqa: E402
                                check_targets, target_name)

# The targets' names at 2 jobs, in the order the table prints them (issue 14)
NAMES = [
    'vbmq (adaptive) randread QD32 2 jobs IOPS vs upstream',
    'vbmq (adaptive) randwrite QD32 2 jobs IOPS vs upstream',
    'vbmq (adaptive) randread QD1 1 jobs IOPS vs upstream',
    'vbmq-polled randread QD32 2 jobs IOPS vs upstream',
    'best vbmq variant randread QD32 2 jobs IOPS vs domu-local (ceiling, >= 3 pairs)',
    'vbmq-exitless kicks into dom0 per 1000 requests',
    'vbmq-exitless guest interrupts per 1000 requests',
    'vbmq-exitless randread QD1 mean latency vs upstream',
    'vbmq dom0 CPU per request vs upstream (randread QD32 2 jobs)',
    'vbmq guest CPU per request vs upstream (randread QD32 2 jobs)',
    'vbmq work per request: counts above upstream\'s (round 0)',
    'vbmq-always kicks into dom0 per 1000 requests',
    'vbmq adaptive kicks per 1000 requests under load (QD32)',
    'vbmq-polled/-exitless interrupts on polled guest queues',
    'vbmq adaptive: ns spent polling in the 50 ms after the load stopped',
]


def run(rid, target, rnd, rw='randread', qd=32, jobs=2, status='ok', **m):
    """a run record as build_results makes it, with figures M"""
    return {'id': rid, 'round': rnd, 'target': target, 'rw': rw, 'qd': qd, 'jobs': jobs,
            'status': status, 'reason': None, 'm': m, 'guest': {}, 'dom0': {}}


class GoalsTest(tap.CheckCase):
    """the targets as data"""

    def test_table(self):
        """every goal is well formed"""
        check = self.check
        check('goals: the table names issue 14\'s targets in order',
              [target_name(g, 2) for g in GOALS] == NAMES,
              [target_name(g, 2) for g in GOALS])
        for g in GOALS:
            name = target_name(g, 2)
            check('%s: a known comparison and measure' % name,
                  g.cmp in COMPARE and g.measure in ('median', 'best', 'worst', 'sum', 'work'),
                  g)
            check('%s: the threshold is what the table says' % name,
                  g.want.startswith('%s%g' % ('' if g.cmp == '==' else g.cmp + ' ', g.threshold)),
                  (g.want, g.cmp, g.threshold))
            check('%s: measured at a point, on runs, or by its own rule' % name,
                  (g.point in POINTS) == (g.measure in ('median', 'best')) and
                  (g.runs is not None) == (g.measure in ('worst', 'sum')), g)
        for e in EVIDENCE:
            check('evidence %s: at a known point' % target_name(e, 2), e.point in POINTS, e)

    def test_nothing_measured(self):
        """without runs every target is 'not measured' and no evidence row is made"""
        check = self.check
        out = check_targets([], [])
        check('no runs: one row per goal, none measured',
              [c['target'] for c in out] == [target_name(g, 1) for g in GOALS] and
              all(c['got'] is None and c['met'] is None for c in out), out)

    def test_worst_and_sum(self):
        """worst/sum goals read the selected runs only"""
        check = self.check
        runs = [run('r0-x', 'vbmq-exitless', 0, kicks_per_1000=0.0, polled_ring_irqs=2),
                run('r1-x', 'vbmq-exitless', 1, kicks_per_1000=3.0, polled_ring_irqs=1),
                run('r1-a', 'vbmq-always', 1, kicks_per_1000=0.5),
                run('r0-a', 'vbmq-always', 0, kicks_per_1000=9.0),
                run('r1-v', 'vbmq', 1, qd=1, jobs=1, kicks_per_1000=900.0),
                run('r2-v', 'vbmq', 2, kicks_per_1000=40.0),
                run('r3-v', 'vbmq', 3, status='failed', kicks_per_1000=99.0)]
        tg = {c['target']: c for c in check_targets(runs, [])}
        c = tg['vbmq-exitless kicks into dom0 per 1000 requests']
        check('exitless kicks: worst of every round, round 0 included', c['got'] == 3.0 and
              c['met'] is False and c['note'] == 'worst of 2 runs', c)
        c = tg['vbmq-always kicks into dom0 per 1000 requests']
        check('always kicks: the timed rounds only (0.5, not round 0\'s 9)',
              c['got'] == 0.5 and c['met'] is True, c)
        c = tg['vbmq adaptive kicks per 1000 requests under load (QD32)']
        check('adaptive kicks: QD32 runs that finished (40, not QD1\'s 900 or a failed 99)',
              c['got'] == 40.0 and c['met'] is True, c)
        c = tg['vbmq-polled/-exitless interrupts on polled guest queues']
        check('polled queues: the interrupts summed over all runs (3)',
              c['got'] == 3 and c['met'] is False and c['note'] == 'all runs', c)


class FiltersTest(tap.CheckCase):
    """select() and values()"""

    def test_select(self):
        """criteria: equal, one of, timed, point"""
        check = self.check
        runs = [run('a', 'vbmq', 0, iops=1.0), run('b', 'vbmq', 1, qd=1, jobs=1, iops=2.0),
                run('c', 'upstream', 1), run('d', 'vbmq', 2, status='failed', iops=4.0)]
        ids = lambda rs: [r['id'] for r in rs]  # noqa: E731
        check('select: no criteria, every run in order', ids(select(runs)) == list('abcd'))
        check('select: equal', ids(select(runs, target='vbmq', status='ok')) == ['a', 'b'])
        check('select: one of a tuple', ids(select(runs, target=('upstream', 'x'))) == ['c'])
        check('select: timed (round > 0)', ids(select(runs, timed=True)) == ['b', 'c', 'd'] and
              ids(select(runs, timed=False)) == ['a'])
        check('select: point (rw, qd, jobs)',
              ids(select(runs, point=('randread', 1, 1))) == ['b'])
        check('values: the figures present in the selected runs',
              values(runs, 'iops', status='ok') == [1.0, 2.0] and
              values(runs, 'iops', target='vbmq') == [1.0, 2.0, 4.0])


if __name__ == '__main__':
    tap.main()
