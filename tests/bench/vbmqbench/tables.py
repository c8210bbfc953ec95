"""The text of the results: cell formatting, the results table (one row a
point), the targets table, the adaptive poll sweep table, and their
markdown and plain-text renderings."""
from .stats import med

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
