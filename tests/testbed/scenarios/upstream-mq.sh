# summary: in-tree drivers negotiate one ring per domU vCPU (2 rings)
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=120

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads" 30 backend_use upstream
step "domU with 2 vCPUs is created" 60 domu_start mq vcpus=2 frontend=upstream
ok "xvda connects (backend and frontend state 4)" wait_for 60 vbd_connected mq

be=$(be_dir mq)
fe=$(fe_dir mq)
xenstore-ls -f "$be" "$fe" 2>&1 | diag_file /dev/stdin
is "backend offers multi-queue-max-queues 2" \
	"$(xenstore-read "$be/multi-queue-max-queues")" 2
is "frontend chose multi-queue-num-queues 2" \
	"$(xenstore-read "$fe/multi-queue-num-queues")" 2
ok "frontend wrote queue-0/ and queue-1/ ring keys" \
	xenstore-read "$fe/queue-0/ring-ref" "$fe/queue-1/ring-ref" \
	"$fe/queue-0/event-channel" "$fe/queue-1/event-channel"
threads_named "*xvda*" | diag_file /dev/stdin
# the in-tree backend names its ring threads DOMID.VDEV-RING
is "dom0 runs one blkback thread per ring" \
	"$(threads_named "$(domid mq).xvda-*" | wc -l)" 2
domu_signal mq dom0-checked
domu_wait mq 200
