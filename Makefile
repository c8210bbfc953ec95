# vbmq: multi-queue Xen paravirtual block I/O with dedicated I/O cores.
#
#   make                 modules (and tools) against KDIR
#   make install         modules (under lib/modules/RELEASE/extra, depmod),
#                        the files that bind them at boot (modprobe.d,
#                        modules-load.d, an initramfs-tools hook), xl-vbmq,
#                        its man page, the block-vbmq hotplug script, the
#                        boot unit and example settings; DESTDIR and PREFIX
#                        (default /usr/local) are honoured
#   make uninstall       what make install put there
#   make dkms-install    as make install, but the modules through DKMS:
#                        sources in /usr/src/vbmq-VERSION, rebuilt for
#                        every new kernel (make dkms-uninstall)
#   make check           the full check: build matrix, unit tests, checkpatch,
#                        fuzzing (bounded), test bed scenarios; ends with
#                        "N passed, N failed"
#   make check-platforms every test bed scenario on every platform
#   make unit            unit tests only          make checkpatch   style only
#   make fuzz            run every fuzz target for FUZZ_SECONDS (default 30)
#   make testbed         test bed scenarios only (SCENARIOS="a b" to choose)
#   make shell           boot the test bed to an interactive dom0 shell
#   make demo            the cross-hypervisor benchmark (docs/benchmarks.md);
#                        make bench BENCH_ARGS=... for the longer run
#   make clean
#
# KDIR defaults to the running kernel's build directory; KDIR=... builds
# for another kernel.  Only make check and make demo use the test bed's
# kernel (their scripts install its headers).  Output goes under build/.

BUILD := $(CURDIR)/build
KDIR ?= /lib/modules/$(shell uname -r)/build
# The kernel release KDIR builds for (where make install puts the modules).
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$(KDIR)/include/generated/utsrelease.h" 2>/dev/null)
KMOD = $(BUILD)/kmod-drivers/$(KREL)
PREFIX ?= /usr/local
DESTDIR ?=
# initramfs-tools reads hooks from here and /usr/share/initramfs-tools/hooks
# (where a package puts them).
INITRAMFS_HOOK_DIR ?= /etc/initramfs-tools/hooks
# The boot binding files, each SOURCE:INSTALLED_PATH:MODE.
BINDING := dist/modprobe.d/vbmq-blkback.conf:/etc/modprobe.d/vbmq-blkback.conf:0644 \
	dist/modules-load.d/vbmq-blkback.conf:/etc/modules-load.d/vbmq-blkback.conf:0644 \
	dist/modprobe.d/vbmq-blkfront.conf:/etc/modprobe.d/vbmq-blkfront.conf:0644 \
	dist/initramfs-tools/vbmq-blkfront:$(INITRAMFS_HOOK_DIR)/vbmq-blkfront:0755
# $(call binding,N,ENTRY): field N of a BINDING entry
binding = $(word $(1),$(subst :, ,$(2)))
VERSION := $(shell cat VERSION)
DKMS_SRC := /usr/src/vbmq-$(VERSION)
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?=

.PHONY: all modules tools install install-files uninstall uninstall-files \
	dkms-src dkms-install dkms-uninstall check check-platforms unit checkpatch matrix testbed \
	shell clean demo bench fuzz kdir

all: modules tools

kdir:
	@[ -f "$(KDIR)/Makefile" ] || { \
		echo "vbmq: no kernel build tree at $(KDIR)." >&2; \
		echo "vbmq: install the running kernel's headers (Debian: apt-get install linux-headers-$$(uname -r))," >&2; \
		echo "vbmq: or name a build tree: make KDIR=/path/to/linux-headers." >&2; \
		exit 1; }

modules: kdir
	scripts/build-modules --drivers-only "$(KDIR)" "$(KMOD)"

tools:
	@if [ -f tools/xl-vbmq/Makefile ]; then \
		$(MAKE) -C tools/xl-vbmq O="$(BUILD)/tools"; fi

install: modules install-files
	$(MAKE) -C "$(KDIR)" M="$(KMOD)/src" INSTALL_MOD_PATH="$(DESTDIR)" \
		INSTALL_MOD_DIR=extra modules_install
	depmod $(if $(DESTDIR),-b "$(DESTDIR)") -a "$(KREL)"

# Everything but the modules: the boot binding files and the tool's files.
install-files: tools
	$(foreach b,$(BINDING),install -D -m $(call binding,3,$b) $(call binding,1,$b) \
		"$(DESTDIR)$(call binding,2,$b)" &&) true
	$(MAKE) -C tools/xl-vbmq O="$(BUILD)/tools" DESTDIR="$(DESTDIR)" \
		PREFIX="$(PREFIX)" install

uninstall: kdir uninstall-files
	# .ko, or .ko.xz/.ko.zst where the kernel compresses its modules
	rm -f "$(DESTDIR)/lib/modules/$(KREL)/extra/xen-blkback/vbmq-blkback.ko"* \
		"$(DESTDIR)/lib/modules/$(KREL)/extra/xen-blkfront/vbmq-blkfront.ko"*
	-rmdir "$(DESTDIR)/lib/modules/$(KREL)/extra/xen-blkback" \
		"$(DESTDIR)/lib/modules/$(KREL)/extra/xen-blkfront" 2>/dev/null
	depmod $(if $(DESTDIR),-b "$(DESTDIR)") -a "$(KREL)"

uninstall-files:
	rm -f $(foreach b,$(BINDING),"$(DESTDIR)$(call binding,2,$b)")
	$(MAKE) -C tools/xl-vbmq DESTDIR="$(DESTDIR)" PREFIX="$(PREFIX)" uninstall

# The module sources DKMS builds from (the plain Kbuild build's inputs and
# dkms.conf) in DKMS_SRC: for make dkms-install, and debian/rules's package.
dkms-src:
	rm -rf "$(DKMS_SRC)" && mkdir -p "$(DKMS_SRC)"
	cp -a Kbuild VERSION COPYING dkms.conf include lib xen-blkback \
		xen-blkfront "$(DKMS_SRC)/"

# Then DKMS builds and installs them for the running kernel.
dkms-install: install-files dkms-src
	dkms add "vbmq/$(VERSION)"
	dkms install "vbmq/$(VERSION)"

dkms-uninstall: uninstall-files
	-dkms remove "vbmq/$(VERSION)" --all
	rm -rf "$(DKMS_SRC)"

check:
	scripts/check

# Every test bed scenario on every platform (tests/testbed/platforms/),
# and dom0 and domU on different kernels: longer than make check's budget.
check-platforms:
	scripts/check platforms_all

unit:
	scripts/check unit

checkpatch:
	scripts/check checkpatch

matrix:
	scripts/check build matrix

testbed:
	tests/testbed/run $(SCENARIOS)

fuzz:
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),30) tests/fuzz/run $(FUZZ_TARGETS)

shell:
	tests/testbed/run --shell

# The benchmark (docs/benchmarks.md): demo <= 20 min here; bench = longer runs.
demo:
	tests/bench/run

bench:
	tests/bench/run --profile full $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)
