# summary: vbmq-blkfront keeps data intact: fio verify 512 B..1 MiB, discard, flush; in-tree backend 4 rings+poll / 1 ring without indirect; vbmq-blkback 2 rings
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=1500

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

step "domU: 4 vCPUs, 4 rings (1 polled), indirect" 60 \
	domu_start rings4 vcpus=4 frontend=vbmq \
	fe_params="poll_queues=1 max_indirect_segments=256" args="4"
ok "backend advertises flush and discard" wait_for 30 \
	xenstore-read "$(be_dir rings4)/feature-flush-cache" "$(be_dir rings4)/feature-discard"
domu_wait rings4 700
integrity_check rings4

step "domU: 1 ring, no indirect descriptors, order-0 ring" 60 \
	domu_start ring1 vcpus=2 frontend=vbmq \
	fe_params="max_queues=1 max_indirect_segments=0 max_ring_page_order=0" args="1"
domu_wait ring1 700
integrity_check ring1

step "vbmq-blkback loads" 30 backend_use vbmq
step "domU on vbmq-blkback: 2 rings, indirect" 60 \
	domu_start ring2vb vcpus=2 frontend=vbmq args="2"
ok "vbmq-blkback advertises flush and discard" wait_for 30 \
	xenstore-read "$(be_dir ring2vb)/feature-flush-cache" "$(be_dir ring2vb)/feature-discard"
domu_wait ring2vb 700
integrity_check ring2vb
