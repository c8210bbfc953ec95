# summary: vbmq-blkback's disk configuration and frontend keys: bad ring keys from the test frontend refused (no connection, error node and log name the key), a read-only disk (in-tree blkfront: ro, reads work, writes fail; test frontend: WRITEs answered ERROR; dom0's data unchanged), an online resize of a loop device followed by the domU, a 4 KiB-sector disk
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=510
#
# Each bad key gets its own short domU running vbmq-testfront with set_key
# or omit_key (docs/testbed.md); the other domUs are the in-tree
# xen-blkfront, except the read-only one with the test frontend, which can
# send a WRITE the block layer above xen-blkfront would never let through.
. /vbmq/scenarios/vbmq-blkback.lib
# fatal_says TEXT: xenbus_dev_fatal's error node has TEXT
fatal_says() { xenstore-read "$(error_node)" 2>/dev/null | grep -q -- "$1"; }
# dev_logged TEXT: dom0's log has TEXT from this domain's xvda backend
dev_logged() { dmesg | grep "vbd-$domid-51712" | grep -q -- "$1"; }
head_md5() {
	dd if="$1" bs=1M count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1
}
be_sectors_are() { [ "$(xenstore-read "$be/sectors" 2>/dev/null)" = "$1" ]; }

# refused NAME WHAT TEXT FE_PARAMS...: a test frontend domU whose ring keys
# have one bad value or a missing key; the backend must not connect, and its
# error node and dom0's log must say TEXT
refused() {
	local name=$1 what=$2 text=$3
	shift 3
	step "domU $name: the test frontend offers $what" 60 domu_start "$name" \
		vcpus=1 frontend=testfront fe_params="protocol=x86_64-abi $*" args=refused
	domid=$(domid "$name")
	be=$(be_dir "$name")
	ok "$name: the backend refuses: it goes to Closing or Closed" \
		wait_for 60 be_state_in 5 6
	ok "$name: the error node says '$text'" wait_for 10 fatal_says "$text"
	xenstore-read "$(error_node)" 2>&1 | diag_file /dev/stdin
	ok "$name: dom0's log says '$text'" dev_logged "$text"
	ok "$name: the backend never published sectors" \
		sh -c "! xenstore-read $be/sectors"
	ok "$name: no ring thread" no_ring_threads
	ok "$name: the backend reaches Closed" wait_for 30 be_state_in 6
	domu_signal "$name" dom0-checked
	domu_wait "$name" 120
}

step "null_blk backing device (write cache, discard)" 30 nullb_setup cache_size=64 discard=1
step "vbmq-blkback loads" 30 backend_use vbmq
order=$(cat /sys/module/vbmq_blkback/parameters/max_ring_page_order)

# ---- bad ring keys: each refused with a message naming the key
refused q0 "multi-queue-num-queues 0" "multi-queue-num-queues is not a number in 1.." \
	set_key=multi-queue-num-queues=0
refused q33 "multi-queue-num-queues 33 (no backend offers more than 32)" \
	"multi-queue-num-queues is not a number in 1.." set_key=multi-queue-num-queues=33
refused qx "multi-queue-num-queues 'two'" "multi-queue-num-queues is not a number in 1.." \
	set_key=multi-queue-num-queues=two
refused order "ring-page-order $((order + 1)) (max_ring_page_order is $order)" \
	"ring-page-order is not a number in 0..$order" set_key=ring-page-order=$((order + 1))
refused proto "protocol vax-abi" 'protocol "vax-abi" is unknown' set_key=protocol=vax-abi
refused noref "no ring-ref" "ring-ref is missing" omit_key=ring-ref
refused noevt "no event-channel" "event-channel is missing" omit_key=event-channel
ok "dom0 stays healthy: xl list answers" xl list

# ---- read-only disk; the in-tree frontend first, also proving that a good
# frontend still connects after the refusals
step "dom0 writes 16 MiB of random data to null_blk" 60 \
	dd if=/dev/urandom of=/dev/nullb0 bs=1M count=16 oflag=direct
before=$(head_md5 /dev/nullb0)
step "domU ro: in-tree xen-blkfront, disk attached read-only" 60 \
	domu_start ro vcpus=1 frontend=upstream disk=phy:/dev/nullb0,xvda,r args=ro
ok "ro: xvda connects" wait_for 60 vbd_connected ro
domid=$(domid ro)
be=$(be_dir ro)
is "ro: the toolstack wrote mode r" "$(xenstore-read "$be/mode")" r
info=$(xenstore-read "$be/info")
ok "ro: the backend's info has VDISK_READONLY (4): $info" test $((${info:-0} & 4)) = 4
ok "ro: dom0's log says the disk is read-only" dev_logged "read-only"
domu_signal ro dom0-md5 "$before"
domu_wait ro 180
is "ro: null_blk's first 16 MiB unchanged" "$(head_md5 /dev/nullb0)" "$before"

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

# ---- online resize: a loop device on a tmpfs file grows from 64 to 96 MiB
mnt=$VBMQ_RUN/vbmq-resize
loop_ready() {
	{ modprobe loop || test -e /dev/loop-control; } &&
		mkdir -p "$mnt" && mount -t tmpfs -o size=160m tmpfs "$mnt" &&
		truncate -s 64M "$mnt/disk"
}
step "loop module, 64 MiB file in a tmpfs" 30 loop_ready
lo=$(losetup -f)
step "losetup $lo on it" 30 losetup "$lo" "$mnt/disk"
step "domU rs: in-tree xen-blkfront on $lo" 60 \
	domu_start rs vcpus=1 frontend=upstream disk="phy:$lo,xvda,w" args=resize
ok "rs: xvda connects" wait_for 60 vbd_connected rs
domid=$(domid rs)
be=$(be_dir rs)
is "rs: the backend publishes 131072 sectors" "$(xenstore-read "$be/sectors")" 131072
ok "rs: the domU saw the first size" domu_wait_signal rs sized 120
step "grow the file to 96 MiB, losetup -c" 30 \
	sh -c "truncate -s 96M '$mnt/disk' && losetup -c '$lo'"
t0=$(date +%s)
ok "rs: the backend's sectors follow (196608) within 10 s" wait_for 10 be_sectors_are 196608
note "sectors followed after about $(($(date +%s) - t0)) s"
ok "rs: dom0's log says the disk was resized" dev_logged "resized from 131072 to 196608"
domu_signal rs grown
ok "rs: the domU wrote and read the new tail" domu_wait_signal rs tail 120
want=$(xenstore-read "/local/domain/$domid/data/vbmq/tail")
got=$(dd if="$lo" bs=1M skip=95 count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
is "rs: dom0 reads from the loop device the tail the domU wrote" "$got" "${want:-none}"
domu_signal rs dom0-checked
domu_wait rs 120
ok "no ring thread is left" wait_for 10 no_ring_threads
step "loop device and tmpfs released" 30 sh -c "losetup -d '$lo' && umount '$mnt'"

# ---- a disk with 4 KiB sectors: sector-size and physical-sector-size reach
# the frontend, and whole-sector I/O reaches the device intact
step "null_blk with 4 KiB sectors" 30 nullb_setup bs=4096
step "domU s4k: in-tree xen-blkfront on the 4 KiB-sector disk" 60 \
	domu_start s4k vcpus=1 frontend=upstream args=sector4k
ok "s4k: xvda connects" wait_for 60 vbd_connected s4k
be=$(be_dir s4k)
is "s4k: sector-size 4096" "$(xenstore-read "$be/sector-size")" 4096
is "s4k: physical-sector-size 4096" "$(xenstore-read "$be/physical-sector-size")" 4096
is "s4k: sectors still counts 512-byte units (1 GiB)" "$(xenstore-read "$be/sectors")" 2097152
ok "s4k: the domU wrote 1 MiB at 1 MiB" domu_wait_signal s4k written 120
domid=$(domid s4k)
want=$(xenstore-read "/local/domain/$domid/data/vbmq/written")
got=$(dd if=/dev/nullb0 bs=1M skip=1 count=1 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
is "s4k: dom0 reads what the domU wrote" "$got" "${want:-none}"
domu_signal s4k dom0-checked
domu_wait s4k 120
step "vbmq-blkback unloads once no disk is left" 30 rmmod vbmq-blkback
