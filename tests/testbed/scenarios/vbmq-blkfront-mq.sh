# summary: vbmq-blkfront, 4 vCPUs/4 rings, against in-tree xen-blkback and vbmq-blkback: IRQs on their queue's vCPUs, polled ring without IRQs; both drivers' tracepoints fire under fio
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads, 4 queues" 30 backend_use upstream max_queues=4

step "domU: 4 vCPUs, vbmq-blkfront, 1 poll queue" 120 \
	domu_start vbmq vcpus=4 frontend=vbmq fe_params="poll_queues=1" args="vbmq"
ok "xvda connects" wait_for 400 vbd_connected vbmq
fe=$(fe_dir vbmq)
is "frontend chose multi-queue-num-queues 4" \
	"$(xenstore-read "$fe/multi-queue-num-queues")" 4
ok "polled ring 3 still has an event channel" xenstore-read "$fe/queue-3/event-channel"
domu_wait vbmq 1000

# The same checks against vbmq-blkback (its ring threads poll adaptively).
step "vbmq-blkback loads, 4 queues" 30 backend_use vbmq max_queues=4
step "domU on vbmq-blkback: 4 vCPUs, vbmq-blkfront, 1 poll queue" 120 \
	domu_start vbvb vcpus=4 frontend=vbmq fe_params="poll_queues=1" args="vbmq trace"
ok "xvda on vbmq-blkback connects" wait_for 400 vbd_connected vbvb
is "frontend chose 4 queues from vbmq-blkback" \
	"$(xenstore-read "$(fe_dir vbvb)/multi-queue-num-queues")" 4

# Tracepoints: both drivers' events recorded through tracefs during a short
# fio run, the backend's here.  poll-max-us 10000 lets the poll window grow
# over the test bed's long gaps, so that polls start, adapt and give up.
ok "the guest is ready for its traced run" domu_wait_signal vbvb trace-ready 600
be=$(be_dir vbvb)
xenstore-write "$be/vbmq/poll-max-us" 10000
ok "vbmq_blkback events recording" trace_start vbmq_blkback
domu_signal vbvb trace-go
ok "the guest ran its traced fio" domu_wait_signal vbvb trace-done 120
# the rings' last windows (10 ms at most) run out; ring 0 wakes each second
sleep 2
trace_stop vbmq_blkback /tmp/be.trace
xenstore-rm "$be/vbmq/poll-max-us"
grep -m 2 -E ' vbmq_be_(poll_adapt|poll_give_up): ' /tmp/be.trace | diag_file /dev/stdin
for ev in poll_start poll_adapt poll_give_up sleep wake notify complete; do
	ok "tracepoint vbmq_be_$ev fired" \
		test "$(trace_count "vbmq_be_$ev" /tmp/be.trace)" -gt 0
done
domu_wait vbvb 1000
