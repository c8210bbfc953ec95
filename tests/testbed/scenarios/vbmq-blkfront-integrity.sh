# summary: vbmq-blkfront keeps data intact: fio verify 512 B..1 MiB, discard, flush; in-tree backend 4 rings+poll persistent grants / 1 ring without indirect or persistent grants / 2 rings untrusted (bounce); vbmq-blkback 2 rings untrusted
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=540

# A volatile cache (flush) and discard on the backing device.
step "null_blk backing device with cache and discard" 30 \
	nullb_setup cache_size=64 discard=1
step "in-tree xen-blkback loads, 4 queues" 30 backend_use upstream max_queues=4

# integrity_check NAME: the pattern the domU wrote is what dom0 reads.
integrity_check() {
	local log=/var/log/xen/console/guest-$1.log md5 offset bytes got
	read -r md5 offset bytes <<<"$(sed -n 's/.*pattern md5=\([0-9a-f]*\) offset=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2 \3/p' "$log" | tail -n1)"
	got=$(dd if=/dev/nullb0 bs=1M skip=$((offset / 1048576)) \
		count=$((bytes / 1048576)) iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	is "$1: dom0 reads from null_blk the bytes the guest wrote" "$got" "${md5:-none}"
}

# persistent_keys NAME FE BE USED: feature-persistent as the frontend and
# the backend wrote it (read while the disk is connected), and whether the
# in-tree backend says it uses persistent grants ("using N queues, protocol
# ... persistent grants" in dom0's kernel log): yes or no.
persistent_keys() {
	local d
	wait_for 400 vbd_connected "$1" || return 1
	is "$1: frontend feature-persistent" \
		"$(xenstore-read "$(fe_dir "$1")/feature-persistent")" "$2"
	is "$1: backend feature-persistent" \
		"$(xenstore-read "$(be_dir "$1")/feature-persistent")" "$3"
	d=$(domid "$1")
	is "$1: in-tree backend uses persistent grants" "$(dmesg |
		grep "xen-blkback: backend/vbd/$d/51712: using " | tail -n1 |
		grep -q 'persistent grants' && echo yes || echo no)" "$4"
}

# args: expected ring count, then the grant mode (an extended regex).
step "domU: 4 vCPUs, 4 rings (1 polled), indirect, persistent grants" 60 \
	domu_start rings4 vcpus=4 frontend=vbmq \
	fe_params="poll_queues=1 max_indirect_segments=256" args="4 persistent"
ok "backend advertises flush and discard" wait_for 30 \
	xenstore-read "$(be_dir rings4)/feature-flush-cache" "$(be_dir rings4)/feature-discard"
persistent_keys rings4 1 1 yes
domu_wait rings4 700
integrity_check rings4

step "domU: 1 ring, no indirect descriptors, order-0 ring, no persistent grants" 60 \
	domu_start ring1 vcpus=2 frontend=vbmq \
	fe_params="max_queues=1 max_indirect_segments=0 max_ring_page_order=0 feature_persistent=0" \
	args="1 direct"
persistent_keys ring1 0 1 no
domu_wait ring1 700
integrity_check ring1

# trusted=0 in the frontend directory: bounce buffers although the backend
# offers persistent grants and the frontend is told not to use them.
step "domU: 2 rings, untrusted backend, no persistent grants" 60 \
	domu_start untrust vcpus=2 frontend=vbmq fe_key=trusted=0 \
	fe_params="feature_persistent=0" args="2 bounce"
persistent_keys untrust 0 1 no
domu_wait untrust 700
integrity_check untrust

step "vbmq-blkback loads" 30 backend_use vbmq
# Bounce buffers, or persistent grants once vbmq-blkback offers them.
step "domU on vbmq-blkback: 2 rings, indirect, untrusted backend" 60 \
	domu_start ring2vb vcpus=2 frontend=vbmq fe_key=trusted=0 \
	args="2 bounce|persistent"
ok "vbmq-blkback advertises flush and discard" wait_for 30 \
	xenstore-read "$(be_dir ring2vb)/feature-flush-cache" "$(be_dir ring2vb)/feature-discard"
domu_wait ring2vb 700
integrity_check ring2vb
