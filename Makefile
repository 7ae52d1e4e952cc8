# d0audit build. `make` -> build/d0audit; `make STATIC=1` -> build/static/d0audit.
# Needs Debian bookworm's clang 14, libbpf 1.1, bpftool 7.1 (`make deps` installs them).

CLANG    ?= clang
CC       ?= gcc
BPFTOOL  ?= bpftool
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

BUILD    ?= build
ifeq ($(STATIC),1)
OUT      := $(BUILD)/static
LDSTATIC := -static
LIBS     := -ljansson -linih -lbpf -lelf -lz -lzstd
else
OUT      := $(BUILD)
LDSTATIC :=
LIBS     := -ljansson -linih -lbpf -lelf -lz
endif
ifeq ($(SANITIZE),1)
OUT      := $(BUILD)/sanitize
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer
endif

COMMIT   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
            -Iinclude -I$(BUILD) -Isrc -DD0AUDIT_COMMIT='"$(COMMIT)"' $(SANFLAGS)
LDFLAGS  += $(LDSTATIC) $(SANFLAGS)
BPF_CFLAGS := -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 -Iinclude -Ibpf -idirafter $(ARCH_INC)

# src/main.c and one folder per layer (README, "Developer guide"); objects mirror the folders
SRCS     := src/main.c $(wildcard src/*/*.c)
OBJS     := $(patsubst src/%.c,$(OUT)/obj/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(OUT)/obj/main.o,$(OBJS))
BPF_HDRS := $(wildcard bpf/*.h) $(wildcard include/d0audit/*.h)
SKEL     := $(BUILD)/d0audit.skel.h

.PHONY: install-systemd demo deps-build deps-test
.PHONY: all deps test unit-test mutate mutate-sample rule-table-bpf vm-test vm-test-extra vfio-selftests mutants mutants-build clean exercise bench man install fuzz fuzz-smoke sanitize-test
all: $(OUT)/d0audit $(BUILD)/vfio-exercise

$(BUILD)/bpf/d0audit.bpf.o: bpf/d0audit.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BUILD)/bpf/d0audit.bpf.o
	$(BPFTOOL) gen skeleton $< name d0audit_bpf > $@.tmp && mv $@.tmp $@

# -MMD: each object depends on the headers it includes (a change to rules.h rebuilds the
# files that use it, not all of them: make mutate builds a mutant per header edit).
$(OUT)/obj/%.o: src/%.c $(SKEL)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(OBJS:.o=.d)

$(OUT)/d0audit: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# The vfio exerciser runs inside minimal guests: always static.
$(BUILD)/vfio-exercise: $(wildcard tools/exercise/*.c) $(wildcard tools/exercise/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $@ $(filter %.c,$^)

exercise: $(BUILD)/vfio-exercise

# ---- benchmarks (issue 7): tools/bench/run boots one 7.2 guest -------------
$(BUILD)/bench/floor.bpf.o: tools/bench/floor.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# with d0audit's own tracing-multi loader (src/kernel/fexit_multi.c), so its mechanism is the same
$(BUILD)/bench/floor: tools/bench/floor.c include/d0audit/hooks.h include/d0audit/cold_hooks.h $(BUILD)/bench/floor.bpf.o $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(LIB_OBJS) $(LDFLAGS) $(LIBS)

$(BUILD)/bench/preadrate: tools/bench/preadrate.c $(wildcard tools/exercise/*.c) $(wildcard tools/exercise/*.h)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread -Itools/exercise -o $@ $< \
		tools/exercise/vfio_dev.c tools/exercise/report.c tools/exercise/sysfs.c tools/exercise/pci_cfg.c

# BENCH_QUICK=1 for a smoke run of a few minutes.
bench: all $(BUILD)/bench/floor $(BUILD)/bench/preadrate
	BENCH_QUICK=$(BENCH_QUICK) tools/bench/run

# ---- man page and install ----------------------------------------------------
# The man page has one source, the README: tools/man/mkman cuts the regions marked
# <!-- man SECTION --> into go-md2man Markdown.
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := $(shell sed -n 's/^\#define D0AUDIT_VERSION "\(.*\)"/\1/p' src/lib/version.h)

$(BUILD)/d0audit.8: README.md tools/man/mkman src/lib/version.h
	@mkdir -p $(@D)
	tools/man/mkman README.md $(VERSION) > $@.md
	go-md2man -in $@.md -out $@.tmp && mv $@.tmp $@

man: $(BUILD)/d0audit.8

# The systemd service: the unit with this install's path, the example configuration
# (kept if one is there), the logrotate snippet. SYSCONFDIR and UNITDIR move them.
SYSCONFDIR ?= /etc
UNITDIR  ?= $(SYSCONFDIR)/systemd/system

install-systemd: install
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/sbin/d0audit|$(PREFIX)/sbin/d0audit|g' tools/systemd/d0audit.service \
		> $(DESTDIR)$(UNITDIR)/d0audit.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/d0audit.service
	test -e $(DESTDIR)$(SYSCONFDIR)/d0audit/d0audit.conf || \
		install -D -m 0644 tools/systemd/d0audit.conf $(DESTDIR)$(SYSCONFDIR)/d0audit/d0audit.conf
	install -D -m 0644 tools/systemd/d0audit.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/d0audit

install: $(OUT)/d0audit $(BUILD)/d0audit.8
	install -D -m 0755 $(OUT)/d0audit $(DESTDIR)$(PREFIX)/sbin/d0audit
	install -D -m 0644 $(BUILD)/d0audit.8 $(DESTDIR)$(PREFIX)/share/man/man8/d0audit.8
	install -D -m 0644 tools/completion/d0audit $(DESTDIR)$(PREFIX)/share/bash-completion/completions/d0audit
	install -D -m 0644 tools/schema/d0audit-output.schema.json $(DESTDIR)$(PREFIX)/share/d0audit/d0audit-output.schema.json

# ---- tests -------------------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

$(OUT)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/unit -DFIXTURES='"$(CURDIR)/tests/unit/fixtures"' -o $@ $(filter-out %.h,$^) $(LDFLAGS) -lcmocka $(LIBS)

# The slowest bats files last: make mutate stops a mutant's run at its first failing file.
SLOW_BATS := tests/cli/schema.bats tests/cli/progress.bats
UNIT_BATS := $(filter-out $(SLOW_BATS),$(wildcard tests/cli/*.bats)) $(SLOW_BATS)

unit-test: $(UNIT_BINS) $(OUT)/d0audit
	D0AUDIT=$(OUT)/d0audit tests/run-unit $(UNIT_BINS) $(UNIT_BATS)

# Mutation testing of user space (tools/mutate/run; README, developer guide).
# MUTATE_SAMPLE=N runs a fixed spread of N mutants (make test uses MUTATE_CI_SAMPLE).
MUTATE_SAMPLE ?= 0
MUTATE_CI_SAMPLE ?= 12
mutate:
	tools/mutate/run --sample $(MUTATE_SAMPLE)

mutate-sample:
	tools/mutate/run --sample $(MUTATE_CI_SAMPLE)

# The unit and CLI tests again, built with ASan+UBSan: any report fails the run.
sanitize-test:
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86 \
	$(MAKE) SANITIZE=1 unit-test

# ---- fuzzing: clang libFuzzer + ASan + UBSan (tests/fuzz/README) -------------
FUZZ_OUT    := $(BUILD)/fuzz
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
               -Iinclude -I$(BUILD) -Isrc -DD0AUDIT_COMMIT='"$(COMMIT)"' \
               -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJS   := $(patsubst src/%.c,$(FUZZ_OUT)/obj/%.o,$(filter-out src/main.c,$(SRCS)))
FUZZERS     := $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/%,$(wildcard tests/fuzz/fuzz_*.c))

$(FUZZ_OUT)/obj/%.o: src/%.c $(wildcard src/*/*.h) $(wildcard include/d0audit/*.h) $(SKEL)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

fuzz: $(FUZZERS)

# Each fuzzer in turn, FUZZ_SECONDS (default 60) shared between them; fails on any crash.
fuzz-smoke: fuzz
	tests/fuzz/run $(FUZZERS)

# The rule table (tests/unit/rule_table.h) against the BPF build of rules.h, in a guest
# (tests/vm/test_rule_table_bpf.sh): a syscall program run with BPF_PROG_TEST_RUN.
$(BUILD)/tests/rule_table.bpf.o: tests/vm/rule_table.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/static/rule-table-bpf: tests/vm/rule_table_bpf.c tests/unit/rule_table.h $(wildcard include/d0audit/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -Itests/unit -o $@ $< -lbpf -lelf -lz -lzstd

rule-table-bpf: $(BUILD)/tests/rule_table.bpf.o $(BUILD)/static/rule-table-bpf

vm-test: all rule-table-bpf
	$(MAKE) STATIC=1 $(BUILD)/static/d0audit
	tests/run-vm

# The kernel's own vfio selftests, built from the guest kernel's linux-source (tests/vm/test_selftests.sh).
vfio-selftests:
	tools/vm/build-vfio-selftests --kernel 7.2

# Kernel mutants (tests/mutants/kernel): build them all (cached by input hash), then the VM test
# boots one 7.2 guest, runs their flows under d0audit audit and prints the kill table.
mutants-build: all
	tests/mutants/build-kernel-mutants --kernel 7.2 >/dev/null

mutants: all
	$(MAKE) STATIC=1 $(BUILD)/static/d0audit
	tests/run-vm tests/vm/test_kernel_mutants.sh

# Manual: the capture suite on the other Debian series that have module packages.
EXTRA_KERNELS ?= 6.16 6.17
vm-test-extra: all
	$(MAKE) STATIC=1 $(BUILD)/static/d0audit
	tests/run-vm $(foreach k,7.3 6.12 7.2-rt $(EXTRA_KERNELS),"tests/vm/test_capture.sh --kernel $(k)") \
		"tests/vm/test_rules.sh --kernel 7.3" "tests/vm/test_rules.sh --kernel 6.12" \
		"tests/vm/test_preempt_rt.sh --kernel 7.2-rt" \
		$(foreach t,beyond iommu seed raw,"tests/vm/test_$(t).sh --kernel 6.1")

test: unit-test sanitize-test fuzz-smoke mutate-sample vm-test

# deps: everything (the build, the tests, the VM harness, make demo); deps-build: the build only
deps:
	tools/install-deps all

deps-build:
	tools/install-deps build

deps-test: deps

# A first run without hardware: boot the 7.2 guest, audit a scripted vfio flow (tools/demo).
demo:
	tools/demo/run

clean:
	rm -rf $(BUILD)
