"""Parsing what the guests printed: the @@BENCH console records
(tests/bench/guest/bench.lib), each run's fio JSON and its metrics, the
trace samples and perf profiles, and the figures derived per run from its
G (guest) and D (dom0) records; the facts file."""
import base64
import gzip
import hashlib
import json
import os
import re

from .plan import CEILING
from .stats import busy_pct, cpu_us_per_io, per_1000, ratio
from .work import work_per_request

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
            out['ring_yields_per_1000'] = per_1000(delta('be_poll_yields'), reqs)
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
            polled_irqs = polled_reqs = polls = yields = 0
            for a, b in zip(f0, f1):
                if b.get('type') == 'poll':
                    polled_irqs += int(b['interrupts']) - int(a['interrupts'])
                    polled_reqs += int(b['requests']) - int(a['requests'])
                    polls += int(b['polls']) - int(a['polls'])
                    # absent before the frontend counted its yields
                    yields += int(b.get('poll_yields', 0)) - int(a.get('poll_yields', 0))
            if any(b.get('type') == 'poll' for b in f1):
                out['polled_ring_irqs'] = polled_irqs
                out['polled_ring_reqs'] = polled_reqs
                out['guest_polls_per_io'] = ratio(polls, polled_reqs, 1.0)
                out['guest_poll_yields_per_1000'] = per_1000(yields, polled_reqs)
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
