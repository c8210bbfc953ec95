# summary: vbmq-blkback against a hostile frontend (test-only vbmq-testfront): x86_32 (persistent grants) and x86_64 (4 KiB sectors, slow disk) ABIs, bad and unaligned requests answered ERROR, any handle served, a barrier answered after the writes before it, a request-producer overflow halts the ring and disconnects, a frontend that restarts (kexec-style reset, other ABI) is connected again; the same on the in-tree xen-blkback
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300
#
# The domUs load vbmq-testfront instead of a block frontend (domu_start
# frontend=testfront); it writes raw blkif requests into the ring itself
# and reports each check as a test point (see the .domu.sh half and
# docs/testbed.md).
. /vbmq/scenarios/vbmq-blkback.lib
# error_names TEXT: xenbus_dev_fatal's error node has TEXT
error_names() { xenstore-read "$(error_node)" 2>/dev/null | grep -q "$1"; }

# testfront_domu NAME PROTOCOL PROGRAMS [EXTRA PARAMS] [args=...]: a 1-vCPU
# domU that runs the test frontend's PROGRAMS (io,hostile,...) at once
testfront_domu() {
	local name=$1 proto=$2 progs=$3 extra=${4:-}
	shift 4
	step "domU $name: vbmq-testfront, $proto, $progs $extra" 60 domu_start "$name" vcpus=1 \
		frontend=testfront fe_params="protocol=$proto program=$progs $extra" "$@"
	ok "$name: xvda connects" wait_for 60 vbd_connected "$name"
	domid=$(domid "$name")
	be=$(be_dir "$name")
	fe=$(fe_dir "$name")
	is "$name: the frontend wrote protocol $proto" "$(xenstore-read "$fe/protocol")" "$proto"
}

# hostile_checked NAME PROTOCOL: dom0's view of the io and hostile programs
# on vbmq-blkback
hostile_checked() {
	local name=$1 proto=$2 errs
	is "$name: ring 0 runs the $proto ABI" "$(ring_field 0 abi)" "$proto"
	ok "$name: the test frontend ran its programs" domu_wait_signal "$name" programs-done 300
	diag_dir "$(ringdir 0)"
	errs=$(fe_signal errors)
	is "$name: the backend's err_rsp equals the error answers the frontend got" \
		"$(ring_field 0 err_rsp)" "${errs:-none}"
	ok "$name: the backend counted refused requests" test "$(ring_field 0 bad_req)" -gt 10
	is "$name: bad requests did not halt the ring" "$(ring_field 0 halted)" 0
	ok "$name: xvda still connected" vbd_connected "$name"
}

# nullb_again PARAM=V...: null_blk set up afresh once the last disk on it
# is closed (a destroyed domU's backend may still be going away)
nullb_again() { wait_for 30 unload_module null_blk && nullb_setup "$@"; }

# memfree_kb: dom0's free memory; fill_sampled: the least seen so far,
# until the domU says its fill program is done
memfree_kb() { sed -n 's/^MemFree: *\([0-9]*\) kB$/\1/p' /proc/meminfo; }
fill_sampled() {
	local m
	m=$(memfree_kb)
	[ "$m" -lt "$mem_min" ] && mem_min=$m
	fe_signal fill-done >/dev/null
}

# state_is DIR STATE: xenstore DIR/state is STATE
state_is() { [ "$(xenstore-read "$1/state" 2>/dev/null)" = "$2" ]; }

step "null_blk backing device (write cache, discard)" 30 nullb_setup cache_size=64 discard=1
# 256 bounce pages (1 MiB) per ring: the fill program below wants 1024.
step "vbmq-blkback loads" 30 backend_use vbmq max_bounce_pages=256

# ---- x86_32-abi with persistent grants (the zero-copy path): I/O, hostile
# requests, then the producer overflow
testfront_domu h32 x86_32-abi io,hostile persistent=1 args="flood overflow"
hostile_checked h32 x86_32-abi
is "h32: ring 0 uses persistent grants" "$(ring_field 0 persistent)" 1
ok "h32: the I/O went through mapped grants (zero copy)" test "$(ring_field 0 pg_hits)" -gt 0
ok "h32: the bad grants met the map path and failed there" test "$(ring_field 0 pg_map_errs)" -gt 0
dmesg | grep -E 'vbmq|vbd' | tail -n 40 | diag_file /dev/stdin
for text in 'refused: unknown operation' 'refused: segment count out of range' \
	'refused: segment sectors outside the page' 'refused: sectors beyond the end of the disk' \
	'mapping grant ref'; do
	ok "dom0's log names the problem: '$text'" dmesg_has "$text"
done

# 2048 bad requests, 32 at a time: the ring thread's CPU time
# (/proc/PID/schedstat, ns) per bad request, and the back-off they earn.
ring_cpu_ns() { cut -d' ' -f1 "/proc/$(ring_field 0 pid)/schedstat"; }
bad0=$(ring_field 0 bad_req)
cpu0=$(ring_cpu_ns)
t0=$SECONDS
domu_signal h32 flood
ok "h32: the flood program ended" domu_wait_signal h32 flood-done 150
cpu1=$(ring_cpu_ns)
bad1=$(ring_field 0 bad_req)
is "h32: the backend refused the 2048 bad requests" "$((bad1 - bad0))" 2048
note "h32 flood: ring thread CPU $(((cpu1 - cpu0) / 2048)) ns per bad request, $((cpu1 - cpu0)) ns in $((SECONDS - t0)) s; bad_pauses $(ring_field 0 bad_pauses), bad_pause_ns $(ring_field 0 bad_pause_ns)"
ok "h32: the flood earned back-off pauses" test "$(ring_field 0 bad_pauses)" -gt 0
ok "dom0's log says it backs off" dmesg_has 'too many bad requests'

domu_signal h32 overflow
ok "h32: the backend leaves Connected after the producer overflow" \
	wait_for 30 be_state_in 5 6
ok "h32: xenbus_dev_fatal's error node names the overflow" \
	wait_for 10 error_names 'request producer index overflow'
xenstore-read "$(error_node)" 2>&1 | diag_file /dev/stdin
ok "dom0's log says the ring was halted" dmesg_has 'overflows (consumer'
ok "h32: the backend reaches Closed once the frontend closed" wait_for 30 be_state_in 6
ok "h32: no ring thread is left" wait_for 10 no_ring_threads
ok "h32: the test frontend saw the disconnect" domu_wait_signal h32 overflow-done 60
ok "dom0 stays healthy: xl list answers" xl list
domu_signal h32 dom0-checked
domu_wait h32 120

# ---- x86_64-abi on a slow disk of 4 KiB sectors, grant copies: I/O,
# hostile and unaligned requests, barriers, then a frontend restart.  The
# disk is throttled to 1 MiB/s in commands of 4 KiB (null_blk refills its
# budget every 20 ms: about 5 commands a time), so an 11-page WRITE takes
# 3 refills and a barrier issued at once (an empty flush) would finish
# before it.  No discard: a discard command larger than the budget would
# never be served.
step "null_blk: 4 KiB sectors, 1 MiB/s in 4 KiB commands, write cache" 40 \
	nullb_again bs=4096 max_sectors=8 mbps=1 cache_size=64
testfront_domu h64 x86_64-abi io,hostile,barrier timeout_ms=60000 args="fill restart close"
is "h64: the backend publishes sector-size 4096" "$(xenstore-read "$be/sector-size")" 4096
hostile_checked h64 x86_64-abi
ok "h64: the barriers reached the backend" test "$(ring_field 0 b_req)" -ge 3
for text in 'refused: not aligned to the logical block size' 'grant copy of ref'; do
	ok "dom0's log names the problem: '$text'" dmesg_has "$text"
done
# Every slot an INDIRECT READ of 32 pages (1024 bounce pages wanted) on the
# slow disk: the ring holds at most its 256, the rest wait, none fails,
# and dom0's free memory never drops 3 MiB below where it was.
is "h64: ring 0's bounce page cap" "$(ring_field 0 bounce_cap)" 256
mem_base=$(memfree_kb)
mem_min=$mem_base
domu_signal h64 fill
ok "h64: the fill program ended" wait_for 120 fill_sampled
diag_dir "$(ringdir 0)"
ok "h64: bounce pages held never exceeded the cap" \
	test "$(ring_field 0 bounce_peak)" -le 256
ok "h64: requests waited for bounce pages" test "$(ring_field 0 bounce_waits)" -gt 0
is "h64: no bounce page held once idle" "$(ring_field 0 bounce_pages)" 0
note "dom0 MemFree: $mem_base kB before the fill, at least $mem_min kB during it"
ok "h64: dom0's free memory stayed above the floor (3 MiB below its level before)" \
	test "$mem_min" -ge $((mem_base - 3072))
# The close below wants a long drain: the ring after the restart may hold
# 4096 bounce pages, so all of the close program's 12 MiB is in flight.
step "max_bounce_pages 4096 for rings connected from now on" 10 \
	sh -c 'echo 4096 > /sys/module/vbmq_blkback/parameters/max_bounce_pages'
domu_signal h64 restart
ok "h64: the test frontend restarted" domu_wait_signal h64 restart-done 120
ok "dom0's log says the frontend came back" dmesg_has "vbd-$domid-51712: frontend is back"
is "h64: the backend connected twice" \
	"$(dmesg | grep -c "vbd-$domid-51712: connected:")" 2
ok "h64: Connected again" be_state_in 4
is "h64: the new ring runs the x86_32 ABI" "$(ring_field 0 abi)" x86_32-abi
is "h64: one ring thread" "$(threads_named 'vbmq*' | wc -l)" 1
is "h64: the new ring's bounce page cap" "$(ring_field 0 bounce_cap)" 4096
# The frontend fills its ring (32 x 96 pages: 12 MiB, some 12 s on the
# slow disk) and closes at once.  The drain must not hold xenwatch, which serves every
# domain's xenstore watches: another disk attached meanwhile (the backend's
# probe runs in xenwatch) is attached while xvda is still draining.  The
# disk goes to h64 itself, since the bed runs one domU at a time; h64's
# test frontend leaves it unconnected ("only one disk is tested").
step "loop module" 30 sh -c 'modprobe loop || test -e /dev/loop-control'
loopdev=$(losetup -f)
step "a 16 MiB loop device for xvdb ($loopdev)" 30 sh -c \
	"truncate -s 16M /run/h64b.img && losetup '$loopdev' /run/h64b.img"
domu_signal h64 close
ok "h64: the test frontend filled its ring and went Closing" \
	domu_wait_signal h64 close-sent 60
t0=$SECONDS
step "xl block-attach h64 xvdb while xvda drains" 90 \
	xl block-attach h64 "phy:$loopdev,xvdb,w"
note "xl block-attach took $((SECONDS - t0)) s; xvda's backend in state $(xenstore-read "$be/state")"
ok "h64: xvda was still draining when the attach ended (backend Connected)" be_state_in 4
ok "h64: xvdb's backend reached InitWait" wait_for 10 state_is "$(be_dir h64 51728)" 2
ok "h64: xvda's backend reached Closed after the drain" wait_for 180 be_state_in 6
ok "h64: the test frontend saw the close" domu_wait_signal h64 close-done 60
ok "h64: no ring thread is left" wait_for 10 no_ring_threads
domu_signal h64 dom0-checked
domu_wait h64 120
step "the loop device goes" 30 sh -c "losetup -d '$loopdev' && rm /run/h64b.img"
ok "no ring thread is left" wait_for 10 no_ring_threads
step "vbmq-blkback unloads once the domains are gone" 30 rmmod vbmq-blkback
step "null_blk back to 512-byte sectors (write cache, discard)" 40 \
	nullb_again cache_size=64 discard=1

# ---- the in-tree xen-blkback (a cross-check of the test frontend itself):
# x86_32-abi I/O and hostile requests; strict=0 accepts its EOPNOTSUPP for
# unknown operations and skips the handle check it does not make.
step "in-tree xen-blkback loads" 30 backend_use upstream
testfront_domu u32 x86_32-abi io,hostile strict=0 args="restart"
ok "u32: the test frontend ran its programs" domu_wait_signal u32 programs-done 300
domu_signal u32 restart
ok "u32: the test frontend restarted" domu_wait_signal u32 restart-done 120
domu_signal u32 dom0-checked
domu_wait u32 120
step "in-tree xen-blkback unloads" 30 unload_module xen-blkback
