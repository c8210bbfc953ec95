# summary: vbmq-blkback keeps data intact in every poll mode, pinned and unpinned: fio verify over the block-size mix, discard, flush; a small persistent-grant bound makes reclaim and fallback copies run all along
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

. /vbmq/scenarios/vbmq-blkback.lib
# applied POLL CPU: both rings report POLL and ring 1 runs on CPU (-1: unbound)
applied() { ring_is 0 poll "$1" && ring_is 1 poll "$1" && ring_is 1 cpu "$2"; }
# ring_sum KEY: a counter summed over both rings
ring_sum() {
	echo $(($(ring_field 0 "$1") + $(ring_field 1 "$1")))
}

step "null_blk backing device (write cache, discard)" 30 nullb_setup cache_size=64 discard=1
# 128 grants per ring: far fewer than the guest's I/O uses, so the
# integrity checks below also cover reclaim and the grant-copy fallback.
step "vbmq-blkback loads (max_persistent_grants=128)" 30 backend_use vbmq max_persistent_grants=128
step "domU with 2 vCPUs is created" 60 domu_start mx vcpus=2 frontend=upstream
ok "xvda connects" wait_for 60 vbd_connected mx
domid=$(xl domid mx)
be=$(be_dir mx)

# Each combination is applied live, then the guest runs its checks under it.
i=0
for poll in off adaptive always; do
	for cpus in "" 1; do
		xenstore-write "$be/vbmq/poll" "$poll"
		xenstore-write "$be/vbmq/cpus" "$cpus"
		want_cpu=${cpus:--1}
		ok "poll=$poll cpus='$cpus' applied" wait_for 10 applied "$poll" "$want_cpu"
		domu_signal mx "combo-$i" "poll=$poll cpus=$cpus"
		ok "poll=$poll cpus='$cpus': the guest finished its checks" \
			domu_wait_signal mx "combo-$i-done" 240
		i=$((i + 1))
	done
done
for r in 0 1; do diag_dir "$(ringdir $r)"; done
ok "persistent grants were used" test "$(ring_sum pg_hits)" -gt 0
ok "the bound was reached and grants reclaimed" test "$(ring_sum pg_reclaims)" -gt 0
ok "segments beyond the bound were grant-copied" test "$(ring_sum pg_copies)" -gt 0
ok "no ring holds more than the bound" \
	test "$(ring_field 0 pg_mapped)" -le 128 -a "$(ring_field 1 pg_mapped)" -le 128
is "no grant map failed" "$(ring_sum pg_map_errs)" 0
domu_signal mx all-done
domu_wait mx 120
