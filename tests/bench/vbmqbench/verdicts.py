"""Issue 14's targets as data (GOALS: what is measured, on which runs
or point, the comparison and the threshold), the evidence rows beside them
(EVIDENCE: figures without a verdict), and check_targets, which measures
both on one run's results."""
import operator
from collections import namedtuple

from .filters import select, values
from .plan import CEILING
from .results import find_point, notified_floor, sweep_points
from .stats import med
from .tables import fmt
from .work import work_compare

# The headline points a target or evidence row is measured at; 'J' is the
# most fio jobs the run used.
POINTS = {'rr32': ('randread', 32, 'J'), 'rw32': ('randwrite', 32, 'J'),
          'rr1': ('randread', 1, 1)}

# The comparisons a target may use: got OP threshold means met.
COMPARE = {'>=': operator.ge, '<=': operator.le, '==': operator.eq}

# One goal (an issue 14 target).  name: a template ({rw}, {qd}, {jobs} of the point, {J},
# {ceiling}, {min_pairs}); on: the target(s) measured; measure: how
#   median  the median of metric at point on `on` (a per-round ratio)
#   best    the highest such median among `on`, of points with >= min_pairs
#           pairs; the note names it and ref's figure
#   worst   the largest metric of `on`'s ok runs meeting `runs` (criteria
#           of filters.select)
#   sum     the sum of those
#   work    how many work-per-request counts of `on` exceed ref's (round 0)
# want: the threshold as the table prints it; note: a template ({n}: the
# runs measured) for worst/sum, derived for the others; explain: a function
# of EXPLAIN whose text follows the note.
Goal = namedtuple('Goal', 'name on measure metric point runs cmp threshold want '
                    'note ref min_pairs explain',
                    defaults=(None,) * 10)

GOALS = [
    Goal('vbmq (adaptive) {rw} QD{qd} {jobs} jobs IOPS vs upstream', 'vbmq', 'median',
           'iops_x_upstream', point='rr32', cmp='>=', threshold=1.0, want='>= 1.0x'),
    Goal('vbmq (adaptive) {rw} QD{qd} {jobs} jobs IOPS vs upstream', 'vbmq', 'median',
           'iops_x_upstream', point='rw32', cmp='>=', threshold=1.0, want='>= 1.0x'),
    Goal('vbmq (adaptive) {rw} QD{qd} {jobs} jobs IOPS vs upstream', 'vbmq', 'median',
           'iops_x_upstream', point='rr1', cmp='>=', threshold=1.0, want='>= 1.0x'),
    Goal('vbmq-polled {rw} QD{qd} {jobs} jobs IOPS vs upstream', 'vbmq-polled', 'median',
           'iops_x_upstream', point='rr32', cmp='>=', threshold=1.2, want='>= 1.2x'),
    # at least 3 pairs: one stalled ceiling run made a 2-pair median of 7x
    # in session 15's demo
    Goal('best vbmq variant {rw} QD{qd} {jobs} jobs IOPS vs {ceiling} (ceiling, '
           '>= {min_pairs} pairs)', ('vbmq', 'vbmq-always', 'vbmq-polled', 'vbmq-exitless'),
           'best', 'iops_x_ceiling', point='rr32', cmp='>=', threshold=0.8, want='>= 0.8x',
           ref='upstream', min_pairs=3),
    Goal('vbmq-exitless kicks into dom0 per 1000 requests', 'vbmq-exitless', 'worst',
           'kicks_per_1000', runs={}, cmp='==', threshold=0, want='0',
           note='worst of {n} runs'),
    Goal('vbmq-exitless guest interrupts per 1000 requests', 'vbmq-exitless', 'worst',
           'irqs_per_1000', runs={}, cmp='==', threshold=0, want='0',
           note='worst of {n} runs'),
    Goal('vbmq-exitless randread QD1 mean latency vs upstream', 'vbmq-exitless', 'median',
           'lat_x_upstream', point='rr1', cmp='<=', threshold=0.5, want='<= 0.5x'),
    Goal('vbmq dom0 CPU per request vs upstream ({rw} QD{qd} {jobs} jobs)', 'vbmq',
           'median', 'cpu_x_upstream', point='rr32', cmp='<=', threshold=0.9,
           want='<= 0.9x'),
    Goal('vbmq guest CPU per request vs upstream ({rw} QD{qd} {jobs} jobs)', 'vbmq',
           'median', 'gcpu_x_upstream', point='rr32', cmp='<=', threshold=1.0,
           want='<= 1.0x'),
    Goal('vbmq work per request: counts above upstream\'s (round 0)', 'vbmq', 'work',
           cmp='==', threshold=0, want='0', ref='upstream'),
    Goal('vbmq-always kicks into dom0 per 1000 requests', 'vbmq-always', 'worst',
           'kicks_per_1000', runs={'timed': True}, cmp='<=', threshold=1.0, want='<= 1',
           note='worst run'),
    Goal('vbmq adaptive kicks per 1000 requests under load (QD32)', 'vbmq', 'worst',
           'kicks_per_1000', runs={'qd': 32, 'timed': True}, cmp='<=', threshold=50.0,
           want='<= 50', note='worst run', explain='poll_window'),
    Goal('vbmq-polled/-exitless interrupts on polled guest queues',
           ('vbmq-polled', 'vbmq-exitless'), 'sum', 'polled_ring_irqs', runs={}, cmp='==',
           threshold=0, want='0', note='all runs'),
    Goal('vbmq adaptive: ns spent polling in the 50 ms after the load stopped', 'vbmq',
           'worst', 'idle_poll_ns_50ms', runs={}, cmp='==', threshold=0,
           want='0 (threads asleep)',
           note='worst run; sampled when dom0 learns the run ended'),
]

# The evidence rows measured when the ceiling ran: (name template, target,
# point, metric, note); medians of per-round ratios, no verdict.
Evidence = namedtuple('Evidence', 'name on point metric note')
EVIDENCE = [
    Evidence('{on} {rw} QD{qd} {jobs} jobs IOPS vs {ceiling} (ceiling)', 'upstream', 'rr32',
             'iops_x_ceiling', 'median of per-round ratios: the share of what this domU '
             'reaches with no Xen I/O path'),
    Evidence('{on} {rw} QD{qd} {jobs} jobs IOPS vs {ceiling} (ceiling)', 'vbmq', 'rr32',
             'iops_x_ceiling', 'median of per-round ratios: the share of what this domU '
             'reaches with no Xen I/O path'),
    Evidence('{on} {rw} QD{qd} {jobs} jobs IOPS vs bare (what the bed allows)', CEILING,
             'rr32', 'iops_x_bare', 'median of per-round ratios'),
    Evidence('{on} {rw} QD{qd} {jobs} jobs IOPS vs bare (what the bed allows)', CEILING,
             'rw32', 'iops_x_bare', 'median of per-round ratios'),
    Evidence('{on} {rw} QD{qd} mean latency vs {ceiling} (ceiling)', 'vbmq', 'rr1',
             'lat_x_ceiling', 'median of per-round ratios'),
    Evidence('{on} {rw} QD{qd} mean latency vs bare (the bed\'s floor)', CEILING, 'rr1',
             'lat_x_bare', 'median of per-round ratios: the guest\'s own cost under TCG'),
]


def _point(key, J):
    """POINTS[key] with J resolved: (rw, qd, jobs)"""
    rw, qd, j = POINTS[key]
    return rw, qd, (J if j == 'J' else j)


def _spread(p, key):
    """how a median of per-round ratios was made, with its range"""
    s = p and p.get(key)
    if not s or s['n'] < 2:
        return 'median of per-round ratios (n=%d)' % (s['n'] if s else 0)
    return 'median of %d per-round ratios [%.2f-%.2f]' % (s['n'], s['min'], s['max'])


def _as_tuple(on):
    return on if isinstance(on, tuple) else (on,)


def _poll_window(runs, points, J):
    """after the adaptive kicks verdict: the sweep's fewest kicks, and
    whether the guest's idle gaps fit the poll window"""
    note = ''
    best = [s for s in sweep_points(points) if s['kicks_per_1000'] is not None]
    if best:
        b = min(best, key=lambda s: s['kicks_per_1000'])
        note += ('; poll sweep: fewest %.0f/1000 at %s (IOPS %s, dom0 %s us CPU/IO)' %
                 (b['kicks_per_1000'], b['label'], fmt(b['iops']),
                  fmt(b['dom0_cpu_us_per_io'], 0)))
    vp = find_point(points, 'vbmq', 'randread', 32, J)
    gap, short = med(vp, 'ring_gap_us'), med(vp, 'ring_short_gap_pct')
    if gap is not None:
        caps = sorted({'%g' % r['m']['ring_poll_max_us']
                       for r in select(runs, status='ok', target='vbmq')
                       if isinstance(r['m'].get('ring_poll_max_us'), float)})
        note += ('; at randread QD32 %d jobs %s of the idle gaps were within the %s us '
                 'cap (mean gap %.0f us): the guest\'s gaps %s' %
                 (J, '-' if short is None else '%.1f %%' % short, '/'.join(caps) or '?', gap,
                  'allow it' if short is not None and short >= 95 else
                  'do not allow it (most are longer than the window)'))
    return note


EXPLAIN = {'poll_window': _poll_window}


def measure(t, runs, points, J):
    """(got, note) of target t on these results; got None when not measured"""
    if t.measure in ('median', 'best'):
        rw, qd, j = _point(t.point, J)
    if t.measure == 'median':
        p = find_point(points, t.on, rw, qd, j)
        return med(p, t.metric), _spread(p, t.metric)
    if t.measure == 'best':
        best = None
        for on in t.on:
            p = find_point(points, on, rw, qd, j)
            v = med(p, t.metric)
            if v is not None and p[t.metric]['n'] >= t.min_pairs and \
                    (best is None or v > best[1]):
                best = (on, v)
        if not best:
            return None, ''
        return best[1], '%s; %s %s' % (best[0], t.ref,
                                       fmt(med(find_point(points, t.ref, rw, qd, j),
                                               t.metric), 2))
    if t.measure == 'work':
        worse = work_compare(runs, t.on, t.ref)
        return (None if worse is None else float(len(worse)),
                '; '.join('%s at %s QD%d: %.2f vs %.2f' % (lab, pt[0], pt[1], a, b)
                          for lab, pt, a, b in (worse or [])) or 'none')
    vals = values(runs, t.metric, status='ok', target=_as_tuple(t.on), **t.runs)
    agg = max if t.measure == 'worst' else sum
    return (agg(vals) if vals else None), t.note.format(n=len(vals))


def target_name(t, J):
    """a Goal's or Evidence's name with its point, the jobs and the ceiling filled in"""
    rw, qd, j = _point(t.point, J) if t.point else (None, None, None)
    return t.name.format(rw=rw, qd=qd, jobs=j, J=J, ceiling=CEILING, on=t.on,
                         min_pairs=getattr(t, 'min_pairs', None))


def check_targets(runs, points, rtt=None):
    """Issue 14's targets: each with what was measured and whether met
    (None: not measured in this run), then the evidence rows (kind
    'evidence', no verdict): the ceiling, the event-channel round trip, the
    adaptive poll sweep.  Ratios are medians of per-round ratios within the
    one domU boot."""
    jobs = [r['jobs'] for r in runs] or [1]
    J = max(jobs)
    out = []

    def add(name, got, want, ok, note='', kind='target'):
        out.append({'target': name, 'got': got, 'want': want, 'kind': kind,
                    'met': (None if got is None or ok is None else ok(got)),
                    'stretch_met': None, 'note': note})

    for t in GOALS:
        got, note = measure(t, runs, points, J)
        if t.explain:
            note += EXPLAIN[t.explain](runs, points, J)
        add(target_name(t, J), got, t.want,
            lambda x, t=t: COMPARE[t.cmp](x, t.threshold), note)
    floor = notified_floor(points, rtt)
    if rtt and rtt['mean_us']:
        m = rtt['mean_us']
        add('event-channel round trip dom0 <-> domU, user space to user space (us)',
            m['median'], 'evidence', None,
            'median of %d sessions\' means [%.0f-%.0f]: one kick and one interrupt, '
            'each waking a sleeping task, no I/O' % (m['n'], m['min'], m['max']), 'evidence')
    if floor is not None:
        add('floor of a notified PV request at QD1: %s latency + round trip, x bare'
            % CEILING, floor, 'evidence', None,
            'a request that takes a kick and an interrupt cannot be faster here', 'evidence')
    if not any(p['target'] == CEILING for p in points):
        return out
    for e in EVIDENCE:
        rw, qd, j = _point(e.point, J)
        add(target_name(e, J), med(find_point(points, e.on, rw, qd, j), e.metric),
            'evidence', None, e.note, 'evidence')
    return out
