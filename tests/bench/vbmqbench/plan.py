"""The targets, the profiles and the run plan: which (target, workload,
queue depth, jobs) runs in which round, and in what order (make_plan);
run ids; the plan file's reader."""
import re

TARGETS = ['bare', 'upstream', 'vbmq', 'vbmq-always', 'vbmq-polled', 'vbmq-exitless',
           'domu-local', 'kvm']
# the driver pair a Xen target runs on (tests/bench/guest/bench.sh
# drivers_use swaps both sides in the one domU); bare and domu-local run
# beside whichever pair serves the disk
DRIVERS = {'upstream': 'upstream', 'vbmq': 'vbmq', 'vbmq-always': 'vbmq',
           'vbmq-polled': 'vbmq-pq', 'vbmq-exitless': 'vbmq-pq'}
XEN_TARGETS = ('upstream', 'vbmq', 'vbmq-always', 'vbmq-polled', 'vbmq-exitless',
               'domu-local')
HEADLINE_TARGETS = ('bare', 'upstream', 'vbmq')
# the ceiling: fio inside the PV domU on its own null_blk, no Xen I/O path
CEILING = 'domu-local'
# adaptive poll sweep targets: vbmq with poll=adaptive and vbmq/poll-max-us US
SWEEP_RE = re.compile(r'^vbmq-poll(\d+)us$')
RWS = ['randread', 'randwrite']
USER_HZ = 100           # /proc/stat jiffies per second
LABEL = {'bare': 'bare (dom0 on null_blk)', 'upstream': 'upstream Xen',
         'vbmq': 'vbmq (adaptive)', 'vbmq-always': 'vbmq poll=always',
         'vbmq-polled': 'vbmq guest poll queue',
         'vbmq-exitless': 'vbmq exit-less (poll=always + guest poll queue)',
         'domu-local': 'domU-local null_blk (ceiling)', 'kvm': 'KVM virtio-blk'}

# the Xen targets whose work per request round 0 counts under xentrace
WORK_TARGETS = ('upstream', 'vbmq', 'vbmq-always', 'vbmq-polled', 'vbmq-exitless')

PROFILES = {
    # demo: <= 20 minutes on a 2-core host, test bed included.  Rounds of
    # each (target, point), see make_plan: pair_rounds for the paired
    # headline (upstream and vbmq at randread and randwrite QD32 J jobs and
    # randread QD1; vbmq-polled and vbmq-exitless at their own headline
    # points), ref_rounds for the references (bare, the ceiling) and the
    # polled targets' other points, extra_rounds for vbmq-always and the
    # poll sweep, sweep_rounds for the job sweep; count: round 0, the work
    # per request counted with xentrace (not timed)
    'demo': dict(pair_rounds=6, ref_rounds=3, extra_rounds=2, sweep_rounds=1, count=True,
                 runtime=3, ramp=1, poll_sweep=[]),
    # full: more rounds, longer runs, the adaptive poll sweep
    'full': dict(pair_rounds=8, ref_rounds=4, extra_rounds=4, sweep_rounds=4, count=True,
                 runtime=10, ramp=3, poll_sweep=[32, 200, 1000, 5000]),
    # paper: the papers' figure on a bigger host (docs/benchmarks.md): IOPS
    # and latency against jobs 1..J at randread QD32, and QD1, for bare,
    # upstream, vbmq and vbmq polling always, every point in every round
    'paper': dict(pair_rounds=3, ref_rounds=3, extra_rounds=3, sweep_rounds=3, count=False,
                  runtime=10, ramp=2, poll_sweep=[], rws=['randread'],
                  targets=['bare', 'upstream', 'vbmq', 'vbmq-always']),
}
# plan time model (s): boot and setup, each run's fixed cost beyond runtime
# + ramp, each domU boot, each driver swap (detach, swap both sides, attach),
# the KVM boot
EST_BOOT, EST_RUN, EST_DOMU, EST_SWAP, EST_KVM = 150, 4, 40, 20, 40


def sweep_target(us):
    return 'vbmq-poll%dus' % us


def sweep_us(target):
    """the poll window of a sweep target, or None"""
    m = SWEEP_RE.match(target or '')
    return int(m.group(1)) if m else None


def target_class(t):
    """the session a target runs in: xen (the one domU boot) or kvm"""
    return 'kvm' if t == 'kvm' else 'xen'


def drivers_of(t):
    """the driver pair a target runs on, None for any (bare, domu-local)"""
    return 'vbmq' if sweep_us(t) is not None else DRIVERS.get(t)


def target_order(t):
    """sort key: the fixed targets, the sweep after vbmq-always by window"""
    us = sweep_us(t)
    if us is not None:
        return (TARGETS.index('vbmq-always'), us)
    return (TARGETS.index(t) if t in TARGETS else 99, -1)


def boot_of(target):
    """the boot a target runs in: ratios pair runs of the same boot"""
    return target_class(target)


# ---------------------------------------------------------------- plan

def run_id(rnd, target, rw, qd, jobs):
    return 'r%d-%s-%s-qd%d-j%d' % (rnd, target, rw, qd, jobs)


def parse_id(rid):
    m = re.match(r'^r(\d+)-(.+)-(randread|randwrite)-qd(\d+)-j(\d+)$', rid)
    if not m:
        return None
    return dict(round=int(m.group(1)), target=m.group(2), rw=m.group(3),
                qd=int(m.group(4)), jobs=int(m.group(5)))


PAIR_ORDER = ['upstream', 'vbmq', 'vbmq-pq']


def make_plan(profile='demo', rounds=None, runtime=None, ramp=None,
              targets=None, jobs=None, domu_vcpus=2, rws=None, poll_sweep=None):
    """The ordered list of plan lines: ('S', session, class) and
    ('R', id, target, rw, qd, jobs).  Every Xen target runs in one domU boot
    (session class xen; bare beside it), the drivers swapped between runs
    whose pairs differ; kvm runs in its own QEMU after it.

    The headline points are randread and randwrite QD32 at J jobs and
    randread QD1.  upstream and vbmq run at all three in pair_rounds
    rounds (rounds, when given, sets it), vbmq-polled at randread QD32 J
    and vbmq-exitless at QD1 as well; bare and the ceiling at randread
    QD32 J in ref_rounds; vbmq-always, kvm, the polled targets' other
    randread point, bare's and the ceiling's QD1, bare's randwrite and the
    adaptive poll sweep
    (poll_sweep: windows in us, [] for none, None for the profile's;
    randread QD32 J) in extra_rounds; the job sweep (the other job counts,
    bare/upstream/vbmq, randread) and the ceiling's randwrite in
    sweep_rounds.  Round 0,
    when the profile counts, runs upstream's and vbmq's headline points and
    vbmq-exitless at QD1 once under xentrace: the work per request, not
    timed.  Within a round the
    runs are grouped by driver pair, the order reversed from round to
    round, so upstream and vbmq runs of a point are neighbours and a round
    costs two swaps.  rws limits the workloads (a real host's device may
    allow reads only)."""
    p = dict(PROFILES[profile])
    if rounds:
        p['pair_rounds'] = rounds
    for k in ('ref_rounds', 'extra_rounds', 'sweep_rounds'):
        p[k] = min(p[k], p['pair_rounds'])
    if runtime:
        p['runtime'] = runtime
    if ramp is not None:
        p['ramp'] = ramp
    targets = list(targets or p.get('targets') or TARGETS)
    for t in targets:
        if t not in TARGETS:
            raise ValueError('unknown target %s' % t)
    if poll_sweep is not None:
        p['poll_sweep'] = poll_sweep
        if poll_sweep and 'vbmq' not in targets:
            raise ValueError('the poll sweep runs on the vbmq drivers: add the vbmq target')
    elif 'vbmq' not in targets:
        p['poll_sweep'] = []        # the profile's sweep needs the vbmq target
    for us in p['poll_sweep']:
        if not isinstance(us, int) or not 0 <= us <= 10000:
            raise ValueError('poll sweep window %r: 0..10000 us' % (us,))
    p['poll_sweep'] = sorted(set(p['poll_sweep']))
    targets += [sweep_target(us) for us in p['poll_sweep']
                if sweep_target(us) not in targets]
    rws = rws or p.get('rws') or RWS
    for w in rws:
        if w not in RWS:
            raise ValueError('unknown workload %s' % w)
    jobs = jobs or list(range(1, domu_vcpus + 1))
    J = max(jobs)
    rr32, rw32, rr1 = ('randread', 32, J), ('randwrite', 32, J), ('randread', 1, 1)
    headline = [rr32, rw32, rr1]
    points = headline + [('randread', 32, j) for j in jobs if j != J] + \
        [('randwrite', 32, j) for j in jobs if j != J]
    points = [x for x in points if x[0] in rws]

    def rounds_of(t, point):
        """how many timed rounds run this target at this point"""
        if sweep_us(t) is not None:
            return p['extra_rounds'] if point == rr32 else 0
        if point not in headline:
            if profile == 'paper':
                return p['sweep_rounds']
            return p['sweep_rounds'] if t in HEADLINE_TARGETS and point[0] == 'randread' else 0
        if t in ('upstream', 'vbmq') or (t, point) in (('vbmq-polled', rr32),
                                                       ('vbmq-exitless', rr1)):
            return p['pair_rounds']
        if point == rw32:
            return {'bare': p['extra_rounds'], CEILING: p['sweep_rounds']}.get(t, 0)
        if (t, point) in (('bare', rr32), (CEILING, rr32)):
            return p['ref_rounds']
        if t in ('bare', CEILING):
            return p['extra_rounds']
        return p['extra_rounds']       # vbmq-always, kvm, the polled targets' others

    def counted(t, point):
        """round 0: the Xen targets' headline points, once each"""
        if not p['count'] or t not in WORK_TARGETS:
            return False
        if t in ('upstream', 'vbmq'):
            return point in headline
        # the exit-less configuration: what it saves at QD1
        return t == 'vbmq-exitless' and point == rr1

    def group_key(t):
        d = drivers_of(t)
        return -1 if d is None else PAIR_ORDER.index(d)

    def round_runs(r, ts):
        """round r's runs of targets ts, grouped by driver pair (the
        pair-neutral targets first), order reversed in odd rounds"""
        ts = sorted(ts, key=lambda t: (group_key(t), target_order(t)))
        pts = points
        if r % 2 == 1:
            ts, pts = list(reversed(ts)), list(reversed(points))
        out = []
        for key in sorted({group_key(t) for t in ts}, reverse=(r % 2 == 1)):
            for (rw, qd, j) in pts:
                for t in ts:
                    if group_key(t) != key:
                        continue
                    if r == 0 and not counted(t, (rw, qd, j)):
                        continue
                    if r > 0 and r > rounds_of(t, (rw, qd, j)):
                        continue
                    out.append(('R', run_id(r, t, rw, qd, j), t, rw, str(qd), str(j)))
        return out

    xen = [t for t in targets if target_class(t) == 'xen']
    domu = any(t in XEN_TARGETS or sweep_us(t) is not None for t in xen)
    lines = []
    if xen:
        runs = [x for r in range(0 if p['count'] else 1, p['pair_rounds'] + 1)
                for x in round_runs(r, xen)]
        if runs:
            lines = [('S', '1', 'xen' if domu else 'bare')] + runs
    kvm = [x for r in range(1, p['pair_rounds'] + 1) for x in round_runs(r, ['kvm'])] \
        if 'kvm' in targets else []
    lines += kvm            # in its own QEMU, after the Xen test bed
    nrun = sum(1 for x in lines if x[0] == 'R')
    ndomu = sum(1 for x in lines if x[0] == 'S' and x[2] == 'xen')
    nswap, cur = 0, None
    for x in lines:
        if x[0] == 'R' and drivers_of(x[2]) not in (None, cur):
            cur = drivers_of(x[2])
            nswap += 1
    est = EST_BOOT + nrun * (p['runtime'] + p['ramp'] + EST_RUN) + ndomu * EST_DOMU + \
        nswap * EST_SWAP + (EST_KVM if kvm else 0)
    head = ('#', 'runtime=%d ramp=%d profile=%s rounds=%d jobs=%s poll_sweep=%s '
            'runs=%d swaps=%d est_s=%d' % (p['runtime'], p['ramp'], profile,
                                           p['pair_rounds'], ','.join(map(str, jobs)),
                                           ','.join(map(str, p['poll_sweep'])) or '-',
                                           nrun, nswap, est))
    return [head] + lines


def read_plan(path):
    """the S and R lines of a plan file, as tuples of words"""
    out = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if w and w[0] in ('S', 'R'):
                out.append(tuple(w))
    return out
