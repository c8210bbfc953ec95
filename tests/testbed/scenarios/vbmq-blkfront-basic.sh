# summary: vbmq-blkfront against the in-tree backend: 2 rings, keys, I/O, sysfs
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=120

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads" 30 backend_use upstream
step "domU with 2 vCPUs, vbmq-blkfront" 60 domu_start fe vcpus=2 frontend=vbmq
ok "xvda connects (backend and frontend state 4)" wait_for 90 vbd_connected fe

fe=$(fe_dir fe)
xenstore-ls -f "$fe" 2>&1 | diag_file /dev/stdin
is "frontend chose multi-queue-num-queues 2" \
	"$(xenstore-read "$fe/multi-queue-num-queues")" 2
ok "frontend wrote per-queue ring keys" \
	xenstore-read "$fe/queue-0/ring-ref0" "$fe/queue-1/ring-ref0" \
	"$fe/queue-0/event-channel" "$fe/queue-1/event-channel"
is "frontend chose ring-page-order 2" "$(xenstore-read "$fe/ring-page-order")" 2
domu_signal fe dom0-checked
domu_wait fe 240
