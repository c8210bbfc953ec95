# summary: xl-vbmq pin-dom0 --io-cpus 1: dom0 vCPU 0 hard-pinned to CPU 1, the domU's vCPUs off it (xl vcpu-list); --dry-run changes nothing; unpin undoes
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
xl vcpu-list 2>&1 | diag_file /dev/stdin
before=$(xl vcpu-list 2>/dev/null | awk 'NR > 1 { print $1, $3, $7 }')

xl-vbmq pin-dom0 --io-cpus 1 --dry-run > /tmp/plan.out 2>&1
is "pin-dom0 --dry-run exits 0" "$?" 0
diag_file /tmp/plan.out
ok "the plan puts dom0 vCPU 0 on CPU 1 alone" \
	grep -qE 'domain 0 \(Domain-0\) vCPU 0 -> CPU 1 \(dedicated I/O\)' /tmp/plan.out
ok "the plan keeps the domU's vCPUs on CPU 0" \
	grep -qE "domain $domid \\(pn\\) vCPU 1 -> CPU 0\$" /tmp/plan.out
is "--dry-run changed no affinity" \
	"$(xl vcpu-list 2>/dev/null | awk 'NR > 1 { print $1, $3, $7 }')" "$before"

step "xl-vbmq pin-dom0 --io-cpus 1" 30 xl-vbmq pin-dom0 --io-cpus 1
xl vcpu-list 2>&1 | diag_file /dev/stdin
is "dom0 vCPU 0 hard-pinned to CPU 1" "$(hard Domain-0 0)" 1
is "dom0 vCPU 1 kept off the I/O CPU" "$(hard Domain-0 1)" 0
is "domU vCPU 0 off CPU 1" "$(hard pn 0)" 0
is "domU vCPU 1 off CPU 1" "$(hard pn 1)" 0
is "the I/O CPUs are recorded" "$(xenstore-read /tool/vbmq/io-cpus)" 1
ok "pin-dom0 again is idempotent" xl-vbmq pin-dom0 --io-cpus 1
is "dom0 vCPU 0 still on CPU 1" "$(hard Domain-0 0)" 1

# the ring threads onto the dedicated core: dom0 vCPU 0
ok "xl-vbmq set pn xvda cpus=0" xl-vbmq set pn xvda cpus=0
ok "ring threads on dom0 vCPU 0 (physical CPU 1)" xlv_wait 20 xlv_threads_on 0 "$domid"

xlv_be=$(be_dir pn)
xlv_refused "pin-dom0 --io-cpus 0-1 (every CPU)" "leave at least one" \
	xl-vbmq pin-dom0 --io-cpus 0-1
xlv_refused "pin-dom0 --io-cpus 5" "online: 0-1" xl-vbmq pin-dom0 --io-cpus 5
is "refused pin-dom0 left dom0 vCPU 0 on CPU 1" "$(hard Domain-0 0)" 1

step "xl-vbmq unpin" 30 xl-vbmq unpin
xl vcpu-list 2>&1 | diag_file /dev/stdin
is "dom0 vCPU 0 unpinned" "$(hard Domain-0 0)" all
is "domU vCPU 1 unpinned" "$(hard pn 1)" all
ok "the record is gone" sh -c '! xenstore-read /tool/vbmq/io-cpus'
domu_signal pn done
domu_wait pn 120
