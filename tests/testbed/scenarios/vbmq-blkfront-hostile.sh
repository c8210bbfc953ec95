# summary: vbmq-blkfront against a backend that breaks the protocol (test-only vbmq-testback), with direct, persistent and bounce (trusted=0) grants: a bad, free or repeated id, a wrong operation, rsp_prod past the requests or the ring, a grant kept mapped each disable the disk with a message naming the rule, later I/O fails at once and the request left in flight fails at detach; error statuses fail only their request; a request never answered fails at detach; every pool and indirect page granted holds zeros where the backend was given nothing; an event-channel storm leaves the guest responsive; the in-tree xen-blkfront against the same backend for comparison
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=1200

# One round per fault, each on a fresh connection (block-attach); the
# faults the domU half knows (vbmq-blkfront-hostile.domu.sh).  FAULT@MODE
# runs it with persistent grants (the backend offers them) or bounce
# buffers (the domU marks the backend untrusted and reconnects), both with
# 32 indirect segments; plain FAULT with direct grants.  The faults are
# spread over the three modes rather than run in each (make check's
# budget); keep-mapped runs in the two modes that end grants per request.
FAULTS="none error@persistent eopnotsupp@bounce bad-status silent@persistent bad-id free-id@persistent dup-id@bounce bad-op@persistent bad-prod@bounce overflow@persistent keep-mapped keep-mapped@bounce check-zero@persistent check-zero@bounce storm"
UPSTREAM_FAULTS="none error"
param=/sys/module/vbmq_testback/parameters
dbg=/sys/kernel/debug/vbmq-testback
injected=$dbg/injected
requests=$dbg/requests

# tb_mode MODE: what vbmq-testback offers at the next connect
tb_mode() {
	case $1 in
	persistent) echo 1 > "$param/persistent"; echo 32 > "$param/indirect_segs" ;;
	bounce) echo 0 > "$param/persistent"; echo 32 > "$param/indirect_segs" ;;
	*) echo 0 > "$param/persistent"; echo 0 > "$param/indirect_segs" ;;
	esac
}

# The block script needs a device to hand over; vbmq-testback never opens it.
step "null_blk for the hotplug script" 30 nullb_setup
step "vbmq-testback loads (faults at sector 2048)" 30 \
	backend_use testback fault_sector=2048
ok "an unknown fault is refused" sh -c "! echo fast > $param/fault"
is "the fault stays as it was" "$(cat "$param/fault")" none
ok "indirect_segs=11 is refused" sh -c "! echo 11 > $param/indirect_segs"
ok "indirect_segs=513 is refused" sh -c "! echo 513 > $param/indirect_segs"

# rounds NAME FAULT[@MODE]...: the domU NAME was started with fault none
# and direct grants; each round connects xvda with the next fault and
# mode, lets the domU test it, checks that exactly one READ met the fault
# (and for check-zero that pages were checked and none held stale bytes,
# for storm that the storm ran), and detaches xvda.
rounds() {
	local name=$1 i=0 spec f before d checked stale notifies
	shift
	d=$(domid "$name")
	for spec in "$@"; do
		f=${spec%@*}
		if [ "$i" -gt 0 ]; then
			echo "$f" > "$param/fault"
			if [ "$f" = "$spec" ]; then tb_mode direct; else tb_mode "${spec#*@}"; fi
			step "$name: xl block-attach xvda with fault $spec" 60 \
				xl block-attach "$name" phy:/dev/nullb0,xvda,w
		fi
		ok "$name $spec: xvda connects" wait_for 120 vbd_connected "$name" ||
			note "$name $spec: backend state $(xenstore-read "$(be_dir "$name")/state"), frontend state $(xenstore-read "$(fe_dir "$name")/state"), requests served so far $(cat "$requests")"
		before=$(cat "$injected")
		checked=$(cat "$dbg/checked")
		stale=$(cat "$dbg/stale")
		notifies=$(cat "$dbg/notifies")
		domu_signal "$name" "go-$i" "$spec"
		ok "$name $spec: the domU tested it" \
			domu_wait_signal "$name" "tested-$i" 180
		is "$name $spec: one READ met the fault" \
			"$(($(cat "$injected") - before))" 1
		case $f in
		check-zero)
			checked=$(($(cat "$dbg/checked") - checked))
			note "$spec: vbmq-testback checked $checked page(s)"
			ok "$name $spec: vbmq-testback checked at least 64 pages" \
				test "$checked" -ge 64
			is "$name $spec: pages holding bytes the backend was never given" \
				"$(($(cat "$dbg/stale") - stale))" 0
			;;
		storm)
			notifies=$(($(cat "$dbg/notifies") - notifies))
			note "$spec: vbmq-testback sent $notifies notification(s)"
			ok "$name $spec: vbmq-testback notified in a loop (>= 1000)" \
				test "$notifies" -ge 1000
			;;
		esac
		step "$name $spec: xl block-detach xvda" 60 \
			xl block-detach "$name" xvda
		ok "$name $spec: the backend device is gone" wait_for 30 \
			test ! -e "/sys/bus/xen-backend/devices/vbd-$d-51712"
		domu_signal "$name" "detached-$i"
		ok "$name $spec: the domU checked the detach" \
			domu_wait_signal "$name" "checked-$i" 120
		i=$((i + 1))
	done
	echo none > "$param/fault"
	tb_mode direct
}

# The vbmq-blkfront domU boots with init_on_alloc=0: Debian's kernel
# zeroes every page it allocates (CONFIG_INIT_ON_ALLOC_DEFAULT_ON), which
# would hide from check-zero a frontend that grants pages without zeroing
# them; kernels built or booted otherwise do not.  domu_config is wrapped
# for this one domU.
eval "$(declare -f domu_config | sed '1s/^domu_config/domu_config_plain/')"
domu_config() {
	local cfg
	cfg=$(domu_config_plain "$@") || return
	printf '%s\n' "${cfg/extra = \"/extra = \"init_on_alloc=0 }"
}
step "domU with vbmq-blkfront, 1 vCPU, init_on_alloc=0" 60 \
	domu_start hfe vcpus=1 frontend=vbmq args="vbmq $FAULTS"
eval "$(declare -f domu_config_plain | sed '1s/^domu_config_plain/domu_config/')"
# shellcheck disable=SC2086
rounds hfe $FAULTS
domu_wait hfe 120

step "domU with the in-tree xen-blkfront, 1 vCPU" 60 \
	domu_start ufe vcpus=1 frontend=upstream args="upstream $UPSTREAM_FAULTS"
# shellcheck disable=SC2086
rounds ufe $UPSTREAM_FAULTS
domu_wait ufe 120
step "vbmq-testback unloads" 30 unload_module vbmq-testback
