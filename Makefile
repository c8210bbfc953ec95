# vbmq: multi-queue Xen paravirtual block I/O with dedicated I/O cores.
#
#   make                 modules (and tools) against KDIR
#   make check           the full check: build matrix, unit tests, checkpatch,
#                        test bed scenarios; ends with "N passed, N failed"
#   make unit            unit tests only          make checkpatch   style only
#   make testbed         test bed scenarios only (SCENARIOS="a b" to choose)
#   make fuzz            libFuzzer targets of the pure cores, FUZZ_SECONDS
#                        each (default 30; FUZZ_TARGETS="a b" to choose)
#   make shell           boot the test bed to an interactive dom0 shell
#   make demo            the cross-hypervisor benchmark (docs/benchmarks.md);
#                        make bench BENCH_ARGS=... for the longer run
#   make clean
#
# KDIR defaults to the running kernel's build directory when it exists,
# otherwise to the test bed kernel's headers (installed on demand).
# Output goes under build/.

BUILD := $(CURDIR)/build
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
ifeq ($(KDIR),)
ifneq ($(wildcard $(RUNNING_KDIR)/Makefile),)
KDIR := $(RUNNING_KDIR)
else
# Recursive: resolved (and the headers installed) only when a recipe needs it.
KDIR = /usr/src/linux-headers-$(shell scripts/host-deps --print-kabi)
endif
endif

.PHONY: all modules tools check unit checkpatch matrix testbed shell clean demo bench fuzz

all: modules tools

modules:
	@[ -d "$(KDIR)" ] || scripts/host-deps
	scripts/build-modules "$(KDIR)" "$(BUILD)/kmod/$(notdir $(patsubst %/build,%,$(KDIR)))"

tools:
	@if [ -f tools/xl-vbmq/Makefile ]; then \
		$(MAKE) -C tools/xl-vbmq O="$(BUILD)/tools"; fi

check:
	scripts/check

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
