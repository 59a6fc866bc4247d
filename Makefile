# pvctl: a Xen PV toolstack.  `make help` lists the targets.

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter -D_GNU_SOURCE -I.
LDLIBS_XEN  = -lxenctrl -lxenguest -lxenstore -lxentoollog
LDLIBS_BASE = -lyajl -lreadline -lpthread -ldl

DEBIAN_DEPS = build-essential pkg-config libxen-dev libyajl-dev \
              libcurl4-openssl-dev libreadline-dev libcmocka-dev \
              qemu-system-x86 cpio e2fsprogs clang libclang-rt-14-dev

B ?= build
# Sanitizer builds go to their own tree: make SAN=1 B=build-san unit
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
# The fuzz targets' tree (make fuzz): clang's libFuzzer over ASan+UBSan.
ifeq ($(FUZZ),1)
CC      = clang
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=fuzzer,address,undefined
endif

LIB_SRC  := $(sort $(wildcard util/*.c config/*.c lib/*.c lib/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
SIM_SRC  := $(sort $(wildcard tests/sim/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
AGENT_SRC := $(sort $(wildcard agent/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(B)/%.o)
SIM_OBJ  := $(SIM_SRC:%.c=$(B)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(B)/tests/%)
DEPS     := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(SIM_OBJ:.o=.d)

all: pvctl pvctl-agent

pvctl: $(B)/pvctl
	cp $< $@

$(B)/pvctl: $(CLI_OBJ) $(B)/libpvctl.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS_XEN) $(LDLIBS_BASE)

# The guest agent: agent/*.c on libxenstore alone, for minimal guests.
AGENT_OBJ := $(AGENT_SRC:%.c=$(B)/%.o)
DEPS      += $(AGENT_OBJ:.o=.d)

pvctl-agent: $(B)/pvctl-agent
	cp $< $@

$(B)/pvctl-agent: $(AGENT_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ -lxenstore

# Its unit test links the Xen-free parts (and rebuilds when they change).
$(B)/tests/test_agent: $(B)/agent/sample.o $(B)/agent/report.o

$(B)/libpvctl.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

# Unit tests: one cmocka binary per tests/unit/test_*.c, linked against the
# library and the simulated hypervisor (tests/sim), never real Xen.
$(B)/tests/%: tests/unit/%.c $(SIM_OBJ) $(B)/libpvctl.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $^ $(LDFLAGS) -lcmocka $(LDLIBS_XEN) $(LDLIBS_BASE)

# test_output runs commands through the table: the cli, main() renamed.
$(B)/tests/test_output: tests/unit/test_output.c $(filter-out $(B)/cli/main.o,$(CLI_OBJ)) $(B)/tests/cli_main.o $(SIM_OBJ) $(B)/libpvctl.a
	$(CC) $(CFLAGS) -Itests -o $@ $^ $(LDFLAGS) -lcmocka $(LDLIBS_XEN) $(LDLIBS_BASE)
$(B)/tests/cli_main.o: cli/main.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -Dmain=pvctl_main -MMD -MP -c -o $@ $<
DEPS += $(B)/tests/cli_main.d

unit: $(TESTS) $(B)/pvctl
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done
	@echo "== tests/cli/test_table.sh"; tests/cli/test_table.sh $(B)/pvctl
	@tests/check_layers.sh

# The unit tests again under AddressSanitizer and UBSan.
unit-san:
	$(MAKE) SAN=1 B=build-san unit

# LAB=name,name picks lab scenarios (tests/lab/scenarios/NAME.sh); all by default.
lab: pvctl pvctl-agent
	tests/lab/run.sh $(subst $(comma), ,$(LAB))

# Fuzzing: one libFuzzer target per parser of outside input
# (tests/fuzz/NAME.c), built with clang in build-fuzz and run FUZZ_TIME
# seconds each from its seeds in tests/fuzz/corpus/NAME (what it finds
# on the way is kept in build-fuzz/fuzz/NAME.corpus for the next run).
# A crash, a leak, undefined behaviour or a failed oracle fails it; the
# input is left in build-fuzz/fuzz/NAME-crash-*.
FUZZ_TIME ?= 60
FUZZERS   := $(sort $(basename $(notdir $(wildcard tests/fuzz/*.c))))

fuzz:
	$(MAKE) -k FUZZ=1 B=build-fuzz fuzz-run

fuzz-run: $(FUZZERS:%=fuzz-run-%)

fuzz-run-%: $(B)/fuzz/%
	@mkdir -p $(B)/fuzz/$*.corpus
	@echo "== fuzz $* ($(FUZZ_TIME) s)"
	@$< -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	  -print_final_stats=1 -artifact_prefix=$(B)/fuzz/$*- \
	  $(addprefix -dict=,$(wildcard tests/fuzz/$*.dict)) \
	  $(B)/fuzz/$*.corpus tests/fuzz/corpus/$* >$(B)/fuzz/$*.log 2>&1 || \
	  { tail -n 60 $(B)/fuzz/$*.log; echo "== fuzz $*: FAILED (log: $(B)/fuzz/$*.log)"; exit 1; }
	@grep -h '^stat::number_of_executed_units' $(B)/fuzz/$*.log | \
	  sed 's/^stat::number_of_executed_units: */== fuzz $*: ok, /; s/$$/ runs/'

# The simulator as an archive: a target links it only if it uses it.
$(B)/libpvsim.a: $(SIM_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(B)/libpvsim.a $(B)/libpvctl.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -MMD -MP -o $@ $(filter %.c %.o,$^) $(B)/libpvsim.a \
	  $(B)/libpvctl.a $(LDFLAGS) $(LDLIBS_XEN) $(LDLIBS_BASE)
$(B)/fuzz/agent_proc: $(B)/agent/sample.o
DEPS += $(FUZZERS:%=$(B)/fuzz/%.d)

# make check's lab run: every scenario in one boot (stress, a long hunt for
# emulation faults, only by name).
CHECK_LAB = xl-smoke,xl-lifecycle,pvctl-basic,pvctl-rollback,pvctl-lifecycle,pvctl-devices,pvctl-boot,pvctl-save,pvctl-autoscale,pvctl-autoscale-stress,pvctl-autoscale-pack,demo,bench

check: deps
	$(MAKE) unit
	$(MAKE) unit-san
	$(MAKE) fuzz
	$(MAKE) lab LAB=$(CHECK_LAB)

# pvctl against xl in one lab boot: medians and ratios; the autoscale
# loop's reaction under stress (per stage), worst need-target gap, density
# and memory saved against a static allocation; the autoscale decisions
# at simulated scale (no lab needed).
bench: pvctl pvctl-agent $(B)/decide_bench
	$(B)/decide_bench
	tests/lab/run.sh bench pvctl-autoscale pvctl-autoscale-stress pvctl-autoscale-pack pvctl-save | grep -E 'BENCH|passed'

$(B)/decide_bench: bench/decide_bench.c $(SIM_OBJ) $(B)/libpvctl.a
	$(CC) $(CFLAGS) -Itests -o $@ $^ $(LDFLAGS) $(LDLIBS_XEN) $(LDLIBS_BASE)

demo: deps pvctl pvctl-agent
	tests/lab/run.sh demo

deps:
	@missing=""; for p in $(DEBIAN_DEPS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing with apt-get"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else echo "make deps: all Debian packages present"; fi

clean:
	rm -rf $(B) build-san build-fuzz pvctl pvctl-agent

help:
	@echo "make          build pvctl"
	@echo "make deps     install the Debian packages pvctl needs (apt-get)"
	@echo "make unit     cmocka unit tests (simulated hypervisor)"
	@echo "make unit-san unit tests under ASan+UBSan"
	@echo "make lab [LAB=a,b]  boot the Xen lab under QEMU and run scenarios"
	@echo "make fuzz [FUZZ_TIME=s]  each libFuzzer target (tests/fuzz) for 60 s"
	@echo "make check    deps + unit + unit-san + fuzz + lab"
	@echo "make demo     boot the lab, create a guest, show list and console"
	@echo "make bench    time pvctl against xl in the lab (create, destroy)"

comma := ,
# Keep the simulator objects between test builds.
.SECONDARY:
.PHONY: all unit unit-san fuzz fuzz-run lab check bench demo deps clean help
-include $(DEPS)
