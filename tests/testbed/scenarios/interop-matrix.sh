# summary: interop matrix: a domU on each platform's kernel the image carries; dom0 swaps the backend (xen-blkback, vbmq-blkback), each domU its frontend (xen-blkfront, vbmq-blkfront); every cell: 2 rings negotiated, fio verify in the domU, dom0 reads the written pattern back
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300 domu_platforms=all

# The rings each side is asked for: the backend's max_queues; the domUs
# have as many vCPUs, and both frontends take one ring per vCPU up to the
# backend's offer.
QUEUES=2
# The cells, one driver swapped at a time: BACKEND:FRONTEND
CELLS="upstream:upstream upstream:vbmq vbmq:vbmq vbmq:upstream"

xen=$(xl info | sed -n 's/^xen_version *: *//p')
mapfile -t plats < <(domu_platforms)
note "Xen $xen, dom0 $(uname -r), domU kernels of: ${plats[*]}"

# domu_value NAME KEY: what a domU signalled (signal KEY VALUE)
domu_value() { xenstore-read "/local/domain/$(domid "$1")/data/vbmq/$2"; }
# backend_gone BE_DIR: the backend device is gone from xenstore
backend_gone() { ! xenstore-read "$1/state" >/dev/null 2>&1; }
# detach NAME: the domU's xvda detached and its backend device gone
detach() {
	local be
	be=$(be_dir "$1") && xl block-detach "$1" xvda && wait_for 30 backend_gone "$be"
}
# be_driver NAME: the module of the backend driver bound to the domU's xvda
be_driver() {
	basename "$(readlink "/sys/bus/xen-backend/devices/vbd-$(domid "$1")-51712/driver/module")"
}
nullb_all() {
	local i
	for i in "${!plats[@]}"; do test -b "/dev/nullb$i" || return 1; done
}

step "null_blk: a memory-backed disk per domU" 30 nullb_setup nr_devices=${#plats[@]}
ok "/dev/nullb0..$((${#plats[@]} - 1)) exist" wait_for 5 nullb_all
kern=()
for i in "${!plats[@]}"; do
	step "domU im$i on ${plats[i]}'s kernel starts with no disk" 90 \
		domu_start "im$i" kernel="${plats[i]}" vcpus=$QUEUES disk=none frontend=upstream
done
for i in "${!plats[@]}"; do
	ok "domU im$i is ready" domu_wait_signal "im$i" ready 120
	kern[i]=$(domu_value "im$i" ready)
	note "domU im$i runs ${kern[i]}"
done

n=0
be_now=""
for c in $CELLS; do
	be=${c%%:*}
	fe=${c#*:}
	t0=$SECONDS
	off=$((n * 32))
	bad=()
	if [ "$n" -gt 0 ]; then
		for i in "${!plats[@]}"; do
			step "cell $n: xvda detached from im$i" 60 detach "im$i" || bad[i]=1
		done
	fi
	if [ "$be" != "$be_now" ]; then
		step "cell $n: $(backend_module "$be") loads, max_queues=$QUEUES" 30 \
			backend_use "$be" max_queues=$QUEUES || for i in "${!plats[@]}"; do bad[i]=1; done
		be_now=$be
	fi
	for i in "${!plats[@]}"; do
		domu_signal "im$i" "cell-$n" "$fe $be $off"
	done
	for i in "${!plats[@]}"; do
		ok "cell $n: im$i has $(frontend_module "$fe") as its only frontend" \
			domu_wait_signal "im$i" "swapped-$n" 60 || bad[i]=1
	done
	for i in "${!plats[@]}"; do
		step "cell $n: xvda (/dev/nullb$i) attached to im$i" 60 \
			xl block-attach "im$i" "phy:/dev/nullb$i,xvda,w" || bad[i]=1
	done
	for i in "${!plats[@]}"; do
		d="cell $n, im$i ($(frontend_module "$fe") on ${kern[i]}, $(backend_module "$be"))"
		ok "$d: xvda connects" wait_for 60 vbd_connected "im$i" || bad[i]=1
		is "$d: backend offers multi-queue-max-queues $QUEUES" \
			"$(xenstore-read "$(be_dir "im$i")/multi-queue-max-queues")" $QUEUES || bad[i]=1
		is "$d: frontend chose multi-queue-num-queues $QUEUES" \
			"$(xenstore-read "$(fe_dir "im$i")/multi-queue-num-queues")" $QUEUES || bad[i]=1
		is "$d: served by $(backend_module "$be")" "$(be_driver "im$i")" \
			"$(backend_module "$be" | tr - _)" || bad[i]=1
	done
	for i in "${!plats[@]}"; do
		d="cell $n, im$i ($(frontend_module "$fe") on ${kern[i]}, $(backend_module "$be"))"
		ok "$d: the domU finished its I/O" domu_wait_signal "im$i" "done-$n" 180 || bad[i]=1
		read -r verdict md5 <<<"$(domu_value "im$i" "done-$n" 2>/dev/null)"
		[ "$verdict" = pass ] || bad[i]=1
		got=$(dd if="/dev/nullb$i" bs=1M skip=$((off + 16)) count=4 iflag=direct 2>/dev/null |
			md5sum | cut -d' ' -f1)
		is "$d: dom0 reads back from /dev/nullb$i the pattern the domU wrote" \
			"$got" "${md5:-none}" || bad[i]=1
		verdict=pass
		[ -z "${bad[i]:-}" ] || verdict=fail
		cell="frontend=$(frontend_module "$fe")@${kern[i]} backend=$(backend_module "$be")@$(uname -r) xen=$xen"
		note "interop-cell $cell result=$verdict seconds=$((SECONDS - t0))"
		is "interop cell $cell" "$verdict" pass
	done
	n=$((n + 1))
done
for i in "${!plats[@]}"; do
	domu_signal "im$i" "cell-$n" end
done
for i in "${!plats[@]}"; do
	domu_wait "im$i" 60
done
