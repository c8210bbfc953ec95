# summary: the test bed itself is sound: thousands of short processes in dom0 and a domU under disk I/O, none crashes
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

# Guards the bed's own soundness: with Xen's default lazy FPU switching under
# QEMU TCG, this load crashed several processes a minute (corrupted TLS and
# heap data) whenever two domains shared a physical CPU; Xen's eager FPU
# switching ended that (docs/testbed.md).  Only in-tree drivers are used here.

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads" 30 backend_use upstream
step "domU with 2 vCPUs is created" 60 domu_start stress vcpus=2 frontend=upstream
spawned=0
end=$((SECONDS + 150))
while [ $SECONDS -lt $end ]; do
	spawn_burst
	spawned=$((spawned + SPAWN_BURST))
	domu_gone stress && break
done
note "dom0 spawned $spawned processes"
domu_wait stress 120
no_user_crash "no user process crashed in dom0"
