# domU half of interop-matrix: for each cell N, dom0 has detached the disk
# and names the frontend (data/vbmq/cell-N: "FRONTEND BACKEND OFFSET_MIB",
# or "end"); this side makes it the only frontend loaded (swapped-N), waits
# for dom0 to attach the disk again, checks the rings, runs fio verify and
# writes a random pattern for dom0 to read back (done-N: "pass|fail MD5").
signal ready "$(uname -r)"

# frontend_only MODULE: MODULE the only blkif frontend loaded
frontend_only() {
	local m
	# the detached disk's device leaves first
	wait_for 30 test ! -e /sys/bus/xen/devices/vbd-51712 || return 1
	for m in xen-blkfront vbmq-blkfront; do
		[ "$m" = "$1" ] || unload_module "$m" || return 1
	done
	grep -q "^${1//-/_} " /proc/modules || load_module "$1"
}
# cell_fio OFFSET_MIB: write + crc32c verify, O_DIRECT, one job per vCPU
# (so every ring carries requests): 4 KiB random, then 128 KiB sequential
# (indirect segments), 4 MiB per job
cell_fio() {
	cat > /tmp/cell.fio <<FIO
[global]
filename=/dev/xvda
ioengine=libaio
direct=1
iodepth=8
numjobs=$(nproc)
cpus_allowed=0-$(($(nproc) - 1))
cpus_allowed_policy=split
size=4m
offset_increment=4m
verify=crc32c
do_verify=1
verify_fatal=1
verify_state_save=0
randrepeat=0
[rand4k]
rw=randwrite
bs=4k
offset=${1}m
[seq128k]
stonewall
rw=write
bs=128k
offset=$(($1 + 8))m
FIO
	fio --group_reporting=1 --eta=never /tmp/cell.fio
}

n=0
while cell=$(wait_signal "cell-$n" 600); do
	[ "$cell" = end ] && break
	read -r fe be off <<<"$cell"
	mod=$(frontend_module "$fe")
	d="cell $n ($mod on $(uname -r), dom0's $be backend)"
	fails=$VBMQ_FAILS
	step "$d: $mod is the only frontend loaded" 60 frontend_only "$mod"
	signal "swapped-$n"
	md5=none
	if ok "$d: /dev/xvda appears" wait_for 90 test -b /dev/xvda; then
		is "$d: xvda is $mod's" \
			"$(basename "$(readlink /sys/block/xvda/device/driver/module)")" "${mod//-/_}"
		is "$d: /sys/block/xvda/mq has a hardware queue per vCPU" "$(ls /sys/block/xvda/mq | wc -l)" "$(nproc)"
		step "$d: fio write + crc32c verify, 4 KiB random and 128 KiB sequential" 120 \
			cell_fio "$off"
		dd if=/dev/urandom of=/tmp/pattern bs=1M count=4 2>/dev/null
		md5=$(md5sum < /tmp/pattern | cut -d' ' -f1)
		step "$d: 4 MiB random pattern written at $((off + 16)) MiB, O_DIRECT" 60 \
			dd if=/tmp/pattern of=/dev/xvda bs=1M seek=$((off + 16)) oflag=direct conv=fsync
		rm -f /tmp/pattern
		grep -E 'xvda|blkif' /proc/interrupts | diag_file /dev/stdin
	fi
	verdict=pass
	[ "$VBMQ_FAILS" = "$fails" ] || verdict=fail
	signal "done-$n" "$verdict $md5"
	n=$((n + 1))
done
