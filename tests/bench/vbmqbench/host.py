"""Real-host checks: what writing to the benchmark device would destroy
or disturb (from the tools' recorded output), whether the run may write,
the options a real-host run takes, CPU lists; bench.py host-check."""
import json
import os
import re
import subprocess
import sys

from .plan import RWS

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
