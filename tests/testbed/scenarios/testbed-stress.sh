# summary: the test bed itself is sound: a domU whose kernel panics before its init is booted again; thousands of short processes in dom0 and a domU under disk I/O, none crashes
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

# Guards the bed's own soundness: with Xen's default lazy FPU switching under
# QEMU TCG, this load crashed several processes a minute (corrupted TLS and
# heap data) whenever two domains shared a physical CPU; Xen's eager FPU
# switching ended that (docs/testbed.md).  Only in-tree drivers are used here.

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads" 30 backend_use upstream

# A guest kernel that panics before its init runs is booted once more
# (domu_boot): the first boot here is made to panic (rdinit= names no file,
# and there is no root file system to fall back on).
stress_create() {
	local cfg=$VBMQ_RUN/stress.cfg
	if [ -e "$cfg.panicked" ]; then
		domu_create stress vcpus=2 frontend=upstream
		return
	fi
	: > "$cfg.panicked"
	domu_config stress vcpus=2 frontend=upstream |
		sed 's|^extra = "|extra = "rdinit=/nonexistent |' > "$cfg" && xl create "$cfg"
}
run_with_timeout 90 domu_boot stress stress_create > "$VBMQ_TMP/boot.out" 2>&1
is "domU stress boots again after its kernel panicked before its init ran" "$?" 0
diag_file "$VBMQ_TMP/boot.out"
ok "domu_boot said the first boot panicked" \
	grep -q "panicked before its init ran (boot 1 of 2)" "$VBMQ_TMP/boot.out"
ok "and quoted the kernel's panic" \
	grep -q "Kernel panic - not syncing: VFS: Unable to mount root" "$VBMQ_TMP/boot.out"
ok "the second boot's init runs" domu_init_ran stress
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
