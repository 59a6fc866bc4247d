# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl: a Xen PV toolstack.  `make help` lists the targets.

CC      ?= cc
CFLAGS  ?= -O2 -g

# --- build flags ---
# CFLAGS, CPPFLAGS and LDFLAGS are the builder's (Debian's hardening flags
# come that way); what the code needs is in PV_* and always added, so
# `make CFLAGS="-O2 -g"` still builds. -Werror is for the project's own
# builds: packagers (debian/rules) set WERROR= so that a newer compiler's
# new warning does not fail their build.
WERROR      ?= -Werror
PV_CPPFLAGS  = -D_GNU_SOURCE -I.
PV_CFLAGS    = -std=gnu11 -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes \
               -Wmissing-prototypes -Wno-unused-parameter
PV_LDFLAGS   =
ALL_CFLAGS   = $(PV_CPPFLAGS) $(CPPFLAGS) $(PV_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(PV_LDFLAGS) $(LDFLAGS)
LDLIBS_XEN  = -lxenctrl -lxenguest -lxenstore -lxentoollog
LDLIBS_BASE = -lyajl -lnettle -lreadline -lpthread -ldl
# pvctl top draws with ncurses (the cli only: the library has no terminal).
LDLIBS_CLI  = -lncursesw

DEBIAN_DEPS = build-essential pkg-config libxen-dev libyajl-dev \
              libcurl4-openssl-dev libreadline-dev libcmocka-dev nettle-dev \
              libncurses-dev \
              qemu-system-x86 cpio e2fsprogs clang libclang-rt-14-dev

B ?= build
# promtool (Debian's prometheus package) checks the metrics text in
# test_meter. The package also carries a server, so `make deps` takes
# only the tool out of it, into TOOLS, when the system has none.
TOOLS ?= $(HOME)/.cache/pvctl-tools
export PATH := $(PATH):$(TOOLS)
# Sanitizer builds go to their own tree: make SAN=1 B=build-san unit
ifeq ($(SAN),1)
PV_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
PV_LDFLAGS += -fsanitize=address,undefined
endif
# The fuzz targets' tree (make fuzz): clang's libFuzzer over ASan+UBSan.
ifeq ($(FUZZ),1)
CC          = clang
PV_CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
PV_LDFLAGS += -fsanitize=fuzzer,address,undefined
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

# --- version ---
# The one place the version comes from: VERSION holds the release (a
# tarball or a Debian source package has no .git); in a clone, git
# describe adds how far the tree is from it. pvctl --version prints it.
GIT_DESCRIBE  := $(shell [ -e .git ] && git describe --always --dirty --match 'v[0-9]*' 2>/dev/null)
PVCTL_VERSION := $(shell cat VERSION)
ifneq ($(filter v%,$(GIT_DESCRIBE)),)
PVCTL_VERSION := $(patsubst v%,%,$(GIT_DESCRIBE))
else ifneq ($(GIT_DESCRIBE),)
PVCTL_VERSION := $(PVCTL_VERSION)+g$(GIT_DESCRIBE)
endif
# Rewritten only when the version changes, so that main.o is rebuilt then.
$(B)/version: FORCE
	@mkdir -p $(B)
	@echo '$(PVCTL_VERSION)' | cmp -s - $@ || echo '$(PVCTL_VERSION)' >$@
$(B)/cli/main.o $(B)/tests/cli_main.o: $(B)/version
$(B)/cli/main.o $(B)/tests/cli_main.o: PV_CPPFLAGS += -DPVCTL_VERSION='"$(PVCTL_VERSION)"'
FORCE:

pvctl: $(B)/pvctl
	cp $< $@

$(B)/pvctl: $(CLI_OBJ) $(B)/libpvctl.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(LDLIBS_XEN) $(LDLIBS_BASE) $(LDLIBS_CLI)

# The guest agent: agent/*.c on libxenstore alone, for minimal guests.
AGENT_OBJ := $(AGENT_SRC:%.c=$(B)/%.o)
DEPS      += $(AGENT_OBJ:.o=.d)

pvctl-agent: $(B)/pvctl-agent
	cp $< $@

$(B)/pvctl-agent: $(AGENT_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) -lxenstore

# Its unit test links the Xen-free parts (and rebuilds when they change).
$(B)/tests/test_agent: $(B)/agent/sample.o $(B)/agent/report.o

$(B)/libpvctl.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Unit tests: one cmocka binary per tests/unit/test_*.c, linked against the
# library and the simulated hypervisor (tests/sim), never real Xen.
$(B)/tests/%: tests/unit/%.c $(SIM_OBJ) $(B)/libpvctl.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $^ $(ALL_LDFLAGS) -lcmocka $(LDLIBS_XEN) $(LDLIBS_BASE)

# test_output, test_apply, test_cmds and test_sched run commands through the table: the cli, main() renamed.
$(B)/tests/test_output $(B)/tests/test_apply $(B)/tests/test_cmds $(B)/tests/test_sched: $(B)/tests/%: tests/unit/%.c $(filter-out $(B)/cli/main.o,$(CLI_OBJ)) $(B)/tests/cli_main.o $(SIM_OBJ) $(B)/libpvctl.a
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $^ $(ALL_LDFLAGS) -lcmocka $(LDLIBS_XEN) $(LDLIBS_BASE) $(LDLIBS_CLI)
$(B)/tests/cli_main.o: cli/main.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -Dmain=pvctl_main -MMD -MP -c -o $@ $<
DEPS += $(B)/tests/cli_main.d

unit: $(TESTS) $(B)/pvctl
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t; done
	@echo "== tests/cli/test_table.sh"; tests/cli/test_table.sh $(B)/pvctl
	@echo "== tests/cli/test_completion.sh"; tests/cli/test_completion.sh $(B)/pvctl
	@tests/check_layers.sh
	@tests/check_spdx.sh
	@echo "== tests/install"; tests/install/test_install.sh $(B)
	@tests/install/test_domains.sh

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
	$(MAKE) -k -j2 FUZZ=1 B=build-fuzz fuzz-run

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
	$(CC) $(ALL_CFLAGS) -Itests -MMD -MP -o $@ $(filter %.c %.o,$^) $(B)/libpvsim.a \
	  $(B)/libpvctl.a $(ALL_LDFLAGS) $(LDLIBS_XEN) $(LDLIBS_BASE)
$(B)/fuzz/agent_proc: $(B)/agent/sample.o
DEPS += $(FUZZERS:%=$(B)/fuzz/%.d)

# make check's lab run: every scenario in one boot (stress, a long hunt for
# emulation faults, only by name).
CHECK_LAB = xl-smoke,xl-lifecycle,pvctl-basic,pvctl-rollback,pvctl-lifecycle,pvctl-devices,pvctl-boot,pvctl-save,pvctl-migrate-pair,pvctl-domains,pvctl-apply,pvctl-usage,pvctl-tools,pvctl-autoscale,pvctl-autoscale-stress,pvctl-autoscale-pack,demo,bench

check: deps
	PVCTL_REQUIRE_PROMTOOL=1 $(MAKE) unit
	$(MAKE) unit-san
	$(MAKE) fuzz
	$(MAKE) deb
	$(MAKE) lintian
	$(MAKE) lab-deb LAB=$(CHECK_LAB)

# The lab on the binaries the packages install (what an operator runs).
lab-deb:
	rm -rf $(DEB_DIR)/root
	for p in $(DEB_DIR)/pvctl_*.deb $(DEB_DIR)/pvctl-agent_*.deb; do dpkg -x $$p $(DEB_DIR)/root; done
	PVCTL_BIN=$(CURDIR)/$(DEB_DIR)/root/usr/sbin/pvctl \
	PVCTL_AGENT_BIN=$(CURDIR)/$(DEB_DIR)/root/usr/sbin/pvctl-agent \
	  tests/lab/run.sh $(subst $(comma), ,$(LAB))

# pvctl against xl in one lab boot: medians and ratios; the autoscale
# loop's reaction under stress (per stage), worst need-target gap, density
# and memory saved against a static allocation; the autoscale decisions
# at simulated scale (no lab needed).
bench: pvctl pvctl-agent $(B)/decide_bench
	$(B)/decide_bench
	tests/lab/run.sh bench pvctl-autoscale pvctl-autoscale-stress pvctl-autoscale-pack pvctl-save pvctl-migrate-pair | grep -E 'BENCH|passed'

$(B)/decide_bench: bench/decide_bench.c $(SIM_OBJ) $(B)/libpvctl.a
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $^ $(ALL_LDFLAGS) $(LDLIBS_XEN) $(LDLIBS_BASE)

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
	@command -v promtool > /dev/null || { \
	  echo "make deps: promtool from Debian's prometheus package into $(TOOLS)"; \
	  d=$$(mktemp -d) && cd $$d && \
	  { apt-get download prometheus > /dev/null 2>&1 || \
	    { apt-get update -q && apt-get download prometheus; }; } && \
	  dpkg -x prometheus_*.deb x && mkdir -p $(TOOLS) && \
	  install -m 755 x/usr/bin/promtool $(TOOLS)/promtool && \
	  cd / && rm -rf $$d; }

clean:
	rm -rf $(B) build-san build-fuzz pvctl pvctl-agent

help:
	@echo "make          build pvctl"
	@echo "make deps     install the Debian packages pvctl needs (apt-get)"
	@echo "make unit     cmocka unit tests (simulated hypervisor)"
	@echo "make unit-san unit tests under ASan+UBSan"
	@echo "make lab [LAB=a,b]  boot the Xen lab under QEMU and run scenarios"
	@echo "make check    deps + unit + unit-san + fuzz + deb + lintian + lab"
	@echo "make install  install under PREFIX (/usr) into DESTDIR"
	@echo "make deb      build the pvctl and pvctl-agent packages into $(B)/deb"
	@echo "make lintian  lintian on them: errors fail"
	@echo "make fuzz [FUZZ_TIME=s]  each libFuzzer target (tests/fuzz) for 60 s"
	@echo "make check    deps + unit + unit-san + fuzz + lab"
	@echo "make demo     boot the lab, create a guest, show list and console"
	@echo "make bench    time pvctl against xl in the lab (create, destroy)"


# --- install ---
# make install [PREFIX=/usr] [DESTDIR=...]: FHS paths; units go where
# Debian bookworm's systemd looks for a package's units.
PREFIX        ?= /usr
SBINDIR       ?= $(PREFIX)/sbin
LIBEXECDIR    ?= $(PREFIX)/libexec/pvctl
MANDIR        ?= $(PREFIX)/share/man
DOCDIR        ?= $(PREFIX)/share/doc/pvctl
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR    ?= /etc
UNITDIR       ?= /lib/systemd/system
INSTALL       ?= install

UNITS := pvctl-monitor.service pvctl-autoscale.service pvctl-domains.service \
         pvctl-agent.service

install: $(B)/pvctl $(B)/pvctl-agent
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(DOCDIR)/examples/policy.d \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default \
		$(DESTDIR)$(SYSCONFDIR)/pvctl/auto $(DESTDIR)$(SYSCONFDIR)/pvctl/policy.d
	$(INSTALL) -m 755 $(B)/pvctl $(B)/pvctl-agent $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 755 systemd/pvctl-domains $(DESTDIR)$(LIBEXECDIR)
	$(INSTALL) -m 644 man/pvctl.1 $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 644 man/pvctl-policy.5 man/pvctl-xl.cfg.5 $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 644 man/pvctl-agent.8 $(DESTDIR)$(MANDIR)/man8
	$(INSTALL) -m 644 bash-completion/pvctl $(DESTDIR)$(COMPLETIONDIR)
	$(INSTALL) -m 644 config/examples/policy.d/*.policy $(DESTDIR)$(DOCDIR)/examples/policy.d
	@# The units name the installed paths.
	for u in $(UNITS); do \
		sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
		    -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/$$u.in >$(DESTDIR)$(UNITDIR)/$$u && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	$(INSTALL) -m 644 systemd/pvctl-domains.default $(DESTDIR)$(SYSCONFDIR)/default/pvctl-domains

# --- Debian packages ---
# make deb: the packages pvctl and pvctl-agent, unsigned, built with
# Debian's flags from a copy of the tree's files (those git tracks or
# would add) in $(B)/deb/src, so that they land in $(B)/deb, not in ../,
# and so that the copy builds as a source package would (no .git: the
# VERSION file's version). Its build runs `make unit` (systemd-analyze
# and man-db check the units).
DEBIAN_DEPS += debhelper lintian systemd man-db
DEB_DIR = $(B)/deb
DEB_CHANGES = $(DEB_DIR)/pvctl_$(shell dpkg-parsechangelog -S Version)_$(shell dpkg --print-architecture).changes

deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -C $(DEB_DIR)/src -xf -
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc

# lintian on what make deb built: any error (E:) fails; warnings are shown.
lintian:
	lintian --fail-on error --info $(DEB_CHANGES)

comma := ,
# Keep the simulator objects between test builds.
.SECONDARY:
.PHONY: all unit unit-san fuzz fuzz-run lab lab-deb check bench demo deps clean help install deb lintian FORCE
-include $(DEPS)
