# domU half of vbmq-blkfront-hostile.  $VBMQ_ARGS: the frontend (vbmq or
# upstream), then the faults of the rounds in order.  Each round: the READ
# at 1 MiB that meets the fault, in the background, then what the fault
# must lead to, and after dom0's detach, how that READ ended.
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
	diag_file /sys/block/xvda/vbmq/rings
	echo w > /proc/sysrq-trigger
	dmesg | tail -n 60 | diag_file /dev/stdin
}
fe_state() { cat /sys/block/xvda/vbmq/state 2>/dev/null; }

# violation_seen TEXT: vbmq-blkfront logged a protocol violation naming TEXT
violation_seen() {
	dmesg | grep 'backend protocol violation' | grep -q -F "$1"
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
for f in $faults; do
	is "round $i: dom0 attached xvda with fault" "$(wait_signal "go-$i" 300)" "$f"
	ok "$f: /dev/xvda appears" wait_for 60 test -b /dev/xvda
	fails_before=$VBMQ_FAILS
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
		ok "$f: the READ ends" wait_for 30 fault_read_ended
		ok "$f: it fails" test "$(fault_read_rc)" != 0
		diag_file /tmp/fault.err
		ok "$f: the disk still serves a READ" read_at 8
		[ "$fe" = vbmq ] && is "$f: vbmq/state" "$(fe_state)" connected
		;;
	silent)
		sleep 3
		ok "silent: the READ is still waiting" test ! -e /tmp/fault.rc
		ok "silent: other READs still complete" read_at 8
		stranded=yes
		;;
	*)
		ok "$f: vbmq-blkfront names the violation (${rule[$f]})" \
			wait_for 30 violation_seen "${rule[$f]}"
		dmesg | grep 'backend protocol violation' | diag_file /dev/stdin
		is "$f: vbmq/state" "$(fe_state)" error
		ok "$f: a new READ fails at once" read_fails_at_once 8
		sleep 1
		ok "$f: the READ is left in flight" test ! -e /tmp/fault.rc
		stranded=yes
		;;
	esac
	[ "$VBMQ_FAILS" = "$fails_before" ] || fe_diag
	signal "tested-$i"

	ok "$f: dom0 detached xvda" wait_signal "detached-$i" 120
	ok "$f: xvda is gone" wait_for 30 test ! -e /sys/block/xvda
	if [ "$stranded" = yes ]; then
		ok "$f: the READ left in flight ends at the detach" \
			wait_for 30 fault_read_ended
		ok "$f: it failed" test "$(fault_read_rc)" != 0
	fi
	ok "$f: no grant ended while still mapped, none deferred" sh -c \
		"! dmesg | grep -E 'g\.e\. |still in use|still pending|still maps'"
	kernel_log_clean "$f: no BUG, WARN or oops in the domU's log"
	signal "checked-$i"
	i=$((i + 1))
done
