# shellcheck shell=bash disable=SC2154  # options and helpers come from tests/bench/run
# The real-host half of tests/bench/run (sourced by it for --host xen|kvm):
# the test bed's plan, guest scripts, fio command and parser, run in this
# machine's dom0 (xen) or on this KVM host (kvm) instead of inside QEMU TCG.
#
#   xen: bench.sh (the bed's dom0 half) runs here in a staging tree that
#        stands for the bed's / (VBMQ_ROOT); its domUs boot the bed's domU
#        image with xl from the config domu_config writes.
#   kvm: bare runs through the same bench.sh; the kvm target is the bed's
#        KVM guest under QEMU -accel kvm on the real device.
# Everything the harness changes on the host (null_blk, the blkback driver,
# dom0 pinning, domUs) is undone on exit.  docs/benchmarks.md, "Real hosts".

# hrun CMD...: run CMD, or with --dry-run print it
hrun() {
	if [ "$dry_run" = 1 ]; then
		printf '+'
		printf ' %q' "$@"
		printf '\n'
	else
		"$@"
	fi
}

# dry_say TEXT: a line of the dry run's plan (nothing otherwise)
dry_say() { [ "$dry_run" = 1 ] && printf '%s\n' "$*"; return 0; }

# size_mib 128m|4g -> MiB
size_mib() {
	case $1 in
	*[kK]) echo $(( (${1%?} + 1023) / 1024 )) ;;
	*[mM]) echo "${1%?}" ;;
	*[gG]) echo $((${1%?} * 1024)) ;;
	esac
}

case $host in
xen) targets=${targets:-bare upstream vbmq vbmq-always vbmq-polled} ;;
kvm) targets=${targets:-bare kvm} ;;
esac
start_all=$(date +%s)

# ---- the options and the device: bench.py host-check validates the
# options and refuses writes to a device that holds data (exit 2 or 3;
# the message is its own)
check_args=(--host "$host" --targets "$targets" --device "$device" --size "$SIZE"
	    --io-cpus "$io_cpus" --domu-vcpus "$DOMU_VCPUS" --domu-mem "$DOMU_MEM")
[ -n "$rws" ] && check_args+=(--rw "$rws")
[ -n "$jobs" ] && check_args+=(--jobs "$jobs")
[ -n "$runtime" ] && check_args+=(--runtime "$runtime")
[ -n "$ramp" ] && check_args+=(--ramp "$ramp")
[ -n "$rounds" ] && check_args+=(--rounds "$rounds")
[ -n "$destroy_data" ] && check_args+=(--destroy-data "$destroy_data")
[ -n "$pin_dom0" ] && check_args+=(--pin-dom0 "$pin_dom0")
if [ "$device" != null_blk ] && [ ! -b "$device" ]; then
	die "--device $device: not a block device"
fi
verdict=$(python3 "$BENCH/bench.py" host-check "${check_args[@]}") || exit $?
writes_ok=$(sed -n 's/^writes_ok=//p' <<<"$verdict")
findings=$(sed -n 's/^# //p' <<<"$verdict")
MIB=$(size_mib "$SIZE")

if [ "$device" = null_blk ]; then
	DEV=/dev/nullb0
	NULLB_ARGS=(gb=$(((MIB + 1023) / 1024)) submit_queues="$DOMU_VCPUS")
else
	DEV=$device
	dev_bytes=$(($(cat "/sys/class/block/$(basename "$(readlink -f "$DEV")")/size") * 512))
	[ "$((MIB * 1048576))" -le "$dev_bytes" ] ||
		die "--size $SIZE is larger than $DEV ($((dev_bytes / 1048576)) MiB)"
fi
DISK_MODE=w
[ "$writes_ok" = 1 ] || DISK_MODE=r

# ---- the plan (in a scratch directory for a dry run: build/bench/ keeps
# the last real results)
if [ "$dry_run" = 1 ]; then
	OUT=$(mktemp -d /tmp/vbmq-bench-dry.XXXXXX)
	trap 'rm -rf "$OUT"' EXIT
else
	rm -rf "$OUT"
	mkdir -p "$OUT"
fi
python3 "$BENCH/bench.py" plan "${plan_args[@]}" --targets "$targets" > "$OUT/plan"
read -r RUNTIME RAMP <<<"$(sed -n 's/^# runtime=\([0-9]*\) ramp=\([0-9]*\).*/\1 \2/p' "$OUT/plan")"
grep -v ' kvm ' "$OUT/plan" | grep -v '^#' > "$OUT/plan.xen" || true
grep '^R .* kvm ' "$OUT/plan" > "$OUT/plan.kvm" || true
nxen=$(grep -c '^R ' "$OUT/plan.xen" || true)
nkvm=$(grep -c '^R ' "$OUT/plan.kvm" || true)
nsess=$(grep -c '^S ' "$OUT/plan.xen" || true)
need_domu=0
grep -q '^S [0-9]* xen' "$OUT/plan.xen" && need_domu=1
need_vbmq=0
grep -q '^R [^ ]* vbmq' "$OUT/plan.xen" && need_vbmq=1

# ---- what the run needs: the bed's guest image (~/.cache/vbmq) unless
# given, modules for this dom0 and for the guest kernel, the tools
bed_env=""
for e in $(ls -td "$VBMQ_CACHE"/bed-*/ 2>/dev/null); do
	e=${e%/}
	[ -f "$e/.complete" ] && [ -f "$e/env" ] && { bed_env=$e/env; break; }
done
KABI="" DOMU_BASE="" DOM0_KERNEL=""
# shellcheck disable=SC1090
[ -n "$bed_env" ] && . "$bed_env"
BED=${bed_env%/env}
if [ "$host" = xen ]; then
	guest_kernel=${domu_kernel:-${BED:+$BED/vmlinux}}
else
	guest_kernel=${domu_kernel:-$DOM0_KERNEL}
fi
guest_initrd=${domu_initrd:-$DOMU_BASE}
fe_dir=${domu_modules:-${KABI:+$VBMQ_BUILD/kmod/$KABI}}
be_dir=${dom0_modules:-$VBMQ_BUILD/kmod/$(uname -r)}
# the KVM guest's virtio modules: the bed kernel's tree, or none (built in)
kvm_modtree=""
[ -z "$domu_kernel" ] && [ -n "$BED" ] && kvm_modtree=$BED/stage/lib/modules/$KABI
fio=${fio:-$(command -v fio || true)}
xlvbmq=$(command -v xl-vbmq || echo "$VBMQ_BUILD/tools/xl-vbmq")
POLL_MAX_US=32
DOMU_PREFIX=vbmq-bench-b

problems=()
need() { problems+=("$*"); }
[ "$(id -u)" = 0 ] || need "run as root (modules, block devices, xl)"
[ "$nxen" -gt 0 ] && [ ! -x "$fio" ] && need "fio: not found (install fio, or --fio PATH)"
if [ "$device" = null_blk ] && grep -qs '^null_blk ' /proc/modules; then
	need "null_blk is loaded already (its devices may be someone's): rmmod null_blk first, or give --device"
fi
if [ "$host" = xen ]; then
	grep -qs control_d /proc/xen/capabilities ||
		need "not a Xen dom0 (/proc/xen/capabilities has no control_d)"
	for c in xl xenstore-read xenstore-write xenstore-ls xenstore-list xenstore-watch; do
		command -v "$c" >/dev/null || need "$c: not found (Xen tools)"
	done
	if [ "$need_domu" = 1 ]; then
		others=$(xl list 2>/dev/null | awk 'NR > 2 { printf "%s ", $1 }' || true)
		[ -z "$others" ] ||
			need "other domains run ($others): the harness swaps dom0's blkback driver (xen-blkback <-> vbmq-blkback), which would take their disks away; run with no other domU"
		[ -f "$guest_kernel" ] || need "domU kernel: none (run tests/testbed/prepare once, or --domu-kernel)"
		[ -f "$guest_initrd" ] || need "domU image: none (run tests/testbed/prepare once, or --domu-initrd)"
		# the domUs' consoles carry their results: xenconsoled must log them
		cpid=$(pgrep -x xenconsoled | head -n1 || true)
		ccmd=$([ -n "$cpid" ] && tr '\0' ' ' < "/proc/$cpid/cmdline" || true)
		case " $ccmd " in
		*" --log=guest "* | *" --log=all "* | *" --log guest "* | *" --log all "* | *" -l guest "* | *" -l all "*) ;;
		*) need "xenconsoled does not log guest consoles (${ccmd:-not running}): set XENCONSOLED_TRACE=guest in /etc/default/xencommons (or /etc/sysconfig/xencommons) and restart xenconsoled" ;;
		esac
		CONSOLE_DIR=$(sed -n 's/.*--log-dir[= ]\([^ ]*\).*/\1/p' <<<"$ccmd")
		CONSOLE_DIR=${CONSOLE_DIR:-/var/log/xen/console}
	fi
	if [ "$need_vbmq" = 1 ]; then
		# vbmq-blkback replaces xen-blkback as the "vbd" driver for its
		# sessions: a built-in xen-blkback cannot be unloaded
		if [ -d /sys/module/xen_blkback ] && ! grep -qs '^xen_blkback ' /proc/modules; then
			need "xen-blkback is built into this dom0 kernel: vbmq-blkback cannot take the vbd devices (a kernel with CONFIG_XEN_BLKDEV_BACKEND=m is needed for the vbmq targets)"
		fi
		[ -f "$be_dir/vbmq-blkback.ko" ] ||
			need "no $be_dir/vbmq-blkback.ko: make KDIR=/lib/modules/$(uname -r)/build modules, or --dom0-modules DIR"
		[ -f "$fe_dir/vbmq-blkfront.ko" ] ||
			need "no ${fe_dir:-?}/vbmq-blkfront.ko for the domU kernel ${KABI:-?}: make KDIR=/usr/src/linux-headers-$KABI modules, or --domu-modules DIR"
	fi
	if [ -n "$pin_dom0" ]; then
		[ -x "$xlvbmq" ] || need "xl-vbmq: not found (make tools)"
	fi
else
	[ -c /dev/kvm ] || need "no /dev/kvm: not a KVM host"
	command -v qemu-system-x86_64 >/dev/null || need "qemu-system-x86_64: not found"
	if [ "$nkvm" -gt 0 ]; then
		[ -f "$guest_kernel" ] || need "guest kernel: none (run tests/testbed/prepare once, or --domu-kernel)"
		[ -f "$guest_initrd" ] || need "guest image: none (run tests/testbed/prepare once, or --domu-initrd)"
	fi
fi

# ---- the dry run: the plan and every command, then stop
if [ "$dry_run" = 1 ]; then
	echo "== vbmq benchmark on a real $host host: dry run (nothing is run or changed)"
	if [ "$device" = null_blk ]; then
		echo "device: null_blk, memory-backed, created as $DEV and removed at the end"
	else
		echo "device: $DEV ($(cat "/sys/class/block/$(basename "$(readlink -f "$DEV")")/device/model" 2>/dev/null || echo "model unknown"), $((dev_bytes / 1048576)) MiB)"
		[ -n "$findings" ] && sed 's/^/  found: /' <<<"$findings"
		[ -z "$findings" ] && echo "  found: nothing (lsblk, blkid -p, /proc/mounts, /proc/swaps)"
	fi
	if [ "$writes_ok" = 1 ]; then
		echo "writes: allowed (prefill ${MIB} MiB; domU disk read-write)"
	else
		echo "writes: none (reads only: no prefill; the domU gets the disk read-only)"
	fi
	echo "plan: $nxen runs in $nsess sessions on this host's $([ "$host" = xen ] && echo dom0 || echo CPUs), $nkvm KVM runs; ${RUNTIME}s + ${RAMP}s ramp each; targets: $targets"
	if [ ${#problems[@]} -gt 0 ]; then
		echo "a real run would stop here:"
		printf '  - %s\n' "${problems[@]}"
	fi
	echo
	echo "commands:"
fi
if [ "$dry_run" != 1 ] && [ ${#problems[@]} -gt 0 ]; then
	printf '[bench] cannot run on this host:\n' >&2
	printf '  - %s\n' "${problems[@]}" >&2
	exit 1
fi

# ---- the staging tree bench.sh runs in (VBMQ_ROOT): the bed's layout
STAGE=$OUT/host-root
HOST_ENV=(VBMQ_ROOT="$STAGE" VBMQ_RUN="$STAGE/run" VBMQ_TMP="$STAGE/run"
	  VBMQ_CONSOLE_DIR="${CONSOLE_DIR:-/var/log/xen/console}" VBMQ_SCEN=bench)
# tb_call CMD...: CMD with the bed's dom0 libraries (lib.sh, dom0.sh)
tb_call() {
	env "${HOST_ENV[@]}" bash -c '. "$VBMQ_ROOT/vbmq/lib.sh"; . "$VBMQ_ROOT/vbmq/dom0.sh"; "$@"' \
		tb_call "$@"
}
mkdir -p "$STAGE/vbmq/scenarios" "$STAGE/vbmq/modules" "$STAGE/vbmq/bench" "$STAGE/guest" \
	"$STAGE/run"
cp "$TB/guest/lib.sh" "$TB/guest/dom0.sh" "$STAGE/vbmq/"
cp "$BENCH/guest/bench.sh" "$BENCH/guest/bench.lib" "$STAGE/vbmq/scenarios/"
cp "$OUT/plan.xen" "$STAGE/vbmq/bench/plan"
{
	printf '%s=%q\n' RUNTIME "$RUNTIME" RAMP "$RAMP" SIZE "$SIZE" PREFILL 0 \
		DOMU_VCPUS "$DOMU_VCPUS" DOMU_MEM "$DOMU_MEM" IO_CPUS "$io_cpus" \
		POLL_MAX_US "$POLL_MAX_US" DEV "$DEV" NULLB 0 DISK_MODE "$DISK_MODE" \
		FIO "$fio" DOMU_PREFIX "$DOMU_PREFIX"
} > "$STAGE/vbmq/bench/conf"
if [ "$need_vbmq" = 1 ] && [ "$dry_run" != 1 ]; then
	cp "$be_dir/vbmq-blkback.ko" "$STAGE/vbmq/modules/"
fi
if [ "$need_domu" = 1 ] && [ "$dry_run" != 1 ]; then
	r=$OUT/domu-root
	mkdir -p "$r/vbmq/scenarios" "$r/vbmq/modules"
	install -m 0755 "$TB/guest/domu-init" "$r/init"
	cp "$TB/guest/lib.sh" "$r/vbmq/"
	cp "$BENCH/guest/bench.domu.sh" "$BENCH/guest/bench.lib" "$r/vbmq/scenarios/"
	[ "$need_vbmq" = 1 ] && cp "$fe_dir/vbmq-blkfront.ko" "$r/vbmq/modules/"
	mk_cpio "$r" "$STAGE/guest/domu-overlay.cpio"
	ln -sf "$(readlink -f "$guest_kernel")" "$STAGE/guest/vmlinux"
	ln -sf "$(readlink -f "$guest_initrd")" "$STAGE/guest/domu-base.cpio"
fi

# ---- undo on exit whatever was changed, in reverse order
blkback_before=$(grep -so '^xen_blkback ' /proc/modules || true)
nullb_made=0 pinned=0
host_cleanup() {
	local d
	set +e
	if [ "$need_domu" = 1 ]; then
		for d in $(xl list 2>/dev/null | awk -v p="$DOMU_PREFIX" 'NR > 2 && index($1, p) == 1 { print $1 }'); do
			xl destroy "$d"
		done
		tb_call unload_module vbmq-blkback
		[ -n "$blkback_before" ] && modprobe xen-blkback
	fi
	[ "$pinned" = 1 ] && "$xlvbmq" unpin
	[ "$nullb_made" = 1 ] && tb_call unload_module null_blk
}
if [ "$dry_run" = 1 ]; then
	undo=()
	[ "$need_domu" = 1 ] && undo+=("xl destroy ${DOMU_PREFIX}*" "rmmod vbmq-blkback")
	[ "$need_domu" = 1 ] && [ -n "$blkback_before" ] && undo+=("modprobe xen-blkback")
	[ -n "$pin_dom0" ] && undo+=("$xlvbmq unpin")
	[ "$device" = null_blk ] && undo+=("rmmod null_blk")
	[ ${#undo[@]} -eq 0 ] || (IFS=';'; echo "# on exit, undone:${undo[*]/#/ }")
else
	trap 'host_cleanup; blog "host state restored"' EXIT
fi

# ---- the backing device, prefilled when it may be written (reads then hit
# written blocks: null_blk's allocated pages, an SSD's mapped ones)
if [ "$device" = null_blk ]; then
	if [ "$dry_run" = 1 ]; then
		echo "+ nullb_setup ${NULLB_ARGS[*]}   (tests/testbed/guest/dom0.sh: $(tb_call declare -f nullb_setup |
			grep -o 'modprobe null_blk[^|]*' | sed "s/\"\$@\"/${NULLB_ARGS[*]}/"))"
	else
		tb_call nullb_setup "${NULLB_ARGS[@]}" || die "null_blk: nullb_setup ${NULLB_ARGS[*]} failed"
		nullb_made=1
	fi
fi
[ "$writes_ok" = 1 ] &&
	hrun dd if=/dev/zero of="$DEV" bs=1M count="$MIB" oflag=direct status=none
# dedicated I/O cores: dom0 vCPU i on physical CPU i of the list; the
# domUs (created with plain xl create) get the other CPUs as hard affinity
DOMU_CPUS=""
if [ -n "$pin_dom0" ]; then
	hrun "$xlvbmq" pin-dom0 --io-cpus "$pin_dom0"
	pinned=1
	ncpus=$(xl info 2>/dev/null | awk -F': ' '/^nr_cpus/ { print $2 }' || true)
	if [ -n "$ncpus" ]; then
		DOMU_CPUS=$(python3 "$BENCH/bench.py" cpus-except "$ncpus" "$pin_dom0")
	else
		DOMU_CPUS="(all CPUs but $pin_dom0)"
	fi
	dry_say "# domUs: cpus = \"$DOMU_CPUS\""
	[ "$dry_run" = 1 ] || echo "DOMU_CPUS=$DOMU_CPUS" >> "$STAGE/vbmq/bench/conf"
fi

# ---- the facts of this host
if [ "$dry_run" != 1 ]; then
	host_load() { echo "load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"; }
	dev_model=$([ "$device" = null_blk ] && echo "null_blk memory_backed" ||
		cat "/sys/class/block/$(basename "$(readlink -f "$DEV")")/device/model" 2>/dev/null ||
		echo unknown)
	{
		echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "mode=real-host"
		echo "host_kind=$host"
		echo "profile=$profile"
		echo "git_commit=$(git -C "$VBMQ_TOP" rev-parse HEAD 2>/dev/null || echo unknown)"
		echo "git_dirty=$(git -C "$VBMQ_TOP" status --porcelain -- xen-blkback xen-blkfront include lib 2>/dev/null | wc -l)"
		echo "host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
		echo "host_kernel=$(uname -r)"
		echo "device=$DEV"
		echo "device_model=$(echo $dev_model)"
		echo "device_writes=$writes_ok"
		echo "io_cpus=$io_cpus"
		echo "pin_dom0=$pin_dom0"
		echo "domu_cpus=$DOMU_CPUS"
		if [ "$host" = xen ]; then
			echo "xen_version=Xen $(xl info 2>/dev/null | awk -F': ' '/^xen_version/ { print $2 }')"
			echo "host_cpus=$(xl info 2>/dev/null | awk -F': ' '/^nr_cpus/ { print $2 }')"
			echo "dom0_vcpus=$(nproc)"
			echo "dom0_mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
		else
			echo "host_cpus=$(nproc)"
			echo "host_mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
			echo "qemu=$(qemu-system-x86_64 --version | head -n1)"
			echo "kvm_accel=kvm"
		fi
		echo "guest_kernel=$guest_kernel"
		echo "domu_vcpus=$DOMU_VCPUS"
		echo "domu_mem=$DOMU_MEM"
		echo "size=$SIZE"
		echo "runtime=$RUNTIME"
		echo "ramp=$RAMP"
		echo "host_at_start=$(host_load)"
	} > "$OUT/facts.txt"
fi

# ---- the dom0 half: the bed's bench.sh, run here; its stdout is what the
# bed's serial log would be
if [ "$nxen" -gt 0 ]; then
	limit=$((nxen * (RUNTIME + RAMP + 40) + nsess * 150 + 180))
	if [ "$dry_run" = 1 ]; then
		echo "+ env ${HOST_ENV[*]} bash -c '. lib.sh; . dom0.sh; . bench.sh' > build/bench/host-console.log   (limit ${limit}s), which runs:"
		(
			# shellcheck disable=SC1091
			. "$TB/guest/lib.sh"
			# shellcheck disable=SC1091
			. "$TB/guest/dom0.sh"
			# shellcheck disable=SC1091
			. "$BENCH/guest/bench.lib"
			VBMQ_ROOT=$STAGE VBMQ_RUN=$STAGE/run VBMQ_SCEN=bench
			shown=" "
			while read -r kind a1 a2 a3 a4 a5; do
				case $kind in
				S)
					echo "  session $a1 ($a2):"
					[ "$a2" = bare ] && continue
					be=upstream fe=upstream fep=""
					case $a2 in
					vbmq) be=vbmq fe=vbmq ;;
					vbmq-polled) be=vbmq fe=vbmq fep="poll_queues=1" ;;
					esac
					if [ "$be" = vbmq ]; then
						echo "    backend_use vbmq poll=adaptive poll_max_us=$POLL_MAX_US"
					else
						echo "    backend_use upstream"
					fi
					echo "    xl create $STAGE/run/$DOMU_PREFIX$a1.cfg"
					if [[ $shown != *" $a2 "* ]]; then
						shown+="$a2 "
						domu_config "$DOMU_PREFIX$a1" vcpus="$DOMU_VCPUS" mem="$DOMU_MEM" \
							${DOMU_CPUS:+cpus="$DOMU_CPUS"} \
							frontend="$fe" fe_params="$fep" script=bench \
							disk="phy:$DEV,xvda,$DISK_MODE" args="$RUNTIME $RAMP $SIZE" |
							sed 's/^/      | /'
					fi
					if [ "$be" = vbmq ]; then
						echo "    xenstore-write <backend>/vbmq/cpus $io_cpus; xenstore-write <backend>/vbmq/poll adaptive"
					fi ;;
				R)
					engine=libaio
					[ "$a2" = vbmq-polled ] && engine=io_uring-hipri
					if [ "$a2" = bare ]; then
						BENCH_FIO=$fio
						bench_fio_cmd "$DEV" "$a3" "$a4" "$a5" "$engine" "$RUNTIME" "$RAMP" \
							"$SIZE" "$STAGE/run/bench/fio-$a1.json"
						printf '    %s: %s:' "$a1" "$([ "$host" = xen ] && echo in dom0 || echo on the host)"
					else
						BENCH_FIO=fio
						bench_fio_cmd /dev/xvda "$a3" "$a4" "$a5" "$engine" "$RUNTIME" "$RAMP" \
							"$SIZE" "/tmp/fio-$a1.json"
						printf '    %s: in the domU:' "$a1"
					fi
					printf ' %q' "${BENCH_CMD[@]}"
					printf '\n' ;;
				esac
			done < "$OUT/plan.xen"
		)
	else
		blog "running $nxen runs in $nsess sessions in this host's $([ "$host" = xen ] && echo dom0 || echo CPUs), ${RUNTIME}s + ${RAMP}s ramp each (limit ${limit}s)"
		rc=0
		# BEGIN/END/DONE as the bed's dom0 /init prints them, for the TAP
		# summary (results.py)
		env "${HOST_ENV[@]}" timeout --kill-after=10 "$limit" bash -c \
			'. "$VBMQ_ROOT/vbmq/lib.sh"; . "$VBMQ_ROOT/vbmq/dom0.sh"
			emit BEGIN "real host $(uname -n)"
			. "$VBMQ_ROOT/vbmq/scenarios/bench.sh"
			emit END "exit status $?"; emit DONE ""' \
			</dev/null >"$OUT/host-console.log" 2>&1 &
		qpid=$!
		show_progress "$qpid" "$OUT/host-console.log" &
		wait "$qpid" || rc=$?
		wait || true
		echo "host_bench_status=$rc" >> "$OUT/facts.txt"
		python3 "$TB/lib/results.py" --serial "$OUT/host-console.log" --qemu-status 0 \
			--limit "$limit" --results "$OUT/tap" bench >"$OUT/tap.txt" 2>&1 || true
		sed 's/^/  /' "$OUT/tap.txt" >&2
	fi
fi

# ---- the KVM target: the bed's KVM guest, with KVM, on the real device
if [ "$nkvm" -gt 0 ]; then
	qargs=(qemu-system-x86_64 -accel kvm -cpu host -smp "$DOMU_VCPUS" -m "$DOMU_MEM"
	       -display none -vga none -net none -no-reboot -kernel "$guest_kernel"
	       -initrd "$OUT/kvm.cpio" -append "console=ttyS0 loglevel=4")
	ro=""
	[ "$writes_ok" = 1 ] || ro=",readonly=on"
	qargs+=(-drive "if=none,id=d0,file=$DEV,format=raw,cache=none,aio=native$ro")
	if qemu-system-x86_64 -device virtio-blk-pci,help 2>/dev/null | grep -q iothread-vq-mapping; then
		map=""
		for ((i = 0; i < DOMU_VCPUS; i++)); do
			qargs+=(-object "iothread,id=io$i")
			map+="${map:+,}{\"iothread\":\"io$i\"}"
		done
		qargs+=(-device "{\"driver\":\"virtio-blk-pci\",\"drive\":\"d0\",\"num-queues\":$DOMU_VCPUS,\"iothread-vq-mapping\":[$map]}")
		kvm_iothreads="one iothread per queue (iothread-vq-mapping)"
	else
		qargs+=(-object iothread,id=io0
			-device "virtio-blk-pci,drive=d0,num-queues=$DOMU_VCPUS,iothread=io0")
		kvm_iothreads="one iothread (this QEMU has no iothread-vq-mapping)"
	fi
	qargs+=(-monitor none -serial stdio)
	klimit=$((nkvm * (RUNTIME + RAMP + 30) + 180))
	if [ "$dry_run" = 1 ]; then
		echo "# the KVM guest image: $guest_initrd + kvm-init, bench.lib, the kvm runs, virtio modules of ${kvm_modtree:-the kernel (built in)}"
		echo "+ $(printf '%q ' "${qargs[@]}")> build/bench/kvm-serial.log   (limit ${klimit}s)"
		(
			# shellcheck disable=SC1091
			. "$BENCH/guest/bench.lib"
			while read -r _ id _ rw qd j; do
				BENCH_FIO=fio
				bench_fio_cmd /dev/vda "$rw" "$qd" "$j" libaio "$RUNTIME" "$RAMP" "$SIZE" \
					"/tmp/fio-$id.json"
				printf '    %s: in the KVM guest:' "$id"
				printf ' %q' "${BENCH_CMD[@]}"
				printf '\n'
			done < "$OUT/plan.kvm"
		)
	else
		echo "kvm_iothreads=$kvm_iothreads" >> "$OUT/facts.txt"
		kvm_image "$kvm_modtree" "$guest_initrd" "$OUT/kvm.cpio"
		blog "booting the KVM guest (QEMU kvm, virtio-blk $DOMU_VCPUS queues on $DEV): $nkvm runs (limit ${klimit}s)"
		kvm_boot "$klimit" "${qargs[@]}"
	fi
fi

if [ "$dry_run" = 1 ]; then
	echo "+ python3 tests/bench/bench.py parse --out build/bench ... (results.json, table.md, table.txt, plots)"
	exit 0
fi
echo "host_at_end=$(host_load)" >> "$OUT/facts.txt"
host_cleanup
trap - EXIT
rm -rf "$OUT/domu-root" "$OUT/kvm-root" "$OUT/kvm.cpio"
blog "parsing (total so far $(($(date +%s) - start_all))s)"
parse
blog "done in $(($(date +%s) - start_all))s; results in ${OUT#"$VBMQ_TOP"/}/"
