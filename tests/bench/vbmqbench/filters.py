"""The one filter over run records (build_results' runs) and the points
aggregated from them: select() picks records by field values, values() the
non-missing figures of the runs it picks."""


def _match(run, key, want):
    """one criterion: 'timed' (round > 0 or not), 'point' ((rw, qd, jobs)),
    else the run's field, equal or (tuple/list/set) a member"""
    if key == 'timed':
        return (run['round'] > 0) == want
    got = (run['rw'], run['qd'], run['jobs']) if key == 'point' else run[key]
    if isinstance(want, (tuple, list, set, frozenset)) and key != 'point':
        return got in want
    return got == want


def select(runs, **criteria):
    """the runs meeting every criterion, in order, e.g.
    select(runs, status='ok', target='vbmq', qd=32, timed=True)"""
    return [r for r in runs if all(_match(r, k, v) for k, v in criteria.items())]


def values(runs, key, **criteria):
    """figure KEY (run['m'][key]) of the selected runs, where present"""
    return [v for v in (r['m'].get(key) for r in select(runs, **criteria)) if v is not None]
