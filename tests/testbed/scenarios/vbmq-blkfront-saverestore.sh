# summary: vbmq-blkfront survives xl save/restore under fio verify, also with fewer rings after restore and onto vbmq-blkback
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=960

mount_save_dir() {
	mkdir -p /save && mount -t tmpfs -o size=700m tmpfs /save
}

# Requests that take 200 ms are still in flight when the guest suspends, so
# the resume has some to requeue.
step "null_blk backing device, 200 ms per request" 30 \
	nullb_setup irqmode=2 completion_nsec=200000000
# The save image (~ the domU's 256 MiB) does not fit in what is left of the
# root tmpfs; a tmpfs of its own may use the rest of dom0's free memory.
step "tmpfs for the save image" 10 mount_save_dir
free -m | diag_file /dev/stdin
step "in-tree xen-blkback loads, 2 queues" 30 backend_use upstream max_queues=2
step "domU: 2 vCPUs, vbmq-blkfront" 60 \
	domu_start sr vcpus=2 frontend=vbmq
ok "xvda connects" wait_for 120 vbd_connected sr

# rings: the ring count the frontend chose (1: top-level ring keys)
rings() { xenstore-read "$(fe_dir sr)/multi-queue-num-queues" 2>/dev/null || echo 1; }

is "2 rings before save" "$(rings)" 2

# save_restore N DESC CMD...: once the domU's Nth fio verify runs (signal
# fioN-running; N=1: fio-running), xl save it, run CMD (loads the backend to
# restore onto), xl restore, and wait for the disk to reconnect
save_restore() {
	local round=$1 desc=$2
	shift 2
	ok "fio verify $round runs in the domU before the save" \
		domu_wait_signal sr "fio${round#1}-running" 300
	step "xl save ($desc)" 300 xl save sr /save/sr.save
	step "backend for the restore: $*" 60 "$@"
	step "xl restore ($desc)" 300 xl restore /save/sr.save
	rm -f /save/sr.save
	ok "xvda reconnects ($desc)" wait_for 120 vbd_connected sr
}

save_restore 1 "in-tree backend reloaded, 2 queues" backend_use upstream max_queues=2
is "still 2 rings" "$(rings)" 2
domu_signal sr restored

save_restore 2 "in-tree backend reloaded with 1 queue" backend_use upstream max_queues=1
ok "frontend now uses top-level ring keys" xenstore-read "$(fe_dir sr)/event-channel"
domu_signal sr restored2

# Third round: restored onto vbmq-blkback, which must accept a resumed
# frontend's requests (held over the save and requeued) like a new one.
save_restore 3 "onto vbmq-blkback, 2 queues" backend_use vbmq max_queues=2
is "2 rings again" "$(rings)" 2
domid=$(xl domid sr)
ok "vbmq-blkback serves the disk (its ring 0 in debugfs)" test -d "/sys/kernel/debug/vbmq-blkback/vbd-$domid-51712/ring0"
domu_signal sr restored3
domu_wait sr 400
umount /save
