# summary: in-tree xen-blkfront, 4 vCPUs/4 rings: where its interrupts land (for comparison with vbmq-blkfront-mq)
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=120

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads, 4 queues" 30 backend_use upstream max_queues=4
step "domU: 4 vCPUs, in-tree xen-blkfront" 120 \
	domu_start upstream vcpus=4 frontend=upstream script=vbmq-blkfront-mq args="upstream"
domu_wait upstream 1000
