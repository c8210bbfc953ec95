# summary: vbmq-blkfront survives xl save/restore under fio verify, also with fewer rings after restore and onto vbmq-blkback
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=960

mount_save_dir() {
	mkdir -p /save && mount -t tmpfs -o size=700m tmpfs /save
}

# Requests that take 200 ms are still in flight when the guest suspends, so
# the resume has some to requeue.
step "null_blk backing device, 200 ms per request" 30 \
	nullb_setup irqmode=2 completion_nsec=200000000
# The save image (~ the domU's 384 MiB) does not fit in what is left of the
# root tmpfs; a tmpfs of its own may use the rest of dom0's free memory.
step "tmpfs for the save image" 10 mount_save_dir
free -m | diag_file /dev/stdin
step "in-tree xen-blkback loads, 2 queues" 30 backend_use upstream max_queues=2
step "domU: 2 vCPUs, vbmq-blkfront" 60 \
	domu_start sr vcpus=2 frontend=vbmq
ok "xvda connects" wait_for 120 vbd_connected sr
is "2 rings before save" "$(xenstore-read "$(fe_dir sr)/multi-queue-num-queues")" 2

ok "fio verify runs in the domU" domu_wait_signal sr fio-running 120
step "xl save (same ring count after restore)" 300 xl save sr /save/sr.save
step "xl restore" 300 xl restore /save/sr.save
rm -f /save/sr.save
ok "xvda reconnects after restore" wait_for 120 vbd_connected sr
is "still 2 rings" "$(xenstore-read "$(fe_dir sr)/multi-queue-num-queues" 2>/dev/null || echo 1)" 2
domu_signal sr restored

ok "second fio verify runs in the domU" domu_wait_signal sr fio2-running 300
step "xl save" 300 xl save sr /save/sr.save
# The backend now offers a single ring.
step "in-tree xen-blkback reloaded with 1 queue" 60 backend_use upstream max_queues=1
step "xl restore (1 ring after restore)" 300 xl restore /save/sr.save
rm -f /save/sr.save
ok "xvda reconnects after the second restore" wait_for 120 vbd_connected sr
ok "frontend now uses top-level ring keys" xenstore-read "$(fe_dir sr)/event-channel"
domu_signal sr restored2

# Third round: restored onto vbmq-blkback, which must accept a resumed
# frontend's requests (held over the save and requeued) like a new one.
ok "third fio verify runs in the domU" domu_wait_signal sr fio3-running 300
step "xl save" 300 xl save sr /save/sr.save
step "vbmq-blkback replaces xen-blkback, 2 queues" 60 backend_use vbmq max_queues=2
step "xl restore (onto vbmq-blkback)" 300 xl restore /save/sr.save
rm -f /save/sr.save
ok "xvda reconnects to vbmq-blkback" wait_for 120 vbd_connected sr
is "2 rings again" "$(xenstore-read "$(fe_dir sr)/multi-queue-num-queues" 2>/dev/null || echo 1)" 2
domid=$(xl domid sr)
ok "vbmq-blkback serves the disk" test -d "/sys/bus/xen-backend/devices/vbd-$domid-51712/vbmq"
domu_signal sr restored3
domu_wait sr 400
umount /save
