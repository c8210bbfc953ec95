# summary: vbmq-blkfront survives xl save/restore under fio verify, also with fewer rings after restore
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=1200
# pending: xl save runs out of room: dom0's tmpfs cannot hold the 384 MiB image (ENOSPC); save to a second null_blk with a file system, or give dom0 more memory (issue 4)

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads, 2 queues" 30 backend_use upstream max_queues=2
step "domU: 2 vCPUs, vbmq-blkfront" 60 \
	domu_start sr vcpus=2 frontend=vbmq
ok "xvda connects" wait_for 120 vbd_connected sr
is "2 rings before save" "$(xenstore-read "$(fe_dir sr)/multi-queue-num-queues")" 2

ok "fio verify runs in the domU" domu_wait_signal sr fio-running 120
step "xl save (same ring count after restore)" 300 xl save sr /tmp/sr.save
step "xl restore" 300 xl restore /tmp/sr.save
rm -f /tmp/sr.save
ok "xvda reconnects after restore" wait_for 120 vbd_connected sr
is "still 2 rings" "$(xenstore-read "$(fe_dir sr)/multi-queue-num-queues" 2>/dev/null || echo 1)" 2
domu_signal sr restored

ok "second fio verify runs in the domU" domu_wait_signal sr fio2-running 300
step "xl save" 300 xl save sr /tmp/sr.save
# The backend now offers a single ring.
step "in-tree xen-blkback reloaded with 1 queue" 60 backend_use upstream max_queues=1
step "xl restore (1 ring after restore)" 300 xl restore /tmp/sr.save
rm -f /tmp/sr.save
ok "xvda reconnects after the second restore" wait_for 120 vbd_connected sr
ok "frontend now uses top-level ring keys" xenstore-read "$(fe_dir sr)/event-channel"
domu_signal sr restored2
domu_wait sr 400
