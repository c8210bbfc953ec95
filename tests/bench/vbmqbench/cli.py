"""The command line of tests/bench/bench.py: the subcommands plan,
host-check, cpus-within, cpus-except and parse (tests/bench/run and
tests/bench/realhost.sh call them)."""
import argparse
import json
import os
import sys

from .host import cpus_except, host_check, parse_cpulist, recorded_probe
from .parse import read_facts, read_profiles, write_profiles, write_trace_samples
from .plan import PROFILES, make_plan, read_plan
from .plots import plots
from .report import build_results, write_outputs

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
