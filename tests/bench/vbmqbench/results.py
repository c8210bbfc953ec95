"""Aggregation of the runs: one summary per (target, workload, QD, jobs)
point over the timed rounds, with the per-round paired ratios to bare,
upstream and the ceiling; the event-channel round trips; the adaptive poll
sweep and the floor of a notified request, read from the points."""
from .filters import select, values
from .plan import CEILING, boot_of, sweep_us, target_order
from .stats import med, summary

def paired_ratios(runs, target, ref, point, key, boot_of):
    """per-round ratio key(target) / key(ref) for the same point, where both
    ran in the same boot"""
    by_round = {}
    for r in select(runs, status='ok', point=point, timed=True, target=(target, ref)):
        by_round.setdefault(r['round'], {})[r['target']] = r
    out = []
    for rnd in sorted(by_round):
        p = by_round[rnd]
        if target in p and ref in p and boot_of(target) == boot_of(ref):
            a, b = p[target]['m'].get(key), p[ref]['m'].get(key)
            if a is not None and b:
                out.append(a / b)
    return out


RTT_KEYS = ('rtt_mean_us', 'rtt_p50_us', 'rtt_p99_us', 'rtt_min_us')


def evtchn_rtt(recs):
    """The event-channel round trips dom0 timed at each Xen session's start
    (records rtt-SESSION, tests/bench/evtchn_rtt.c): per session, and the
    summary of the sessions' means; None when none ran."""
    sessions = []
    for rid in sorted(recs, key=lambda x: (len(x), x)):
        if not rid.startswith('rtt-'):
            continue
        r = recs[rid]
        one = {'id': rid, 'class': r['d'].get('class'), 'fail': r['fail'],
               'n': int(r['d']['rtt_n']) if r['d'].get('rtt_n', '').isdigit() else 0}
        for k in RTT_KEYS:
            try:
                one[k] = float(r['d'][k])
            except (KeyError, ValueError):
                one[k] = None
        sessions.append(one)
    if not sessions:
        return None
    return {'sessions': sessions,
            'mean_us': summary([x['rtt_mean_us'] for x in sessions]),
            'p99_us': summary([x['rtt_p99_us'] for x in sessions])}


METRICS = ('iops', 'lat_mean_us', 'lat_p99_us', 'dom0_cpu_us_per_io',
           'guest_cpu_us_per_io', 'kicks_per_1000', 'irqs_per_1000',
           'ring_kicks_per_1000', 'ring_notify_per_1000', 'dom0_busy_pct',
           'idle_poll_ns_50ms', 'polled_ring_irqs', 'ring_poll_ms', 'ring_gap_us',
           'ring_short_gap_pct')


def aggregate(runs):
    keys = []
    for r in runs:
        k = (r['target'], r['rw'], r['qd'], r['jobs'])
        if k not in keys:
            keys.append(k)
    keys.sort(key=lambda k: (target_order(k[0]), k[1], -k[2], k[3]))
    points = []
    for (t, rw, qd, j) in keys:
        rs = select(runs, target=t, point=(rw, qd, j), timed=True)
        if not rs:
            continue            # counted only (round 0): work_rows
        ok = select(rs, status='ok')
        p = {'target': t, 'rw': rw, 'qd': qd, 'jobs': j, 'runs': len(rs), 'ok': len(ok),
             'failed': [r['id'] + ': ' + (r['reason'] or r['status'])
                        for r in rs if r['status'] != 'ok']}
        for m in METRICS:
            p[m] = summary(values(ok, m))
        point = (rw, qd, j)
        for ref, rname in (('bare', 'bare'), ('upstream', 'upstream'),
                           (CEILING, 'ceiling')):
            if t == ref:
                continue
            paired = boot_of(t) == boot_of(ref)
            pairs = (('iops', 'iops_x_%s' % rname), ('lat_mean_us', 'lat_x_%s' % rname))
            if ref != CEILING:
                pairs += (('dom0_cpu_us_per_io', 'cpu_x_%s' % rname),)
            if ref == 'upstream':
                pairs += (('guest_cpu_us_per_io', 'gcpu_x_upstream'),)
            for key, name in pairs:
                if paired:
                    s = summary(paired_ratios(runs, t, ref, point, key, boot_of))
                    if s:
                        s['paired'] = True
                else:
                    a = summary(values(ok, key))
                    b = summary(values(runs, key, status='ok', target=ref, timed=True,
                                       point=point))
                    s = ({'median': a['median'] / b['median'], 'n': 1, 'paired': False,
                          'min': None, 'max': None, 'values': []}
                         if a and b and b['median'] else None)
                p[name] = s
        points.append(p)
    return points


def find_point(points, target, rw, qd, jobs):
    for p in points:
        if (p['target'], p['rw'], p['qd'], p['jobs']) == (target, rw, qd, jobs):
            return p
    return None


def notified_floor(points, rtt):
    """(domu-local QD1 mean latency + the event-channel round trip) / bare's
    QD1 mean latency, from medians; None without all three"""
    c = med(find_point(points, CEILING, 'randread', 1, 1), 'lat_mean_us')
    b = med(find_point(points, 'bare', 'randread', 1, 1), 'lat_mean_us')
    if c is None or not b or not rtt or not rtt['mean_us']:
        return None
    return (c + rtt['mean_us']['median']) / b


def sweep_points(points):
    """The adaptive poll sweep at randread QD32 J jobs: one dict per poll
    setting that ran there (vbmq = adaptive at the module default window,
    each vbmq-pollNus, vbmq-always), in window order; [] without a sweep."""
    sw = [p for p in points if sweep_us(p['target']) is not None and p['ok']]
    if not sw:
        return []
    rw, qd, j = sw[0]['rw'], sw[0]['qd'], sw[0]['jobs']
    out = []
    for t in ['vbmq'] + sorted({p['target'] for p in sw}, key=sweep_us) + ['vbmq-always']:
        p = find_point(points, t, rw, qd, j)
        if not p or not p['ok']:
            continue
        us = sweep_us(t)
        label = ('adaptive %d us' % us if us is not None else
                 'always' if t == 'vbmq-always' else 'adaptive (module default)')
        out.append({'target': t, 'label': label, 'workload': '%s QD%d %d jobs' % (rw, qd, j),
                    'n': '%d/%d' % (p['ok'], p['runs']),
                    'iops': med(p, 'iops'), 'iops_x_bare': med(p, 'iops_x_bare'),
                    'kicks_per_1000': med(p, 'kicks_per_1000'),
                    'dom0_cpu_us_per_io': med(p, 'dom0_cpu_us_per_io'),
                    'dom0_busy_pct': med(p, 'dom0_busy_pct'),
                    'guest_cpu_us_per_io': med(p, 'guest_cpu_us_per_io'),
                    'poll_ms': med(p, 'ring_poll_ms'),
                    'gap_us': med(p, 'ring_gap_us'),
                    'short_gap_pct': med(p, 'ring_short_gap_pct')})
    return out
