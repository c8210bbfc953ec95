#!/usr/bin/env python3
"""vbmq benchmark: the run plan, and the results from the serial logs.

  bench.py plan [--profile demo|full] [--rounds N] [--runtime S] [--ramp S]
                [--targets "..."] [--jobs "1 2"] [--domu-vcpus N]
                [--poll-sweep "32 1000 5000"]
  bench.py parse --out DIR --plan FILE [--facts FILE] SERIAL_LOG...

`parse` reads the @@BENCH lines the guests printed (tests/bench/guest/
bench.lib), decodes each run's fio JSON, and writes DIR/results.json,
DIR/table.md, DIR/table.txt and the PNG plots (gnuplot).  Python 3 stdlib.
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

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


# ---------------------------------------------------------------- parsing

MARK = re.compile(r'@@BENCH ([A-Z]) ?(.*)$')


def kv_words(text):
    """'a=1 b=x y=' -> dict (values stay strings)"""
    d = {}
    for w in text.split():
        if '=' in w:
            k, v = w.split('=', 1)
            d[k] = v
    return d


def read_records(lines):
    """@@BENCH lines -> (runs dict by id, meta list, progress list)"""
    runs, meta, progress = {}, [], []

    def rec(rid):
        return runs.setdefault(rid, {'chunks': {}, 'end': None, 'g': {}, 'd': {},
                                     'fail': None})
    for line in lines:
        line = line.replace('\r', '').rstrip('\n')
        m = MARK.search(line)
        if not m:
            continue
        kind, rest = m.groups()
        if kind == 'M':
            meta.append(kv_words(rest))
            continue
        if kind == 'P':
            progress.append(rest)
            continue
        parts = rest.split(' ', 1)
        rid, body = parts[0], (parts[1] if len(parts) > 1 else '')
        if not rid:
            continue
        r = rec(rid)
        if kind == 'J':
            seq, _, chunk = body.partition(' ')
            if seq.isdigit():
                r['chunks'][int(seq)] = chunk.strip()
        elif kind == 'E':
            w = body.split()
            if len(w) == 2 and w[0].isdigit():
                r['end'] = (int(w[0]), w[1])
        elif kind == 'G':
            r['g'].update(kv_words(body))
        elif kind == 'D':
            r['d'].update(kv_words(body))
        elif kind == 'F':
            r['fail'] = body
    return runs, meta, progress


def write_trace_samples(lines, out):
    """X lines (a run's first KiB of Xen trace, gzip + base64, asked with
    VBMQ_BENCH_TRACE_SAMPLE_KB) -> out/xentrace-ID.bin; the names written"""
    chunks = {}
    for line in lines:
        m = MARK.search(line.replace('\r', '').rstrip('\n'))
        if not m or m.group(1) != 'X':
            continue
        w = m.group(2).split(' ')
        if len(w) == 3 and w[1].isdigit():
            chunks.setdefault(w[0], {})[int(w[1])] = w[2]
    names = []
    for rid, c in sorted(chunks.items()):
        try:
            data = gzip.decompress(base64.b64decode(''.join(c[i] for i in sorted(c))))
        except (ValueError, OSError, EOFError):
            continue            # cut off: the boot ended mid-sample
        name = 'xentrace-%s.bin' % rid
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
        names.append(name)
    return names


def read_profiles(lines):
    """@@BENCH T ID SIDE LINE (tests/bench/run --perf) -> {(id, side): [line]}"""
    prof = {}
    for line in lines:
        m = MARK.search(line.replace('\r', '').rstrip('\n'))
        if not m or m.group(1) != 'T':
            continue
        w = m.group(2).split(' ', 2)
        if len(w) == 3 and w[0] and w[1]:
            prof.setdefault((w[0], w[1]), []).append(w[2])
    return prof


def write_profiles(prof, out):
    """DIR/profile/ID.SIDE.txt for each profile; returns their names"""
    names = []
    if not prof:
        return names
    d = os.path.join(out, 'profile')
    os.makedirs(d, exist_ok=True)
    for (rid, side), text in sorted(prof.items()):
        name = '%s.%s.txt' % (re.sub(r'[^A-Za-z0-9_.-]', '_', rid),
                              re.sub(r'[^A-Za-z0-9_-]', '_', side))
        with open(os.path.join(d, name), 'w') as f:
            f.write('# perf: share of all samples of every CPU of %s during %s '
                    '(cpu-clock 499 Hz): command, object, symbol\n' % (side, rid))
            f.write('\n'.join(text) + '\n')
        names.append('profile/' + name)
    return names


def decode_fio(r):
    """fio's JSON from a record's chunks, or raise ValueError why not"""
    if r['end'] is None:
        raise ValueError('fio output incomplete (no end line)')
    n, md5 = r['end']
    missing = [i for i in range(n) if i not in r['chunks']]
    if missing:
        raise ValueError('fio output: %d of %d chunks missing' % (len(missing), n))
    text = ''.join(r['chunks'][i] for i in range(n))
    if hashlib.md5(text.encode()).hexdigest() != md5:
        raise ValueError('fio output corrupted on the console (md5 mismatch)')
    raw = gzip.decompress(base64.b64decode(text)).decode('utf-8', 'replace')
    return json.loads(raw[raw.index('{'):])


def fio_metrics(fio):
    """IOPS, mean and p99 latency (us), I/Os of one fio run (group
    reporting: jobs[0]).  Latency is submission to completion (lat_ns);
    p99 from lat_ns percentiles, else clat_ns (fio's default)."""
    job = fio['jobs'][0]
    iops = 0.0
    ios = 0
    lat_sum = 0.0
    p99 = None
    p99_ios = 0
    for d in ('read', 'write'):
        s = job.get(d) or {}
        n = int(s.get('total_ios', 0) or 0)
        if n <= 0:
            continue
        iops += float(s.get('iops', 0.0))
        ios += n
        lat = s.get('lat_ns') or {}
        lat_sum += float(lat.get('mean', 0.0)) * n
        pct = (lat.get('percentile') or (s.get('clat_ns') or {}).get('percentile') or {})
        v = pct.get('99.000000')
        if v is not None and n > p99_ios:     # the dominant direction's p99
            p99, p99_ios = float(v) / 1000.0, n
    return {'iops': iops, 'ios': ios,
            'lat_mean_us': (lat_sum / ios / 1000.0) if ios else None,
            'lat_p99_us': p99}


def ratio(num, den, scale=1.0):
    """num * scale / den from numbers or their strings; None when either is
    missing or the denominator is not positive"""
    try:
        num, den = float(num), float(den)
    except (TypeError, ValueError):
        return None
    return num * scale / den if den > 0 else None


def per_1000(num, den):
    return ratio(num, den, 1000.0)


def cpu_us_per_io(busy_jiffies, ios):
    return ratio(busy_jiffies, ios, 1e6 / USER_HZ)


def busy_pct(rec):
    """the share of CPU time a G/D record's CPU counters say was busy"""
    return ratio(rec.get('cpu_busy'), rec.get('cpu_total'), 100.0)


def ring_words(s):
    """'be_kicks=3;be_poll=adaptive;' -> dict of numbers where numeric"""
    d = {}
    for w in (s or '').split(';'):
        if '=' in w:
            k, v = w.split('=', 1)
            try:
                d[k] = float(v)
            except ValueError:
                d[k] = v
    return d


def fe_rings(s):
    """vbmq-blkfront's per-ring figures (debugfs, as the guest's fe_rings
    tabulates them) as relayed ('a:b:c:,0:irq:...:,') -> list of dicts
    keyed by its header"""
    rows = [r.split(':') for r in (s or '').split(',') if r]
    if not rows or rows[0][0] != 'ring':
        return []
    head = [h for h in rows[0] if h]
    out = []
    for r in rows[1:]:
        r = [x for x in r if x != '']
        if len(r) >= len(head):
            out.append(dict(zip(head, r[:len(head)])))
    return out


def derive(meta_run, r):
    """Derived figures of one run from its fio metrics and G/D records."""
    t = meta_run['target']
    g, d = r['g'], r['d']
    out = {}
    if t == 'bare':
        out['dom0_cpu_us_per_io'] = cpu_us_per_io(g.get('cpu_busy'), g.get('ios'))
        out['dom0_busy_pct'] = busy_pct(g)
    elif t == 'kvm':
        out['guest_cpu_us_per_io'] = cpu_us_per_io(g.get('cpu_busy'), g.get('ios'))
        out['irqs_per_1000'] = per_1000(g.get('irqs'), g.get('ios'))
    elif t == CEILING:
        # fio in the domU on its own null_blk: the guest's CPU per request
        # is the whole cost; dom0 only idles beside it
        out['guest_cpu_us_per_io'] = cpu_us_per_io(g.get('cpu_busy'), g.get('ios'))
        out['dom0_busy_pct'] = busy_pct(d)
    else:
        out['dom0_cpu_us_per_io'] = cpu_us_per_io(d.get('cpu_busy'), d.get('be_reqs'))
        out['dom0_busy_pct'] = busy_pct(d)
        out['guest_cpu_us_per_io'] = cpu_us_per_io(g.get('cpu_busy'), g.get('ios'))
        out.update(work_per_request(d, g))
        out['kicks_per_1000'] = per_1000(d.get('be_irqs'), d.get('be_reqs'))
        out['irqs_per_1000'] = per_1000(g.get('irqs'), g.get('ios'))
        r0, r1 = ring_words(d.get('ring0')), ring_words(d.get('ring1'))
        if r0 and r1:
            def delta(k):
                a, b = r0.get(k), r1.get(k)
                return (b - a) if isinstance(a, float) and isinstance(b, float) else None
            reqs = (delta('be_rd_req') or 0) + (delta('be_wr_req') or 0)
            out['ring_kicks_per_1000'] = per_1000(delta('be_kicks'), reqs)
            out['ring_notify_per_1000'] = per_1000(delta('be_notify_sent'), reqs)
            out['ring_poll_hits'] = delta('be_poll_hits')
            out['ring_poll_misses'] = delta('be_poll_misses')
            out['ring_poll_ms'] = (delta('be_poll_ns') or 0) / 1e6
            out['ring_sleep_ms'] = (delta('be_sleep_ns') or 0) / 1e6
            out['ring_gap_us'] = ratio(delta('be_gap_ns'), delta('be_gaps'), 1e-3)
            out['ring_short_gap_pct'] = ratio(delta('be_short_gaps'), delta('be_gaps'), 100.0)
            out['ring_cpus'] = r1.get('be_cpus')
            out['ring_poll_mode'] = r1.get('be_poll')
            out['ring_poll_max_us'] = r1.get('be_poll_max_us')
        if 'idle_poll_ns_50ms' in d:
            out['idle_poll_ns_50ms'] = float(d['idle_poll_ns_50ms'])
        f0, f1 = fe_rings(g.get('fe_rings0')), fe_rings(g.get('fe_rings1'))
        if f0 and f1 and len(f0) == len(f1):
            polled_irqs = 0
            polled_reqs = 0
            for a, b in zip(f0, f1):
                if b.get('type') == 'poll':
                    polled_irqs += int(b['interrupts']) - int(a['interrupts'])
                    polled_reqs += int(b['requests']) - int(a['requests'])
            if any(b.get('type') == 'poll' for b in f1):
                out['polled_ring_irqs'] = polled_irqs
                out['polled_ring_reqs'] = polled_reqs
    return out


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


def summary(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    med = statistics.median(v)
    return {'median': med, 'min': min(v), 'max': max(v), 'n': len(v),
            'spread_pct': (100.0 * (max(v) - min(v)) / med) if med else None,
            'values': v}


def paired_ratios(runs, target, ref, point, key, boot_of):
    """per-round ratio key(target) / key(ref) for the same point, where both
    ran in the same boot"""
    by_round = {}
    for r in runs:
        if r['status'] != 'ok' or (r['rw'], r['qd'], r['jobs']) != point or \
                r['round'] == 0:
            continue
        if r['target'] in (target, ref):
            by_round.setdefault(r['round'], {})[r['target']] = r
    out = []
    for rnd in sorted(by_round):
        p = by_round[rnd]
        if target in p and ref in p and boot_of(target) == boot_of(ref):
            a, b = p[target]['m'].get(key), p[ref]['m'].get(key)
            if a is not None and b:
                out.append(a / b)
    return out


def boot_of(target):
    return 'kvm' if target == 'kvm' else 'xen'


def build_results(serial_lines, plan_lines, facts=None):
    recs, meta, progress = read_records(serial_lines)
    runs = []
    for pl in plan_lines:
        if pl[0] != 'R':
            continue
        rid, target, rw, qd, jobs = pl[1], pl[2], pl[3], int(pl[4]), int(pl[5])
        info = parse_id(rid) or {}
        run = {'id': rid, 'round': info.get('round', 0), 'target': target, 'rw': rw,
               'qd': qd, 'jobs': jobs, 'status': 'missing', 'reason': None,
               'm': {}, 'fio': None, 'guest': {}, 'dom0': {}}
        r = recs.get(rid)
        if r is None:
            run['reason'] = 'no result (the boot ended before this run)'
        elif r['fail']:
            run['status'], run['reason'] = 'failed', r['fail']
            run['guest'], run['dom0'] = r['g'], r['d']
        else:
            try:
                fio = decode_fio(r)
                run['fio'] = fio
                run['m'] = fio_metrics(fio)
                run['m'].update(derive(run, r))
                run['guest'], run['dom0'] = r['g'], r['d']
                run['status'] = 'ok'
            except (ValueError, KeyError, IndexError, OSError, EOFError) as e:
                run['status'], run['reason'] = 'failed', str(e)
        runs.append(run)
    points = aggregate(runs)
    rtt = evtchn_rtt(recs)
    checks = check_targets(runs, points, rtt)
    return {'schema': 1, 'facts': facts or {}, 'meta': meta, 'progress': progress,
            'runs': runs, 'points': points, 'targets': checks, 'evtchn_rtt': rtt}


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
        rs = [r for r in runs if (r['target'], r['rw'], r['qd'], r['jobs']) == (t, rw, qd, j)
              and r['round'] > 0]
        if not rs:
            continue            # counted only (round 0): work_rows
        ok = [r for r in rs if r['status'] == 'ok']
        p = {'target': t, 'rw': rw, 'qd': qd, 'jobs': j, 'runs': len(rs), 'ok': len(ok),
             'failed': [r['id'] + ': ' + (r['reason'] or r['status'])
                        for r in rs if r['status'] != 'ok']}
        for m in METRICS:
            p[m] = summary([r['m'].get(m) for r in ok])
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
                    a = summary([r['m'].get(key) for r in ok])
                    b = summary([r['m'].get(key) for r in runs
                                 if r['status'] == 'ok' and r['target'] == ref and
                                 r['round'] > 0 and
                                 (r['rw'], r['qd'], r['jobs']) == point])
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


def med(p, key):
    if not p or not p.get(key):
        return None
    return p[key]['median']


WORK_TARGETS = ('upstream', 'vbmq', 'vbmq-always', 'vbmq-polled', 'vbmq-exitless')


def work_columns(runs):
    """the counted runs (round 0) in table order: [(target, point, run)]"""
    out = []
    for r in runs:
        if r['round'] == 0 and r['status'] == 'ok' and r['target'] in WORK_TARGETS:
            out.append((r['target'], (r['rw'], r['qd'], r['jobs']), r))
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

    def spread(p, key):
        s = p and p.get(key)
        if not s or s['n'] < 2:
            return 'median of per-round ratios (n=%d)' % (s['n'] if s else 0)
        return 'median of %d per-round ratios [%.2f-%.2f]' % (s['n'], s['min'], s['max'])

    for rw, qd, j in (('randread', 32, J), ('randwrite', 32, J), ('randread', 1, 1)):
        p = find_point(points, 'vbmq', rw, qd, j)
        add('vbmq (adaptive) %s QD%d %d jobs IOPS vs upstream' % (rw, qd, j),
            med(p, 'iops_x_upstream'), '>= 1.0x', lambda x: x >= 1.0,
            spread(p, 'iops_x_upstream'))
    p = find_point(points, 'vbmq-polled', 'randread', 32, J)
    add('vbmq-polled randread QD32 %d jobs IOPS vs upstream' % J,
        med(p, 'iops_x_upstream'), '>= 1.2x', lambda x: x >= 1.2, spread(p, 'iops_x_upstream'))
    best = None
    for t in ('vbmq', 'vbmq-always', 'vbmq-polled', 'vbmq-exitless'):
        # at least 3 pairs: one stalled ceiling run made a 2-pair median
        # of 7x in session 15's demo
        p = find_point(points, t, 'randread', 32, J)
        v = med(p, 'iops_x_ceiling')
        if v is not None and p['iops_x_ceiling']['n'] >= 3 and (best is None or v > best[1]):
            best = (t, v)
    add('best vbmq variant randread QD32 %d jobs IOPS vs %s (ceiling, >= 3 pairs)' % (J, CEILING),
        best[1] if best else None, '>= 0.8x', lambda x: x >= 0.8,
        ('%s; upstream %s' % (best[0], fmt(med(find_point(points, 'upstream', 'randread', 32, J),
                                                'iops_x_ceiling'), 2))) if best else '')
    ex = [r for r in runs if r['status'] == 'ok' and r['target'] == 'vbmq-exitless']
    k = [r['m'].get('kicks_per_1000') for r in ex if r['m'].get('kicks_per_1000') is not None]
    i = [r['m'].get('irqs_per_1000') for r in ex if r['m'].get('irqs_per_1000') is not None]
    add('vbmq-exitless kicks into dom0 per 1000 requests', max(k) if k else None, '0',
        lambda x: x == 0, 'worst of %d runs' % len(k))
    add('vbmq-exitless guest interrupts per 1000 requests', max(i) if i else None, '0',
        lambda x: x == 0, 'worst of %d runs' % len(i))
    p = find_point(points, 'vbmq-exitless', 'randread', 1, 1)
    add('vbmq-exitless randread QD1 mean latency vs upstream', med(p, 'lat_x_upstream'),
        '<= 0.5x', lambda x: x <= 0.5, spread(p, 'lat_x_upstream'))
    p = find_point(points, 'vbmq', 'randread', 32, J)
    add('vbmq dom0 CPU per request vs upstream (randread QD32 %d jobs)' % J,
        med(p, 'cpu_x_upstream'), '<= 0.9x', lambda x: x <= 0.9, spread(p, 'cpu_x_upstream'))
    add('vbmq guest CPU per request vs upstream (randread QD32 %d jobs)' % J,
        med(p, 'gcpu_x_upstream'), '<= 1.0x', lambda x: x <= 1.0, spread(p, 'gcpu_x_upstream'))
    worse = work_compare(runs)
    add('vbmq work per request: counts above upstream\'s (round 0)',
        None if worse is None else float(len(worse)), '0', lambda x: x == 0,
        '; '.join('%s at %s QD%d: %.2f vs %.2f' % (lab, pt[0], pt[1], a, b)
                  for lab, pt, a, b in (worse or [])) or 'none')
    vals = [r['m'].get('kicks_per_1000') for r in runs
            if r['status'] == 'ok' and r['target'] == 'vbmq-always' and r['round'] > 0]
    vals = [v for v in vals if v is not None]
    add('vbmq-always kicks into dom0 per 1000 requests', max(vals) if vals else None,
        '<= 1', lambda x: x <= 1.0, 'worst run')
    vals = [r['m'].get('kicks_per_1000') for r in runs
            if r['status'] == 'ok' and r['target'] == 'vbmq' and r['qd'] == 32 and
            r['round'] > 0]
    vals = [v for v in vals if v is not None]
    sweep = sweep_points(points)
    note = 'worst run'
    best = [s for s in sweep if s['kicks_per_1000'] is not None]
    if best:
        b = min(best, key=lambda s: s['kicks_per_1000'])
        note += ('; poll sweep: fewest %.0f/1000 at %s (IOPS %s, dom0 %s us CPU/IO)' %
                 (b['kicks_per_1000'], b['label'], fmt(b['iops']),
                  fmt(b['dom0_cpu_us_per_io'], 0)))
    vp = find_point(points, 'vbmq', 'randread', 32, J)
    gap, short = med(vp, 'ring_gap_us'), med(vp, 'ring_short_gap_pct')
    if gap is not None:
        caps = sorted({'%g' % r['m']['ring_poll_max_us'] for r in runs
                       if r['status'] == 'ok' and r['target'] == 'vbmq' and
                       isinstance(r['m'].get('ring_poll_max_us'), float)})
        note += ('; at randread QD32 %d jobs %s of the idle gaps were within the %s us '
                 'cap (mean gap %.0f us): the guest\'s gaps %s' %
                 (J, '-' if short is None else '%.1f %%' % short, '/'.join(caps) or '?', gap,
                  'allow it' if short is not None and short >= 95 else
                  'do not allow it (most are longer than the window)'))
    add('vbmq adaptive kicks per 1000 requests under load (QD32)',
        max(vals) if vals else None, '<= 50', lambda x: x <= 50.0, note)
    vals = [r['m'].get('polled_ring_irqs') for r in runs
            if r['status'] == 'ok' and r['target'] in ('vbmq-polled', 'vbmq-exitless')]
    vals = [v for v in vals if v is not None]
    add('vbmq-polled/-exitless interrupts on polled guest queues',
        sum(vals) if vals else None, '0', lambda x: x == 0, 'all runs')
    vals = [r['m'].get('idle_poll_ns_50ms') for r in runs
            if r['status'] == 'ok' and r['target'] == 'vbmq']
    vals = [v for v in vals if v is not None]
    add('vbmq adaptive: ns spent polling in the 50 ms after the load stopped',
        max(vals) if vals else None, '0 (threads asleep)', lambda x: x == 0,
        'worst run; sampled when dom0 learns the run ended')
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
    for t in ('upstream', 'vbmq'):
        add('%s randread QD32 %d jobs IOPS vs %s (ceiling)' % (t, J, CEILING),
            med(find_point(points, t, 'randread', 32, J), 'iops_x_ceiling'),
            'evidence', None, 'median of per-round ratios: the share of what '
            'this domU reaches with no Xen I/O path', 'evidence')
    for rw in ('randread', 'randwrite'):
        add('%s %s QD32 %d jobs IOPS vs bare (what the bed allows)' % (CEILING, rw, J),
            med(find_point(points, CEILING, rw, 32, J), 'iops_x_bare'), 'evidence',
            None, 'median of per-round ratios', 'evidence')
    add('vbmq randread QD1 mean latency vs %s (ceiling)' % CEILING,
        med(find_point(points, 'vbmq', 'randread', 1, 1), 'lat_x_ceiling'),
        'evidence', None, 'median of per-round ratios', 'evidence')
    add('%s randread QD1 mean latency vs bare (the bed\'s floor)' % CEILING,
        med(find_point(points, CEILING, 'randread', 1, 1), 'lat_x_bare'), 'evidence',
        None, 'median of per-round ratios: the guest\'s own cost under TCG', 'evidence')
    return out


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


# ---------------------------------------------------------------- output

def fmt(v, nd=0):
    if v is None:
        return '-'
    if isinstance(v, float) and abs(v) < 10 and nd == 0:
        nd = 1 if abs(v) >= 1 else 2
    return ('%.' + str(nd) + 'f') % v


def cell_summary(s, nd=0):
    if not s:
        return '-'
    if s['n'] > 1:
        return '%s [%s-%s]' % (fmt(s['median'], nd), fmt(s['min'], nd), fmt(s['max'], nd))
    return fmt(s['median'], nd)


def ratio_cell(s):
    if not s:
        return '-'
    mark = '' if s.get('paired', True) else '*'
    if s['n'] > 1:
        return '%.2f [%.2f-%.2f]%s' % (s['median'], s['min'], s['max'], mark)
    return '%.2f%s' % (s['median'], mark)


COLUMNS = ['target', 'workload', 'jobs', 'n', 'IOPS median [min-max]', 'mean lat us',
           'p99 lat us', 'x bare', 'x upstream', 'x ceiling', 'lat x bare', 'dom0 us CPU/IO',
           'guest us CPU/IO', 'kicks/1000', 'irqs/1000']


def table_rows(points):
    rows = []
    for p in points:
        wl = '%s QD%d' % (p['rw'], p['qd'])
        n = '%d/%d' % (p['ok'], p['runs'])
        if p['ok'] == 0:
            never = all('no result' in f for f in p['failed'])
            rows.append([p['target'], wl, str(p['jobs']), n,
                         'not run' if never else 'FAILED'] +
                        ['-'] * (len(COLUMNS) - 5))
            continue
        rows.append([p['target'], wl, str(p['jobs']), n,
                     cell_summary(p['iops']), fmt(med(p, 'lat_mean_us'), 0),
                     fmt(med(p, 'lat_p99_us'), 0),
                     ratio_cell(p.get('iops_x_bare')), ratio_cell(p.get('iops_x_upstream')),
                     ratio_cell(p.get('iops_x_ceiling')), ratio_cell(p.get('lat_x_bare')),
                     fmt(med(p, 'dom0_cpu_us_per_io'), 1),
                     fmt(med(p, 'guest_cpu_us_per_io'), 1),
                     fmt(med(p, 'kicks_per_1000'), 0), fmt(med(p, 'irqs_per_1000'), 0)])
    return rows


def target_rows(checks):
    rows = []
    for c in checks:
        got = '-' if c['got'] is None else ('%.3g' % c['got'])
        met = {None: 'not measured', True: 'MET', False: 'missed'}[c['met']]
        if c.get('kind') == 'evidence':
            met = 'evidence' if c['got'] is not None else 'not measured'
        if c['met'] and c['stretch_met'] is not None:
            met += ' (stretch %s)' % ('met' if c['stretch_met'] else 'missed')
        rows.append([c['target'], c['want'], got, met, c['note']])
    return rows


SWEEP_COLUMNS = ['poll (vbmq, %s)', 'n', 'IOPS', 'x bare', 'kicks/1000', 'dom0 us CPU/IO',
                 'dom0 busy %', 'ring polling ms', 'mean idle gap us', 'gaps <= cap %',
                 'guest us CPU/IO']


def sweep_rows(sweep):
    """the adaptive poll sweep table (header, rows), or None without one"""
    if not sweep:
        return None
    head = list(SWEEP_COLUMNS)
    head[0] = head[0] % sweep[0]['workload']
    rows = [[s['label'], s['n'], fmt(s['iops']), fmt(s['iops_x_bare'], 2),
             fmt(s['kicks_per_1000'], 0), fmt(s['dom0_cpu_us_per_io'], 0),
             fmt(s['dom0_busy_pct'], 0), fmt(s['poll_ms'], 0), fmt(s['gap_us'], 0),
             fmt(s['short_gap_pct'], 1), fmt(s['guest_cpu_us_per_io'], 0)] for s in sweep]
    return head, rows


def markdown(head, rows):
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    out += ['| ' + ' | '.join(r) + ' |' for r in rows]
    return '\n'.join(out) + '\n'


def text_table(head, rows):
    w = [max(len(x) for x in col) for col in zip(head, *rows)]
    line = lambda r: '  '.join(x.ljust(w[i]) for i, x in enumerate(r)).rstrip()
    return '\n'.join([line(head), line(['-' * x for x in w])] + [line(r) for r in rows]) + '\n'


def notes(res):
    f = res['facts']
    real = f.get('mode') == 'real-host'
    if real and f.get('host_kind') == 'kvm':
        n = ['Real host (kvm, %s): %s host CPUs (%s), kernel %s; the guest %s vCPUs. '
             'Figures compare only within this run.' %
             (f.get('qemu', '?'), f.get('host_cpus', '?'), f.get('host_cpu', '?'),
              f.get('host_kernel', '?'), f.get('domu_vcpus', '?'))]
    elif real:
        n = ['Real host (xen, %s): dom0 %s vCPUs, domU %s vCPUs, %s host CPUs (%s), '
             'dom0 kernel %s. Figures compare only within this run.' %
             (f.get('xen_version', '?'), f.get('dom0_vcpus', '?'), f.get('domu_vcpus', '?'),
              f.get('host_cpus', '?'), f.get('host_cpu', '?'), f.get('host_kernel', '?')),
             'dom0 I/O CPUs (vbmq/cpus) %s%s.' %
             (f.get('io_cpus', '?'),
              ', dom0 vCPU i pinned to physical CPU i of %s (xl-vbmq pin-dom0), '
              'domUs on %s' % (f['pin_dom0'], f.get('domu_cpus') or 'the others')
              if f.get('pin_dom0') else '')]
    if real:
        n.append('Host load: at the start %s, at the end %s.' %
                 (f.get('host_at_start', '?'), f.get('host_at_end', '?')))
        backing = 'backing %s (%s)' % (f.get('device', '?'), f.get('device_model', '?'))
        if f.get('device_writes') == '0':
            backing += ', reads only (the device holds data)'
    else:
        n = ['Test bed (TCG): %s; dom0 %s vCPUs, domU %s vCPUs, inside QEMU TCG on %s '
             'host CPUs (%s). Figures compare only within this run.' %
             (f.get('xen_packages', '?').strip(), f.get('dom0_vcpus', '2'),
              f.get('domu_vcpus', '2'), f.get('host_cpus', '?'), f.get('host_cpu', '?')),
             'Host load: at the Xen boot\'s start %s, at its end %s (other_qemus = other '
             'test beds sharing the host CPUs).' % (f.get('host_at_xen_start', '?'),
                                                    f.get('host_at_xen_end', '?'))]
        backing = 'null_blk memory_backed in dom0 (KVM: RAM-backed file)'
    n += ['fio 4 KiB, libaio (vbmq-polled, vbmq-exitless: io_uring hipri), direct=1, time_based %ss + %ss '
          'ramp, %s.' % (f.get('runtime', '?'), f.get('ramp', '?'), backing),
          'Cells: median [min-max] over the repetitions (n = ok/planned runs). Ratios are '
          'computed per repetition within the %s, then the median; * = KVM ran in its own '
          'QEMU after the %s, ratio of medians.' %
          (('run', 'bare runs') if real else ('boot', 'Xen boot')),
          'CPU/IO: busy jiffies (/proc/stat: user+nice+system+irq+softirq) per request; dom0 '
          'for bare includes fio itself. kicks/1000: backend event-channel interrupts in dom0 '
          'per 1000 backend requests; irqs/1000: guest blkif (virtio) interrupts per 1000 '
          'guest requests.',
          'KVM target: QEMU %s accel, virtio-blk num-queues = vCPUs, %s.' %
          (f.get('kvm_accel', 'tcg'), f.get('kvm_iothreads',
                                            'one iothread (this QEMU has no '
                                            'iothread-vq-mapping)'))]
    pts = res.get('points') or []
    if any(p['target'] == CEILING for p in pts):
        n.append('%s (ceiling): fio in the Xen targets\' PV domU (same vCPUs and memory) on '
                 'a null_blk of its own, as dom0\'s, no Xen I/O path; x ceiling = IOPS / '
                 'domu-local IOPS, per round. Its guest us CPU/IO is the guest\'s own cost '
                 'of fio, block layer and syscalls.' % CEILING)
    if sweep_points(pts):
        n.append('Adaptive poll sweep: vbmq with vbmq/poll=adaptive and vbmq/poll-max-us as '
                 'named, written live before each run; ring polling ms = '
                 'time the ring threads spent polling (all rings, per run).')
    return n


def write_outputs(res, out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'results.json'), 'w') as f:
        json.dump(res, f, indent=1, sort_keys=False)
    rows = table_rows(res['points'])
    trows = target_rows(res['targets'])
    thead = ['target (issue 14)', 'want', 'measured', 'verdict', 'how']
    sw = sweep_rows(sweep_points(res['points']))
    wk = work_rows(res['runs'])
    md = '# vbmq benchmark results\n\n' + markdown(COLUMNS, rows) + '\n'
    if wk:
        md += 'Work per request (round 0, counted under xentrace):\n\n' + markdown(*wk) + '\n'
    md += markdown(thead, trows) + '\n'
    if sw:
        md += 'Adaptive poll sweep (medians):\n\n' + markdown(*sw) + '\n'
    md += ''.join('- %s\n' % x for x in notes(res))
    fails = [r for r in res['runs'] if r['status'] != 'ok']
    if fails:
        md += '\nRuns that failed:\n\n' + ''.join(
            '- %s: %s\n' % (r['id'], r['reason']) for r in fails)
    with open(os.path.join(out, 'table.md'), 'w') as f:
        f.write(md)
    txt = text_table(COLUMNS, rows) + '\n'
    if wk:
        txt += 'work per request (round 0, counted under xentrace):\n' + text_table(*wk) + '\n'
    txt += text_table(thead, trows)
    if sw:
        txt += '\nadaptive poll sweep (medians):\n' + text_table(*sw)
    txt += ''.join('  %s\n' % x for x in notes(res))
    if fails:
        txt += '\nfailed runs:\n' + ''.join('  %s: %s\n' % (r['id'], r['reason'])
                                           for r in fails)
    with open(os.path.join(out, 'table.txt'), 'w') as f:
        f.write(txt)
    return txt


# ---------------------------------------------------------------- plots

def plots(res, out):
    """PNG plots with gnuplot; returns the files written."""
    gp = shutil.which('gnuplot')
    if not gp:
        return []
    d = os.path.join(out, 'plot-data')
    os.makedirs(d, exist_ok=True)
    pts = res['points']
    targets = [t for t in TARGETS if any(p['target'] == t and p['ok'] for p in pts)]
    files = []

    def series(rw, qd, key):
        """per target: file of 'jobs median min max'"""
        got = []
        for t in targets:
            ps = sorted([p for p in pts if p['target'] == t and p['rw'] == rw and
                         p['qd'] == qd and p.get(key)], key=lambda p: p['jobs'])
            if not ps:
                continue
            fn = os.path.join(d, '%s-%s-qd%d-%s.dat' % (key, rw, qd, t))
            with open(fn, 'w') as f:
                for p in ps:
                    s = p[key]
                    f.write('%d %g %g %g\n' % (p['jobs'], s['median'], s['min'], s['max']))
            got.append((t, fn))
        return got

    head = ('set terminal pngcairo size 720,420 font "DejaVu Sans,9"\n'
            'set key outside right top\nset grid\nset xtics 1\n'
            'set offsets 0.2,0.2,0,0\nset yrange [0:*]\n')
    jobs = sorted({p['jobs'] for p in pts}) or [1]
    xr = 'set xrange [%g:%g]\n' % (min(jobs) - 0.3, max(jobs) + 0.3)
    for (rw, key, ylabel, name) in (
            ('randread', 'iops', 'IOPS', 'iops-randread'),
            ('randwrite', 'iops', 'IOPS', 'iops-randwrite'),
            ('randread', 'lat_mean_us', 'mean latency (us)', 'lat-mean-randread'),
            ('randread', 'lat_p99_us', 'p99 latency (us)', 'lat-p99-randread')):
        ser = series(rw, 32, key)
        if not ser:
            continue
        png = os.path.join(out, name + '.png')
        s = head + xr + 'set output "%s"\n' % png
        s += 'set title "%s 4 KiB QD32, %s vs fio jobs (median, min-max)"\n' % (rw, ylabel)
        s += 'set xlabel "fio numjobs"\nset ylabel "%s"\n' % ylabel
        s += 'plot ' + ', '.join('"%s" using 1:2:3:4 with yerrorlines lw 2 title "%s"' %
                                 (fn, LABEL.get(t, t)) for t, fn in ser) + '\n'
        if _gnuplot(gp, s, d, name):
            files.append(png)
    # QD1 latency and headline ratios: bars per target
    rows = []
    for t in targets:
        p = find_point(pts, t, 'randread', 1, 1)
        if p and p.get('lat_mean_us'):
            rows.append('"%s" %g %g' % (t, p['lat_mean_us']['median'],
                                        med(p, 'lat_p99_us') or 0))
    files += _bars(gp, head, d, out, 'lat-qd1', rows,
                   'set logscale y\nset yrange [1:*]\n'
                   'set title "randread 4 KiB QD1, 1 job: latency (median)"\n'
                   'set ylabel "us (log)"\n',
                   'using 2:xtic(1) title "mean", "" using 3 title "p99"')
    J = max(jobs)
    rows = []
    for t in targets:
        if t == 'bare':
            continue
        vals = []
        for (rw, qd, j) in (('randread', 32, J), ('randwrite', 32, J), ('randread', 1, 1)):
            p = find_point(pts, t, rw, qd, j)
            vals.append(med(p, 'iops_x_bare') or 0)
        rows.append('"%s" %g %g %g' % (t, vals[0], vals[1], vals[2]))
    files += _bars(gp, head, d, out, 'ratio-to-bare', rows,
                   'set yrange [0:*]\n'
                   'set title "IOPS as a fraction of bare (median of per-round ratios)"\n'
                   'set arrow from graph 0, first 0.7 to graph 1, first 0.7 nohead dt 2 lw 2\n',
                   'using 2:xtic(1) title "randread QD32 %dj", "" using 3 title '
                   '"randwrite QD32 %dj", "" using 4 title "randread QD1"' % (J, J))
    sweep = sweep_points(pts)
    rows = ['"%s" %g %g %g' % (x['label'].replace(' (module default)', ' (default)'),
                               x['kicks_per_1000'] or 0, x['iops'] or 0,
                               x['dom0_cpu_us_per_io'] or 0) for x in sweep]
    files += _bars(gp, head, d, out, 'poll-sweep', rows,
                   'set yrange [0:*]\n'
                   'set title "vbmq poll window, %s: kicks, IOPS, dom0 CPU (medians)"\n' %
                   (sweep[0]['workload'] if sweep else ''),
                   'using 2:xtic(1) title "kicks/1000 requests", "" using 3 title "IOPS", '
                   '"" using 4 title "dom0 us CPU per request"')
    return files


def _bars(gp, head, d, out, name, rows, settings, using):
    """A clustered bar chart of ROWS ('"label" v1 v2 ...') as OUT/NAME.png;
    the list of files written (empty without rows or when gnuplot failed)."""
    if not rows:
        return []
    fn = os.path.join(d, name + '.dat')
    with open(fn, 'w') as f:
        f.write('\n'.join(rows) + '\n')
    png = os.path.join(out, name + '.png')
    s = head + 'set output "%s"\nset style data histograms\n' % png
    s += 'set style histogram clustered gap 1\nset style fill solid 0.8 border -1\n'
    s += 'set xtics rotate by -20\n' + settings
    s += 'plot "%s" %s\n' % (fn, using)
    return [png] if _gnuplot(gp, s, d, name) else []


def _gnuplot(gp, script, d, name):
    fn = os.path.join(d, name + '.gp')
    with open(fn, 'w') as f:
        f.write(script)
    r = subprocess.run([gp, fn], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.stderr.write('gnuplot %s failed: %s\n' % (name, r.stdout.decode()[-400:]))
        return False
    return True


# ---------------------------------------------------------------- real host
#
# On a real host the benchmark may write to a device someone cares about.
# What the device holds is read from the tools' own output (lsblk -J,
# blkid -p -o export, /proc/mounts, /proc/swaps), gathered by gather_device
# and judged by device_findings and write_refusal, which take recorded
# output so that tests/bench/test_host.py can feed them any case.

HOST_TARGETS = {'xen': ['bare', 'upstream', 'vbmq', 'vbmq-always', 'vbmq-polled',
                        'vbmq-exitless'],
                'kvm': ['bare', 'kvm']}
LSBLK_COLUMNS = 'NAME,PATH,TYPE,FSTYPE,PTTYPE,MOUNTPOINT,MAJ:MIN'
# blkid TYPE values that are not file systems, and what they mean here
BLKID_KINDS = {'LVM2_member': 'an LVM physical volume',
               'linux_raid_member': 'an MD RAID member',
               'isw_raid_member': 'a firmware RAID member',
               'ddf_raid_member': 'a firmware RAID member',
               'swap': 'swap space',
               'crypto_LUKS': 'a LUKS encrypted volume',
               'zfs_member': 'a ZFS pool member',
               'bcache': 'a bcache device'}


def parse_blkid_export(text):
    """`blkid -p -o export` output -> dict (KEY=VALUE lines)"""
    d = {}
    for line in (text or '').splitlines():
        k, sep, v = line.strip().partition('=')
        if sep and k:
            d[k] = v
    return d


def lsblk_nodes(lsblk, dev, resolve=lambda p: p):
    """The lsblk -J node of DEV and every node below it (partitions and
    holders: LVM volumes, MD arrays, dm-crypt), depth first."""
    want = resolve(dev)

    def walk(nodes, found):
        out = []
        for n in nodes or []:
            hit = found or resolve(n.get('path') or '/dev/' + n.get('name', '')) == want
            if hit:
                out.append(n)
            out += walk(n.get('children'), hit)
        return out
    return walk((lsblk or {}).get('blockdevices'), False)


def node_path(n):
    return n.get('path') or '/dev/' + n.get('name', '?')


def node_mounts(n):
    """lsblk >= 2.37 has MOUNTPOINTS (a list); older ones MOUNTPOINT"""
    m = n.get('mountpoints')
    if m is None:
        m = [n.get('mountpoint')]
    return [x for x in m if x]


def device_findings(dev, lsblk, blkid, mounts, swaps, resolve=lambda p: p):
    """What writing to DEV would destroy or disturb, from recorded output:
    lsblk: parsed `lsblk -J -o LSBLK_COLUMNS DEV`; blkid: {path: (exit
    status, stdout, stderr)} of `blkid -p -o export PATH` for DEV and its
    partitions; mounts, swaps: the text of /proc/mounts and /proc/swaps.
    Returns [(kind, text)], kind 'data' (would be overwritten) or 'busy'
    (in use right now; no option overrides that)."""
    out = []

    def add(kind, text):
        if (kind, text) not in out:
            out.append((kind, text))
    nodes = lsblk_nodes(lsblk, dev, resolve)
    paths = {resolve(dev): dev}
    for n in nodes:
        paths.setdefault(resolve(node_path(n)), node_path(n))
    for n in nodes:
        p, t = node_path(n), n.get('type') or ''
        on = '' if resolve(p) == resolve(dev) else ' on %s' % p
        if t == 'part':
            add('data', 'partition %s' % p)
        elif t == 'lvm':
            add('busy', 'LVM logical volume %s' % p)
        elif t.startswith('raid') or t == 'md':
            add('busy', 'MD array %s' % p)
        elif t == 'crypt':
            add('busy', 'dm-crypt mapping %s' % p)
        elif t == 'dm' and on:
            add('busy', 'device-mapper device %s' % p)
        if n.get('pttype'):
            add('data', 'a partition table (%s)%s' % (n['pttype'], on))
        if n.get('fstype'):
            what = BLKID_KINDS.get(n['fstype'], 'a file system (%s)' % n['fstype'])
            add('data', what + on)
        for m in node_mounts(n):
            add('busy', 'mounted at %s%s' % (m, on))
    for p in sorted(blkid or {}, key=lambda x: (resolve(x) != resolve(dev), x)):
        rc, text, err = blkid[p]
        on = '' if resolve(p) == resolve(dev) else ' on %s' % p
        # exit 2 is "nothing found", but also what blkid says when it cannot
        # open the device (EPERM, EBUSY): an error message tells them apart
        if rc not in (0, 2) or (rc == 2 and (err or '').strip()):
            why = (err or '').strip().splitlines()
            add('data', 'contents unknown%s: blkid -p failed (exit %s%s)' %
                (on, rc, ': ' + why[-1] if why else ''))
            continue
        d = parse_blkid_export(text)
        if d.get('PTTYPE'):
            add('data', 'a partition table (%s)%s' % (d['PTTYPE'], on))
        if d.get('TYPE'):
            add('data', BLKID_KINDS.get(d['TYPE'], 'a file system (%s)' % d['TYPE']) + on)
    for line in (mounts or '').splitlines():
        w = line.split()
        if len(w) >= 2 and w[0].startswith('/') and resolve(w[0]) in paths:
            src = paths[resolve(w[0])]
            add('busy', 'mounted at %s%s' % (
                w[1].replace('\\040', ' '),
                '' if resolve(src) == resolve(dev) else ' on %s' % src))
    for line in (swaps or '').splitlines()[1:]:
        w = line.split()
        if w and resolve(w[0]) in paths:
            src = paths[resolve(w[0])]
            add('busy', 'active swap%s' % ('' if resolve(src) == resolve(dev)
                                           else ' on %s' % src))
    return out


def write_refusal(dev, findings, writes, destroy_data, resolve=lambda p: p):
    """None when the plan may run on DEV, else why not (one message that
    names the device, what was found and the option that overrides it).
    writes: the plan writes to DEV (randwrite).  destroy_data: the device
    named by --destroy-data, or None."""
    if not writes or not findings:
        return None
    busy = [t for k, t in findings if k == 'busy']
    data = [t for k, t in findings if k == 'data']
    consent = destroy_data is not None and resolve(destroy_data) == resolve(dev)
    if busy:
        return ('refusing to write to %s: it is in use (%s)%s. No option overrides '
                'a device in use: unmount it, swapoff it, or stop what holds it, then '
                'run again with --destroy-data %s; or benchmark reads only '
                '(--rw randread).' %
                (dev, '; '.join(busy), ' and holds ' + '; '.join(data) if data else '',
                 dev))
    if consent:
        return None
    return ('refusing to write to %s: it holds %s. randwrite would destroy it. '
            'To run anyway, name the device again: --destroy-data %s; or benchmark '
            'reads only (--rw randread).' % (dev, '; '.join(data), dev))


def parse_cpulist(s):
    """'0-3,6' -> [0, 1, 2, 3, 6]; ValueError on anything else"""
    out = []
    if not s or not re.match(r'^[0-9,\-]+$', s):
        raise ValueError('not a CPU list: %r' % s)
    for part in s.split(','):
        m = re.match(r'^(\d+)(?:-(\d+))?$', part)
        if not m:
            raise ValueError('not a CPU list: %r' % s)
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) is not None else a
        if b < a or b > 4095:
            raise ValueError('bad CPU range %r' % part)
        out += [c for c in range(a, b + 1) if c not in out]
    return out


def cpus_except(n, cpulist):
    """CPUs 0..n-1 not in CPULIST, as a list ('0-1,6-7'); all of them
    when that leaves none"""
    skip = set(parse_cpulist(cpulist))
    left = [c for c in range(n) if c not in skip] or list(range(n))
    out = []
    for c in left:
        if out and out[-1][1] == c - 1:
            out[-1][1] = c
        else:
            out.append([c, c])
    return ','.join('%d' % a if a == b else '%d-%d' % (a, b) for a, b in out)


def validate_host(o, resolve=lambda p: p):
    """Option errors of a real-host run (a list of messages; empty = fine).
    o: dict with host, targets, rws, device, destroy_data, jobs, runtime,
    ramp, rounds, io_cpus, pin_dom0, domu_vcpus, domu_mem, size."""
    err = []
    host = o.get('host')
    if host not in HOST_TARGETS:
        return ['--host: xen or kvm, not %r' % host]
    targets = o.get('targets') or HOST_TARGETS[host]
    for t in targets:
        if t not in HOST_TARGETS[host]:
            err.append('--targets: %s does not run on a %s host (%s: %s)' %
                       (t, host, host, ' '.join(HOST_TARGETS[host])))
    for w in o.get('rws') or RWS:
        if w not in RWS:
            err.append('--rw: %s is not one of %s' % (w, ' '.join(RWS)))
    dev = o.get('device') or 'null_blk'
    if dev != 'null_blk' and not dev.startswith('/dev/'):
        err.append('--device: null_blk or a block device under /dev, not %r' % dev)
    dd = o.get('destroy_data')
    if dd is not None:
        if dev == 'null_blk':
            err.append('--destroy-data %s: the backing device is null_blk, which the '
                       'harness creates; there is nothing to destroy' % dd)
        elif resolve(dd) != resolve(dev):
            err.append('--destroy-data %s does not name the benchmark device %s '
                       '(name the device again to confirm)' % (dd, dev))
    for name, v, lo, hi in (('--runtime', o.get('runtime'), 1, 86400),
                            ('--ramp', o.get('ramp'), 0, 3600),
                            ('--rounds', o.get('rounds'), 1, 100),
                            ('--domu-vcpus', o.get('domu_vcpus'), 1, 128),
                            ('--domu-mem', o.get('domu_mem'), 256, 1 << 20)):
        if v is None:
            continue
        if not re.match(r'^\d+$', str(v)) or not lo <= int(v) <= hi:
            err.append('%s: a number from %d to %d, not %r' % (name, lo, hi, v))
    for j in o.get('jobs') or []:
        if not re.match(r'^\d+$', str(j)) or not 1 <= int(j) <= 256:
            err.append('--jobs: numbers from 1 to 256, not %r' % j)
    if o.get('size') is not None and not re.match(r'^[1-9]\d*[kmgKMG]$', str(o['size'])):
        err.append('--size: a size such as 128m or 4g, not %r' % o['size'])
    if o.get('io_cpus') is not None:
        try:
            parse_cpulist(o['io_cpus'])
        except ValueError as e:
            err.append('--io-cpus: %s' % e)
    if o.get('pin_dom0'):
        if host != 'xen':
            err.append('--pin-dom0: dom0 vCPUs exist on a Xen host only')
        try:
            parse_cpulist(o['pin_dom0'])
        except ValueError as e:
            err.append('--pin-dom0: %s' % e)
    return err


def gather_device(dev, run=subprocess.run):
    """Probe DEV with the tools, read-only: what device_findings takes."""
    def cmd(argv):
        try:
            r = run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            return r.returncode, r.stdout.decode('utf-8', 'replace'), \
                r.stderr.decode('utf-8', 'replace')
        except OSError as e:
            return 127, '', str(e)
    rc, text, err = cmd(['lsblk', '-J', '-o', LSBLK_COLUMNS, dev])
    lsblk = json.loads(text) if rc == 0 and text.strip() else {}
    blkid = {dev: cmd(['blkid', '-p', '-o', 'export', dev])}
    for n in lsblk_nodes(lsblk, dev, os.path.realpath):
        if n.get('type') == 'part':
            blkid[node_path(n)] = cmd(['blkid', '-p', '-o', 'export', node_path(n)])

    def read(fn):
        try:
            with open(fn) as f:
                return f.read()
        except OSError:
            return ''
    return {'lsblk': lsblk, 'lsblk_status': rc, 'blkid': blkid,
            'mounts': read('/proc/mounts'), 'swaps': read('/proc/swaps')}


def recorded_probe(rec):
    """A recorded probe (test fixtures, --recorded) as gather_device
    returns it: blkid values are [status, stdout, stderr] lists in JSON."""
    return {'lsblk': rec.get('lsblk') or {}, 'lsblk_status': rec.get('lsblk_status', 0),
            'blkid': {k: tuple(v) for k, v in (rec.get('blkid') or {}).items()},
            'mounts': rec.get('mounts', ''), 'swaps': rec.get('swaps', '')}


def host_check(o, probe=None, resolve=os.path.realpath, out=sys.stdout, err=sys.stderr):
    """`bench.py host-check`: validate the options, then judge the device.
    Exit status 0 (prints writes_ok=0|1 and the findings as comments),
    2 (option errors) or 3 (refused)."""
    errors = validate_host(o, resolve)
    if errors:
        for e in errors:
            err.write('bench: %s\n' % e)
        return 2
    dev = o.get('device') or 'null_blk'
    if dev == 'null_blk':
        out.write('writes_ok=1\n')
        return 0
    p = probe if probe is not None else gather_device(dev)
    if p.get('lsblk_status', 0) != 0:
        err.write('bench: %s: lsblk cannot list it (is it a block device?)\n' % dev)
        return 2
    findings = device_findings(dev, p['lsblk'], p['blkid'], p['mounts'], p['swaps'],
                               resolve)
    writes = 'randwrite' in (o.get('rws') or RWS)
    msg = write_refusal(dev, findings, writes, o.get('destroy_data'), resolve)
    if msg:
        err.write('bench: %s\n' % msg)
        return 3
    for k, t in findings:
        out.write('# %s: %s\n' % (k, t))
    ok = not findings or (o.get('destroy_data') is not None and
                          not any(k == 'busy' for k, _ in findings))
    out.write('writes_ok=%d\n' % (1 if ok else 0))
    return 0


# ---------------------------------------------------------------- main

def read_plan(path):
    out = []
    with open(path) as f:
        for line in f:
            w = line.split()
            if w and w[0] in ('S', 'R'):
                out.append(tuple(w))
    return out


def read_facts(path):
    facts = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip('\n').partition('=')
                if k:
                    facts[k] = v
    return facts


def main(argv=None):
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('plan')
    p.add_argument('--profile', default='demo', choices=sorted(PROFILES))
    p.add_argument('--rounds', type=int)
    p.add_argument('--runtime', type=int)
    p.add_argument('--ramp', type=int)
    p.add_argument('--targets')
    p.add_argument('--jobs')
    p.add_argument('--domu-vcpus', type=int, default=2)
    p.add_argument('--rw', help='workloads, default "randread randwrite"')
    p.add_argument('--poll-sweep', help='adaptive poll windows (us) to sweep, '
                   '"" for none (default: the profile\'s)')
    h = sub.add_parser('host-check', help='validate real-host options, judge the device')
    h.add_argument('--host', required=True)
    h.add_argument('--targets')
    h.add_argument('--rw')
    h.add_argument('--device', default='null_blk')
    h.add_argument('--destroy-data')
    h.add_argument('--jobs')
    for o in ('--runtime', '--ramp', '--rounds', '--domu-vcpus', '--domu-mem', '--size',
              '--io-cpus'):
        h.add_argument(o)
    h.add_argument('--pin-dom0')
    w = sub.add_parser('cpus-within', help='exit 0 if LIST names only CPUs 0..N-1')
    w.add_argument('n', type=int)
    w.add_argument('cpulist')
    c = sub.add_parser('cpus-except', help='CPUs 0..N-1 not in LIST, as a list')
    c.add_argument('n', type=int)
    c.add_argument('cpulist')
    h.add_argument('--recorded', help='JSON of recorded tool output instead of probing')
    q = sub.add_parser('parse')
    q.add_argument('--out', required=True)
    q.add_argument('--plan', required=True)
    q.add_argument('--facts')
    q.add_argument('serial', nargs='+')
    a = ap.parse_args(argv)
    if a.cmd == 'plan':
        try:
            lines = make_plan(a.profile, a.rounds, a.runtime, a.ramp,
                              a.targets.split() if a.targets else None,
                              [int(x) for x in a.jobs.split()] if a.jobs else None,
                              a.domu_vcpus, a.rw.split() if a.rw else None,
                              None if a.poll_sweep is None else
                              [int(x) for x in a.poll_sweep.split()])
        except ValueError as e:
            sys.stderr.write('bench: %s\n' % e)
            return 2
        for l in lines:
            print(' '.join(l))
        return 0
    if a.cmd == 'cpus-except':
        print(cpus_except(a.n, a.cpulist))
        return 0
    if a.cmd == 'cpus-within':
        try:
            return 0 if all(c < a.n for c in parse_cpulist(a.cpulist)) else 1
        except ValueError:
            return 1
    if a.cmd == 'host-check':
        o = {'host': a.host, 'targets': a.targets.split() if a.targets else None,
             'rws': a.rw.split() if a.rw else None, 'device': a.device,
             'destroy_data': a.destroy_data,
             'jobs': a.jobs.split() if a.jobs else None, 'runtime': a.runtime,
             'ramp': a.ramp, 'rounds': a.rounds, 'domu_vcpus': a.domu_vcpus,
             'domu_mem': a.domu_mem, 'size': a.size, 'io_cpus': a.io_cpus,
             'pin_dom0': a.pin_dom0}
        probe = None
        if a.recorded:
            with open(a.recorded) as f:
                probe = recorded_probe(json.load(f))
        return host_check(o, probe)
    serial = []
    for fn in a.serial:
        if os.path.exists(fn):
            with open(fn, 'rb') as f:
                serial += [l.decode('utf-8', 'replace') for l in f]
    res = build_results(serial, read_plan(a.plan), read_facts(a.facts))
    txt = write_outputs(res, a.out)
    files = plots(res, a.out)
    res['plots'] = [os.path.basename(x) for x in files]
    res['profiles'] = write_profiles(read_profiles(serial), a.out)
    res['trace_samples'] = write_trace_samples(serial, a.out)
    with open(os.path.join(a.out, 'results.json'), 'w') as f:
        json.dump(res, f, indent=1)
    sys.stdout.write(txt)
    sys.stdout.write('\nplots: %s\n' % ', '.join(res['plots'] or ['none']))
    if res['profiles']:
        sys.stdout.write('profiles: %s\n' % ', '.join(res['profiles']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
