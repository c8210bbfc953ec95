#!/usr/bin/env python3
"""Unit test of the benchmark's real-host checks (tests/bench/vbmqbench/
host.py): which devices it refuses to write to, and which options it
rejects.  Table-driven on recorded and constructed lsblk/blkid output
(tests/bench/fixtures/host-devices.json).  unittest; prints TAP when run as
    python3 tests/bench/test_host.py
"""
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import tap  # noqa: E402
from vbmqbench.host import (cpus_except, device_findings, host_check,  # noqa: E402
                            parse_cpulist, recorded_probe, validate_host)
from vbmqbench.plan import make_plan  # noqa: E402
from vbmqbench.report import notes  # noqa: E402

with open(os.path.join(HERE, 'fixtures', 'host-devices.json')) as f:
    CASES = json.load(f)['cases']


def probe(name):
    return recorded_probe(CASES[name])


def run_check(name, **opts):
    """host_check on a recorded case: (exit status, stdout, stderr)"""
    o = {'host': 'xen', 'device': CASES[name]['device']}
    o.update(opts)
    out, err = io.StringIO(), io.StringIO()
    rc = host_check(o, probe(name), resolve=lambda p: p, out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


# ---- what each device holds: (case, findings that must be there as
# (kind, substring), findings that must not)
FINDINGS = [
    ('loop-ext4-mounted', [('data', 'a file system (ext4)'), ('busy', 'mounted at /tmp/bh/mnt')],
     []),
    ('loop-blank', [], None),
    ('loop-dos-pt', [('data', 'a partition table (dos)')], [('busy', '')]),
    ('loop-swap-signature', [('data', 'swap space')], [('busy', '')]),
    ('vda-root-eperm', [('busy', 'mounted at /'), ('data', 'blkid -p failed')], []),
    ('nvme-gpt-root', [('data', 'a partition table (gpt)'), ('data', 'partition /dev/nvme0n1p2'),
                       ('data', 'a file system (ext4) on /dev/nvme0n1p2'),
                       ('data', 'a file system (vfat) on /dev/nvme0n1p1'),
                       ('busy', 'mounted at / on /dev/nvme0n1p2'),
                       ('busy', 'mounted at /boot/efi on /dev/nvme0n1p1')], []),
    ('nvme-gpt-unmounted', [('data', 'a partition table (gpt)'),
                            ('data', 'a file system (xfs) on /dev/nvme1n1p1')], [('busy', '')]),
    ('lvm-pv-active', [('data', 'an LVM physical volume'),
                       ('busy', 'LVM logical volume /dev/mapper/vg0-data'),
                       ('busy', 'mounted at /srv on /dev/mapper/vg0-data')], []),
    ('md-member-no-udev', [('data', 'an MD RAID member'), ('busy', 'MD array /dev/md0')], []),
    ('swap-active', [('data', 'swap space'), ('busy', 'active swap')], []),
    ('blank-nvme', [], None),
    ('blkid-not-run', [('data', 'blkid -p failed (exit 127')], []),
]


# ---- the decision: (case, options, exit status, writes_ok or None, words
# the message must hold)
D = '--destroy-data'


DECISIONS = [
    # blank devices: writes go ahead, no consent needed
    ('loop-blank', {}, 0, 1, []),
    ('blank-nvme', {'rws': ['randread', 'randwrite']}, 0, 1, []),
    # a file system, a partition table, swap or LVM/MD signatures: refused
    # with the device, what was found and the override named
    ('loop-dos-pt', {}, 3, None, ['/dev/loop2', 'partition table (dos)', D + ' /dev/loop2',
                                  '--rw randread']),
    ('loop-swap-signature', {}, 3, None, ['/dev/loop3', 'swap space', D + ' /dev/loop3']),
    ('nvme-gpt-unmounted', {}, 3, None, ['/dev/nvme1n1', 'xfs', D + ' /dev/nvme1n1']),
    ('md-member-no-udev', {}, 3, None, ['/dev/sdc', 'MD', 'in use']),
    ('blkid-not-run', {}, 3, None, ['/dev/sde', 'blkid -p failed']),
    # consent: the same devices go ahead when named again
    ('loop-dos-pt', {'destroy_data': '/dev/loop2'}, 0, 1, []),
    ('nvme-gpt-unmounted', {'destroy_data': '/dev/nvme1n1'}, 0, 1, []),
    # consent naming another device is an option error, not consent
    ('loop-dos-pt', {'destroy_data': '/dev/loop3'}, 2, None,
     ['does not name the benchmark device /dev/loop2']),
    # in use (mounted, active swap, LVM volume, MD array): refused even with
    # consent
    ('loop-ext4-mounted', {'destroy_data': '/dev/loop0'}, 3, None,
     ['/dev/loop0', 'in use', 'mounted at /tmp/bh/mnt', 'ext4']),
    ('nvme-gpt-root', {'destroy_data': '/dev/nvme0n1'}, 3, None, ['mounted at /', 'in use']),
    ('lvm-pv-active', {'destroy_data': '/dev/sdb'}, 3, None, ['LVM logical volume']),
    ('swap-active', {'destroy_data': '/dev/sdd'}, 3, None, ['active swap']),
    ('vda-root-eperm', {}, 3, None, ['/dev/vda', 'mounted at /']),
    # reads only: never refused, but nothing is written (no prefill, the
    # domU gets the disk read-only) unless the device is blank
    ('loop-ext4-mounted', {'rws': ['randread']}, 0, 0, []),
    ('nvme-gpt-root', {'rws': ['randread']}, 0, 0, []),
    ('loop-dos-pt', {'rws': ['randread'], 'destroy_data': '/dev/loop2'}, 0, 1, []),
    ('swap-active', {'rws': ['randread'], 'destroy_data': '/dev/sdd'}, 0, 0, []),
    ('loop-blank', {'rws': ['randread']}, 0, 1, []),
]


# ---- option validation: (options, substring of the error, or None = valid)
V = [
    ({'host': 'xen'}, None),
    ({'host': 'kvm', 'targets': ['bare', 'kvm']}, None),
    ({'host': 'esx'}, '--host: xen or kvm'),
    ({'host': 'xen', 'targets': ['kvm']}, 'kvm does not run on a xen host'),
    ({'host': 'kvm', 'targets': ['vbmq']}, 'vbmq does not run on a kvm host'),
    ({'host': 'xen', 'rws': ['randrw']}, '--rw: randrw'),
    ({'host': 'xen', 'device': 'nvme0n1'}, '--device: null_blk or a block device'),
    ({'host': 'xen', 'destroy_data': '/dev/sda'}, 'nothing to destroy'),
    ({'host': 'xen', 'device': '/dev/sda', 'destroy_data': '/dev/sda'}, None),
    ({'host': 'xen', 'device': '/dev/sda', 'destroy_data': 'sda'}, 'does not name'),
    ({'host': 'xen', 'runtime': '0'}, '--runtime'),
    ({'host': 'xen', 'runtime': '10s'}, '--runtime'),
    ({'host': 'xen', 'ramp': '0'}, None),
    ({'host': 'xen', 'rounds': '-1'}, '--rounds'),
    ({'host': 'xen', 'domu_mem': '128'}, '--domu-mem'),
    ({'host': 'xen', 'domu_vcpus': '0'}, '--domu-vcpus'),
    ({'host': 'xen', 'jobs': ['1', '4']}, None),
    ({'host': 'xen', 'jobs': ['1', 'x']}, '--jobs'),
    ({'host': 'xen', 'jobs': ['1000']}, '--jobs'),
    ({'host': 'xen', 'size': '4g'}, None),
    ({'host': 'xen', 'size': '4'}, '--size'),
    ({'host': 'xen', 'size': '0m'}, '--size'),
    ({'host': 'xen', 'size': '1m; rm -rf /'}, '--size'),
    ({'host': 'xen', 'io_cpus': '2-5,8'}, None),
    ({'host': 'xen', 'io_cpus': '5-2'}, '--io-cpus'),
    ({'host': 'xen', 'io_cpus': '1,,2'}, '--io-cpus'),
    ({'host': 'xen', 'io_cpus': 'all'}, '--io-cpus'),
    ({'host': 'xen', 'io_cpus': '0-99999'}, '--io-cpus'),
    ({'host': 'xen', 'pin_dom0': '8-11', 'io_cpus': '0-3'}, None),
    ({'host': 'xen', 'pin_dom0': '8-'}, '--pin-dom0'),
    ({'host': 'kvm', 'pin_dom0': '2-3'}, '--pin-dom0'),
]


def dry(*args):
    p = subprocess.run([os.path.join(HERE, 'run'), '--dry-run'] + list(args),
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class DeviceTest(tap.CheckCase):
    """what a device holds, and whether the benchmark may write to it"""

    def test_findings(self):
        """each recorded case's findings"""
        check = self.check
        for name, want, unwanted in FINDINGS:
            c = CASES[name]
            got = device_findings(c['device'], c['lsblk'], probe(name)['blkid'], c['mounts'],
                                  c['swaps'])
            if unwanted is None:
                check('%s: nothing found' % name, got == [], got)
                continue
            for kind, text in want:
                check('%s: finds %s "%s"' % (name, kind, text),
                      any(k == kind and text in t for k, t in got), got)
            for kind, text in unwanted:
                check('%s: no %s finding' % (name, kind),
                      not any(k == kind and text in t for k, t in got), got)
            check('%s: no finding twice' % name, len(got) == len(set(got)), got)

    def test_decisions(self):
        """host_check's exit status, writes_ok and message"""
        check = self.check
        for name, opts, want_rc, want_w, words in DECISIONS:
            rc, out, err = run_check(name, **opts)
            desc = '%s %s' % (name, ' '.join('%s=%s' % kv for kv in sorted(opts.items())) or
                              '(defaults)')
            check('%s: exit status %d' % (desc, want_rc), rc == want_rc, 'got %d: %s' % (rc, err))
            if want_w is not None:
                check('%s: writes_ok=%d' % (desc, want_w), 'writes_ok=%d\n' % want_w in out, out)
            for w in words:
                check('%s: message says "%s"' % (desc, w), w in err, err)
            if want_rc == 3:
                check('%s: one message line' % desc, err.count('\n') == 1, err)


class OptionsTest(tap.CheckCase):
    """the options of a real-host run"""

    def test_validate(self):
        """option validation and CPU lists"""
        check = self.check
        for opts, want in V:
            errs = validate_host(opts)
            desc = 'validate %s' % ' '.join('%s=%s' % kv for kv in sorted(opts.items()))
            if want is None:
                check(desc + ': accepted', errs == [], errs)
            else:
                check(desc + ': rejected (%s)' % want, any(want in e for e in errs), errs)

        check('cpulist 0-3,6', parse_cpulist('0-3,6') == [0, 1, 2, 3, 6])
        check('cpulist 7', parse_cpulist('7') == [7])
        for n_, lst, want in ((16, '8-11', '0-7,12-15'), (4, '0', '1-3'), (4, '0-3', '0-3'),
                              (8, '1,3,5', '0,2,4,6-7'), (2, '5', '0-1')):
            check('cpus_except %d %s = %s' % (n_, lst, want), cpus_except(n_, lst) == want,
                  cpus_except(n_, lst))

    def test_plan_rw(self):
        """the plan honours --rw: reads only means no randwrite run anywhere"""
        check = self.check
        plan = make_plan('demo', targets=['bare', 'upstream', 'vbmq'], rws=['randread'])
        check('plan --rw randread: no randwrite run',
              not any(p[0] == 'R' and p[3] == 'randwrite' for p in plan))
        check('plan --rw randread: the headline points are there',
              any(p[0] == 'R' and p[3] == 'randread' and p[4] == '1' for p in plan))

    def test_paper_dry_run(self):
        """a bigger host: the papers' figure as one command, dry run (prints the plan
        and the command lines, boots nothing), at this machine's size and at 16 CPUs"""
        check = self.check
        for size, args in (('2 CPUs', ['--profile', 'paper', '--jobs', '1 2']),
                           ('16 CPUs', ['--profile', 'paper', '--qemu-cpus', '16',
                                        '--dom0-vcpus', '4', '--io-cpus', '0-3',
                                        '--domu-vcpus', '8', '--dom0-pinned'])):
            rc, out, err = dry(*args)
            runs = [l.split() for l in out.splitlines() if l.startswith('R ')]
            jobs = sorted({int(r[5]) for r in runs})
            check('paper dry run (%s): exits 0 and prints the plan' % size, rc == 0 and runs, err)
            check('paper dry run (%s): bare, upstream, vbmq and vbmq-always against jobs '
                  '1..N' % size,
                  {r[2] for r in runs} == {'bare', 'upstream', 'vbmq', 'vbmq-always'} and
                  jobs == list(range(1, 3 if size == '2 CPUs' else 9)), (jobs, out[:300]))
        rc, out, err = dry('--profile', 'paper', '--qemu-cpus', '16', '--dom0-vcpus', '4',
                           '--io-cpus', '0-3', '--domu-vcpus', '8', '--dom0-pinned')
        check('paper dry run (16 CPUs): QEMU -smp 16, dom0 4 vCPUs pinned, the domU on CPUs 4-15',
              '-smp 16' in out and 'dom0_max_vcpus=4 dom0_vcpus_pin' in out and
              'domU 8 vCPUs on CPUs 4-15' in out, out[-600:])
        for bad, why in ((['--dom0-vcpus', '4'], 'more dom0 vCPUs than CPUs'),
                         (['--dom0-pinned'], 'pinned dom0 leaving the domU no CPU'),
                         (['--io-cpus', '0-3'], 'ring threads on vCPUs dom0 lacks'),
                         (['--qemu-cpus', 'x'], 'a CPU count that is no number')):
            rc, out, err = dry(*bad)
            check('dry run refuses %s, naming the option' % why,
                  rc != 0 and bad[0] in err, (rc, err))


class NotesTest(tap.CheckCase):
    """the notes name the mode"""

    def test_notes(self):
        """real host, test bed"""
        check = self.check
        res = {'facts': {'mode': 'real-host', 'host_kind': 'xen', 'device': '/dev/nvme2n1',
                         'device_writes': '0'}}
        txt = ' '.join(notes(res))
        check('notes: real host named', 'Real host (xen' in txt, txt)
        check('notes: reads-only device said', 'reads only' in txt, txt)
        txt = ' '.join(notes({'facts': {}}))
        check('notes: test bed named as TCG', 'Test bed (TCG)' in txt, txt)


if __name__ == '__main__':
    tap.main()
