"""Numbers from numbers: ratios of counters (None when either is missing),
summaries of repeated figures (median, min, max, spread), a summary's
median."""
import statistics

from .plan import USER_HZ

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


def summary(values):
    v = [x for x in values if x is not None]
    if not v:
        return None
    med = statistics.median(v)
    return {'median': med, 'min': min(v), 'max': max(v), 'n': len(v),
            'spread_pct': (100.0 * (max(v) - min(v)) / med) if med else None,
            'values': v}


def med(p, key):
    if not p or not p.get(key):
        return None
    return p[key]['median']
