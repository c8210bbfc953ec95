# summary: xl-vbmq pin-dom0 --io-cpus 1: dom0 vCPU 0 hard-pinned to CPU 1, the domU's vCPUs off it (xl vcpu-list); --dry-run changes nothing; a re-plan keeps the saved affinities; unpin restores exactly what xl vcpu-list showed before; the shipped xl-vbmq.service pins again at boot from /etc/default/xl-vbmq
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=240
. /vbmq/scenarios/xl-vbmq.lib

# hard DOMAIN VCPU: the hard affinity column of xl vcpu-list
hard() {
	xl vcpu-list 2>/dev/null | awk -v d="$1" -v v="$2" \
		'$1 == d && $3 == v { print $7 }'
}

step "null_blk backing device" 30 nullb_setup
step "vbmq-blkback loads" 30 backend_use vbmq
step "domU with 2 vCPUs" 60 domu_start pn vcpus=2
ok "xvda connects" wait_for 60 vbd_connected pn
domid=$(xl domid pn)
# affinities: domain, vCPU, hard / soft (what unpin must give back)
affinities() {
	xl vcpu-list 2>/dev/null | awk 'NR > 1 { print $1, $3, $7, $8, $9 }'
}
# a non-trivial affinity before pinning, so that the restore shows
step "xl vcpu-pin pn 1 1 (domU vCPU 1 on CPU 1 only)" 30 xl vcpu-pin pn 1 1
is "domU vCPU 1 hard-pinned to CPU 1" "$(hard pn 1)" 1
xl vcpu-list 2>&1 | diag_file /dev/stdin
before=$(affinities)

xl-vbmq pin-dom0 --io-cpus 1 --dry-run > /tmp/plan.out 2>&1
is "pin-dom0 --dry-run exits 0" "$?" 0
diag_file /tmp/plan.out
ok "the plan puts dom0 vCPU 0 on CPU 1 alone" \
	grep -qE 'domain 0 \(Domain-0\) vCPU 0 -> CPU 1 \(dedicated I/O\)' /tmp/plan.out
ok "the plan keeps the domU's vCPUs on CPU 0" \
	grep -qE "domain $domid \\(pn\\) vCPU 1 -> CPU 0\$" /tmp/plan.out
is "--dry-run changed no affinity" "$(affinities)" "$before"
ok "--dry-run saved nothing" sh -c '! xenstore-ls /tool/vbmq >/dev/null 2>&1'

step "xl-vbmq pin-dom0 --io-cpus 1" 30 xl-vbmq pin-dom0 --io-cpus 1
xl vcpu-list 2>&1 | diag_file /dev/stdin
is "dom0 vCPU 0 hard-pinned to CPU 1" "$(hard Domain-0 0)" 1
is "dom0 vCPU 1 kept off the I/O CPU" "$(hard Domain-0 1)" 0
is "domU vCPU 0 off CPU 1" "$(hard pn 0)" 0
is "domU vCPU 1 off CPU 1" "$(hard pn 1)" 0
is "the I/O CPUs are recorded" "$(xenstore-read /tool/vbmq/io-cpus)" 1
saved=$(xenstore-ls -f /tool/vbmq/saved 2>&1)
diag_file <(echo "$saved")
ok "domU's affinities saved: vCPU 1 on CPU 1" \
	grep -qE "^/tool/vbmq/saved/$domid = \"[0-9a-f-]{36} [0-9,-]+;1\"\$" <<<"$saved"
ok "dom0's affinities saved" grep -q '^/tool/vbmq/saved/0 = ' <<<"$saved"
ok "pin-dom0 again is idempotent" xl-vbmq pin-dom0 --io-cpus 1
is "dom0 vCPU 0 still on CPU 1" "$(hard Domain-0 0)" 1
is "the saved affinities did not change" "$(xenstore-ls -f /tool/vbmq/saved 2>&1)" "$saved"
# a re-plan with another list starts from the saved affinities
ok "pin-dom0 --io-cpus 0 while pinned re-plans" xl-vbmq pin-dom0 --io-cpus 0
xl vcpu-list 2>&1 | diag_file /dev/stdin
is "re-plan: dom0 vCPU 0 on CPU 0" "$(hard Domain-0 0)" 0
is "re-plan: domU vCPU 1 back on its saved CPU 1" "$(hard pn 1)" 1
is "re-plan: domU vCPU 0 off CPU 0" "$(hard pn 0)" 1
is "re-plan: the I/O CPUs recorded" "$(xenstore-read /tool/vbmq/io-cpus)" 0
is "re-plan: the saved affinities did not change" \
	"$(xenstore-ls -f /tool/vbmq/saved 2>&1)" "$saved"
ok "pin-dom0 --io-cpus 1 again" xl-vbmq pin-dom0 --io-cpus 1
is "dom0 vCPU 0 on CPU 1 again" "$(hard Domain-0 0)" 1
is "domU vCPU 1 off CPU 1 again" "$(hard pn 1)" 0

# the ring threads onto the dedicated core: dom0 vCPU 0
ok "xl-vbmq set pn xvda cpus=0" xl-vbmq set pn xvda cpus=0
ok "ring threads on dom0 vCPU 0 (physical CPU 1)" wait_for 20 xlv_threads_on 0 "$domid"

xlv_be=$(be_dir pn)
xlv_refused "pin-dom0 --io-cpus 0-1 (every CPU)" "leave at least one" \
	xl-vbmq pin-dom0 --io-cpus 0-1
xlv_refused "pin-dom0 --io-cpus 5" "online: 0-1" xl-vbmq pin-dom0 --io-cpus 5
is "refused pin-dom0 left dom0 vCPU 0 on CPU 1" "$(hard Domain-0 0)" 1

# domains created while pinned (paused, no disk): pn2 by plain xl create
# with cpus="1", the I/O CPU (pin-dom0 never moved it: unpin leaves it);
# pn3 by xl-vbmq create (kept off the I/O CPU, saved: unpin restores it)
xlv_cfg pn2 vcpus=1 mem=192 cpus=1
xlv_cfg pn3 vcpus=1 mem=192
sed -i '/^disk = /d' /run/pn2.cfg /run/pn3.cfg
step "plain xl create -p of pn2 (cpus=1) while pinned" 60 xl create -p /run/pn2.cfg
step "xl-vbmq create -p of pn3 while pinned" 60 xl-vbmq create -p /run/pn3.cfg
is "pn2 vCPU 0 where its config put it" "$(hard pn2 0)" 1
is "pn3 vCPU 0 kept off the I/O CPU" "$(hard pn3 0)" 0
ok "pn3's affinities saved by create" xenstore-read "/tool/vbmq/saved/$(xl domid pn3)"
ok "pn2 not saved" sh -c "! xenstore-read /tool/vbmq/saved/$(xl domid pn2)"

# a record of a domain that has gone away: skipped with a note
xenstore-write /tool/vbmq/saved/999 "00000000-0000-0000-0000-000000000999 0"
pinned=$(affinities)
xl-vbmq unpin --dry-run > /tmp/unpin.out 2>&1
is "unpin --dry-run exits 0" "$?" 0
diag_file /tmp/unpin.out
ok "the restore plan gives domU vCPU 1 its CPU 1 back" \
	grep -qE "domain $domid \\(pn\\) vCPU 1 -> CPUs 1 \\(saved\\)\$" /tmp/unpin.out
ok "the restore plan covers dom0 vCPU 0" \
	grep -qE 'domain 0 \(Domain-0\) vCPU 0 -> CPUs [0-9,-]+ \(saved\)$' /tmp/unpin.out
ok "the gone domain is skipped with a note" \
	grep -q 'domain 999 (UUID 00000000-0000-0000-0000-000000000999) is gone: skipped' /tmp/unpin.out
ok "the restore plan gives pn3 all CPUs back" \
	grep -qE "domain $(xl domid pn3) \\(pn3\\) vCPU 0 -> CPUs 0-1 \\(saved\\)\$" /tmp/unpin.out
ok "the restore plan leaves pn2 alone" \
	grep -q "domain $(xl domid pn2) (pn2): not moved by pin-dom0, affinities kept" /tmp/unpin.out
is "unpin --dry-run changed no affinity" "$(affinities)" "$pinned"
ok "unpin --dry-run kept the record" xenstore-read /tool/vbmq/io-cpus

step "xl-vbmq unpin" 30 xl-vbmq unpin
xl vcpu-list 2>&1 | diag_file /dev/stdin
is "pn2 kept what it had" "$(hard pn2 0)" 1
is "pn3 back to all CPUs" "$(hard pn3 0)" all
step "destroy pn2 and pn3" 60 sh -c 'xl destroy pn2 && xl destroy pn3'
is "every affinity (hard and soft) as before pin-dom0" "$(affinities)" "$before"
is "domU vCPU 1 back on CPU 1" "$(hard pn 1)" 1
ok "the record is gone" sh -c '! xenstore-ls /tool/vbmq >/dev/null 2>&1'
ok "unpin again: nothing to restore" sh -c 'xl-vbmq unpin | grep -q "nothing to restore"'

# At boot (the record went with the previous boot's xenstored), the shipped
# xl-vbmq.service pins dom0 from /etc/default/xl-vbmq, before xendomains
# starts the guests; with no CPUs configured it does nothing.
unit=/usr/lib/systemd/system/xl-vbmq.service
ok "make install put xl-vbmq.service and /etc/default/xl-vbmq in place" \
	test -f "$unit" -a -f /etc/default/xl-vbmq
step "xl-vbmq.service with the shipped /etc/default/xl-vbmq (no CPUs)" 30 run_unit "$unit"
is "nothing pinned: every affinity as before" "$(affinities)" "$before"
cp /etc/default/xl-vbmq /run/xl-vbmq.default
sed -i 's/^XL_VBMQ_IO_CPUS=.*/XL_VBMQ_IO_CPUS="1"/' /etc/default/xl-vbmq
step "xl-vbmq.service with XL_VBMQ_IO_CPUS=\"1\" (the boot path)" 30 run_unit "$unit"
is "boot: dom0 vCPU 0 hard-pinned to CPU 1" "$(hard Domain-0 0)" 1
is "boot: dom0 vCPU 1 kept off the I/O CPU" "$(hard Domain-0 1)" 0
is "boot: domU vCPU 0 off CPU 1" "$(hard pn 0)" 0
is "boot: the I/O CPUs are recorded" "$(xenstore-read /tool/vbmq/io-cpus)" 1
step "xl-vbmq unpin after the boot path" 30 xl-vbmq unpin
is "after unpin: every affinity as before" "$(affinities)" "$before"
mv /run/xl-vbmq.default /etc/default/xl-vbmq
domu_signal pn done
domu_wait pn 120
