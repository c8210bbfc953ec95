#!/usr/bin/env python3
"""Turn one test bed boot's serial log into a TAP file per scenario.

Guests report with console lines "@@VBMQ KIND SCENARIO TEXT" (see
tests/testbed/guest/lib.sh).  A scenario that began but never ended, or never
began, fails with the reason the boot ended (time limit, dom0 crash, early
power-off) and the step it was in.  Prints one line per scenario and exits 1
if any test point failed.
"""
import argparse
import os
import re
import shutil
import sys

MARK = re.compile(r'@@VBMQ (\S+) (\S+) ?(.*)$')
CRASH = re.compile(r'Hardware Dom0 crashed|Kernel panic|\bdom0 .*crash|Reboot in five seconds')
# Diagnostic lines worth printing with a failure when there are too many to
# print them all (a whole kernel log, say).  What the kernel log checks in
# tests/testbed/guest/lib.sh fail on comes first; the milder words (a boot's
# "calibration failed" and the like) only when nothing worse is there.
ALARM = re.compile(r'BUG:|WARNING:|Oops|general protection fault|segfault at|Call Trace|'
                   r'kernel BUG|possible circular locking|UBSAN|KASAN|refcount_t:|'
                   r'list_add corruption|hung_task|stall|lockup|panic')
SUSPECT = re.compile(r'fault|error|fail|corrupt|hung', re.I)
DIAG_MAX = 40


def failure_context(diags):
    """The diagnostics before a failed test point, as printed with it on
    stdout (CI keeps only stdout): all of them if few, otherwise the
    alarming lines (or, without any, the suspicious ones) with one line
    before and eight after (a trace), at most DIAG_MAX."""
    if len(diags) <= DIAG_MAX:
        return diags
    for pattern in (ALARM, SUSPECT):
        keep = set()
        for i, d in enumerate(diags):
            if pattern.search(d):
                keep.update(range(max(0, i - 1), min(len(diags), i + 9)))
        if keep:
            break
    picked = [diags[i] for i in sorted(keep)][:DIAG_MAX]
    return ['(%d of %d diagnostic lines)' % (len(picked), len(diags))] + picked


def boot_end_reason(log, status, limit):
    if status == 124 or status == 137:
        return 'the boot hit its time limit of %ss (QEMU killed)' % limit
    for line in log:
        # the scenarios' own result lines may mention crashes; only the
        # kernel's and Xen's words count
        if not line.startswith('@@VBMQ') and CRASH.search(line):
            return 'dom0 crashed: "%s"' % line.strip()[:160]
    if status != 0:
        return 'QEMU exited with status %d' % status
    return 'dom0 powered off early'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--serial', required=True)
    ap.add_argument('--qemu-status', type=int, required=True)
    ap.add_argument('--limit', required=True)
    ap.add_argument('--results', required=True)
    ap.add_argument('scenarios', nargs='+')
    a = ap.parse_args()

    with open(a.serial, 'rb') as f:
        log = [l.decode('utf-8', 'replace').replace('\r', '') for l in f]

    events = {s: [] for s in a.scenarios + ['boot']}
    began, ended, last_step = set(), set(), {}
    done = False
    for line in log:
        m = MARK.search(line)
        if not m:
            continue
        kind, scen, text = m.groups()
        if kind == 'DONE':
            done = True
            continue
        if scen not in events:
            continue
        if kind == 'BEGIN':
            began.add(scen)
        elif kind == 'END':
            ended.add(scen)
        elif kind == 'STEP':
            last_step[scen] = text
        events[scen].append((kind, text))

    reason = None if done else boot_end_reason(log, a.qemu_status, a.limit)
    os.makedirs(a.results, exist_ok=True)
    total_failed = 0
    for scen in a.scenarios:
        lines, n, nfail = [], 0, 0
        diags, context = [], {}
        for kind, text in events[scen]:
            if kind == 'OK':
                n += 1
                lines.append('ok %d - %s' % (n, text))
                diags = []
            elif kind == 'NOTOK':
                n += 1
                nfail += 1
                lines.append('not ok %d - %s' % (n, text))
                context[len(lines) - 1] = failure_context(diags)
                diags = []
            elif kind == 'STEP':
                lines.append('# step: %s' % text)
            elif kind in ('DIAG', 'BEGIN', 'END'):
                lines.append('# %s' % text if kind == 'DIAG' else '# %s %s' % (kind.lower(), text))
                if kind == 'DIAG':
                    diags.append(text)
        if 'boot' in events and any(k == 'NOTOK' for k, _ in events['boot']):
            boot_fail = [t for k, t in events['boot'] if k == 'NOTOK']
        else:
            boot_fail = []
        if scen not in began:
            n += 1
            nfail += 1
            why = ('dom0 setup failed: ' + boot_fail[0]) if boot_fail else (reason or 'not run')
            lines.append('not ok %d - %s: never started: %s' % (n, scen, why))
        elif scen not in ended:
            n += 1
            nfail += 1
            lines.append('not ok %d - %s: did not finish: %s, during step "%s"' %
                         (n, scen, reason or 'scenario vanished', last_step.get(scen, '?')))
        with open(os.path.join(a.results, scen + '.tap'), 'w') as f:
            f.write('TAP version 13\n')
            f.write('\n'.join(lines) + '\n')
            f.write('1..%d\n' % n)
        shutil.copyfile(a.serial, os.path.join(a.results, scen + '.serial.log'))
        total_failed += nfail
        status = 'PASS' if nfail == 0 else 'FAIL'
        print('%s %s: %d passed, %d failed' % (status, scen, n - nfail, nfail))
        for i, l in enumerate(lines):
            if l.startswith('not ok'):
                print('    %s: %s' % (scen, l))
                for d in context.get(i, []):
                    print('      # %s' % d)
    return 1 if total_failed else 0


if __name__ == '__main__':
    sys.exit(main())
