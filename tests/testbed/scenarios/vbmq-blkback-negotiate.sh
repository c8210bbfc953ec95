# summary: vbmq-blkback negotiates 1, 2 and 4 rings with in-tree blkfront (domU vCPUs 1, 2, 4) and vbmq/queues=2 caps a 4-vCPU domU
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=240
. /vbmq/scenarios/xl-vbmq.lib

# negotiated NAME OFFERED RINGS: the backend offers OFFERED queues, the
# domU's frontend takes RINGS; xenstore, the ring threads and (in the domU)
# blk-mq agree
negotiated() {
	local name=$1 offered=$2 rings=$3 be fe q
	be=$(be_dir "$name")
	fe=$(fe_dir "$name")
	ok "$name: xvda connects" wait_for 90 vbd_connected "$name"
	xenstore-ls -f "$be" "$fe" 2>&1 | diag_file /dev/stdin
	is "$name: backend offers $offered queues" \
		"$(xenstore-read "$be/multi-queue-max-queues")" "$offered"
	if [ "$rings" = 1 ]; then
		# One ring: the frontend may use the top-level keys (no queue-N/)
		ok "$name: one ring at the top level, no queue-0/" \
			sh -c "xenstore-read '$fe/ring-ref' >/dev/null && ! xenstore-read '$fe/queue-0/ring-ref' 2>/dev/null"
	else
		is "$name: frontend chose $rings queues" \
			"$(xenstore-read "$fe/multi-queue-num-queues")" "$rings"
		for ((q = 0; q < rings; q++)); do
			ok "$name: queue-$q/ has ring-ref and event-channel" \
				xenstore-read "$fe/queue-$q/ring-ref" "$fe/queue-$q/event-channel"
		done
		ok "$name: no queue-$rings/" sh -c "! xenstore-read '$fe/queue-$rings/ring-ref' 2>/dev/null"
	fi
	is "$name: one ring thread per ring" \
		"$(threads_named "vbmq$(domid "$name").xvda-*" | wc -l)" "$rings"
	domu_signal "$name" dom0-checked
	domu_wait "$name" 120
}

step "null_blk backing device" 30 nullb_setup
step "vbmq-blkback loads with max_queues=4" 30 backend_use vbmq max_queues=4

for spec in "n1 1 1" "n2 2 2" "n4 4 4"; do
	read -r name vcpus rings <<<"$spec"
	step "domU $name with $vcpus vCPU(s)" 60 \
		domu_start "$name" vcpus="$vcpus" args="rings=$rings"
	negotiated "$name" 4 "$rings"
done

# vbmq/queues caps what the backend offers: set before the frontend
# connects (xl-vbmq create: paused domain, keys, unpause).
xlv_cfg n4cap vcpus=4 args="rings=2"
echo 'vbmq = [ "xvda: queues=2" ]' >> /run/n4cap.cfg
step "xl-vbmq create: a 4-vCPU domU with vbmq/queues=2" 90 \
	domu_boot n4cap xl-vbmq create /run/n4cap.cfg
negotiated n4cap 2 2
