# summary: vbmq-blkback against a hostile frontend (test-only vbmq-testfront): x86_32 and x86_64 ABIs, bad requests answered ERROR, a request-producer overflow halts the ring and disconnects, a frontend that restarts (kexec-style reset, other ABI) is connected again; the same on the in-tree xen-blkback
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=240
#
# The domUs load vbmq-testfront instead of a block frontend (domu_start
# frontend=testfront); it writes raw blkif requests into the ring itself
# and reports each check as a test point (see the .domu.sh half and
# docs/testbed.md).
. /vbmq/scenarios/vbmq-blkback.lib
# error_names TEXT: xenbus_dev_fatal's error node has TEXT
error_names() { xenstore-read "$(error_node)" 2>/dev/null | grep -q "$1"; }

# testfront_domu NAME PROTOCOL [EXTRA PARAMS] [args=...]: a 1-vCPU domU that
# runs the test frontend's io and hostile programs at once
testfront_domu() {
	local name=$1 proto=$2 extra=${3:-}
	shift 3
	step "domU $name: vbmq-testfront, $proto" 60 domu_start "$name" vcpus=1 \
		frontend=testfront fe_params="protocol=$proto program=io,hostile $extra" "$@"
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
	diag_file "$(sysdir)/vbmq/ring0"
	errs=$(fe_signal errors)
	is "$name: the backend's err_rsp equals the error answers the frontend got" \
		"$(ring_field 0 err_rsp)" "${errs:-none}"
	ok "$name: the backend counted refused requests" test "$(ring_field 0 bad_req)" -gt 10
	is "$name: bad requests did not halt the ring" "$(ring_field 0 halted)" 0
	ok "$name: xvda still connected" vbd_connected "$name"
}

step "null_blk backing device (write cache, discard)" 30 nullb_setup cache_size=64 discard=1
step "vbmq-blkback loads" 30 backend_use vbmq

# ---- x86_32-abi: I/O, hostile requests, then the producer overflow
testfront_domu h32 x86_32-abi "" args="overflow"
hostile_checked h32 x86_32-abi
dmesg | grep -E 'vbmq|vbd' | tail -n 40 | diag_file /dev/stdin
for text in 'refused: unknown operation' 'refused: segment count out of range' \
	'refused: segment sectors outside the page' 'refused: sectors beyond the end of the disk' \
	'grant copy of ref'; do
	ok "dom0's log names the problem: '$text'" dmesg_has "$text"
done

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

# ---- x86_64-abi: I/O and hostile requests, then a frontend restart
testfront_domu h64 x86_64-abi "" args="restart"
hostile_checked h64 x86_64-abi
domu_signal h64 restart
ok "h64: the test frontend restarted" domu_wait_signal h64 restart-done 120
ok "dom0's log says the frontend came back" dmesg_has "vbd-$domid-51712: frontend is back"
is "h64: the backend connected twice" \
	"$(dmesg | grep -c "vbd-$domid-51712: connected:")" 2
ok "h64: Connected again" be_state_in 4
is "h64: the new ring runs the x86_32 ABI" "$(ring_field 0 abi)" x86_32-abi
is "h64: one ring thread" "$(threads_named 'vbmq*' | wc -l)" 1
domu_signal h64 dom0-checked
domu_wait h64 120
ok "no ring thread is left" wait_for 10 no_ring_threads
step "vbmq-blkback unloads once the domains are gone" 30 rmmod vbmq-blkback

# ---- the in-tree xen-blkback (a cross-check of the test frontend itself):
# x86_32-abi I/O and hostile requests; strict=0 accepts its EOPNOTSUPP for
# unknown operations and skips the handle check it does not make.
step "in-tree xen-blkback loads" 30 backend_use upstream
testfront_domu u32 x86_32-abi "strict=0" args="restart"
ok "u32: the test frontend ran its programs" domu_wait_signal u32 programs-done 300
domu_signal u32 restart
ok "u32: the test frontend restarted" domu_wait_signal u32 restart-done 120
domu_signal u32 dom0-checked
domu_wait u32 120
step "in-tree xen-blkback unloads" 30 unload_module xen-blkback
