# domU half of vbmq-blkfront-hostile.  $VBMQ_ARGS: the frontend (vbmq or
# upstream), then the faults of the rounds in order, each FAULT or
# FAULT@MODE (grants: persistent, bounce; plain: direct).  Each round: the
# READ at 1 MiB that meets the fault, in the background, then what the
# fault must lead to, and after dom0's detach, how that READ ended.
read -r fe faults <<<"$VBMQ_ARGS"

# bg_read TAG BS SKIP OUT: one O_DIRECT READ of BS at block SKIP into OUT,
# in the background; its exit status lands in /tmp/TAG.rc, its errors in
# /tmp/TAG.err (a READ stuck in the block layer cannot be killed: callers
# wait for the file, never for the process)
bg_read() {
	rm -f "/tmp/$1.rc"
	(
		dd if=/dev/xvda of="$4" bs="$2" count=1 skip="$3" \
			iflag=direct 2>"/tmp/$1.err"
		echo $? > "/tmp/$1.rc"
	) &
}

# fault_read: the 4 KiB READ at 1 MiB (sector 2048), in the background
fault_read() { bg_read fault 4k 256 /tmp/fault.out; }
fault_read_ended() { test -s /tmp/fault.rc; }
fault_read_rc() { cat /tmp/fault.rc 2>/dev/null; }

# read_at MIB: one 1 MiB READ at MIB; its exit status, or 124 if it did not
# end within 20 s
read_at() {
	bg_read read 1M "$1" /dev/null
	wait_for 20 test -s /tmp/read.rc || return 124
	return "$(cat /tmp/read.rc)"
}
# read_fails_at_once MIB: that READ fails, and not by hanging
read_fails_at_once() {
	local rc=0
	read_at "$1" || rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]
}
# fe_diag: the rings' counters and the stacks of blocked tasks, for a round
# that went wrong
fe_diag() {
	fe_rings | diag_file /dev/stdin
	echo w > /proc/sysrq-trigger
	dmesg | tail -n 60 | diag_file /dev/stdin
}
fe_state() { cat /sys/block/xvda/vbmq/state 2>/dev/null; }

# dirty_memory: fill 48 MiB of page cache with a non-zero pattern and
# free it, so the pages a driver allocates next held something before
dirty_memory() {
	local i
	head -c 1048576 /dev/urandom > /tmp/pattern || return
	for i in $(seq 48); do cat /tmp/pattern; done > /tmp/dirty || return
	rm -f /tmp/dirty /tmp/pattern
}

# reconnect SPEC UNTRUSTED DIRTY: vbmq-blkfront lets go of xvda (sysfs
# unbind) and binds it again, a new connection on which vbmq-testback's
# fault is armed again; with UNTRUSTED=yes the frontend's trusted key is 0
# by then (bounce buffers), with DIRTY=yes the memory the new connection's
# pages come from held a pattern just before
reconnect() {
	step "$1: vbmq-blkfront lets go of xvda (sysfs unbind)" 60 \
		sh -c 'echo vbd-51712 > /sys/bus/xen/drivers/vbmq-vbd/unbind'
	ok "$1: xvda is gone" wait_for 30 test ! -e /sys/block/xvda
	if [ "$2" = yes ]; then
		step "$1: the frontend's trusted key is 0" 10 \
			xenstore-write device/vbd/51712/trusted 0
	fi
	[ "$3" = yes ] && step "$1: 48 MiB of memory dirtied and freed" 60 dirty_memory
	step "$1: vbmq-blkfront binds xvda again" 60 \
		sh -c 'echo vbd-51712 > /sys/bus/xen/drivers/vbmq-vbd/bind'
	ok "$1: /dev/xvda is back" wait_for 60 test -b /dev/xvda
}

# ring_irqs: interrupts of ring 0's IRQ (xvda-q0) so far, all vCPUs
ring_irqs() {
	awk '$NF == "xvda-q0" { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }' /proc/interrupts
}

# parallel_reads: four 4 MiB O_DIRECT reads in 1 MiB blocks at 8, 16, 24
# and 32 MiB at once (many requests of 32 segments in flight: the pool
# grows past its reserve); all must succeed
parallel_reads() {
	local o rc=0
	for o in 8 16 24 32; do
		dd if=/dev/xvda of=/dev/null bs=1M count=4 skip="$o" \
			iflag=direct 2>/dev/null &
	done
	for o in 1 2 3 4; do wait -n || rc=1; done
	return "$rc"
}

# commands: 20 short-lived commands, one after the other
commands() {
	local i
	for i in $(seq 20); do /bin/true || return; done
}

# violations: protocol violations vbmq-blkfront logged so far
violations() { dmesg | grep -c 'backend protocol violation'; }
# violation_seen TEXT: vbmq-blkfront logged a protocol violation naming
# TEXT in this round (after the first $viol_before ones: several faults
# break the same rule, and keep-mapped runs twice)
violation_seen() {
	dmesg | grep 'backend protocol violation' |
		tail -n +$((viol_before + 1)) | grep -q -F "$1"
}

# The rule vbmq-blkfront must name for each fault that breaks the protocol.
declare -A rule=(
	[bad-id]="response id out of range"
	[free-id]="response for a request not in flight"
	# Two answers to one request: more responses than requests sent,
	# caught before either is read.
	[dup-id]="response producer beyond requests sent"
	[bad-op]="response operation does not match request"
	[bad-prod]="response producer beyond requests sent"
	[overflow]="response producer beyond requests sent"
	[keep-mapped]="granted page still mapped after its response"
)

i=0
for spec in $faults; do
	f=${spec%@*}
	mode=direct
	[ "$f" = "$spec" ] || mode=${spec#*@}
	is "round $i: dom0 attached xvda with fault" "$(wait_signal "go-$i" 300)" "$spec"
	ok "$spec: /dev/xvda appears" wait_for 60 test -b /dev/xvda
	fails_before=$VBMQ_FAILS
	viol_before=$(violations)
	if [ "$fe" = vbmq ]; then
		untrusted=no dirty=no
		[ "$mode" = bounce ] && untrusted=yes
		[ "$f" = check-zero ] && dirty=yes
		if [ "$untrusted$dirty" != nono ]; then
			reconnect "$spec" "$untrusted" "$dirty"
		fi
		is "$spec: vbmq/grants" "$(cat /sys/block/xvda/vbmq/grants)" "$mode"
	fi
	if [ "$f" = check-zero ]; then
		is "$spec: 32 segments a request (indirect)" \
			"$(cat /sys/block/xvda/queue/max_segments)" 32
		step "$spec: 16 MiB read in 1 MiB blocks, 4 readers" 120 parallel_reads
	fi
	fault_read
	stranded=no
	case $f in
	none)
		ok "none: the READ ends" wait_for 30 fault_read_ended
		is "none: it succeeds" "$(fault_read_rc)" 0
		ok "none: it reads zeros" cmp -s -n 4096 /tmp/fault.out /dev/zero
		step "none: 1 MiB WRITE at 4 MiB" 30 \
			dd if=/dev/urandom of=/dev/xvda bs=64k count=16 seek=64 oflag=direct
		;;
	error | eopnotsupp | bad-status)
		ok "$spec: the READ ends" wait_for 30 fault_read_ended
		ok "$spec: it fails" test "$(fault_read_rc)" != 0
		diag_file /tmp/fault.err
		ok "$spec: the disk still serves a READ" read_at 8
		[ "$fe" = vbmq ] && is "$spec: vbmq/state" "$(fe_state)" connected
		;;
	check-zero)
		# vbmq-testback answers ERROR if any page it was given held a
		# byte it was not written
		ok "$spec: the READ ends" wait_for 30 fault_read_ended
		is "$spec: it succeeds: every page granted held zeros" \
			"$(fault_read_rc)" 0
		diag_file /tmp/fault.err
		;;
	storm)
		# The backend now notifies in a loop and never answers.
		# Without lateeoi every notification that finds the channel
		# idle is an interrupt (~23000 a second in the bed); with it,
		# an event that brought no response keeps the channel masked
		# for 1 jiffy and more (at most ~2 a jiffy: 500 a second at
		# HZ 250; ~100 in the bed).
		sleep 2
		irqs=$(ring_irqs)
		start=$EPOCHREALTIME
		step "storm: 20 commands run within 10 s" 10 commands
		note "storm: 20 commands took $(awk "BEGIN { print $EPOCHREALTIME - $start }") s"
		sleep 3
		irqs=$(($(ring_irqs) - irqs))
		secs=$(awk "BEGIN { print $EPOCHREALTIME - $start }")
		rate=$(awk "BEGIN { printf \"%d\", $irqs / $secs }")
		note "storm: ring 0 took $irqs interrupt(s) in $secs s: $rate a second"
		ok "storm: fewer than 1000 ring interrupts a second (spurious events are EOId late)" \
			test "$rate" -lt 1000
		ok "storm: the READ is still waiting" test ! -e /tmp/fault.rc
		ok "storm: other READs still complete" read_at 8
		is "storm: vbmq/state" "$(fe_state)" connected
		stranded=yes
		;;
	silent)
		sleep 3
		ok "silent: the READ is still waiting" test ! -e /tmp/fault.rc
		ok "silent: other READs still complete" read_at 8
		stranded=yes
		;;
	*)
		ok "$spec: vbmq-blkfront names the violation (${rule[$f]})" \
			wait_for 30 violation_seen "${rule[$f]}"
		dmesg | grep 'backend protocol violation' | diag_file /dev/stdin
		is "$spec: vbmq/state" "$(fe_state)" error
		ok "$spec: a new READ fails at once" read_fails_at_once 8
		sleep 1
		ok "$spec: the READ is left in flight" test ! -e /tmp/fault.rc
		stranded=yes
		;;
	esac
	[ "$VBMQ_FAILS" = "$fails_before" ] || fe_diag
	signal "tested-$i"

	ok "$spec: dom0 detached xvda" wait_signal "detached-$i" 120
	ok "$spec: xvda is gone" wait_for 30 test ! -e /sys/block/xvda
	if [ "$stranded" = yes ]; then
		ok "$spec: the READ left in flight ends at the detach" \
			wait_for 30 fault_read_ended
		ok "$spec: it failed" test "$(fault_read_rc)" != 0
	fi
	ok "$spec: no grant ended while still mapped, none deferred" sh -c \
		"! dmesg | grep -E 'g\.e\. |still in use|still pending|still maps'"
	kernel_log_clean "$spec: no BUG, WARN or oops in the domU's log"
	signal "checked-$i"
	i=$((i + 1))
done
