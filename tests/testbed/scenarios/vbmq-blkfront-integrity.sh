# summary: vbmq-blkfront keeps data intact (fio verify 512 B..1 MiB, discard, flush) against both backends with 1, 2 and 4 rings, persistent grants on and off, indirect on and off, untrusted (bounce); xl block-detach under fio verify with persistent grants lets every grant go, block-attach reads the data back
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=900
. /vbmq/scenarios/vbmq-blkback.lib

# A volatile cache (flush) and discard on the backing device.
step "null_blk backing device with cache and discard" 30 \
	nullb_setup cache_size=64 discard=1
step "in-tree xen-blkback loads, 4 queues" 30 backend_use upstream max_queues=4

# integrity_check NAME: the pattern the domU wrote is what dom0 reads.
integrity_check() {
	local log=/var/log/xen/console/guest-$1.log md5 offset bytes got
	read -r md5 offset bytes <<<"$(sed -n 's/.*pattern md5=\([0-9a-f]*\) offset=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2 \3/p' "$log" | tail -n1)"
	got=$(dd if=/dev/nullb0 bs=1M skip=$((offset / 1048576)) \
		count=$((bytes / 1048576)) iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
	is "$1: dom0 reads from null_blk the bytes the guest wrote" "$got" "${md5:-none}"
}

# persistent_keys NAME FE BE USED: feature-persistent as the frontend and
# the backend wrote it (read while the disk is connected), and whether the
# in-tree backend says it uses persistent grants ("using N queues, protocol
# ... persistent grants" in dom0's kernel log): yes or no.
persistent_keys() {
	local d
	wait_for 400 vbd_connected "$1" || return 1
	is "$1: frontend feature-persistent" \
		"$(xenstore-read "$(fe_dir "$1")/feature-persistent")" "$2"
	is "$1: backend feature-persistent" \
		"$(xenstore-read "$(be_dir "$1")/feature-persistent")" "$3"
	d=$(domid "$1")
	is "$1: in-tree backend uses persistent grants" "$(dmesg |
		grep "xen-blkback: backend/vbd/$d/51712: using " | tail -n1 |
		grep -q 'persistent grants' && echo yes || echo no)" "$4"
}

# grants_mapped DOMID: "ALL OTHER", the domain's grant entries that another
# domain maps now, all and besides refs 0 and 1 (the console and xenstore
# pages, which xenconsoled and xenstored map for the domain's whole life),
# from the last dump of Xen's 'g' debug key ("grant-table for remote dN",
# then one "[0xREF] ..." line per active entry); "none" without a dump.
grants_mapped() {
	xl dmesg | awk -v d="d$1" '
		/grant-table for remote d[0-9]+ / {
			match($0, /remote d[0-9]+/)
			cur = substr($0, RSTART + 7, RLENGTH - 7) == d
			if (cur) { seen = 1; all = 0; other = 0 }
			next
		}
		cur && /\[0x[0-9a-f]+\] / {
			all++
			if ($0 !~ /\[0x0*[01]\] /)
				other++
		}
		END { if (seen) print all, other; else print "none" }'
}
# no_grant_mapped DOMID: a fresh dump shows no entry besides refs 0 and 1
# (and some entry at all: the dump was parsed)
no_grant_mapped() {
	local all other
	xl debug-keys g >/dev/null 2>&1 || return 1
	sleep 0.5
	read -r all other <<<"$(grants_mapped "$1")"
	[ "$other" = 0 ] && [ "$all" -gt 0 ]
}
# pg_mapped_vbmq RINGS: vbmq-blkback's rings of $domid's xvda hold
# persistent grants
pg_mapped_vbmq() {
	local r n=0
	for ((r = 0; r < $1; r++)); do
		n=$((n + $(ring_field "$r" pg_mapped)))
	done
	[ "$n" -gt 0 ]
}

# detach_reattach NAME [CMD...]: once the domU's fio verify writes to xvda
# (it signalled detach-ready, and the caller checked the backend), xl
# block-detach xvda: the backend device goes and no grant of the domU is
# left mapped; the domU checks its side (detach-done); CMD runs (a backend
# reload), and xl block-attach brings xvda back.
detach_reattach() {
	local name=$1 d
	shift
	d=$(domid "$name")
	step "$name: xl block-detach xvda during fio verify" 60 \
		xl block-detach "$name" xvda
	ok "$name: the backend device is gone" wait_for 30 \
		test ! -e "/sys/bus/xen-backend/devices/vbd-$d-51712"
	ok "$name: no grant of the domU is mapped any more" wait_for 30 \
		no_grant_mapped "$d"
	note "$name: grant entries mapped (all, besides refs 0 and 1): $(grants_mapped "$d")"
	ok "$name: the domU saw the disk go" domu_wait_signal "$name" detach-done 300
	[ $# -eq 0 ] || step "backend for the re-attach: $*" 60 "$@"
	step "$name: xl block-attach xvda again" 60 \
		xl block-attach "$name" phy:/dev/nullb0,xvda,w
	ok "$name: xvda connects again" wait_for 120 vbd_connected "$name"
	domu_signal "$name" attached
}

# args: ring count, grant mode (an extended regex), indirect or not, then
# optionally "detach" and what to expect after the re-attach (domU half).
step "domU: 4 vCPUs, 4 rings (1 polled), indirect, persistent grants" 60 \
	domu_start rings4 vcpus=4 frontend=vbmq \
	fe_params="poll_queues=1 max_indirect_segments=256" \
	args="4 persistent indirect detach"
ok "backend advertises flush and discard" wait_for 30 \
	xenstore-read "$(be_dir rings4)/feature-flush-cache" "$(be_dir rings4)/feature-discard"
persistent_keys rings4 1 1 yes
ok "rings4: fio verify runs on xvda" domu_wait_signal rings4 detach-ready 600
detach_reattach rings4
domu_wait rings4 300
integrity_check rings4

step "domU: 1 ring, no indirect descriptors, order-0 ring, no persistent grants" 60 \
	domu_start ring1 vcpus=2 frontend=vbmq \
	fe_params="max_queues=1 max_indirect_segments=0 max_ring_page_order=0 feature_persistent=0" \
	args="1 direct noindirect"
persistent_keys ring1 0 1 no
domu_wait ring1 700
integrity_check ring1

# trusted=0 in the frontend directory: bounce buffers although the backend
# offers persistent grants and the frontend is told not to use them.
step "domU: 2 rings, untrusted backend, no persistent grants" 60 \
	domu_start untrust vcpus=2 frontend=vbmq fe_key=trusted=0 \
	fe_params="feature_persistent=0" args="2 bounce indirect"
persistent_keys untrust 0 1 no
domu_wait untrust 700
integrity_check untrust

# vbmq-blkback: 4 rings with persistent grants and indirect requests; the
# disk is detached under load and attached again to vbmq-blkback reloaded
# with 1 queue, no persistent grants and no indirect requests.
step "vbmq-blkback loads, 4 queues" 30 backend_use vbmq max_queues=4
step "domU on vbmq-blkback: 4 vCPUs, 4 rings, indirect, persistent grants" 60 \
	domu_start vb4 vcpus=4 frontend=vbmq \
	args="4 persistent indirect detach 1 direct noindirect"
ok "vbmq-blkback advertises flush and discard" wait_for 30 \
	xenstore-read "$(be_dir vb4)/feature-flush-cache" "$(be_dir vb4)/feature-discard"
ok "vb4: fio verify runs on xvda" domu_wait_signal vb4 detach-ready 600
domid=$(domid vb4)
ok "vb4: vbmq-blkback maps persistent grants" pg_mapped_vbmq 4
detach_reattach vb4 backend_use vbmq max_queues=1 feature_persistent=0 \
	max_indirect_segments=0
is "vb4: backend offers feature-persistent 0" \
	"$(xenstore-read "$(be_dir vb4)/feature-persistent")" 0
domu_wait vb4 700
integrity_check vb4

# Bounce buffers: untrusted, and vbmq-blkback offers no persistent grants.
step "vbmq-blkback loads without persistent grants" 30 \
	backend_use vbmq feature_persistent=0
step "domU on vbmq-blkback: 2 rings, indirect, untrusted backend" 60 \
	domu_start ring2vb vcpus=2 frontend=vbmq fe_key=trusted=0 \
	args="2 bounce indirect"
ok "vbmq-blkback advertises flush and discard" wait_for 30 \
	xenstore-read "$(be_dir ring2vb)/feature-flush-cache" "$(be_dir ring2vb)/feature-discard"
domu_wait ring2vb 700
integrity_check ring2vb
