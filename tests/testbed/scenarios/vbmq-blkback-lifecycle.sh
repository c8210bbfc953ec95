# summary: vbmq-blkback lifecycle: block-detach and block-attach of a second disk while the first is loaded, xl destroy during load with persistent grants mapped, module unload; then feature_persistent=0 maps none
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=240

no_threads() { [ -z "$(threads_named "vbmq$domid.$1-*")" ]; }
no_ring_threads() { [ -z "$(threads_named 'vbmq*')" ]; }
no_zombie() { ! xl list 2>/dev/null | grep -q '(null)'; }
# ringdir VDEV RING: a ring's debugfs directory, one value per file
ringdir() { echo "/sys/kernel/debug/vbmq-blkback/vbd-$domid-$1/ring$2"; }
# ring_field VDEV RING KEY: one figure of a ring
ring_field() { local v; read -r v < "$(ringdir "$1" "$2")/$3" && echo "$v"; } 2>/dev/null
# pg_mapped_xvda: xvda's rings hold persistent grants
pg_mapped_xvda() {
	[ "$(($(ring_field 51712 0 pg_mapped) + $(ring_field 51712 1 pg_mapped)))" -gt 0 ]
}
# io_xvda: xvda's rings have served reads and writes
io_xvda() {
	local r n=0
	for r in 0 1; do
		n=$((n + $(ring_field 51712 $r rd_req) + $(ring_field 51712 $r wr_req)))
	done
	[ "$n" -gt 100 ]
}
no_pg_errors() { ! dmesg | grep -qE 'vbmq.*(persistent grant failed|page is leaked)'; }

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
ok "xvda's rings hold persistent grants" wait_for 30 pg_mapped_xvda
diag_dir "$(ringdir 51712 0)"
step "xl block-detach xvdb during load" 90 xl block-detach lc xvdb
ok "xvdb's ring threads are gone" wait_for 30 no_threads xvdb
ok "xvda still runs" test -n "$(threads_named "vbmq$domid.xvda-*")"
step "xl block-attach xvdb again" 60 xl block-attach lc phy:/dev/nullb1,xvdb,w
ok "xvdb connects again" wait_for 60 vbd_connected lc 51728
sleep 5
ok "xvda still holds persistent grants when the domain is destroyed" pg_mapped_xvda
step "xl destroy during load" 60 xl destroy lc
ok "no ring thread is left" wait_for 30 no_ring_threads
ok "the domain is gone: no grant of it left mapped" wait_for 60 no_zombie
xl list 2>&1 | diag_file /dev/stdin
ok "every persistent grant was unmapped without error" no_pg_errors
step "vbmq-blkback unloads" 30 rmmod vbmq-blkback

# The same with persistent grants switched off: data moves by grant copy.
step "vbmq-blkback loads with feature_persistent=0" 30 backend_use vbmq feature_persistent=0
step "a second domU is created" 60 domu_start lc2 vcpus=2 frontend=upstream \
	disk=phy:/dev/nullb0,xvda,w disk=phy:/dev/nullb1,xvdb,w
ok "xvda connects" wait_for 60 vbd_connected lc2
domid=$(xl domid lc2)
ok "the guest's fio load runs on xvda" domu_wait_signal lc2 loading 120
is "backend offers feature-persistent 0" \
	"$(xenstore-read "$(be_dir lc2)/feature-persistent")" 0
ok "xvda serves I/O" wait_for 30 io_xvda
diag_dir "$(ringdir 51712 0)"
is "ring 0 does not use persistent grants" "$(ring_field 51712 0 persistent)" 0
is "no grant is mapped persistently" \
	"$(($(ring_field 51712 0 pg_maps) + $(ring_field 51712 1 pg_maps)))" 0
step "xl destroy during load" 60 xl destroy lc2
ok "no ring thread is left" wait_for 30 no_ring_threads
ok "the domain is gone" wait_for 60 no_zombie
step "vbmq-blkback unloads" 30 rmmod vbmq-blkback
