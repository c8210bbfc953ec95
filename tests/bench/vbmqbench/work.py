"""The work per request: what the hypervisor and both kernels did for one
request (round 0 under xentrace, and every run's own counters), the table
of it and the comparison of vbmq with upstream."""
from .filters import select
from .plan import WORK_TARGETS
from .stats import ratio
from .tables import fmt

# The work per request (round 0, xentrace; every run: interrupts, context
# switches, wake-ups): (key, label, source, counter).  source d0/du: Xen's
# trace of dom0's / the domU's hypercalls (tests/bench/xentrace_count.c)
# over the run's steady part, divided by the backend's requests in that
# window (trace_reqs); dom0/guest: the side's own counters over the whole
# run, divided by its requests.
WORK = [
    ('w_d0_hc', 'dom0 hypercalls', 'd0', 'hc'),
    ('w_du_hc', 'domU hypercalls', 'du', 'hc'),
    ('w_d0_evtchn', 'dom0 event_channel_op (sends to the guest, IPIs, unmasks)', 'd0',
     'evtchn'),
    ('w_du_evtchn', 'domU event_channel_op (kicks, IPIs, unmasks)', 'du', 'evtchn'),
    ('w_gnt_calls', 'dom0 grant_table_op calls', 'd0', 'gnt'),
    ('w_gnt_map', 'grant maps', 'd0', 'gnt_map'),
    ('w_gnt_unmap', 'grant unmaps', 'd0', 'gnt_unmap'),
    ('w_gnt_copy', 'grant copies (4 KiB each here)', 'd0', 'gnt_copy'),
    ('w_du_gnt', 'domU grant_table_op calls', 'du', 'gnt'),
    ('w_d0_block', 'dom0 vCPU blocks (sched_op block)', 'd0', 'sched_block'),
    ('w_du_block', 'domU vCPU blocks (sched_op block)', 'du', 'sched_block'),
    ('w_d0_switch', 'dom0 vCPUs switched in', 'd0', 'switch_in'),
    ('w_du_switch', 'domU vCPUs switched in', 'du', 'switch_in'),
    ('w_d0_mmu', 'dom0 page-table hypercalls', 'd0', 'mmu'),
    ('w_du_mmu', 'domU page-table hypercalls', 'du', 'mmu'),
    ('w_kicks', 'kicks into dom0 (backend interrupts)', 'dom0', 'be_irqs'),
    ('w_guest_irqs', 'guest blkif interrupts', 'guest', 'irqs'),
    ('w_d0_ctxt', 'dom0 context switches', 'dom0', 'ctxt'),
    ('w_d0_wakeups', 'dom0 wake-ups', 'dom0', 'wakeups'),
    ('w_du_ctxt', 'guest context switches', 'guest', 'ctxt'),
    ('w_du_wakeups', 'guest wake-ups', 'guest', 'wakeups'),
]
WORK_KEYS = tuple(w[0] for w in WORK)


def work_per_request(d, g):
    """the WORK counts of one Xen run, per request (None where not counted)"""
    out = {}
    be, ios = d.get('be_reqs'), g.get('ios')
    for key, _, src, name in WORK:
        if src in ('d0', 'du'):
            # the trace covers the run's steady part: its own request count
            v, n = d.get('%s_%s' % (src, name)), d.get('trace_reqs')
        elif src == 'dom0':
            v, n = d.get(name), be
        else:
            v, n = g.get(name), ios
        out[key] = ratio(v, n)
    if d.get('trace_records') is not None:
        out['trace_lost'] = d.get('trace_lost')
        out['trace_unattributed'] = d.get('trace_unattributed')
    return out


def work_columns(runs):
    """the counted runs (round 0) in table order: [(target, point, run)]"""
    out = [(r['target'], (r['rw'], r['qd'], r['jobs']), r)
           for r in select(runs, round=0, status='ok', target=WORK_TARGETS)]
    out.sort(key=lambda x: (x[1][0] != 'randread' or x[1][1] != 32, x[1][0], -x[1][1],
                            WORK_TARGETS.index(x[0])))
    return out


def work_rows(runs):
    """the work-per-request table (header, rows), None without counted runs:
    one row per count, one column per counted run (target at its point)"""
    cols = work_columns(runs)
    if not cols:
        return None
    head = ['per request'] + ['%s %s QD%d' % (t, rw, qd) for t, (rw, qd, _), _ in cols]
    rows = []
    for key, label, _, _ in WORK:
        rows.append([label] + [fmt(r['m'].get(key), 2) for _, _, r in cols])
    rows.append(['requests traced / in the run'] +
                ['%s/%s' % (r['dom0'].get('trace_reqs', '-'), r['dom0'].get('be_reqs', '-'))
                 for _, _, r in cols])
    rows.append(['trace records lost / unattributed'] +
                ['%s/%s' % (r['dom0'].get('trace_lost', '-'),
                            r['dom0'].get('trace_unattributed', '-')) for _, _, r in cols])
    return head, rows


def work_compare(runs, target='vbmq', ref='upstream'):
    """the counts where target did more work per request than ref at the
    same point (round 0): [(label, point, got, ref_value)]; None when the
    two were not both counted"""
    cols = work_columns(runs)
    by = {(t, pt): r for t, pt, r in cols}
    worse, seen = [], False
    for (t, pt), r in by.items():
        if t != target or (ref, pt) not in by:
            continue
        seen = True
        u = by[(ref, pt)]
        for key, label, _, _ in WORK:
            a, b = r['m'].get(key), u['m'].get(key)
            # counts below 0.01 per request are noise of the harness
            if a is not None and b is not None and a > b * 1.05 and a - b >= 0.01:
                worse.append((label, pt, a, b))
    return worse if seen else None
