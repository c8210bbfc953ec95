"""The report: the results of a parse (runs, points, verdicts, round
trips) from the serial log and the plan, the notes on how they were
measured, and results.json, table.md and table.txt."""
import json
import os

from .parse import decode_fio, derive, fio_metrics, read_records
from .plan import CEILING, parse_id
from .results import aggregate, evtchn_rtt, sweep_points
from .tables import COLUMNS, markdown, sweep_rows, table_rows, target_rows, text_table
from .verdicts import check_targets
from .work import work_rows

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
    n += ['fio 4 KiB, libaio (vbmq-polled, vbmq-exitless: io_uring hipri), direct=1, '
          'time_based %ss + %ss ramp, %s.' % (f.get('runtime', '?'), f.get('ramp', '?'), backing),
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
    thead = ['target', 'want', 'measured', 'verdict', 'how']
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
