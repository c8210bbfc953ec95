# Test bed dom0 library: what scenarios use to set up backends, disks and
# domUs.  Sourced after lib.sh.  Bash.

VBMQ_DOMU_RELAYED=${VBMQ_DOMU_RELAYED:-}
# Where domU configs and the assembled domU image go, and where xenconsoled
# logs the guests' consoles (a real host's dom0 may differ from the bed).
VBMQ_RUN=${VBMQ_RUN:-/run}
VBMQ_CONSOLE_DIR=${VBMQ_CONSOLE_DIR:-/var/log/xen/console}

# backend_use upstream|vbmq|testback [PARAM=VALUE...]: load one blkif
# backend driver ("vbd" can be bound by one driver at a time), unloading the
# others.  testback: the test-only protocol-breaking backend of
# tests/testbed/testback/.
backend_use() {
	local m
	m=$(backend_module "$1") || return 1
	shift
	unload_module xen-blkback || return 1
	unload_module vbmq-blkback || return 1
	unload_module vbmq-testback || return 1
	load_module "$m" "$@"
}

# backend_module NAME: the module of a backend named as backend_use's
backend_module() {
	case $1 in
	upstream) echo xen-blkback ;;
	vbmq) echo vbmq-blkback ;;
	testback) echo vbmq-testback ;;
	*) echo "backend_use: unknown backend '$1'" >&2; return 1 ;;
	esac
}

# run_unit UNIT_FILE: a oneshot systemd service as systemd starts it at boot
# (the bed has no systemd): its EnvironmentFile exported, ExecCondition
# (false: skipped, success), then ExecStart.
run_unit() {
	(
		local line f
		set -a
		while IFS= read -r line; do
			case $line in
			EnvironmentFile=*)
				f=${line#*=}
				f=${f#-}
				# shellcheck disable=SC1090
				[ ! -f "$f" ] || . "$f" ;;
			ExecCondition=*) eval "${line#*=}" || exit 0 ;;
			ExecStart=*) eval "${line#*=}" || exit 1 ;;
			esac
		done < "$1"
	)
}

# nullb_setup [PARAM=VALUE...]: a fresh memory-backed null_blk as /dev/nullb0
# (1 GiB, 512-byte sectors, 2 submit queues unless overridden).
nullb_setup() {
	unload_module null_blk || return 1
	modprobe null_blk nr_devices=1 gb=1 memory_backed=1 queue_mode=2 \
		submit_queues=2 bs=512 "$@" || return 1
	wait_for 5 test -b /dev/nullb0
}

# domu_platforms: the platforms whose domU kernel this dom0 image carries,
# one a line, the image's own (/guest/vmlinux) first; the others are in
# /guest/kernels/NAME/ (tests/testbed/run puts them there for a scenario
# with "domu_platforms=all")
domu_platforms() {
	cat "$VBMQ_ROOT/guest/platform" 2>/dev/null || echo default
	ls "$VBMQ_ROOT/guest/kernels" 2>/dev/null
}

# domu_kernel_dir [PLATFORM]: the directory holding the domU kernel
# (vmlinux) of PLATFORM and its domu-base.cpio and domu-overlay.cpio;
# no PLATFORM: the image's own
domu_kernel_dir() {
	if [ -z "${1:-}" ] || [ "$1" = "$(domu_platforms | head -n1)" ]; then
		echo "$VBMQ_ROOT/guest"
	elif [ -d "$VBMQ_ROOT/guest/kernels/$1" ]; then
		echo "$VBMQ_ROOT/guest/kernels/$1"
	else
		echo "no domU kernel of platform '$1' in this dom0 image" >&2
		return 1
	fi
}

# domu_ramdisk [PLATFORM]: where domu_config assembles the domU initramfs
# of PLATFORM's kernel (its base image + overlay), once per boot
domu_ramdisk() {
	local d
	d=$(domu_kernel_dir "${1:-}") || return 1
	if [ "$d" = "$VBMQ_ROOT/guest" ]; then
		echo "$VBMQ_RUN/domu.cpio"
	else
		echo "$VBMQ_RUN/domu-$1.cpio"
	fi
}

# domu_config NAME [KEY=VALUE...]: print the xl config of a PV domU from the
# test bed image (assembling the initramfs it names on first use).
#   kernel=PLATFORM (a domu_platforms name: that platform's domU kernel and
#   image; default: the image's own)
#   vcpus=2 mem=256 cpus=LIST (hard affinity) fe_params="P=V ..."
#   frontend=upstream|vbmq|testfront (testfront: the test-only raw blkif
#   frontend of tests/testbed/testfront/)
#   disk='phy:/dev/nullb0,xvda,w' (repeatable; disk=none: no disk)
#   script=SCENARIO args="..."
# The domU runs /vbmq/scenarios/SCRIPT.domu.sh, then powers off.
domu_config() {
	local name=$1 vcpus=2 mem=256 frontend=upstream fe_params="" script=$VBMQ_SCEN
	local args="" disks=() kv d cpus="" kplat="" kdir ramdisk
	shift
	for kv in "$@"; do
		case $kv in
		kernel=*) kplat=${kv#*=} ;;
		vcpus=*) vcpus=${kv#*=} ;;
		mem=*) mem=${kv#*=} ;;
		cpus=*) cpus=${kv#*=} ;;
		frontend=*) frontend=${kv#*=} ;;
		fe_params=*) fe_params=${kv#*=} ;;
		disk=*) disks+=("${kv#*=}") ;;
		script=*) script=${kv#*=} ;;
		args=*) args=${kv#*=} ;;
		*) echo "domu_config: unknown option '$kv'" >&2; return 1 ;;
		esac
	done
	[ ${#disks[@]} -gt 0 ] || disks=('phy:/dev/nullb0,xvda,w')
	[ "${disks[*]}" = none ] && disks=()
	kdir=$(domu_kernel_dir "$kplat") && ramdisk=$(domu_ramdisk "$kplat") || return 1
	[ -f "$ramdisk" ] ||
		cat "$kdir/domu-base.cpio" "$kdir/domu-overlay.cpio" > "$ramdisk" || return 1
	echo "name = \"$name\""
	echo 'type = "pv"'
	echo "kernel = \"$kdir/vmlinux\""
	echo "ramdisk = \"$ramdisk\""
	# Words with '=' or ',' travel in vbmq.* args; '+' stands for a space.
	# cryptomgr.notests: no crypto self-tests at every boot (seconds under
	# TCG, and nothing here tests the crypto API).
	echo "extra = \"console=hvc0 loglevel=4 cryptomgr.notests vbmq.scen=$VBMQ_SCEN vbmq.name=$name vbmq.script=$script vbmq.frontend=$frontend vbmq.fe_params=${fe_params// /+} vbmq.args=${args// /+}\""
	echo "memory = $mem"
	echo "vcpus = $vcpus"
	[ -z "$cpus" ] || echo "cpus = \"$cpus\""
	printf 'disk = [ '
	for d in ${disks[@]+"${disks[@]}"}; do printf "'%s', " "$d"; done
	echo ']'
	echo 'on_poweroff = "destroy"'
	echo 'on_crash = "destroy"'
}

# domu_start NAME [KEY=VALUE...]: create a PV domU from the test bed image
# (options as domu_config, and fe_key=KEY=VALUE, repeatable: written into
# every disk's frontend directory while the domU is still paused, e.g.
# trusted=0, which xl's disk spec cannot set in Xen 4.17), and wait until
# its init runs (domu_boot).
domu_start() { domu_boot "$1" domu_create "$@"; }

# domu_create NAME [KEY=VALUE...]: domu_start without the wait
domu_create() {
	local name=$1 cfg=$VBMQ_RUN/$1.cfg opts=() fe_keys=() kv dom v
	shift
	for kv in "$@"; do
		case $kv in
		fe_key=*=*) fe_keys+=("${kv#*=}") ;;
		*) opts+=("$kv") ;;
		esac
	done
	domu_config "$name" "${opts[@]}" > "$cfg" || return 1
	echo "$name" >> "$VBMQ_RUN/started-$VBMQ_SCEN"
	sed -i "/^$name\$/d" "$VBMQ_RUN/relayed-$VBMQ_SCEN" 2>/dev/null
	[ ${#fe_keys[@]} -gt 0 ] || { xl create "$cfg"; return; }
	xl create -p "$cfg" || return 1
	dom=$(domid "$name") || return 1
	for v in $(xenstore-list "/local/domain/$dom/device/vbd"); do
		for kv in "${fe_keys[@]}"; do
			xenstore-write "/local/domain/$dom/device/vbd/$v/${kv%%=*}" "${kv#*=}" ||
				return 1
		done
	done
	xl unpause "$name"
}

# DOMU_INIT_WAIT: seconds domu_boot waits for a domU's init (a quiet boot
# to init takes 6-10 s here; a slower one is left to the scenario's waits)
DOMU_INIT_WAIT=30

# domu_init_ran NAME: the domU's init has written to its console (every
# marker line comes from domu-init or the scenario's domU script)
domu_init_ran() { grep -q '@@VBMQ ' "$VBMQ_CONSOLE_DIR/guest-$1.log" 2>/dev/null; }

# domu_boot NAME CMD...: run CMD, which creates and starts domain NAME, and
# wait until the domU's init runs or DOMU_INIT_WAIT passes.  When its kernel
# panicked before its init ran (the domain is gone, its console has a panic
# and no marker line), say why and run CMD once more: no test code has run
# in the guest by then, and 6.12 guests on Xen 4.17 under QEMU TCG sometimes
# oops at boot while patching their own text (docs/testbed.md, "Platforms").
# Messages go to stderr (the callers run it under step: diagnostics).
domu_boot() {
	local name=$1 log=$VBMQ_CONSOLE_DIR/guest-$1.log try
	shift
	for try in 1 2; do
		rm -f "$log"
		"$@" || return 1
		wait_for "$DOMU_INIT_WAIT" domu_init_or_gone "$name"
		domu_init_ran "$name" && return 0
		domu_gone "$name" && grep -q 'Kernel panic' "$log" 2>/dev/null ||
			return 0
		{
			echo "domU $name: its kernel panicked before its init ran (boot $try of 2):"
			tr -d '\r' < "$log" | grep -E 'Oops|RIP:|Kernel panic' | head -4
		} >&2
	done
	echo "domU $name: no boot reached its init" >&2
	return 1
}

domu_init_or_gone() { domu_init_ran "$1" || domu_gone "$1"; }

# domu_relay NAME: copy a domU's console log into dom0's result stream.  Its
# marker lines keep their kind; everything else becomes a diagnostic.
domu_relay() {
	local log=$VBMQ_CONSOLE_DIR/guest-$1.log
	echo "$1" >> "$VBMQ_RUN/relayed-$VBMQ_SCEN"
	[ -f "$log" ] || { note "domU $1 left no console log"; return 0; }
	tr -d '\r' < "$log" | sed -n \
		-e "s/^.*@@VBMQ \(OK\|NOTOK\|DIAG\|STEP\|DOMU-END\) [^ ]* /@@VBMQ \1 $VBMQ_SCEN /p" \
		-e "/@@VBMQ /!s|^|@@VBMQ DIAG $VBMQ_SCEN [$1 console] |p"
}

# domu_wait NAME [SECONDS]: wait for a domU to power off, relay its results,
# and fail (destroying it) if it does not finish in time or ended without
# finishing its script.
domu_wait() {
	local name=$1 t=${2:-300} log=$VBMQ_CONSOLE_DIR/guest-$1.log rc=0 t0=$SECONDS
	wait_for "$t" domu_gone "$name" || rc=1
	took "$t0" "domU $name ran until it powered off"
	if [ "$rc" != 0 ]; then
		xl destroy "$name" 2>/dev/null
		domu_relay "$name"
		fail "domU $name powered off within ${t}s (destroyed)"
		return 1
	fi
	sleep 0.2	# let xenconsoled write the last lines
	domu_relay "$name"
	if grep -q '@@VBMQ DOMU-END' "$log" 2>/dev/null; then
		pass "domU $name ran its script to the end"
	else
		fail "domU $name ran its script to the end (it stopped early: crash or panic?)"
		rc=1
	fi
	return "$rc"
}

# domu_relay_all: relay every domU of this scenario not relayed yet, still
# running or gone (what a killed scenario's guests got to before the time
# limit; a guest that crashed is destroyed, on_crash, but its log stays)
domu_relay_all() {
	local n
	for n in $(sort -u "$VBMQ_RUN/started-$VBMQ_SCEN" 2>/dev/null); do
		grep -q -x "$n" "$VBMQ_RUN/relayed-$VBMQ_SCEN" 2>/dev/null && continue
		domid "$n" >/dev/null 2>&1 || note "domU $n is gone (powered off, or crashed and destroyed)"
		domu_relay "$n"
	done
}

domu_gone() { ! domid "$1" >/dev/null 2>&1; }

# domu_destroy_all: no domU left (cleanup between scenarios)
domu_destroy_all() {
	local d
	for d in $(xl list 2>/dev/null | awk 'NR > 2 { print $1 }'); do
		xl destroy "$d" 2>/dev/null
	done
}

# domid NAME: a domain's id, from xenstore (cheaper than xl, and xl may
# wait on its own locks while another xl command runs).  The last answer
# for NAME is kept in VBMQ_RUN and checked with one read; a lookup reads
# every domain's name at once (each process counts: see pause in lib.sh).
domid() {
	local cache=$VBMQ_RUN/domid-$1 d ids paths=() names out i
	if [ -f "$cache" ] && read -r d < "$cache" &&
		[ "$(xenstore-read "/local/domain/$d/name" 2>/dev/null)" = "$1" ]; then
		echo "$d"
		return 0
	fi
	ids=$(xenstore-list /local/domain 2>/dev/null)
	for d in $ids; do paths+=("/local/domain/$d/name"); done
	# a domain that went meanwhile fails the read: ask one by one then
	out=$(xenstore-read "${paths[@]}" 2>/dev/null) ||
		out=$(for d in $ids; do
			xenstore-read "/local/domain/$d/name" 2>/dev/null || echo
		done)
	mapfile -t names <<<"$out"
	i=0
	for d in $ids; do
		if [ "${names[i]:-}" = "$1" ]; then
			echo "$d" > "$cache"
			echo "$d"
			return 0
		fi
		i=$((i + 1))
	done
	echo "domid: no domain named '$1'" >&2
	return 1
}

# be_dir NAME [VDEV]: the backend directory of a domU's disk
be_dir() { echo "/local/domain/0/backend/vbd/$(domid "$1")/${2:-51712}"; }
# fe_dir NAME [VDEV]: the frontend directory of a domU's disk
fe_dir() { echo "/local/domain/$(domid "$1")/device/vbd/${2:-51712}"; }

# vbd_connected NAME [VDEV]: both ends of the disk are in state 4 (Connected)
vbd_connected() {
	local d v=${2:-51712}
	d=$(domid "$1") || return 1
	[ "$(xenstore-read "/local/domain/0/backend/vbd/$d/$v/state" \
		"/local/domain/$d/device/vbd/$v/state" 2>/dev/null)" = $'4\n4' ]
}

# threads_named PATTERN: pids of kernel threads whose comm matches the
# shell pattern
threads_named() {
	local c comm
	for c in /proc/[0-9]*/comm; do
		# read, not $(cat): a fork per process is seconds under TCG
		{ read -r comm < "$c"; } 2>/dev/null || continue
		# shellcheck disable=SC2053
		[[ $comm == $1 ]] && { c=${c#/proc/}; echo "${c%/comm} $comm"; }
	done
}

# domu_signal NAME KEY [VALUE]: tell a domU (see signal/wait_signal in lib.sh)
domu_signal() {
	xenstore-write "/local/domain/$(domid "$1")/data/vbmq/$2" "${3:-1}"
}
# domu_wait_signal NAME KEY [SECONDS]: wait until a domU set KEY
domu_wait_signal() {
	local d
	d=/local/domain/$(domid "$1")/data/vbmq/$2
	wait_for "${3:-120}" xenstore-read "$d" >/dev/null 2>&1
}
