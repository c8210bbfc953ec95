# summary: vbmq-blkback's disk configuration and frontend keys: bad ring keys from the test frontend refused (no connection, error node and log name the key), a read-only disk (in-tree blkfront: ro, reads work, writes fail; test frontend: WRITEs answered ERROR; dom0's data unchanged), an online resize of a loop device followed by the domU, a 4 KiB-sector disk
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300
#
# The bad keys are rounds in one domU running vbmq-testfront, reloaded with
# set_key or omit_key for each (docs/testbed.md); the other domUs are the in-tree
# xen-blkfront, except the read-only one with the test frontend, which can
# send a WRITE the block layer above xen-blkfront would never let through.
. /vbmq/scenarios/vbmq-blkback.lib
# fatal_says TEXT: xenbus_dev_fatal's error node has TEXT
fatal_says() { xenstore-read "$(error_node)" 2>/dev/null | grep -q -- "$1"; }
# dev_logged TEXT: dom0's log has TEXT from this domain's disk $devid
# (default xvda)
dev_logged() { dmesg | grep "vbd-$domid-${devid:-51712}" | grep -q -- "$1"; }
head_md5() {
	dd if="$1" bs=1M count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1
}
be_sectors_are() { [ "$(xenstore-read "$be/sectors" 2>/dev/null)" = "$1" ]; }

# refused WHAT TEXT FE_PARAMS...: one round in the domU refd: its test
# frontend, reloaded with FE_PARAMS (one bad value or a missing key), gets
# the next disk (xvdb, xvdc, ...: a fresh backend directory, error node and
# log name per round); the backend must not connect, and its error node and
# dom0's log must say TEXT.  The disk is detached after the round.
round=0 letters=bcdefghijk
refused() {
	local what=$1 text=$2 vdev
	shift 2
	round=$((round + 1))
	vdev=xvd${letters:round-1:1}
	devid=$((51712 + 16 * round))
	be=$(be_dir refd "$devid")
	domu_signal refd "load-$round" "protocol=x86_64-abi $*"
	ok "$vdev: the test frontend reloaded to offer $what" \
		domu_wait_signal refd "loaded-$round" 60
	step "$vdev: xl block-attach" 60 xl block-attach refd "phy:/dev/nullb0,$vdev,w"
	ok "$vdev: the backend refuses: it goes to Closing or Closed" \
		wait_for 60 be_state_in 5 6
	ok "$vdev: the error node says '$text'" wait_for 10 fatal_says "$text"
	xenstore-read "$(error_node)" 2>&1 | diag_file /dev/stdin
	ok "$vdev: dom0's log says '$text'" dev_logged "$text"
	ok "$vdev: the backend never published sectors" \
		sh -c "! xenstore-read $be/sectors"
	ok "$vdev: no ring thread" no_ring_threads
	ok "$vdev: the backend reaches Closed" wait_for 30 be_state_in 6
	ok "$vdev: the test frontend saw the refusal" \
		domu_wait_signal refd "refused-$round" 60
	step "$vdev: xl block-detach" 60 xl block-detach refd "$vdev"
}

step "null_blk backing device (write cache, discard)" 30 nullb_setup cache_size=64 discard=1
step "vbmq-blkback loads" 30 backend_use vbmq
order=$(cat /sys/module/vbmq_blkback/parameters/max_ring_page_order)

# ---- bad ring keys: each refused with a message naming the key, in one
# domU whose test frontend is reloaded for each
step "domU refd: the test frontend, no disk yet" 60 \
	domu_start refd vcpus=1 frontend=testfront disk=none \
	fe_params="protocol=x86_64-abi" args=refused
domid=$(domid refd)
refused "multi-queue-num-queues 0" "multi-queue-num-queues is not a number in 1.." \
	set_key=multi-queue-num-queues=0
refused "multi-queue-num-queues 33 (no backend offers more than 32)" \
	"multi-queue-num-queues is not a number in 1.." set_key=multi-queue-num-queues=33
refused "multi-queue-num-queues 'two'" "multi-queue-num-queues is not a number in 1.." \
	set_key=multi-queue-num-queues=two
refused "ring-page-order $((order + 1)) (max_ring_page_order is $order)" \
	"ring-page-order is not a number in 0..$order" set_key=ring-page-order=$((order + 1))
refused "protocol vax-abi" 'protocol "vax-abi" is unknown' set_key=protocol=vax-abi
refused "no ring-ref" "ring-ref is missing" omit_key=ring-ref
refused "no event-channel" "event-channel is missing" omit_key=event-channel
domu_signal refd "load-$((round + 1))" "done"
domu_wait refd 120
unset devid
ok "dom0 stays healthy: xl list answers" xl list

# ---- one in-tree xen-blkfront domU, three disks: xvda read-only on
# null_blk, xvdb a loop device dom0 grows online (64 to 96 MiB), xvdc a
# second null_blk (configfs) with 4 KiB sectors; also proving that a good
# frontend still connects after the refusals
step "dom0 writes 16 MiB of random data to null_blk" 60 \
	dd if=/dev/urandom of=/dev/nullb0 bs=1M count=16 oflag=direct
before=$(head_md5 /dev/nullb0)
mnt=$VBMQ_RUN/vbmq-resize
loop_ready() {
	{ modprobe loop || test -e /dev/loop-control; } &&
		mkdir -p "$mnt" && mount -t tmpfs -o size=160m tmpfs "$mnt" &&
		truncate -s 64M "$mnt/disk"
}
step "loop module, 64 MiB file in a tmpfs" 30 loop_ready
lo=$(losetup -f)
step "losetup $lo on it" 30 losetup "$lo" "$mnt/disk"
s4k=/sys/kernel/config/nullb/s4k
nullb_4k() {
	{ grep -q configfs /proc/mounts || mount -t configfs none /sys/kernel/config; } &&
		mkdir "$s4k" && echo 4096 > "$s4k/blocksize" && echo 32 > "$s4k/size" &&
		echo 1 > "$s4k/memory_backed" && echo 1 > "$s4k/power"
}
step "a second null_blk (configfs), 32 MiB with 4 KiB sectors" 30 nullb_4k
# The disk takes its configfs directory's name (since 5.19; nullbINDEX before)
dev4k=/dev/s4k
[ -b "$dev4k" ] || dev4k=/dev/nullb$(cat "$s4k/index")
step "domU disks: in-tree xen-blkfront, xvda read-only, xvdb $lo, xvdc $dev4k" 60 \
	domu_start disks vcpus=1 frontend=upstream disk=phy:/dev/nullb0,xvda,r \
	disk="phy:$lo,xvdb,w" disk="phy:$dev4k,xvdc,w" args="disks"
domid=$(domid disks)
for devid in 51712 51728 51744; do
	ok "disks: disk $devid connects" wait_for 60 vbd_connected disks "$devid"
done

devid=51712
be=$(be_dir disks)
is "ro: the toolstack wrote mode r" "$(xenstore-read "$be/mode")" r
info=$(xenstore-read "$be/info")
ok "ro: the backend's info has VDISK_READONLY (4): $info" test $((${info:-0} & 4)) = 4
ok "ro: dom0's log says the disk is read-only" dev_logged "read-only"
domu_signal disks dom0-md5 "$before"

devid=51728
be=$(be_dir disks "$devid")
is "rs: the backend publishes 131072 sectors" "$(xenstore-read "$be/sectors")" 131072
ok "rs: the domU saw the first size" domu_wait_signal disks sized 120
step "grow the file to 96 MiB, losetup -c" 30 \
	sh -c "truncate -s 96M '$mnt/disk' && losetup -c '$lo'"
t0=$(date +%s)
ok "rs: the backend's sectors follow (196608) within 10 s" wait_for 10 be_sectors_are 196608
note "sectors followed after about $(($(date +%s) - t0)) s"
ok "rs: dom0's log says the disk was resized" dev_logged "resized from 131072 to 196608"
domu_signal disks grown
ok "rs: the domU wrote and read the new tail" domu_wait_signal disks tail 120
want=$(xenstore-read "/local/domain/$domid/data/vbmq/tail")
got=$(dd if="$lo" bs=1M skip=95 count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
is "rs: dom0 reads from the loop device the tail the domU wrote" "$got" "${want:-none}"

devid=51744
be=$(be_dir disks "$devid")
is "s4k: sector-size 4096" "$(xenstore-read "$be/sector-size")" 4096
is "s4k: physical-sector-size 4096" "$(xenstore-read "$be/physical-sector-size")" 4096
is "s4k: sectors still counts 512-byte units (32 MiB)" "$(xenstore-read "$be/sectors")" 65536
ok "s4k: the domU wrote 1 MiB at 1 MiB" domu_wait_signal disks written 120
want=$(xenstore-read "/local/domain/$domid/data/vbmq/written")
got=$(dd if="$dev4k" bs=1M skip=1 count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
is "s4k: dom0 reads what the domU wrote" "$got" "${want:-none}"
domu_signal disks dom0-checked
domu_wait disks 180
unset devid
is "ro: null_blk's first 16 MiB unchanged" "$(head_md5 /dev/nullb0)" "$before"
ok "no ring thread is left" wait_for 10 no_ring_threads
step "loop device, tmpfs and the 4 KiB null_blk released" 30 \
	sh -c "losetup -d '$lo' && umount '$mnt' && echo 0 > '$s4k/power' && rmdir '$s4k'"

step "domU rotf: test frontend, disk attached read-only" 60 \
	domu_start rotf vcpus=1 frontend=testfront disk=phy:/dev/nullb0,xvda,r \
	fe_params="protocol=x86_64-abi program=readonly" args=testfront
ok "rotf: xvda connects" wait_for 60 vbd_connected rotf
domid=$(domid rotf)
be=$(be_dir rotf)
ok "rotf: the test frontend ran its program" domu_wait_signal rotf programs-done 120
diag_dir "$(ringdir 0)"
ok "rotf: the backend answered ERROR at least twice" test "$(ring_field 0 err_rsp)" -ge 2
ok "rotf: dom0's log says why" dmesg_has "refused: write to a read-only disk"
is "rotf: the refusals did not halt the ring" "$(ring_field 0 halted)" 0
ok "rotf: xvda still connected" vbd_connected rotf
domu_signal rotf dom0-checked
domu_wait rotf 120
is "rotf: null_blk's first 16 MiB unchanged" "$(head_md5 /dev/nullb0)" "$before"

step "vbmq-blkback unloads once no disk is left" 30 rmmod vbmq-blkback
