# summary: dom0 installed with make install binds vbd to vbmq-blkback at boot (modules-load.d, modprobe.d); host-built modules load and unload cleanly
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=60

# dom0-init booted as a host with vbmq installed: modules-load.d, then a
# script's and udev's requests for a vbd backend (/run/vbmq-boot-modules).
diag_file /run/vbmq-boot-modules
ok "vbmq-blkback was installed for the running kernel (make install, depmod)" \
	modinfo -n vbmq-blkback
ok "the boot loaded vbmq-blkback (/etc/modules-load.d/vbmq-blkback.conf)" \
	grep -qx vbmq_blkback /run/vbmq-boot-modules
ok "modprobe xen-blkback and modprobe xen-backend:vbd succeeded at boot" \
	sh -c "! grep -q failed /run/vbmq-boot-modules"
ok "neither brought in xen-blkback (/etc/modprobe.d/vbmq-blkback.conf)" \
	sh -c "! grep -qx xen_blkback /run/vbmq-boot-modules"

# The way back the modprobe.d file documents, and its fallback: with
# vbmq-blkback gone from the module tree, modprobe xen-blkback loads the
# in-tree driver, so dom0 keeps a block backend.
unload_module vbmq-blkback
ko=$(modinfo -n vbmq-blkback)
mv "$ko" /run/vbmq-blkback.ko.away && depmod
step "modprobe xen-blkback without vbmq-blkback installed" 30 modprobe xen-blkback
ok "the in-tree xen-blkback loaded instead" grep -q '^xen_blkback ' /proc/modules
unload_module xen-blkback
mv /run/vbmq-blkback.ko.away "$ko" && depmod
step "modprobe xen-blkback with vbmq-blkback installed again" 30 modprobe xen-blkback
ok "vbmq-blkback loaded, not xen-blkback" \
	sh -c "grep -q '^vbmq_blkback ' /proc/modules && ! grep -q '^xen_blkback ' /proc/modules"
unload_module vbmq-blkback

for ko in /vbmq/modules/*.ko; do
	m=$(basename "$ko" .ko)
	note "$(modinfo "$ko" | grep -E '^(vermagic|name|description):' | tr '\n' ' ')"
	is "$m was built for the running kernel" \
		"$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$(uname -r)"
	# A frontend does not bind in dom0 (no vbd frontends there) but loads.
	unload_module xen-blkback
	unload_module vbmq-blkback
	step "$m loads" 30 insmod "$ko"
	ok "$m is listed in /proc/modules" grep -q "^${m//-/_} " /proc/modules
	step "$m unloads" 30 rmmod "$m"
	ok "$m is gone from /proc/modules" sh -c "! grep -q '^${m//-/_} ' /proc/modules"
done
