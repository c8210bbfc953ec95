# summary: vbmq-blkfront, 4 vCPUs/4 rings, against in-tree xen-blkback and vbmq-blkback: IRQs on their queue's vCPUs, polled ring without IRQs; vbmq-blkfront's tracepoints fire under fio (in-tree backend)
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads, 4 queues" 30 backend_use upstream max_queues=4

step "domU: 4 vCPUs, vbmq-blkfront, 1 poll queue" 120 \
	domu_start vbmq vcpus=4 frontend=vbmq fe_params="poll_queues=1" args="vbmq trace"
ok "xvda connects" wait_for 400 vbd_connected vbmq
fe=$(fe_dir vbmq)
is "frontend chose multi-queue-num-queues 4" \
	"$(xenstore-read "$fe/multi-queue-num-queues")" 4
ok "polled ring 3 still has an event channel" xenstore-read "$fe/queue-3/event-channel"
domu_wait vbmq 1000

# The same checks against vbmq-blkback (its ring threads poll adaptively).
step "vbmq-blkback loads, 4 queues" 30 backend_use vbmq max_queues=4
step "domU on vbmq-blkback: 4 vCPUs, vbmq-blkfront, 1 poll queue" 120 \
	domu_start vbvb vcpus=4 frontend=vbmq fe_params="poll_queues=1" args="vbmq"
ok "xvda on vbmq-blkback connects" wait_for 400 vbd_connected vbvb
is "frontend chose 4 queues from vbmq-blkback" \
	"$(xenstore-read "$(fe_dir vbvb)/multi-queue-num-queues")" 4
domu_wait vbvb 1000
