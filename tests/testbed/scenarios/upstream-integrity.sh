# summary: in-tree drivers keep data intact (fio verify, 512 B..1 MiB, unaligned sizes)
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=180

step "null_blk backing device" 30 nullb_setup
step "in-tree xen-blkback loads" 30 backend_use upstream
step "domU with 2 vCPUs is created" 60 domu_start integ vcpus=2 frontend=upstream
domu_wait integ 540

# What the guest wrote last is what dom0 reads from the backing device.
log=/var/log/xen/console/guest-integ.log
want=$(sed -n 's/.*pattern md5=\([0-9a-f]*\) offset=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2 \3/p' "$log" | tail -n1)
read -r md5 offset bytes <<<"$want"
note "guest says: md5=$md5 offset=$offset bytes=$bytes"
got=$(dd if=/dev/nullb0 bs=1M skip=$((offset / 1048576)) count=$((bytes / 1048576)) \
	iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
is "dom0 reads from null_blk the bytes the guest wrote" "$got" "${md5:-none}"
