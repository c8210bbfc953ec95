# summary: vbmq-blkfront against the in-tree backend: 2 rings, keys, I/O, sysfs; a disk moved from xen-blkfront to vbmq-blkfront by sysfs unbind/bind, against both backends
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

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

# ---- a disk moved from the in-tree xen-blkfront to vbmq-blkfront (sysfs
# unbind, then bind): vbmq-blkfront announces Initialising, so the backend
# offers the disk again; against the in-tree backend and vbmq-blkback
for be in upstream vbmq; do
	[ "$be" = vbmq ] && step "vbmq-blkback replaces the in-tree backend" 30 backend_use vbmq
	step "domU mv-$be: in-tree xen-blkfront first" 60 \
		domu_start "mv-$be" vcpus=2 frontend=upstream args="move"
	ok "mv-$be: xvda connects" wait_for 90 vbd_connected "mv-$be"
	ok "mv-$be: the domU moved the disk to vbmq-blkfront" domu_wait_signal "mv-$be" moved 180
	ok "mv-$be: connected again" wait_for 30 vbd_connected "mv-$be"
	is "mv-$be: the frontend chose 2 rings again" \
		"$(xenstore-read "$(fe_dir "mv-$be")/multi-queue-num-queues")" 2
	domu_signal "mv-$be" dom0-checked
	domu_wait "mv-$be" 240
done
