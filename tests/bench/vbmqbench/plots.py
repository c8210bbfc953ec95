"""The PNG plots of the results (gnuplot, when installed): IOPS and
latency against fio jobs, QD1 latency, the ratios to bare, the poll sweep."""
import os
import shutil
import subprocess
import sys

from .filters import select
from .plan import LABEL, TARGETS
from .results import find_point, sweep_points
from .stats import med

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
            ps = sorted([p for p in select(pts, target=t, rw=rw, qd=qd) if p.get(key)],
                        key=lambda p: p['jobs'])
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
