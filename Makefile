# SPDX-License-Identifier: GPL-2.0-only
# Bulkhead: the one entry point. Kbuild builds the kernel modules, CMake the
# C++ userspace; `make check` runs every test tier, `make demo` the demo.

SHELL := /bin/bash
TOP := $(CURDIR)
BUILD := $(TOP)/build
KV = $(shell $(TOP)/scripts/kversion.sh)
KDIR = /usr/src/linux-headers-$(KV)
JOBS ?= $(shell nproc)
# W=1 and -Werror apply to our own modules only.
KBUILD_FLAGS = W=1 KCFLAGS=-Werror

.PHONY: all deps modules userspace fuzzers check check-host check-fuzz check-vm \
	check-xen bench demo demo-storage install dkms clean

all: modules userspace

deps:
	@$(TOP)/scripts/deps.sh

modules:
	$(MAKE) -C $(KDIR) M=$(TOP) $(KBUILD_FLAGS) -j$(JOBS) modules 2>&1 | tee $(BUILD)/modules.log
	@! grep -E '^WARNING: modpost:|warning:' $(BUILD)/modules.log

$(BUILD):
	@mkdir -p $(BUILD)

modules: | $(BUILD)

userspace: | $(BUILD)
	cmake -S $(TOP) -B $(BUILD)/cmake -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD)/cmake -j$(JOBS)

fuzzers: | $(BUILD)
	CC=clang CXX=clang++ cmake -S $(TOP) -B $(BUILD)/fuzz -DBULKHEAD_FUZZ=ON >/dev/null
	cmake --build $(BUILD)/fuzz -j$(JOBS)

# Host tier: GoogleTest unit tests (ctest prints the summary).
check-host: userspace
	cd $(BUILD)/cmake && ctest --output-on-failure -j$(JOBS)

# libFuzzer targets, each for a bounded time.
check-fuzz: fuzzers
	$(TOP)/tests/fuzz/run $(BUILD)/fuzz

# Kernel tier: our modules in the Debian kernel under QEMU (TCG).
check-vm: modules userspace
	$(TOP)/tests/vm/run-all

# Xen tier: real Xen 4.17 with a PV dom0 and PV guests under QEMU TCG.
check-xen: modules userspace
	$(TOP)/tests/xen/run-all

check: deps
	$(TOP)/tests/check

bench: deps all
	$(TOP)/tests/bench/run

demo: deps all
	$(TOP)/scripts/demo.sh

# The storage demo: a signed image, a flipped byte, a refused read (QEMU, no Xen).
demo-storage: deps all
	$(TOP)/scripts/demo-storage.sh

install: all
	$(TOP)/scripts/install.sh

dkms:
	$(TOP)/scripts/dkms.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -rf $(BUILD)/cmake $(BUILD)/fuzz $(BUILD)/vm
