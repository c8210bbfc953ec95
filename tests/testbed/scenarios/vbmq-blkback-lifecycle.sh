# summary: vbmq-blkback lifecycle: block-detach and block-attach of a second disk while the first is loaded, xl destroy during load, module unload
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=600

no_threads() { [ -z "$(threads_named "vbmq$domid.$1-*")" ]; }
no_ring_threads() { [ -z "$(threads_named 'vbmq*')" ]; }
no_zombie() { ! xl list 2>/dev/null | grep -q '(null)'; }

step "two null_blk devices" 30 nullb_setup nr_devices=2
step "vbmq-blkback loads" 30 backend_use vbmq
step "domU with two disks is created" 60 domu_start lc vcpus=2 frontend=upstream \
	disk=phy:/dev/nullb0,xvda,w disk=phy:/dev/nullb1,xvdb,w
ok "xvda connects" wait_for 60 vbd_connected lc
ok "xvdb connects" wait_for 60 vbd_connected lc 51728
domid=$(xl domid lc)
ok "the guest's fio load runs on xvda" domu_wait_signal lc loading 120
sleep 5
threads_named "vbmq*" | diag_file /dev/stdin
step "xl block-detach xvdb during load" 90 xl block-detach lc xvdb
ok "xvdb's ring threads are gone" wait_for 30 no_threads xvdb
ok "xvda still runs" test -n "$(threads_named "vbmq$domid.xvda-*")"
step "xl block-attach xvdb again" 60 xl block-attach lc phy:/dev/nullb1,xvdb,w
ok "xvdb connects again" wait_for 60 vbd_connected lc 51728
sleep 5
step "xl destroy during load" 60 xl destroy lc
ok "no ring thread is left" wait_for 30 no_ring_threads
ok "the domain is gone: no grant of it left mapped" wait_for 60 no_zombie
xl list 2>&1 | diag_file /dev/stdin
step "vbmq-blkback unloads" 30 rmmod vbmq-blkback
