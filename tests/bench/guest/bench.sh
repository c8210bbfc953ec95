# dom0 half of the benchmark: run by the test bed's dom0 /init like a
# scenario, or on a real Xen (or KVM, bare target only) host by
# tests/bench/run --host, with VBMQ_ROOT naming the staging directory that
# stands for the bed's / (VBMQ_ROOT/vbmq/..., VBMQ_ROOT/guest/...).  Follows
# the plan in /vbmq/bench/plan, written by tests/bench/run:
#   S SESSION CLASS        start a session: xen (one domU for every Xen
#                          target) or bare (dom0 only: a KVM host)
#   R ID TARGET RW QD JOBS one fio run (TARGET: bare upstream vbmq
#                          vbmq-always vbmq-polled vbmq-exitless domu-local
#                          vbmq-pollNus)
# The xen session is one domU (DOMU_VCPUS vCPUs) on DEV.  Each target needs
# a driver pair (drivers_of): before a run whose pair differs from the one
# serving the disk, the disk is detached, the frontend swapped in the domU
# and the backend in dom0, and the disk attached again; so every target's
# runs share one domU boot and their ratios pair within it.  domu-local
# runs fio on a null_blk inside the domU (the ceiling: no Xen I/O path),
# bare in dom0 beside the idle domU; vbmq-pollNus (the adaptive poll sweep)
# is vbmq with vbmq/poll-max-us N.  Round 0 (run ids r0-...) counts the work
# per request with xentrace (hypercalls by kind and domain, grant
# operations); its timings are not the headline's.  Results are @@BENCH
# lines (bench.lib) on dom0's console, which is the host's serial log (on a
# real host: stdout, which tests/bench/run keeps as host-console.log).
. "$VBMQ_ROOT/vbmq/scenarios/bench.lib"
# RUNTIME RAMP SIZE DOMU_VCPUS DOMU_MEM IO_CPUS POLL_MAX_US PREFILL, and on a
# real host DEV NULLB DISK_MODE FIO DOMU_PREFIX DOMU_CPUS
. "$VBMQ_ROOT/vbmq/bench/conf"
DEV=${DEV:-/dev/nullb0}
NULLB=${NULLB:-1}		# 1: create null_blk here (the bed); 0: DEV exists
DISK_MODE=${DISK_MODE:-w}	# the domU's disk: w, or r when DEV may not be written
DOMU_PREFIX=${DOMU_PREFIX:-b}	# domU names: PREFIX + session number
DOMU_CPUS=${DOMU_CPUS:-}	# the domUs' hard affinity (off pinned dom0 cores)
PLAN=$VBMQ_ROOT/vbmq/bench/plan

BENCH_TMP=${VBMQ_RUN:-/run}/bench
mkdir -p "$BENCH_TMP"
BE_IRQ='blkif-backend|vbmq[0-9]+\.'	# backend event channels in dom0
nruns=$(grep -c '^R ' "$PLAN")
run_no=0
cur=""		# current session's class
dom=""		# current domU name
drivers=""	# driver pair serving the domU's disk now (drivers_of)
# The session's domU id and its disk's xenstore directories, looked up once:
# every xl or lookup is processes, and under TCG a process costs ~0.1 s
# (session 15's first runs spent 8-14 s between runs)
DOMID="" BE_DIR="" FE_DIR=""
job_n=0
session_ok=0

# fio for the bed's dom0: the domU image carries fio and its libraries.
fio_setup() {
	mkdir -p /run/fio && cd /run/fio &&
		cpio -id 'usr/bin/fio' 'usr/lib/x86_64-linux-gnu/*' < /guest/domu-base.cpio \
			2>/dev/null && cd / &&
		printf '#!/bin/sh\nLD_LIBRARY_PATH=/run/fio/usr/lib/x86_64-linux-gnu exec /run/fio/usr/bin/fio "$@"\n' \
			> /run/fio/fio && chmod +x /run/fio/fio && /run/fio/fio --version
}

# vbd_sysfs: the current domU's backend device in sysfs
vbd_sysfs() { echo "/sys/bus/xen-backend/devices/vbd-$DOMID-51712"; }
# vbd_debugfs: its vbmq-blkback rings' figures (ringN/, one value per file)
vbd_debugfs() { echo "/sys/kernel/debug/vbmq-blkback/vbd-$DOMID-51712"; }

# be_reqs: requests the backend accepted so far (upstream names, summed)
be_reqs() {
	local d
	d=$(vbd_sysfs)/statistics
	echo $(($(cat "$d/rd_req") + $(cat "$d/wr_req") + $(cat "$d/f_req" 2>/dev/null || echo 0)))
}

# ring_sums: vbmq-blkback per-ring counters summed over rings, as K=V words
ring_sums() {
	local d r
	d=$(vbd_debugfs)
	[ -d "$d" ] || return 0
	for r in "$d"/ring*; do dir_values "$r"; done | awk '
		$1 ~ /^(kicks|notify_sent|notify_suppressed|poll_hits|poll_misses|poll_ns|poll_yields|sleep_ns|gap_ns|gaps|short_gaps|rd_req|wr_req)$/ { s[$1] += $2 }
		$1 == "cpu" { cpus = cpus $2 "," }
		$1 == "poll" { mode = $2 }
		$1 == "poll_max_us" { pmax = $2 }
		END { for (k in s) printf "be_%s=%.0f ", k, s[k]
			printf "be_cpus=%s be_poll=%s be_poll_max_us=%s", cpus, mode, pmax }'
}

# ring_field RING KEY
ring_field() { local v; read -r v < "$(vbd_debugfs)/ring$1/$2" && echo "$v"; } 2>/dev/null

# snap: "cpu_busy cpu_total cpu_steal irqs reqs ctxt wakeups" now (as
# bench_snap)
snap() {
	local s
	s=$(vbd_sysfs)/statistics
	awk -v re="$BE_IRQ" '
		FILENAME == "/proc/stat" && $1 == "cpu" { b = $2 + $3 + $4 + $7 + $8
			t = b + $5 + $6 + $9; st = $9 + 0 }
		FILENAME == "/proc/stat" && $1 == "ctxt" { ctxt = $2 }
		FILENAME == "/proc/schedstat" && $1 ~ /^cpu[0-9]/ { ttwu += $6 }
		FILENAME == "/proc/interrupts" && FNR == 1 { n = NF }
		FILENAME == "/proc/interrupts" && FNR > 1 && $0 ~ re {
			for (i = 2; i <= n + 1; i++) if ($i ~ /^[0-9]+$/) irq += $i }
		FILENAME ~ /statistics/ { req += $1 }
		END { print b, t, st, irq + 0, req + 0, ctxt + 0, ttwu + 0 }' \
		/proc/stat /proc/schedstat /proc/interrupts "$s/rd_req" "$s/wr_req" "$s/f_req"
}

session_end() {
	[ -n "$dom" ] || return 0
	job_signal "job-$job_n" end 2>/dev/null
	if ! wait_for 60 domu_gone "$dom"; then
		xl destroy "$dom" 2>/dev/null
		note "domU $dom did not power off; destroyed"
	fi
	# The domU's own checks and console (minus the bench records, which
	# were relayed run by run).
	local log=$VBMQ_CONSOLE_DIR/guest-$dom.log
	tr -d '\r' < "$log" 2>/dev/null | grep -v '@@BENCH' | sed -n \
		-e "s/^.*@@VBMQ \(OK\|NOTOK\|DIAG\|STEP\|DOMU-END\) [^ ]* /@@VBMQ \1 $VBMQ_SCEN /p" \
		-e "/@@VBMQ /!s|^|@@VBMQ DIAG $VBMQ_SCEN [$dom console] |p"
	dom=""
}

# session_start SESSION CLASS: bare (dom0 only) or xen (the one domU, with
# no disk yet: drivers_use attaches it)
session_start() {
	local s=$1 class=$2
	session_end
	cur=$class
	session_ok=1
	job_n=0
	drivers=""
	bench P "session $s: $class"
	case $class in
	bare) return 0 ;;
	xen) ;;
	*) session_ok=0; bench P "unknown class $class"; return 1 ;;
	esac
	dom=$DOMU_PREFIX$s
	if ! step "$class: domU $dom starts" 90 domu_start "$dom" vcpus="$DOMU_VCPUS" \
		${DOMU_CPUS:+cpus="$DOMU_CPUS"} mem="$DOMU_MEM" disk=none script=bench \
		args="$RUNTIME $RAMP $SIZE" ||
		! ok "$class: domU $dom is ready for jobs" domu_wait_signal "$dom" ready 120; then
		session_ok=0
		return 1
	fi
	DOMID=$(domid "$dom")
	BE_DIR=/local/domain/0/backend/vbd/$DOMID/51712
	FE_DIR=/local/domain/$DOMID/device/vbd/51712
	bench M "session=$s class=$class domid=$DOMID" \
		"domu_vcpus=$(xenstore-read "/local/domain/$DOMID/data/vbmq/ready")"
	[ -x "$VBMQ_ROOT/vbmq/bench/evtchn-rtt" ] && evtchn_rtt "$s"
	return 0
}

# drivers_of TARGET: the driver pair a target runs on: upstream (xen-blkback
# + xen-blkfront), vbmq (vbmq-blkback + vbmq-blkfront), vbmq-pq (the same
# with one polled guest queue), or "" (any: bare, domu-local)
drivers_of() {
	case $1 in
	upstream) echo upstream ;;
	vbmq|vbmq-always|vbmq-poll*us) echo vbmq ;;
	vbmq-polled|vbmq-exitless) echo vbmq-pq ;;
	esac
}

# swap_detach: the domU's disk detached and its backend device gone
swap_detach() {
	xl block-detach "$dom" xvda &&
		wait_for 30 eval '! xenstore-read "$BE_DIR/state" >/dev/null 2>&1'
}

# drivers_use PAIR: serve the domU's disk with that driver pair: detach,
# swap the frontend in the domU and the backend here, attach
drivers_use() {
	local want=$1 fe=xen-blkfront fe_params=- be=upstream be_params=() id t0=$SECONDS
	[ "$want" = "$drivers" ] && return 0
	case $want in
	upstream) ;;
	vbmq) fe=vbmq-blkfront be=vbmq ;;
	vbmq-pq) fe=vbmq-blkfront be=vbmq fe_params=poll_queues=1 ;;
	*) bench P "unknown driver pair $want"; return 1 ;;
	esac
	[ "$be" = vbmq ] && be_params=(poll=adaptive "poll_max_us=$POLL_MAX_US")
	id=swap-$job_n
	if [ -n "$drivers" ]; then
		drivers=""
		step "$id: detach xvda from $dom" 60 swap_detach || return 1
	fi
	job_signal "job-$job_n" "$id frontend $fe $fe_params - -"
	poll_signal "done-$job_n" 60 || { note "$id: the domU did not swap its frontend"; return 1; }
	job_n=$((job_n + 1))
	step "$id: backend $be loads" 30 backend_use "$be" "${be_params[@]}" || return 1
	step "$id: attach xvda to $dom ($want)" 60 xl block-attach "$dom" "phy:$DEV,xvda,$DISK_MODE" ||
		return 1
	if [ "$be" = vbmq ]; then
		xenstore-write "$BE_DIR/vbmq/cpus" "$IO_CPUS"
		xenstore-write "$BE_DIR/vbmq/poll" adaptive
	fi
	ok "$id: xvda connects ($want)" wait_for 60 vbd_connected "$dom" || return 1
	[ "$be" = vbmq ] && ok "$id: ring threads pinned to $IO_CPUS" wait_for 5 test "$(ring_field 0 cpu)" != -1
	drivers=$want
	bench M "drivers=$want swap_s=$((SECONDS - t0))" \
		"rings=$(xenstore-read "$FE_DIR/multi-queue-num-queues" 2>/dev/null || echo 1)" \
		"ring_page_order=$(xenstore-read "$FE_DIR/ring-page-order" 2>/dev/null || echo 0)" \
		"persistent=$(xenstore-read "$FE_DIR/feature-persistent" 2>/dev/null || echo 0)" \
		"be_threads=$(threads_named "*xvda*" | awk '{ printf "%s,", $2 }')"
	bench P "$id: xvda served by $want (swap $((SECONDS - t0))s)"
}

# evtchn_rtt SESSION: the round trip of a bare event channel between dom0
# and this session's domU, user space to user space (evtchn-rtt): what one
# kick and one interrupt cost in this bed with no block I/O, the floor of a
# PV request that takes both.  The domU echoes; dom0 times.
RTT_COUNT=500	# ~1 s per session here; session 13's demo used 2000
RTT_WARMUP=50	# evtchn-rtt's own warm-up, answered by the echo side too
evtchn_rtt() {
	local id=rtt-$1 d port out
	d=$DOMID
	job_signal "job-$job_n" "$id evtchn-rtt $((RTT_COUNT + RTT_WARMUP)) - - -"
	if ! port=$(bench_wait "/local/domain/$d/data/vbmq/rtt-port-$job_n" 30); then
		bench F "$id" "the domU published no event-channel port"
	elif out=$("$VBMQ_ROOT/vbmq/bench/evtchn-rtt" ping "$d" "$port" "$RTT_COUNT" 2>&1); then
		bench D "$id" class="$cur" $out
	else
		bench F "$id" "evtchn-rtt ping: ${out//$'\n'/; }"
	fi
	poll_signal "done-$job_n" 60 ||
		note "$id: the domU did not finish its echo"
	job_n=$((job_n + 1))
	bench P "$id: event-channel round trip ${out:-failed}"
}

# relay_guest ID: the domU's records of run ID, from its console log, once
# its last line (done=1) is there
relay_guest() {
	local log=$VBMQ_CONSOLE_DIR/guest-$dom.log
	wait_for 10 grep -q "@@BENCH G $1 .*done=1" "$log"
	tr -d '\r' < "$log" | grep "@@BENCH [JEGFT] $1 " | sed 's/^.*@@BENCH/@@BENCH/'
}

# job_signal KEY VALUE: tell the session's domU (domu_signal without the
# name lookup)
job_signal() { xenstore-write "/local/domain/$DOMID/data/vbmq/$1" "$2"; }

# poll_signal KEY SECONDS: like domu_wait_signal for the session's domU
# (DOMID), on a xenstore watch
# (polling would load dom0, whose CPU is being measured)
poll_signal() {
	bench_wait "/local/domain/$DOMID/data/vbmq/$1" "$2" >/dev/null
}

# poll_is MODE US: ring 0 runs with that poll mode and window (read anew
# at each call, for wait_for)
poll_is() { [ "$(ring_field 0 poll) $(ring_field 0 poll_max_us)" = "$1 $2" ]; }

# set_poll TARGET: the poll mode and window the target needs, applied live
# (vbmq-pollNus: adaptive with vbmq/poll-max-us N; the others POLL_MAX_US)
set_poll() {
	local want=adaptive win=$POLL_MAX_US
	case $1 in
	vbmq-always|vbmq-exitless) want=always ;;
	vbmq-poll*us) win=${1#vbmq-poll}; win=${win%us} ;;
	esac
	xenstore-write "$BE_DIR/vbmq/poll-max-us" "$win"
	xenstore-write "$BE_DIR/vbmq/poll" "$want"
	wait_for 5 poll_is "$want" "$win"
}

# idle_check ID: after the load stops, do the ring threads still poll?
# Reads the polling time twice, 50 ms apart, starting as soon as dom0
# learns the run ended.
idle_check() {
	local p0 p1 s0 s1
	read -r p0 s0 <<<"$(poll_sleep_ns)"
	sleep 0.05
	read -r p1 s1 <<<"$(poll_sleep_ns)"
	bench D "$1" idle_poll_ns_50ms=$((p1 - p0)) idle_sleep_ns_50ms=$((s1 - s0))
}

# poll_sleep_ns: "POLL_NS SLEEP_NS" summed over rings, picked by name
# (ring_sums prints its counters in awk's hash order: taking them in the
# order they come swapped the two, and ring 0's once-a-second wake-up,
# credited ~1 s of sleep, read as a second of polling)
poll_sleep_ns() {
	ring_sums | tr ' ' '\n' | awk -F= '$1 == "be_poll_ns" { p = $2 }
		$1 == "be_sleep_ns" { s = $2 } END { print p + 0, s + 0 }'
}

# trace_start ID: Xen's trace of the run's steady part (round 0): from
# RAMP + 1 s after the start for RUNTIME - 2 s (at least 1 s), PV hypercalls
# and sub-calls with their arguments, and the scheduler's switches, which
# tell which domain made each (TRC_PV | TRC_SCHED: 0x0022f000), into
# per-CPU buffers of 256 pages, emptied first.  The backend's request count
# is read right before and after, so the counts divide by the requests of
# the same window, not by fio's start-up and the harness around it.
TRACE_PID=""
trace_start() {
	local t=$((RUNTIME > 3 ? RUNTIME - 2 : 1)) st=$(vbd_sysfs)/statistics
	rm -f "$BENCH_TMP/trace.bin" "$BENCH_TMP/trace.reqs"
	(
		sleep "$((RAMP + 1))"
		cat "$st/rd_req" "$st/wr_req" > "$BENCH_TMP/trace.reqs"
		xentrace -D -S 256 -e 0x0022f000 -T "$t" "$BENCH_TMP/trace.bin" \
			>/dev/null 2>"$BENCH_TMP/xentrace.err"
		cat "$st/rd_req" "$st/wr_req" >> "$BENCH_TMP/trace.reqs"
	) &
	TRACE_PID=$!
}

# trace_stop ID: wait for the trace and record its counts per domain (D
# record: the keys of tests/bench/xentrace_count.c, and trace_reqs, the
# backend's requests in the traced window)
trace_stop() {
	local out reqs
	[ -n "$TRACE_PID" ] || return 0
	wait "$TRACE_PID"
	TRACE_PID=""
	reqs=$(awk 'NR <= 2 { a += $1 } NR > 2 { b += $1 } END { print b - a }' \
		"$BENCH_TMP/trace.reqs" 2>/dev/null)
	# the first KiB of the first trace leave as X lines, when asked
	# (TRACE_SAMPLE_KB: the unit test's recorded fixture)
	if [ "${TRACE_SAMPLE_KB:-0}" -gt 0 ]; then
		head -c "$((TRACE_SAMPLE_KB * 1024))" "$BENCH_TMP/trace.bin" | gzip -c -9 |
			base64 -w 160 | awk -v id="$1" '{ print "@@BENCH X " id " " NR - 1 " " $0 }'
		TRACE_SAMPLE_KB=0
	fi
	if out=$("$VBMQ_ROOT/vbmq/bench/xentrace-count" "$BENCH_TMP/trace.bin" 0 \
		"$DOMID" 2>&1); then
		bench D "$1" trace_reqs="${reqs:-0}" $out
	else
		bench D "$1" trace_error="$(tr ' \n' '__' < "$BENCH_TMP/xentrace.err")${out//[ $'\n']/_}"
	fi
	rm -f "$BENCH_TMP/trace.bin" "$BENCH_TMP/trace.reqs"
}

# run_one ID TARGET RW QD JOBS
run_one() {
	local id=$1 target=$2 rw=$3 qd=$4 jobs=$5 engine=libaio a b r0 r1 wait_s pair
	local on=xvda
	run_no=$((run_no + 1))
	[ "$target" = domu-local ] && on=local
	case $target in vbmq-polled|vbmq-exitless) engine=io_uring-hipri ;; esac
	if [ "$session_ok" != 1 ]; then
		bench F "$id" "session setup failed ($cur)"
		bench P "[$run_no/$nruns] $id: FAILED (session setup)"
		return
	fi
	pair=$(drivers_of "$target")
	if [ -n "$pair" ] && ! drivers_use "$pair"; then
		bench F "$id" "the disk could not be served by the $pair drivers"
		bench P "[$run_no/$nruns] $id: FAILED (driver swap to $pair)"
		return
	fi
	# bare and domu-local: an idle vbmq disk's ring threads must sleep
	# (adaptive), not spin on after a poll=always run
	case $drivers:$target in
	vbmq*:*) set_poll "$target" ||
		note "$id: poll mode not applied: $(ring_field 0 poll) $(ring_field 0 poll_max_us) us" ;;
	esac
	if [ "$target" = bare ]; then
		bench_fio "$id" "$DEV" "$rw" "$qd" "$jobs" "$engine" "$RUNTIME" "$RAMP" \
			"$SIZE" '^$' dom0
		bench P "[$run_no/$nruns] $id: ${BENCH_LAST_IOPS:-failed} IOPS"
		BENCH_LAST_IOPS=
		return
	fi
	[ "${id%%-*}" = r0 ] && trace_start "$id"
	r0=$(ring_sums)
	a=$(snap)
	# dom0's profile: the domU starts fio a moment after the signal
	bench_perf_start dom0 "$((RAMP + 1))" "$((RUNTIME > 3 ? RUNTIME - 2 : 1))"
	job_signal "job-$job_n" "$id $rw $qd $jobs $engine $on"
	wait_s=$((RUNTIME + RAMP + 120))
	if ! poll_signal "done-$job_n" "$wait_s"; then
		bench F "$id" "domU $dom did not finish the run within $((wait_s + RUNTIME + RAMP))s"
		bench P "[$run_no/$nruns] $id: FAILED (domU timed out)"
		session_end
		session_ok=0
		return
	fi
	b=$(snap)
	# spinning ring threads hold both of dom0's vCPUs here: stop them
	# before the harness's own work (records, the trace)
	case $target in vbmq-always|vbmq-exitless)
		xenstore-write "$BE_DIR/vbmq/poll" adaptive ;;
	esac
	[ "${id%%-*}" = r0 ] && trace_stop "$id"
	bench_perf_report "$id" dom0
	[ "$target" = vbmq ] && idle_check "$id"
	r1=$(ring_sums)
	set -- $a $b
	bench D "$id" target="$target" cpu_busy=$((${8} - $1)) cpu_total=$((${9} - $2)) \
		cpu_steal=$((${10} - $3)) be_irqs=$((${11} - $4)) be_reqs=$((${12} - $5)) \
		ctxt=$((${13} - $6)) wakeups=$((${14} - $7)) ncpu="$(nproc)" \
		irq_lines="$(bench_irq_lines "$BE_IRQ")"
	[ -n "$r0" ] && bench D "$id" ring0="${r0// /;}" ring1="${r1// /;}"
	relay_guest "$id"
	bench P "[$run_no/$nruns] $id: $(xenstore-read "/local/domain/$DOMID/data/vbmq/done-$job_n") IOPS"
	job_n=$((job_n + 1))
}

if [ -n "${FIO:-}" ]; then
	BENCH_FIO=$FIO		# a real host's own fio
else
	step "fio for dom0 from the domU image" 60 fio_setup || true
	BENCH_FIO=/run/fio/fio
fi
[ "$NULLB" = 1 ] && step "null_blk backing device" 30 nullb_setup
# wake-ups per request (snap) are counted with schedstats on
echo 1 > /proc/sys/kernel/sched_schedstats 2>/dev/null
# PREFILL: MiB written before the first run (null_blk: reads then hit
# allocated pages; an SSD: reads hit mapped blocks); 0 when DEV may not be
# written
[ "${PREFILL%m}" -gt 0 ] &&
	step "prefill ${PREFILL} of $DEV (reads hit written blocks)" 600 \
		dd if=/dev/zero of="$DEV" bs=1M count="${PREFILL%m}" oflag=direct
bench M "dom0_kernel=$(uname -r) dom0_vcpus=$(nproc) dom0_mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
bench M "xen_version=$(xl info 2>/dev/null | awk -F': ' '/^xen_version/ { print $2 }') host_cpus=$(xl info 2>/dev/null | awk -F': ' '/^nr_cpus/ { print $2 }')"
bench M "fio_version=$($BENCH_FIO --version 2>/dev/null) nullb=$(for p in queue_mode submit_queues memory_backed irqmode hw_queue_depth bs; do printf '%s:%s,' $p "$(cat /sys/module/null_blk/parameters/$p 2>/dev/null)"; done)"
for m in vbmq-blkback vbmq-blkfront; do
	[ -f "$VBMQ_ROOT/vbmq/modules/$m.ko" ] &&
		bench M "module=$m srcversion=$(modinfo -F srcversion "$VBMQ_ROOT/vbmq/modules/$m.ko") vermagic=$(modinfo -F vermagic "$VBMQ_ROOT/vbmq/modules/$m.ko" | cut -d' ' -f1)"
done
bench M "conf runtime=$RUNTIME ramp=$RAMP size=$SIZE domu_vcpus=$DOMU_VCPUS domu_mem=$DOMU_MEM io_cpus=$IO_CPUS poll_max_us=$POLL_MAX_US device=$DEV disk_mode=$DISK_MODE prefill=$PREFILL"

while read -r -u 3 kind a1 a2 a3 a4 a5 a6; do
	case $kind in
	S) session_start "$a1" "$a2" ;;
	R) run_one "$a1" "$a2" "$a3" "$a4" "$a5" ;;
	esac
done 3< "$PLAN"
session_end
bench P "all runs done"
