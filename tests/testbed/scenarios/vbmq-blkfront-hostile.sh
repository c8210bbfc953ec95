# summary: vbmq-blkfront against a backend that breaks the protocol (test-only vbmq-testback): a bad, free or repeated id, a wrong operation, rsp_prod past the requests or the ring, a grant kept mapped each disable the disk with a message naming the rule, later I/O fails at once and the request left in flight fails at detach; error statuses fail only their request; a request never answered fails at detach; the in-tree xen-blkfront against the same backend for comparison
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=900

# One round per fault, each on a fresh connection (block-attach); the
# faults the domU half knows (vbmq-blkfront-hostile.domu.sh).
FAULTS="none error eopnotsupp bad-status silent bad-id free-id dup-id bad-op bad-prod overflow keep-mapped"
UPSTREAM_FAULTS="none error"
param=/sys/module/vbmq_testback/parameters
injected=/sys/kernel/debug/vbmq-testback/injected
requests=/sys/kernel/debug/vbmq-testback/requests

# The block script needs a device to hand over; vbmq-testback never opens it.
step "null_blk for the hotplug script" 30 nullb_setup
step "vbmq-testback loads (faults at sector 2048)" 30 \
	backend_use testback fault_sector=2048
ok "an unknown fault is refused" sh -c "! echo fast > $param/fault"
is "the fault stays as it was" "$(cat "$param/fault")" none

# rounds NAME FAULTS...: the domU NAME was started with fault none; each
# round connects xvda with the next fault, lets the domU test it, checks
# that exactly one READ met the fault, and detaches xvda.
rounds() {
	local name=$1 i=0 f before d
	shift
	d=$(domid "$name")
	for f in "$@"; do
		if [ "$i" -gt 0 ]; then
			echo "$f" > "$param/fault"
			step "$name: xl block-attach xvda with fault $f" 60 \
				xl block-attach "$name" phy:/dev/nullb0,xvda,w
		fi
		ok "$name $f: xvda connects" wait_for 120 vbd_connected "$name" ||
			note "$name $f: backend state $(xenstore-read "$(be_dir "$name")/state"), frontend state $(xenstore-read "$(fe_dir "$name")/state"), requests served so far $(cat "$requests")"
		before=$(cat "$injected")
		domu_signal "$name" "go-$i" "$f"
		ok "$name $f: the domU tested it" \
			domu_wait_signal "$name" "tested-$i" 120
		is "$name $f: one READ met the fault" \
			"$(($(cat "$injected") - before))" 1
		step "$name $f: xl block-detach xvda" 60 \
			xl block-detach "$name" xvda
		ok "$name $f: the backend device is gone" wait_for 30 \
			test ! -e "/sys/bus/xen-backend/devices/vbd-$d-51712"
		domu_signal "$name" "detached-$i"
		ok "$name $f: the domU checked the detach" \
			domu_wait_signal "$name" "checked-$i" 120
		i=$((i + 1))
	done
	echo none > "$param/fault"
}

step "domU with vbmq-blkfront, 1 vCPU" 60 \
	domu_start hfe vcpus=1 frontend=vbmq args="vbmq $FAULTS"
# shellcheck disable=SC2086
rounds hfe $FAULTS
domu_wait hfe 120

step "domU with the in-tree xen-blkfront, 1 vCPU" 60 \
	domu_start ufe vcpus=1 frontend=upstream args="upstream $UPSTREAM_FAULTS"
# shellcheck disable=SC2086
rounds ufe $UPSTREAM_FAULTS
domu_wait ufe 120
step "vbmq-testback unloads" 30 unload_module vbmq-testback
