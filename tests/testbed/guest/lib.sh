# Test bed guest library: sourced by dom0's and the domUs' init and by every
# scenario script.  Bash.
#
# Results leave a guest as console lines "@@VBMQ KIND SCENARIO TEXT":
#   BEGIN/END   a scenario starts / finishes (dom0 only)
#   STEP        a step starts (names the step a hang or crash interrupted)
#   OK/NOTOK    one TAP test point
#   DIAG        anything worth keeping (command output, logs)
#   DOMU-END    a domU finished its script (dom0 relays domU lines)
# The host turns them into build/testbed/results/SCENARIO.tap.

# A real host's own PATH stays after the bed's (tests/bench/run --host).
export PATH=/usr/lib/xen-4.17/bin:/usr/lib/xen-4.20/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
# VBMQ_ROOT: where the bed's /vbmq and /guest trees are; "" in the bed, a
# staging directory when tests/bench/run drives a real Xen host's dom0.
VBMQ_ROOT=${VBMQ_ROOT:-}
VBMQ_SCEN=${VBMQ_SCEN:-boot}
VBMQ_PREFIX=${VBMQ_PREFIX:-}	# "[domu NAME] " inside a domU
VBMQ_TMP=${VBMQ_TMP:-/tmp}

emit() { printf '@@VBMQ %s %s %s%s\n' "$1" "$VBMQ_SCEN" "$VBMQ_PREFIX" "$2"; }
note() { emit DIAG "$*"; }
pass() { emit OK "$*"; }
# VBMQ_FAILS: test points failed so far in this shell
VBMQ_FAILS=0
fail() { VBMQ_FAILS=$((VBMQ_FAILS + 1)); emit NOTOK "$*"; }
# diag_file FILE [PREFIX]: a file's lines as diagnostics, each after PREFIX.
# A regular file goes through no process (see pause); bash would read a
# pipe a byte at a time, so a stream goes through sed.
diag_file() {
	local l p="@@VBMQ DIAG $VBMQ_SCEN $VBMQ_PREFIX${2:-}"
	if [ -f "$1" ]; then
		while IFS= read -r l || [ -n "$l" ]; do
			printf '%s%s\n' "$p" "$l"
		done < "$1"
	else
		sed "s|^|$p|" "$1"
	fi
}

# dir_values DIR: a directory of one-value files (the drivers' debugfs ring
# directories) as "NAME VALUE" lines; no forks
dir_values() {
	local f v
	for f in "$1"/*; do
		[ -f "$f" ] && read -r v < "$f" && printf '%s %s\n' "${f##*/}" "$v"
	done
}
# diag_dir DIR: dir_values DIR as diagnostics
diag_dir() { dir_values "$1" | diag_file /dev/stdin; }

# tracefs: where the trace events are (tracefs, or its automount in debugfs)
tracefs() {
	if [ -d /sys/kernel/tracing/events ]; then
		echo /sys/kernel/tracing
	else
		echo /sys/kernel/debug/tracing
	fi
}
# trace_arm SYSTEM [KB]: enable the events of SYSTEM (vbmq_blkback,
# vbmq_blkfront) with recording off, into an emptied buffer of KB per CPU
# (the kernel's default size if not given) that keeps the newest events.
# Enabling an event patches the kernel text at its call sites: arm while that
# code is cold, since patching code that a CPU runs in a tight loop has
# crashed 6.12 kernels under QEMU TCG (docs/testbed.md, "Platforms").  For
# the same reason record-cmd is off: it would hook sched_switch, whose call
# site is in __schedule.
trace_arm() {
	local t
	t=$(tracefs)
	echo 0 > "$t/tracing_on" && echo 0 > "$t/options/record-cmd" &&
		: > "$t/trace" &&
		{ [ -z "${2:-}" ] || echo "$2" > "$t/buffer_size_kb"; } &&
		echo 1 > "$t/events/$1/enable"
}
# trace_record: record the armed events from now on
trace_record() { echo 1 > "$(tracefs)/tracing_on"; }
# trace_start SYSTEM [KB]: trace_arm and trace_record at once
trace_start() { trace_arm "$@" && trace_record; }
# trace_stop SYSTEM FILE: stop recording SYSTEM; the buffer goes to FILE
trace_stop() {
	local t
	t=$(tracefs)
	echo 0 > "$t/tracing_on"
	echo 0 > "$t/events/$1/enable"
	cat "$t/trace" > "$2"
}
# trace_count EVENT FILE: how many EVENT records FILE (trace_stop) holds
trace_count() { grep -c " $1: " "$2"; }

# The figures of vbmq-blkfront's debugfs DISK/ringN/ directories, in the
# order fe_rings prints them.
FE_RING_COLS="type irq vcpus irq_cpus requests completions interrupts polls poll_hits kicks ring_full errors inflight pool pgrants bounced pool_waits poll_yields"
# fe_rings [DISK]: vbmq-blkfront's per-ring figures of DISK (xvda) as a
# table: a header line "ring type ...", then a line per ring; no forks
fe_rings() {
	local d=/sys/kernel/debug/vbmq-blkfront/${1:-xvda} r=0 c v line
	echo "ring $FE_RING_COLS"
	while [ -d "$d/ring$r" ]; do
		line=$r
		for c in $FE_RING_COLS; do
			read -r v < "$d/ring$r/$c" || v=?
			line="$line $v"
		done
		echo "$line"
		r=$((r + 1))
	done
}

# Under QEMU TCG a PV guest's processes are dear (fork and exec are
# hypercall-heavy), and the bed's two CPUs are shared with the I/O under
# test: the helpers that every test point and every wait runs (run_diag,
# step, wait_for) start no process of their own (docs/testbed.md).

# scratch_name VAR KIND: set VAR to a file name in VBMQ_TMP for this
# shell's next use of KIND (unique by shell and call, no mktemp)
VBMQ_SCRATCH_SEQ=0
scratch_name() {
	VBMQ_SCRATCH_SEQ=$((VBMQ_SCRATCH_SEQ + 1))
	printf -v "$1" '%s/%s.%s.%s' "$VBMQ_TMP" "$2" "$BASHPID" "$VBMQ_SCRATCH_SEQ"
}

# pause SECONDS: sleep without a process: a read that times out on a pipe
# that this shell holds both ends of.  pause_init opens the pipe (it needs
# /dev/fd): the inits call it once they made /dev/fd, and the shells they
# start inherit it; without it, pause sleeps.
VBMQ_PAUSE_FD=
pause_init() { exec {VBMQ_PAUSE_FD}<> <(:); }
pause() {
	if [ -n "$VBMQ_PAUSE_FD" ] || pause_init 2>/dev/null; then
		read -r -t "$1" -u "$VBMQ_PAUSE_FD" || :
	else
		sleep "$1"
	fi
}

# run_diag CMD...: run CMD with its output kept as diagnostics; CMD's status
# (stdin is the caller's: ok ... grep <<<"$text" reads it)
run_diag() {
	local out rc
	scratch_name out out
	"$@" >"$out" 2>&1
	rc=$?
	[ ! -s "$out" ] || diag_file "$out"
	: > "$out"
	return "$rc"
}

# took SINCE DESC: a diagnostic naming how long DESC took since SECONDS was
# SINCE, when that is 10 s or more (where a scenario's time goes)
took() {
	local dt=$((SECONDS - $1))
	[ "$dt" -lt 10 ] || note "took ${dt}s: $2"
}

# ok DESC CMD...: one test point from a command's exit status
ok() {
	local desc=$1 t0=$SECONDS rc=0
	shift
	run_diag "$@" || rc=$?
	took "$t0" "$desc"
	if [ "$rc" = 0 ]; then pass "$desc"; else fail "$desc"; return 1; fi
}

# is DESC GOT WANT: one test point comparing two strings
is() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1 (got '$2', want '$3')"
		return 1
	fi
}

# run_with_timeout SECONDS CMD...: CMD (a command or function) in its own
# process group, killed with the whole group after SECONDS.  Returns CMD's
# status, or 124 on timeout.
run_with_timeout() {
	local t=$1 pid wd rc fired
	shift
	scratch_name fired timeout
	set -m
	"$@" &
	pid=$!
	set +m
	(
		pause "$t"
		: > "$fired"
		kill -TERM -- "-$pid" 2>/dev/null
		pause 3
		kill -KILL -- "-$pid" 2>/dev/null
	) >/dev/null 2>&1 &
	wd=$!
	wait "$pid"
	rc=$?
	kill "$wd" 2>/dev/null
	wait "$wd" 2>/dev/null
	# removed at once: a later shell with this pid and sequence number
	# would take it for its own timeout
	if [ -e "$fired" ]; then
		rm -f "$fired"
		rc=124
	fi
	return "$rc"
}

# step DESC TIMEOUT CMD...: run CMD under its own timeout as one test point;
# its output is kept as diagnostics.  A failure names the step, its status
# and whether it timed out.
step() {
	local desc=$1 t=$2 t0=$SECONDS rc
	shift 2
	emit STEP "$desc"
	run_diag run_with_timeout "$t" "$@" </dev/null
	rc=$?
	took "$t0" "$desc"
	if [ "$rc" = 0 ]; then
		pass "$desc"
	elif [ "$rc" = 124 ]; then
		fail "$desc (step timed out after ${t}s)"
	else
		fail "$desc (step failed: exit status $rc)"
	fi
	return "$rc"
}

# wait_for TIMEOUT CMD...: run CMD until it succeeds, for at most TIMEOUT
# seconds of wall time (a slow CMD does not stretch the limit).  The pause
# between tries grows from 0.1 s to 0.5 s: quick answers come quickly, and
# a long wait (a domU's fio run) leaves the CPUs to the I/O it waits for.
wait_for() {
	local end=$((SECONDS + $1)) p=0.1
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		pause "$p"
		case $p in 0.1) p=0.2 ;; 0.2) p=0.3 ;; *) p=0.5 ;; esac
	done
}

# spawn_burst: SPAWN_BURST short-lived processes, one after the other (the
# process churn of testbed-stress, in dom0 and in the domU alike)
SPAWN_BURST=20
spawn_burst() {
	local i
	for ((i = 0; i < SPAWN_BURST / 2; i++)); do
		busybox expr 1 + 1 >/dev/null
		echo x | busybox wc -c >/dev/null
	done
}

# What the kernel logs when a user process dies of a bad memory access.
USER_CRASH='segfault at|traps: .* general protection fault ip:'

# no_user_crash DESC: one test point: no user process crashed since the
# kernel log was last cleared (crash lines kept as diagnostics; the log
# stays for kernel_log_clean)
no_user_crash() {
	local crashes
	crashes=$(dmesg | grep -E "$USER_CRASH")
	[ -z "$crashes" ] || printf '%s\n' "$crashes" | diag_file /dev/stdin
	is "$1" "$(printf '%s' "$crashes" | grep -c .)" 0
}

# kernel_log_clean DESC: one test point: nothing in the kernel log since the
# last call looks like a kernel BUG, WARN, oops or lockdep splat, and no user
# process crashed (in this bed a crash means corrupted memory: suspect the
# drivers under test first).  The log is kept as diagnostics.
kernel_log_clean() {
	local log
	log=$(mktemp "$VBMQ_TMP/dmesg.XXXXXX")
	dmesg -c >"$log" 2>/dev/null
	diag_file "$log" "kernel: "
	if grep -E -q "BUG:|WARNING:|Oops|general protection fault|$USER_CRASH|Call Trace|kernel BUG|possible circular locking|UBSAN|KASAN|refcount_t:|list_add corruption|hung_task" "$log"; then
		fail "$1"
	else
		pass "$1"
	fi
	rm -f "$log"
}

# cmdline_arg NAME: value of NAME=VALUE on the kernel command line
cmdline_arg() {
	local a
	for a in $(cat /proc/cmdline); do
		case $a in "$1"=*) echo "${a#*=}"; return 0 ;; esac
	done
	return 1
}

# frontend_module NAME: the module of a domU frontend named as domu_start's
# frontend= option (upstream, vbmq, testfront: the test-only raw blkif
# frontend of scenarios vbmq-blkback-hostile and -config)
frontend_module() {
	case $1 in
	vbmq) echo vbmq-blkfront ;;
	testfront) echo vbmq-testfront ;;
	*) echo xen-blkfront ;;
	esac
}

# load_module NAME [PARAM=VALUE...]: a project module from /vbmq/modules,
# or an in-tree one by name.
load_module() {
	local m=$1
	shift
	if [ -f "$VBMQ_ROOT/vbmq/modules/$m.ko" ]; then
		insmod "$VBMQ_ROOT/vbmq/modules/$m.ko" "$@"
	else
		# --ignore-install: the named module even where an installed
		# modprobe.d file redirects it (vbmq's send xen-blkback to
		# vbmq-blkback)
		modprobe --ignore-install "$m" "$@"
	fi
}

# unload_module NAME: unload if loaded; succeed if not loaded.
unload_module() {
	grep -q "^${1//-/_} " /proc/modules || return 0
	rmmod "$1"
}

# Handshakes between dom0 and a domU go through the domU's own xenstore
# directory, data/vbmq/KEY, which both sides may read and write.
# signal KEY [VALUE] (domU): tell dom0
signal() { xenstore-write "data/vbmq/$1" "${2:-1}"; }
# wait_signal KEY [SECONDS] (domU): wait until dom0 set KEY; print its value
wait_signal() {
	wait_for "${2:-120}" xenstore-read "data/vbmq/$1" >/dev/null 2>&1 &&
		xenstore-read "data/vbmq/$1"
}
