#!/usr/bin/env python3
"""Unit test of the benchmark's result parser and table maths, on recorded
fio JSON (tests/bench/fixtures/).  unittest; prints TAP when run as
    python3 tests/bench/test_parse.py
"""
import base64
import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tap  # noqa: E402
from vbmqbench.parse import (decode_fio, fe_rings, fio_metrics, kv_words,  # noqa: E402
                             read_profiles, read_records, write_profiles,
                             write_trace_samples)
from vbmqbench.plan import (TARGETS, drivers_of, make_plan, parse_id,  # noqa: E402
                            sweep_target, sweep_us)
from vbmqbench.plots import plots  # noqa: E402
from vbmqbench.report import build_results, write_outputs  # noqa: E402
from vbmqbench.results import find_point, sweep_points  # noqa: E402
from vbmqbench.stats import cpu_us_per_io, med, per_1000, summary  # noqa: E402
from vbmqbench.tables import COLUMNS, table_rows, target_rows  # noqa: E402
from vbmqbench.verdicts import check_targets  # noqa: E402
from vbmqbench.work import work_compare, work_rows  # noqa: E402


FIX = os.path.join(HERE, 'fixtures')


def close(a, b, tol=1e-6):
    return a is not None and b is not None and abs(a - b) <= tol * max(1.0, abs(b))


def load(name):
    with open(os.path.join(FIX, name)) as f:
        return json.load(f)


def encode(rid, fio_json_text, width=160):
    """@@BENCH J/E lines as bench.lib prints them (gzip | base64 -w 160)"""
    b64 = base64.b64encode(gzip.compress(fio_json_text.encode())).decode()
    chunks = [b64[i:i + width] for i in range(0, len(b64), width)]
    lines = ['@@BENCH J %s %d %s\n' % (rid, i, c) for i, c in enumerate(chunks)]
    lines.append('@@BENCH E %s %d %s\n' % (rid, len(chunks),
                                           hashlib.md5(b64.encode()).hexdigest()))
    return lines


def raw(name):
    with open(os.path.join(FIX, name)) as f:
        return f.read()


# recorded fio JSON (from the test bed: fio 3.33)
rr = load('fio-randread-qd32-j2.json')


def fake_run(rid, iops, lat_us, d=None, g=None):
    """a run's records as the guests print them: rr's JSON at IOPS and
    LAT_US, and the G and D records"""
    fio = json.loads(json.dumps(rr))
    jb = fio['jobs'][0]
    jb['read']['iops'] = iops
    jb['read']['lat_ns']['mean'] = lat_us * 1000.0
    text = json.dumps(fio)
    out = encode(rid, text)
    out.append('@@BENCH G %s %s\n' % (rid, ' '.join('%s=%s' % kv for kv in (g or {}).items())))
    if d:
        out.append('@@BENCH D %s %s\n' % (rid, ' '.join('%s=%s' % kv for kv in d.items())))
    return out


class FioTest(tap.CheckCase):
    """fio's JSON and the console transport"""

    def test_metrics(self):
        """fio metrics on recorded JSON (from the test bed: fio 3.33)"""
        check = self.check
        rr = load('fio-randread-qd32-j2.json')
        m = fio_metrics(rr)
        job = rr['jobs'][0]
        check('randread: IOPS is fio\'s read iops', close(m['iops'], job['read']['iops']))
        check('randread: I/Os are read total_ios', m['ios'] == job['read']['total_ios'])
        check('randread: mean latency is lat_ns mean in us',
              close(m['lat_mean_us'], job['read']['lat_ns']['mean'] / 1000.0))
        pct = job['read']['lat_ns'].get('percentile') or job['read']['clat_ns']['percentile']
        check('randread: p99 from the percentiles, in us',
              close(m['lat_p99_us'], pct['99.000000'] / 1000.0))

        rw = load('fio-randwrite-qd32-j1.json')
        m = fio_metrics(rw)
        check('randwrite: IOPS is read + write iops',
              close(m['iops'], rw['jobs'][0]['read']['iops'] + rw['jobs'][0]['write']['iops']))
        check('randwrite: latency from the write direction',
              close(m['lat_mean_us'], rw['jobs'][0]['write']['lat_ns']['mean'] / 1000.0))

        # mixed: the mean is weighted by each direction's I/Os
        mixed = json.loads(json.dumps(rr))
        j = mixed['jobs'][0]
        j['write'] = json.loads(json.dumps(j['read']))
        rd, wr = j['read'], j['write']
        rd['total_ios'], rd['lat_ns']['mean'], rd['iops'] = 300, 1000.0, 30.0
        wr['total_ios'], wr['lat_ns']['mean'], wr['iops'] = 100, 5000.0, 10.0
        m = fio_metrics(mixed)
        check('mixed: IOPS summed', close(m['iops'], 40.0))
        check('mixed: mean latency weighted by I/Os (2.0 us)', close(m['lat_mean_us'], 2.0), m)

    def test_transport(self):
        """the console transport: chunks, md5, corruption"""
        check = self.check
        lines = encode('r1-bare-randread-qd32-j2', raw('fio-randread-qd32-j2.json'))
        recs, meta, prog = read_records(['junk\n', '(XEN) noise @@BENCH M a=1 b=2\n'] +
                                        ['\r' + l.replace('\n', '\r\n') for l in lines])
        r = recs['r1-bare-randread-qd32-j2']
        check('records: J/E lines collected',
              r['end'] is not None and len(r['chunks']) == r['end'][0])
        check('records: decoded JSON equals the fixture', decode_fio(r) == rr)
        check('records: M lines are facts', meta == [{'a': '1', 'b': '2'}])
        bad = list(lines)
        bad[0] = bad[0][:-5] + 'AAAA\n'
        r = read_records(bad)[0]['r1-bare-randread-qd32-j2']
        try:
            decode_fio(r)
            check('records: a corrupted chunk is detected', False)
        except ValueError as e:
            check('records: a corrupted chunk is detected', 'md5' in str(e), e)
        r = read_records(lines[1:])[0]['r1-bare-randread-qd32-j2']
        try:
            decode_fio(r)
            check('records: a missing chunk is detected', False)
        except ValueError as e:
            check('records: a missing chunk is detected', 'missing' in str(e), e)

    def test_serial_excerpt(self):
        """a real serial log excerpt from the test bed (dom0 console, Xen noise)"""
        check = self.check
        with open(os.path.join(FIX, 'serial-excerpt.log'), 'rb') as f:
            real = [l.decode('utf-8', 'replace') for l in f]
        plan1 = [('R', 'r1-bare-randread-qd32-j2', 'bare', 'randread', '32', '2'),
                 ('R', 'r1-upstream-randread-qd32-j2', 'upstream', 'randread', '32', '2')]
        res = build_results(real, plan1, {})
        rb, ru = res['runs']
        check('serial excerpt: bare run decodes to the recorded JSON',
              rb['status'] == 'ok' and rb['fio'] == rr, rb['reason'])
        check('serial excerpt: upstream run decodes', ru['status'] == 'ok', ru['reason'])
        check('serial excerpt: kicks/1000 = be_irqs / be_reqs (74 / 570)',
              close(ru['m']['kicks_per_1000'], 74 * 1000.0 / 570), ru['m'])
        check('serial excerpt: guest irqs/1000 = irqs / ios (69 / 570)',
              close(ru['m']['irqs_per_1000'], 69 * 1000.0 / 570), ru['m'])
        check('serial excerpt: dom0 CPU/IO = 548 jiffies * 10 ms / 570 requests',
              close(ru['m']['dom0_cpu_us_per_io'], 548 * 10000.0 / 570), ru['m'])
        check('serial excerpt: bare CPU/IO is dom0\'s own (736 jiffies / 16979 I/Os)',
              close(rb['m']['dom0_cpu_us_per_io'], 736 * 10000.0 / 16979), rb['m'])
        p = find_point(res['points'], 'upstream', 'randread', 32, 2)
        check('serial excerpt: single-round ratio to bare',
              close(p['iops_x_bare']['median'], ru['m']['iops'] / rb['m']['iops']))


class MathsTest(tap.CheckCase):
    """the unit maths"""

    def test_maths(self):
        """ratios, summaries, fe_rings"""
        check = self.check
        check('per_1000: 470 kicks over 1000 requests', close(per_1000(470, 1000), 470.0))
        check('per_1000: no requests -> None', per_1000(5, 0) is None)
        check('cpu_us_per_io: 50 jiffies over 10000 I/Os = 50 us',
              close(cpu_us_per_io(50, 10000), 50.0))
        s = summary([3.0, 1.0, 2.0, None, 10.0])
        check('summary: median of 4 values', close(s['median'], 2.5))
        check('summary: min, max, n', s['min'] == 1.0 and s['max'] == 10.0 and s['n'] == 4)
        check('summary: spread (max-min)/median', close(s['spread_pct'], 360.0))
        check('summary: nothing -> None', summary([None]) is None)
        fr = fe_rings('ring:type:irq:vcpus:irq_cpus:requests:completions:interrupts:polls:'
                      'poll_hits:kicks:ring_full:errors:inflight:,0:irq:60:0:0:10:10:7:0:0:'
                      '3:0:0:0:,1:poll:61:1:-:20:20:0:40:20:0:0:0:0:,')
        check('fe_rings: two rings keyed by the header',
              len(fr) == 2 and fr[1]['type'] == 'poll' and fr[0]['interrupts'] == '7', fr)


class ResultsTest(tap.CheckCase):
    """per-round ratios, verdicts and the table, from records built as the guests print them"""

    def test_ratios_and_table(self):
        """ratios, verdicts, table, failed runs, outputs"""
        check = self.check
        plan = make_plan('demo', rounds=2, targets=['bare', 'upstream', 'vbmq'], jobs=[2])
        serial = []
        # bare: 1000 then 2000 IOPS; vbmq: 800 then 1000 -> per-round ratios 0.8 and 0.5
        vals = {('bare', 1): 1000, ('bare', 2): 2000, ('vbmq', 1): 800, ('vbmq', 2): 1000,
                ('upstream', 1): 400, ('upstream', 2): 500}
        for pl in plan:
            if pl[0] != 'R':
                continue
            info = parse_id(pl[1])
            if info['qd'] != 32 or info['round'] == 0 or info['rw'] != 'randread':
                continue
            t, rnd = info['target'], info['round']
            d = None
            g = {'side': 'dom0' if t == 'bare' else 'domu', 'cpu_busy': 100, 'cpu_total': 1000,
                 'irqs': 430, 'ios': 1000}
            if t != 'bare':
                d = {'cpu_busy': 50 if t == 'vbmq' else 100, 'cpu_total': 1000,
                     'be_irqs': 5 if t == 'vbmq' else 470, 'be_reqs': 1000}
            serial += fake_run(pl[1], vals[(t, rnd)], 1000.0 / vals[(t, rnd)], d, g)
        res = build_results(serial, plan, {'runtime': '4', 'ramp': '1'})
        p = find_point(res['points'], 'vbmq', 'randread', 32, 2)
        check('ratio to bare: median of per-round ratios (0.65), not ratio of medians',
              close(p['iops_x_bare']['median'], 0.65), p['iops_x_bare'])
        check('ratio to bare: spread kept', close(p['iops_x_bare']['min'], 0.5) and
              close(p['iops_x_bare']['max'], 0.8))
        check('ratio to upstream per round (2.0, 2.0)', close(p['iops_x_upstream']['median'], 2.0))
        check('dom0 CPU per I/O: 50 jiffies / 1000 requests = 500 us',
              close(p['dom0_cpu_us_per_io']['median'], 500.0))
        check('kicks per 1000 from dom0 interrupts / backend requests',
              close(p['kicks_per_1000']['median'], 5.0))
        check('irqs per 1000 from guest interrupts / guest requests',
              close(p['irqs_per_1000']['median'], 430.0))
        check('cpu vs upstream per round = 0.5', close(p['cpu_x_upstream']['median'], 0.5))
        qd1 = find_point(res['points'], 'vbmq', 'randread', 1, 1)
        check('runs never reported are "missing"', qd1['ok'] == 0 and qd1['runs'] == 2 and
              all('no result' in f for f in qd1['failed']), qd1['failed'])
        tg = {c['target']: c for c in res['targets']}
        c = tg['vbmq (adaptive) randread QD32 2 jobs IOPS vs upstream']
        check('target check: 2.0x upstream is met, the note gives the pairs\' spread',
              c['met'] is True and close(c['got'], 2.0) and
              'median of 2 per-round ratios [2.00-2.00]' in c['note'], c)
        c = tg['vbmq adaptive kicks per 1000 requests under load (QD32)']
        check('target check: 5 kicks/1000 under load is met', c['met'] is True, c)
        c = tg['vbmq-exitless randread QD1 mean latency vs upstream']
        check('target check: unmeasured is None', c['met'] is None and c['got'] is None, c)
        c = tg['vbmq dom0 CPU per request vs upstream (randread QD32 2 jobs)']
        check('target check: half upstream\'s CPU is met (<= 0.9x)', c['met'] is True, c)
        c = tg['vbmq guest CPU per request vs upstream (randread QD32 2 jobs)']
        check('target check: the same guest CPU is met (<= 1.0x)', c['met'] is True and
              close(c['got'], 1.0), c)
        c = tg['vbmq work per request: counts above upstream\'s (round 0)']
        check('target check: no counted runs, no work verdict', c['met'] is None, c)
        rows = table_rows(res['points'])
        row = [r for r in rows if r[0] == 'vbmq' and r[1] == 'randread QD32'][0]
        check('table: IOPS cell is median [min-max]', row[4] == '900 [800-1000]', row)
        check('table: ratio cell', row[7] == '0.65 [0.50-0.80]', row)
        row = [r for r in rows if r[0] == 'vbmq' and r[1] == 'randread QD1'][0]
        check('table: a point never run says so', row[4] == 'not run', row)

        # failed run line
        serial2 = serial + ['@@BENCH F r1-vbmq-randread-qd1-j1 fio exit status 1: boom\n']
        res2 = build_results(serial2, plan, {})
        r = [x for x in res2['runs'] if x['id'] == 'r1-vbmq-randread-qd1-j1'][0]
        check('an F line marks the run failed with its reason',
              r['status'] == 'failed' and 'boom' in r['reason'], r)

        # outputs
        with tempfile.TemporaryDirectory() as d:
            txt = write_outputs(res, d)
            check('outputs: results.json, table.md, table.txt written',
                  all(os.path.exists(os.path.join(d, f)) for f in
                      ('results.json', 'table.md', 'table.txt')))
            check('outputs: text table names every target', all(t in txt for t in
                                                               ('bare', 'upstream', 'vbmq')))
            if shutil.which('gnuplot'):
                pngs = plots(res, d)
                names = sorted(os.path.basename(f) for f in pngs)
                check('plots: gnuplot draws IOPS lines and the ratio bars',
                      {'iops-randread.png', 'ratio-to-bare.png'} <= set(names), names)
                check('plots: every PNG is a non-empty PNG file',
                      pngs and all(open(f, 'rb').read(8) == b'\x89PNG\r\n\x1a\n' for f in pngs),
                      names)
            else:
                print('ok - # SKIP plots: no gnuplot (scripts/host-deps installs it)')

    def test_domu_local_recorded(self):
        """recorded in the test bed (tests/bench/run --targets "bare vbmq domu-local"):
        fio in the domU on its own null_blk"""
        check = self.check
        rec = raw('fio-domu-local-recorded-randread-qd32-j2.json')
        rid = 'r1-domu-local-randread-qd32-j2'
        res = build_results(
            encode(rid, rec) + ['@@BENCH G %s side=domu-local cpu_busy=1057 cpu_total=1200 '
                                'irqs=0 ios=24625\n' % rid,
                                '@@BENCH D %s target=domu-local cpu_busy=84 '
                                'cpu_total=1200\n' % rid],
            [('R', rid, 'domu-local', 'randread', '32', '2')], {})
        r = res['runs'][0]
        jr = json.loads(rec)['jobs'][0]['read']
        check('recorded domu-local run: IOPS and latency from its fio JSON, guest CPU/IO '
              '(1057 jiffies / 24625 I/Os), dom0 busy 7%',
              r['status'] == 'ok' and close(r['m']['iops'], jr['iops']) and
              close(r['m']['lat_mean_us'], jr['lat_ns']['mean'] / 1000.0) and
              close(r['m']['guest_cpu_us_per_io'], 1057 * 10000.0 / 24625) and
              close(r['m']['dom0_busy_pct'], 7.0), r['m'])

    def test_ceiling_and_sweep(self):
        """the ceiling and the sweep in the results: bare, vbmq, domu-local (the
        recorded-shape fixture, 3400 IOPS) and the sweep, two rounds; ring gaps, round
        trips"""
        check = self.check
        dl = raw('fio-domu-local-randread-qd32-j2.json')
        plan = make_plan('demo', rounds=2, targets=['bare', 'vbmq', 'domu-local'], jobs=[2],
                         poll_sweep=[32, 5000])
        # IOPS per (target, round) at randread QD32 2 jobs; latency (us) at QD1
        iops = {('bare', 1): 7800, ('bare', 2): 8000, ('vbmq', 1): 2600, ('vbmq', 2): 2400,
                ('vbmq-poll32us', 1): 2100, ('vbmq-poll32us', 2): 2100,
                ('vbmq-poll5000us', 1): 1870, ('vbmq-poll5000us', 2): 1870}
        qd1 = {'bare': 160.0, 'vbmq': 930.0, 'domu-local': 280.0}
        kicks = {'vbmq': 770, 'vbmq-poll32us': 365, 'vbmq-poll5000us': 84}
        dom0_busy = {'vbmq': 240, 'vbmq-poll32us': 233, 'vbmq-poll5000us': 1096}
        serial = []
        for pl in plan:
            if pl[0] != 'R':
                continue
            info = parse_id(pl[1])
            t, rnd = info['target'], info['round']
            if info['rw'] != 'randread' or rnd == 0:
                continue
            if t == 'domu-local' and info['qd'] == 32:
                lines = encode(pl[1], dl if rnd == 1 else dl.replace('3400.0', '3200.0'))
                serial += lines + ['@@BENCH G %s side=domu-local cpu_busy=300 cpu_total=800 '
                                   'irqs=0 ios=13600\n' % pl[1],
                                   '@@BENCH D %s target=domu-local cpu_busy=40 cpu_total=800 '
                                   'be_irqs=0 be_reqs=0\n' % pl[1]]
                continue
            if info['qd'] == 1:
                v, lat = 1e6 / qd1[t], qd1[t]
            else:
                v = iops[(t, rnd)]
                lat = 1000.0
            d = None
            if t != 'bare' and t != 'domu-local':
                reqs = 10000
                d = {'cpu_busy': dom0_busy.get(t, 100), 'cpu_total': 800,
                     'be_irqs': kicks.get(t, 999) * reqs // 1000, 'be_reqs': reqs}
                if t == 'vbmq' and info['qd'] == 32:
                    # 10 idle gaps of 300 us in all between the two snapshots
                    d['ring0'] = ('be_gap_ns=1000;be_gaps=10;be_short_gaps=1;be_poll=adaptive;'
                                  'be_poll_max_us=32')
                    d['ring1'] = ('be_gap_ns=3001000;be_gaps=20;be_short_gaps=3;be_poll=adaptive;'
                                  'be_poll_max_us=32')
            serial += fake_run(pl[1], v, lat, d, {'cpu_busy': 100, 'cpu_total': 800, 'ios': 10000,
                                                   'irqs': 0})
        res = build_results(serial, plan, {})
        dp = find_point(res['points'], 'domu-local', 'randread', 32, 2)
        check('domu-local: IOPS from its fio JSON (3400, 3200)',
              dp['ok'] == 2 and close(dp['iops']['median'], 3300.0), dp['iops'])
        check('domu-local: guest CPU per request from the domU\'s own counters (300 / 13600)',
              close(dp['guest_cpu_us_per_io']['median'], 300 * 10000.0 / 13600), dp)
        check('domu-local: dom0 busy % beside it, no kicks or dom0 CPU/IO',
              close(dp['dom0_busy_pct']['median'], 5.0) and dp['kicks_per_1000'] is None and
              dp['dom0_cpu_us_per_io'] is None, dp)
        check('domu-local: ratio to bare per round (3400/7800, 3200/8000)',
              close(dp['iops_x_bare']['median'], (3400 / 7800.0 + 3200 / 8000.0) / 2),
              dp['iops_x_bare'])
        vp = find_point(res['points'], 'vbmq', 'randread', 32, 2)
        check('vbmq vs the ceiling per round (2600/3400, 2400/3200)',
              close(vp['iops_x_ceiling']['median'], (2600 / 3400.0 + 2400 / 3200.0) / 2),
              vp['iops_x_ceiling'])
        rows = table_rows(res['points'])
        xc = COLUMNS.index('x ceiling')
        row = [r for r in rows if r[0] == 'vbmq' and r[1] == 'randread QD32'][0]
        check('table: vbmq row has the x ceiling cell', row[xc] == '0.76 [0.75-0.76]', row)
        row = [r for r in rows if r[0] == 'domu-local' and r[1] == 'randread QD32'][0]
        check('table: domu-local row has its ratio to bare and no ceiling ratio of its own',
              row[COLUMNS.index('x bare')] == '0.42 [0.40-0.44]' and row[xc] == '-', row)
        tg = {c['target']: c for c in res['targets']}
        c = tg['best vbmq variant randread QD32 2 jobs IOPS vs domu-local (ceiling, >= 3 pairs)']
        check('verdict: 2 pairs are too few for the best-variant verdict', c['got'] is None, c)
        pts3 = json.loads(json.dumps(res['points']))
        p3 = find_point(pts3, 'vbmq', 'randread', 32, 2)
        p3['iops_x_ceiling']['n'] = 3
        c = [x for x in check_targets(res['runs'], pts3)
             if x['target'].startswith('best vbmq variant')][0]
        check('verdict: with 3 pairs the best vbmq variant at 0.76x the ceiling misses 0.8x, '
              'named',
              c['met'] is False and c['note'].startswith('vbmq;') and
              close(c['got'], vp['iops_x_ceiling']['median']), c)
        c = tg['vbmq randread QD32 2 jobs IOPS vs domu-local (ceiling)']
        check('evidence row: vbmq vs domu-local', c['kind'] == 'evidence' and c['met'] is None and
              close(c['got'], vp['iops_x_ceiling']['median']), c)
        c = tg['domu-local randread QD32 2 jobs IOPS vs bare (what the bed allows)']
        check('evidence row: domu-local vs bare', close(c['got'], dp['iops_x_bare']['median']), c)
        c = tg['domu-local randread QD1 mean latency vs bare (the bed\'s floor)']
        check('evidence row: domu-local QD1 latency vs bare = 1.75', close(c['got'], 1.75), c)
        c = tg['vbmq randread QD1 mean latency vs domu-local (ceiling)']
        check('evidence row: vbmq QD1 latency vs domu-local', close(c['got'], 930 / 280.0), c)
        c = tg['domu-local randwrite QD32 2 jobs IOPS vs bare (what the bed allows)']
        check('evidence row not measured says so', c['got'] is None, c)
        trows = {r[0]: r for r in target_rows(res['targets'])}
        check('target rows: evidence rows read "evidence", unmeasured "not measured"',
              trows['domu-local randread QD32 2 jobs IOPS vs bare (what the bed allows)'][3] ==
              'evidence' and trows['domu-local randwrite QD32 2 jobs IOPS vs bare (what the bed '
                                   'allows)'][3] == 'not measured', trows)
        c = tg['vbmq adaptive kicks per 1000 requests under load (QD32)']
        check('kicks verdict: missed, note names the sweep\'s fewest kicks',
              c['met'] is False and 'fewest 84/1000 at adaptive 5000 us' in c['note'], c)
        sw = sweep_points(res['points'])
        check('sweep: module default, 32 us, 5000 us in window order',
              [x['label'] for x in sw] == ['adaptive (module default)', 'adaptive 32 us',
                                           'adaptive 5000 us'], sw)
        x = sw[-1]
        check('sweep: kicks/1000, IOPS and dom0 CPU/request of the 5000 us window',
              close(x['kicks_per_1000'], 84.0) and close(x['iops'], 1870.0) and
              close(x['dom0_cpu_us_per_io'], 1096 * 10000.0 / 10000), x)
        with tempfile.TemporaryDirectory() as d:
            txt = write_outputs(res, d)
            md = open(os.path.join(d, 'table.md')).read()
            check('outputs: the sweep table and the ceiling note are printed',
                  'adaptive poll sweep' in txt and 'Adaptive poll sweep' in md and
                  '| adaptive 5000 us | 2/2 | 1870 |' in md and 'domu-local (ceiling)' in txt, md)
            if shutil.which('gnuplot'):
                names = [os.path.basename(f) for f in plots(res, d)]
                check('plots: the poll sweep bars', 'poll-sweep.png' in names, names)

        vp = find_point(res['points'], 'vbmq', 'randread', 32, 2)
        check('ring gaps: mean idle gap = delta gap_ns / delta gaps (300 us)',
              close(vp['ring_gap_us']['median'], 300.0), vp['ring_gap_us'])
        c = [c for c in res['targets'] if c['target'].startswith('vbmq adaptive kicks')][0]
        check('ring gaps: the kicks verdict names the gap and the window',
              'at randread QD32 2 jobs 20.0 % of the idle gaps were within the 32 us cap '
              '(mean gap 300 us)' in c['note'], c)
        check('ring gaps: the sweep row of the module default has it',
              close(sw[0]['gap_us'], 300.0) and close(sw[0]['short_gap_pct'], 20.0) and
              sw[1]['gap_us'] is None, sw)

        res3 = build_results(serial, plan, {})
        # event-channel round trips (rtt-SESSION records): the sessions' means, the
        # floor of a notified request at QD1, and the QD1 note naming it
        rtt_lines = ['@@BENCH D rtt-1 class=upstream rtt_n=2000 rtt_mean_us=40000.0 '
                     'rtt_p50_us=380.0 rtt_p99_us=900.0 rtt_min_us=200.0\n',
                     '@@BENCH D rtt-2 class=vbmq rtt_n=2000 rtt_mean_us=60000.0 rtt_p50_us=1.0 '
                     'rtt_p99_us=2.0 rtt_min_us=0.5\n',
                     '@@BENCH F rtt-3 evtchn-rtt ping: no answer\n']
        res5 = build_results(serial + rtt_lines, plan, {})
        rt = res5['evtchn_rtt']
        check('rtt: three sessions, the failed one without figures',
              len(rt['sessions']) == 3 and rt['sessions'][2]['fail'] and
              rt['sessions'][2]['rtt_mean_us'] is None, rt)
        check('rtt: median of the sessions\' means', close(rt['mean_us']['median'], 50000.0) and
              rt['mean_us']['n'] == 2, rt['mean_us'])
        cl = med(find_point(res5['points'], 'domu-local', 'randread', 1, 1), 'lat_mean_us')
        bl = med(find_point(res5['points'], 'bare', 'randread', 1, 1), 'lat_mean_us')
        fl = [c for c in res5['targets'] if c['target'].startswith('floor of a notified')]
        check('rtt: floor = (domu-local QD1 latency + round trip) / bare QD1 latency',
              len(fl) == 1 and close(fl[0]['got'], (cl + 50000.0) / bl), fl)
        check('rtt: no round-trip rows without rtt records',
              not any('round trip' in c['target'] for c in res3['targets']), res3['targets'])

        # without the domu-local target: no evidence rows, no bed-limit notes
        res4 = build_results([l for l in serial if 'domu-local' not in l],
                             [x for x in plan if x[0] != 'R' or x[2] != 'domu-local'], {})
        check('without domu-local: no evidence rows and no bed-limit notes',
              not any(c.get('kind') == 'evidence' or 'bed limit' in c['note']
                      for c in res4['targets']), res4['targets'])

    def test_work_per_request(self):
        """the work per request (round 0): xentrace counts over the traced window's
        requests, the side's own counters over the run's"""
        check = self.check
        wplan = [('R', 'r0-upstream-randread-qd32-j2', 'upstream', 'randread', '32', '2'),
                 ('R', 'r0-vbmq-randread-qd32-j2', 'vbmq', 'randread', '32', '2'),
                 ('R', 'r1-vbmq-randread-qd32-j2', 'vbmq', 'randread', '32', '2')]
        wserial = []
        for rid, t, ev, kicks in (('r0-upstream-randread-qd32-j2', 'upstream', 300, 100),
                                  ('r0-vbmq-randread-qd32-j2', 'vbmq', 200, 250),
                                  ('r1-vbmq-randread-qd32-j2', 'vbmq', 0, 250)):
            d = {'cpu_busy': 50, 'cpu_total': 1000, 'be_irqs': kicks, 'be_reqs': 1000,
                 'ctxt': 800, 'wakeups': 400}
            wserial += fake_run(rid, 1000, 32000.0, d, {'cpu_busy': 100, 'cpu_total': 1000,
                                                        'ios': 1000, 'irqs': 90, 'ctxt': 300,
                                                        'wakeups': 150})
            if rid.startswith('r0-'):
                wserial.append('@@BENCH D %s trace_reqs=500 d0_hc=5000 d0_evtchn=%d d0_gnt=10 '
                               'd0_gnt_map=20 du_hc=4000 du_evtchn=100 trace_records=9 '
                               'trace_lost=0 trace_unattributed=3\n' % (rid, ev))
        wres = build_results(wserial, wplan, {})
        run = {r['id']: r for r in wres['runs']}
        m = run['r0-upstream-randread-qd32-j2']['m']
        check('work: trace counts over the traced requests (300 / 500), not the run\'s 1000',
              close(m['w_d0_evtchn'], 0.6) and close(m['w_d0_hc'], 10.0) and
              close(m['w_gnt_map'], 0.04), m)
        check('work: kicks, context switches and wake-ups over the run\'s requests',
              close(m['w_kicks'], 0.1) and close(m['w_d0_ctxt'], 0.8) and
              close(m['w_du_wakeups'], 0.15) and close(m['w_guest_irqs'], 0.09), m)
        check('work: a count not traced is None, not 0', m['w_gnt_copy'] is None, m)
        check('work: the timed rounds leave round 0 out of the point',
              find_point(wres['points'], 'vbmq', 'randread', 32, 2)['runs'] == 1)
        wk = work_rows(wres['runs'])
        check('work table: one column per counted run, upstream first',
              wk[0] == ['per request', 'upstream randread QD32', 'vbmq randread QD32'], wk[0])
        row = [r for r in wk[1] if r[0].startswith('dom0 event_channel_op (sends')][0]
        check('work table: dom0 notifications 0.60 vs 0.40', row[1:] == ['0.60', '0.40'], row)
        row = [r for r in wk[1] if r[0].startswith('requests traced')][0]
        check('work table: requests traced / in the run', row[1:] == ['500/1000', '500/1000'], row)
        worse = work_compare(wres['runs'])
        check('work compare: vbmq above upstream only on kicks (0.25 vs 0.10)',
              [w[0] for w in worse] == ['kicks into dom0 (backend interrupts)'], worse)
        c = [c for c in wres['targets'] if c['target'].startswith('vbmq work per request')][0]
        check('work verdict: missed, naming the count', c['met'] is False and c['got'] == 1.0 and
              'kicks into dom0 (backend interrupts) at randread QD32: 0.25 vs 0.10'
              in c['note'], c)


class PlanTest(tap.CheckCase):
    """the plan"""

    def test_plan(self):
        """the demo and full plans, the poll sweep"""
        check = self.check
        plan = make_plan('demo')
        R = [x for x in plan if x[0] == 'R']
        T = [x for x in R if parse_id(x[1])['round'] > 0]
        H = (('randread', '32', '2'), ('randwrite', '32', '2'), ('randread', '1', '1'))
        for t in ('upstream', 'vbmq'):
            for point in H:
                k = sum(1 for x in T if x[2] == t and x[3:] == point)
                check('demo plan: %s %s in 6 timed rounds (6 pairs)' % (t, ' '.join(point)),
                      k == 6, k)
        for t, point in (('vbmq-polled', H[0]), ('vbmq-exitless', H[2])):
            k = sum(1 for x in T if x[2] == t and x[3:] == point)
            check('demo plan: %s %s in 6 timed rounds' % (t, ' '.join(point)), k == 6, k)
        for t, point, n in (('bare', H[0], 3), ('bare', H[2], 2), ('domu-local', H[0], 3),
                            ('domu-local', H[2], 2)):
            k = sum(1 for x in T if x[2] == t and x[3:] == point)
            check('demo plan: reference %s %s in %d rounds' % (t, ' '.join(point), n), k == n, k)
        check('demo plan: every target present, no poll sweep',
              {x[2] for x in R} == set(TARGETS))
        check('demo plan: runtime and ramp in the header',
              plan[0][1].startswith('runtime=3 ramp=1'))
        ids = [x[1] for x in R]
        check('plan: run ids unique and parseable', len(ids) == len(set(ids)) and
              all(parse_id(i) for i in ids))
        S = [x for x in plan if x[0] == 'S']
        check('demo plan: one session, one domU boot for every Xen target and bare',
              S == [('S', '1', 'xen')] and plan.index(S[0]) == 1 and
              all(x[2] == 'kvm' for x in plan[plan.index(S[0]) + 1:] if x[0] == 'S'), S)
        C = [x for x in R if parse_id(x[1])['round'] == 0]
        check('demo plan: round 0 (counted) comes first: upstream, vbmq, vbmq-exitless, each '
              'point once', R[:len(C)] == C and {x[2] for x in C} == {'upstream', 'vbmq',
                                                                      'vbmq-exitless'} and
              len({(x[2],) + x[3:] for x in C}) == len(C), C)
        check('demo plan: upstream and vbmq counted at all three headline points',
              all(sum(1 for x in C if x[2] == t and x[3:] == pt) == 1
                  for t in ('upstream', 'vbmq') for pt in H), C)
        # driver swaps: runs grouped by pair, so a round costs at most 2 swaps and
        # upstream's runs of a point sit next to vbmq's
        cur, swaps = None, 0
        for x in R:
            d = drivers_of(x[2])
            if d not in (None, cur) and x[2] != 'kvm':
                swaps, cur = swaps + 1, d
        head = kv_words(plan[0][1])
        check('demo plan: header counts the swaps; at most 2 per round (15 for 6 rounds + 0)',
              int(head['swaps']) == swaps <= 15, (head, swaps))
        for r in range(1, 7):
            in_round = [x[2] for x in T if parse_id(x[1])['round'] == r]
            grp = [drivers_of(t) for t in in_round if drivers_of(t)]
            runs_of = [g for i, g in enumerate(grp) if i == 0 or grp[i - 1] != g]
            check('demo plan: round %d runs each driver pair in one block' % r,
                  len(runs_of) == len(set(runs_of)) == 3, runs_of)
        check('demo plan: rounds alternate the pair order',
              [drivers_of(x[2]) for x in T if parse_id(x[1])['round'] == 1
               and drivers_of(x[2])][0] !=
              [drivers_of(x[2]) for x in T if parse_id(x[1])['round'] == 2
               and drivers_of(x[2])][0])
        check('demo plan: drivers of each target',
              [drivers_of(t) for t in ('upstream', 'vbmq', 'vbmq-always', 'vbmq-polled',
                                       'vbmq-exitless', 'vbmq-poll32us', 'bare',
                                       'domu-local')] ==
              ['upstream', 'vbmq', 'vbmq', 'vbmq-pq', 'vbmq-pq', 'vbmq', None, None])
        for t in ('bare', 'upstream', 'vbmq'):
            k = sum(1 for x in T if x[2] == t and x[3:] == ('randread', '32', '1'))
            check('demo plan: %s randread QD32 1 job (job sweep) in 1 round' % t, k == 1, k)
        check('demo plan: header has the run count and an estimate under 20 minutes',
              int(head['runs']) == len(R) and 0 < int(head['est_s']) <= 1200, head)
        full = make_plan('full')
        FR = [x for x in full if x[0] == 'R']
        sw = [x for x in FR if sweep_us(x[2]) is not None]
        check('full plan: the poll sweep is on (32 200 1000 5000 us)',
              sorted({sweep_us(x[2]) for x in sw}) == [32, 200, 1000, 5000], full[0])
        check('full plan: sweep runs are randread QD32 at J jobs, 4 rounds, on the vbmq drivers',
              all(x[3:] == ('randread', '32', '2') for x in sw) and len(sw) == 16 and
              all(drivers_of(x[2]) == 'vbmq' for x in sw), len(sw))
        p2 = make_plan('demo', rounds=1, targets=['bare', 'vbmq', 'domu-local'], jobs=[2],
                       poll_sweep=[2000, 32])
        check('--poll-sweep: demo with a sweep adds vbmq-poll32us and vbmq-poll2000us once each',
              sorted(x[2] for x in p2 if x[0] == 'R' and sweep_us(x[2]) is not None) ==
              ['vbmq-poll2000us', 'vbmq-poll32us'], p2)
        check('--poll-sweep "": none', not any(
            sweep_us(x[2]) is not None
            for x in make_plan('full', poll_sweep=[]) if x[0] == 'R'))
        check('full plan for a KVM host (no vbmq): the profile\'s sweep is dropped',
              not any(sweep_us(x[2]) is not None
                      for x in make_plan('full', targets=['bare', 'kvm']) if x[0] == 'R'))
        for bad, why in (([32], 'without the vbmq target'), ([20000], 'a window over 10000 us')):
            try:
                make_plan('demo', targets=['bare', 'upstream'] if why.startswith('without')
                          else None, poll_sweep=bad)
                check('--poll-sweep refused %s' % why, False)
            except ValueError as e:
                check('--poll-sweep refused %s' % why, True, e)
        check('sweep target names round-trip', sweep_us(sweep_target(1000)) == 1000 and
              sweep_us('vbmq') is None and sweep_us('vbmq-polled') is None)


class ArtifactsTest(tap.CheckCase):
    """trace samples and perf profiles"""

    def test_trace_samples(self):
        """X lines: the first KiB of a trace, for the unit test's fixture"""
        check = self.check
        blob = bytes(range(256)) * 8
        b64 = base64.b64encode(gzip.compress(blob)).decode()
        xl = ['@@BENCH X r0-a %d %s\n' % (i, b64[i * 100:(i + 1) * 100])
              for i in range((len(b64) + 99) // 100)]
        with tempfile.TemporaryDirectory() as d:
            names = write_trace_samples(['junk\n'] + xl[::-1] + xl[:1][:0], d)
            check('trace sample: chunks in any order decode to the bytes',
                  names == ['xentrace-r0-a.bin'] and
                  open(os.path.join(d, names[0]), 'rb').read() == blob, names)
            check('trace sample: a cut-off sample is dropped',
                  write_trace_samples(xl[:-1], d) == [] or len(xl) == 1)

    def test_profiles(self):
        """perf profiles (--perf): T lines per run and side, written as files"""
        check = self.check
        prof = read_profiles([
            'x @@BENCH T vbmq-rr-qd32-j2-r1 dom0     41.20%  swapper  [kernel.kallsyms]  '
            '[k] xen_hypercall\r\n',
            '@@BENCH T vbmq-rr-qd32-j2-r1 dom0     3.10%  vbmq/1.51712-0  [vbmq_blkback]  '
            '[k] vbmq_be_x\n',
            '@@BENCH T vbmq-rr-qd32-j2-r1 domu     20.00%  fio  fio  [.] td_io_queue\n',
            '@@BENCH T broken\n', '@@BENCH G vbmq-rr-qd32-j2-r1 a=1\n'])
        check('profiles: two sides of one run',
              sorted(prof) == [('vbmq-rr-qd32-j2-r1', 'dom0'), ('vbmq-rr-qd32-j2-r1', 'domu')],
              prof)
        check('profiles: lines kept whole, in order',
              prof[('vbmq-rr-qd32-j2-r1', 'dom0')] ==
              ['    41.20%  swapper  [kernel.kallsyms]  [k] xen_hypercall',
               '    3.10%  vbmq/1.51712-0  [vbmq_blkback]  [k] vbmq_be_x'], prof)
        with tempfile.TemporaryDirectory() as d:
            names = write_profiles(prof, d)
            check('profiles: one file per run and side',
                  names == ['profile/vbmq-rr-qd32-j2-r1.dom0.txt',
                            'profile/vbmq-rr-qd32-j2-r1.domu.txt'],
                  names)
            with open(os.path.join(d, names[1])) as f:
                check('profiles: the file has the header and the lines',
                      f.read().splitlines()[1:] == ['    20.00%  fio  fio  [.] td_io_queue'])
        check('profiles: none without T lines', write_profiles({}, '/nonexistent') == [])


if __name__ == '__main__':
    tap.main()
