# xen-userland-backends: top-level GNU Makefile.
#
#   make            build everything (build/bin) and the sanitizer build (build/asan/bin)
#   make check      unit tests (ASan/UBSan) + fuzzers (5 s each) + the real-Xen test bed;
#                   last line "N passed, N failed"
#   make unit       unit tests only
#   make hostile    every hostile-guest scenario in one test bed boot (~15 min; docs/SECURITY.md)
#   make restart    the extended restart and lifecycle set in one boot: restart-blk-100,
#                   restart-net (20 kills), lifecycle-100 (~35 min; docs/ARCHITECTURE.md
#                   "Restart protocol")
#   make fuzz       libFuzzer harnesses, FUZZ_TIME seconds each (fuzz/, docs/SECURITY.md)
#   make demo       boot the test bed and show guests served by blkbackd, netbackd and consoled
#   make bench      benchmark blkbackd (vs kernel blkback, qdisk, dom0), netbackd (vs kernel
#                   netback) and consoled (vs xenconsoled) (~50 min; BENCH_ONLY=blk|net|cons)
#   make install    install (DESTDIR, PREFIX, SBINDIR, BINDIR, MANDIR, SYSCONFDIR,
#                   SYSTEMDUNITDIR, SYSUSERSDIR, RCDIR, MODPROBEDIR, XENSCRIPTDIR,
#                   EXAMPLEDIR);
#                   make uninstall removes exactly those files
#   make test-install  install into a temporary DESTDIR and check it (tests/packaging.sh)
#   make test-cli   -n on good and bad config files, --print-capabilities as JSON
#                   (tests/cli.sh)
#   make clean

# Where make install puts things (docs/ADMIN.md "Installing").  SYSCONFDIR
# stays /etc under any PREFIX: modprobe.d and libxl's hotplug scripts are
# only looked for there.  systemd searches /usr/local/lib/systemd/system and
# /usr/local/lib/sysusers.d too.
PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
RCDIR	?= $(SYSCONFDIR)/rc.d
MODPROBEDIR ?= $(SYSCONFDIR)/modprobe.d
XENSCRIPTDIR ?= $(SYSCONFDIR)/xen/scripts
# The example configuration: never installed as $(SYSCONFDIR)/xen/xb-backends.conf
# itself, so that neither install nor uninstall touches the admin's file.
EXAMPLEDIR ?= $(PREFIX)/share/examples/xb-backends
DESTDIR	?=
INSTALL	?= install

CC	?= cc
PKGS	:= xenstore xengnttab xenevtchn xencontrol xenforeignmemory libevent libnbd liburing libsystemd \
	   libseccomp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
# consoled links only what it uses (no libnbd/liburing pages in it).
CONS_LIBS  := $(shell pkg-config --libs xenstore xengnttab xenevtchn xencontrol \
	      xenforeignmemory libevent libsystemd 2>/dev/null) -lutil

WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wcast-qual -Wformat=2 -Wno-format-nonliteral
CSTD	:= -std=c11 -D_GNU_SOURCE
CFLAGS	?= -O2 -g
# The configuration file the daemons read without -f (common/conf.h).
CONF_DEF := -DXB_CONF_FILE='"$(SYSCONFDIR)/xen/xb-backends.conf"'
ALL_CFLAGS := $(CSTD) $(WARN) $(CFLAGS) -Icommon $(PKG_CFLAGS) $(CONF_DEF) \
	   -fstack-protector-strong -D_FORTIFY_SOURCE=2 -MMD -MP
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	?=

B	:= build
COMMON_SRC := common/log.c common/ev.c common/parse.c common/xs.c \
	      common/xenbus.c common/ring.c common/gnt.c common/proc.c \
	      common/supervise.c common/wproc.c common/journal.c common/fence.c \
	      common/handover.c common/conf.c \
	      common/xsmsg.c common/xsp.c common/xsproxy.c \
	      common/ctlfmt.c common/ctl.c common/ctlsup.c
# Workers' confinement (libseccomp), the command line of a parent with
# workers and the clean-stop record: blk and net only, consoled links less.
SANDBOX_SRC := common/sandbox.c common/bkargs.c common/quiesce.c \
	       common/supquiesce.c
BLK_SRC	:= $(SANDBOX_SRC) daemons/blkbackd/sandbox.c \
	   daemons/blkbackd/blkbackd.c daemons/blkbackd/worker.c \
	   daemons/blkbackd/blkif.c daemons/blkbackd/backing_raw.c \
	   daemons/blkbackd/backing_nbd.c daemons/blkbackd/target.c \
	   daemons/blkbackd/blkring.c daemons/blkbackd/pgrant.c \
	   daemons/blkbackd/blkio.c daemons/blkbackd/blkjournal.c \
	   daemons/blkbackd/blkquiesce.c daemons/blkbackd/blkstats.c
NET_SRC	:= $(SANDBOX_SRC) daemons/netbackd/sandbox.c \
	   daemons/netbackd/netbackd.c daemons/netbackd/worker.c \
	   daemons/netbackd/nettx.c daemons/netbackd/netrx.c \
	   daemons/netbackd/tap.c daemons/netbackd/netif.c \
	   daemons/netbackd/nethdr.c daemons/netbackd/netrate.c \
	   daemons/netbackd/netjournal.c daemons/netbackd/netquiesce.c \
	   daemons/netbackd/netstop.c daemons/netbackd/netstats.c
CONS_SRC := daemons/consoled/consoled.c daemons/consoled/consconf.c \
	   daemons/consoled/console.c \
	   daemons/consoled/secondary.c daemons/consoled/readers.c \
	   daemons/consoled/hvlog.c daemons/consoled/cring.c \
	   daemons/consoled/bq.c daemons/consoled/crate.c \
	   daemons/consoled/conslog.c daemons/consoled/consctl.c
ATTACH_SRC := daemons/consoled/attach.c
XBCTL_SRC := tools/xbctl/xbctl.c tools/xbctl/json.c

UNIT_TESTS := test_parse test_xenbus test_ring test_blkif test_proc test_sandbox test_target \
	      test_backing_nbd test_blkif_ext test_blkif_random test_blkring \
	      test_blkring_front test_pgrant test_netif test_nethdr test_netrate \
	      test_netctrl test_bq test_crate test_cring test_conslog test_loglimit \
	      test_backing_raw test_netjournal test_xsproxy \
	      test_blkjournal test_handover test_fence test_blkquiesce \
	      test_netquiesce test_quiesce test_ctlfmt test_ctl test_conf \
	      test_bkargs
# Pure-logic sources each unit test links against.
test_parse_SRC  := common/parse.c common/log.c
test_loglimit_SRC := common/log.c
test_ctlfmt_SRC := common/ctlfmt.c
# A real listener on /tmp/test_ctl.<pid>.sock, driven by the event loop.
test_ctl_SRC := common/ctl.c common/ctlfmt.c common/ev.c common/log.c
test_conf_SRC   := common/conf.c common/parse.c
test_bkargs_SRC := common/bkargs.c common/conf.c common/sandbox.c common/proc.c \
		   common/log.c common/parse.c
test_handover_SRC := common/handover.c common/parse.c common/log.c
test_xsproxy_SRC := common/xsproxy.c common/xsmsg.c common/xs.c common/ev.c \
		    common/log.c common/parse.c common/proc.c common/wproc.c \
		    common/ctlfmt.c
test_xenbus_SRC := common/parse.c common/log.c common/xenbus.c common/xs.c common/ev.c
test_ring_SRC   := common/parse.c common/log.c common/ring.c common/xenbus.c common/xs.c common/ev.c
test_blkif_SRC  := daemons/blkbackd/blkif.c
test_blkif_ext_SRC := $(test_blkif_SRC)
test_blkif_random_SRC := $(test_blkif_SRC)
# blkring.c calls ring.c, which needs xenbus/xs (ring_read_refs) to link.
test_blkring_SRC := daemons/blkbackd/blkring.c $(test_ring_SRC)
test_blkring_front_SRC := $(test_blkring_SRC)
test_pgrant_SRC := daemons/blkbackd/pgrant.c
test_blkjournal_SRC := daemons/blkbackd/blkjournal.c common/journal.c \
		       $(test_blkring_SRC)
test_quiesce_SRC := common/quiesce.c common/parse.c
test_blkquiesce_SRC := daemons/blkbackd/blkquiesce.c common/quiesce.c \
		       $(test_blkring_SRC)
test_proc_SRC   := common/proc.c
test_sandbox_SRC := common/sandbox.c common/proc.c common/log.c common/parse.c
test_target_SRC := daemons/blkbackd/target.c common/log.c common/parse.c
test_netif_SRC  := daemons/netbackd/netif.c common/parse.c
test_nethdr_SRC := daemons/netbackd/nethdr.c daemons/netbackd/netif.c common/parse.c
test_netrate_SRC := daemons/netbackd/netrate.c
test_netctrl_SRC := daemons/netbackd/netctrl.c
test_netjournal_SRC := daemons/netbackd/netjournal.c daemons/netbackd/netif.c common/parse.c
test_netquiesce_SRC := daemons/netbackd/netquiesce.c common/quiesce.c \
		       common/parse.c
test_bq_SRC     := daemons/consoled/bq.c
test_crate_SRC  := daemons/consoled/crate.c
test_cring_SRC  := daemons/consoled/cring.c
test_conslog_SRC := daemons/consoled/conslog.c
# Runs a real qemu-nbd (qemu-utils) on a temporary image.
test_backing_nbd_SRC := daemons/blkbackd/backing_nbd.c common/ev.c common/log.c
# An O_DIRECT file (on /var/tmp or .) through io_uring.
test_backing_raw_SRC := daemons/blkbackd/backing_raw.c common/ev.c common/log.c
# Real io_urings (NOPs) and a memfd posing as one.
test_fence_SRC := common/fence.c

.PHONY: all check unit demo bench install uninstall clean testbed hostile restart extended
all: $(B)/bin/blkbackd $(B)/asan/bin/blkbackd $(B)/bin/netbackd \
	$(B)/asan/bin/netbackd $(B)/bin/consoled $(B)/asan/bin/consoled \
	$(B)/bin/consoled-attach $(B)/bin/xbctl $(B)/guest/xbfront-blk $(B)/guest/xbfront-net \
	$(B)/guest/xbfront-xs $(B)/guest/xbfront-cons $(B)/guest/xbfront-get

obj = $(patsubst %.c,$(B)/$(1)/%.o,$(2))

# Each daemon's headers are found from its own directory; unit tests and
# frontends see both daemons' (no two headers they include share a name).
TEST_INC = $(if $(filter tests/% frontends/%,$<),-Idaemons/blkbackd -Idaemons/netbackd -Idaemons/consoled)
# xenctrl.h pulls in Xen's public domctl/sysctl headers, which use
# anonymous unions and, before any other xen/ header, __XEN_TOOLS__: GNU C
# and the define for the consoled files (consoled.h includes xenctrl.h).
$(B)/opt/daemons/consoled/%.o $(B)/asan/daemons/consoled/%.o: XC_STD := -std=gnu11 -D__XEN_TOOLS__

$(B)/opt/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(XC_STD) -I$(dir $<) $(TEST_INC) -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(XC_STD) -I$(dir $<) $(TEST_INC) $(ASAN_FLAGS) -U_FORTIFY_SOURCE -c -o $@ $<

$(B)/bin/blkbackd: $(call obj,opt,$(COMMON_SRC) $(BLK_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/asan/bin/blkbackd: $(call obj,asan,$(COMMON_SRC) $(BLK_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bin/netbackd: $(call obj,opt,$(COMMON_SRC) $(NET_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/asan/bin/netbackd: $(call obj,asan,$(COMMON_SRC) $(NET_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(B)/bin/consoled: $(call obj,opt,$(COMMON_SRC) $(CONS_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(CONS_LIBS)

$(B)/asan/bin/consoled: $(call obj,asan,$(COMMON_SRC) $(CONS_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_FLAGS) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(CONS_LIBS)

# The attach client: libc and xenstore (to turn a domain name into an id).
$(B)/bin/consoled-attach: $(call obj,opt,$(ATTACH_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore)

# The status tool: libc only (it talks to the daemons' control sockets).
$(B)/bin/xbctl: $(call obj,opt,$(XBCTL_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

# Guest-side tools (frontends/), built for the test bed's domU image.
$(B)/guest/xbfront-blk: $(call obj,opt,frontends/blkfront.c frontends/blkhostile.c \
				    frontends/blkatk_req.c frontends/blkatk_data.c frontends/blkatk_conn.c \
				    frontends/blkconform.c \
				    frontends/front.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore xengnttab xenevtchn)

$(B)/guest/xbfront-net: $(call obj,opt,frontends/netfront.c frontends/nethostile.c frontends/netconform.c \
		frontends/front.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore xengnttab xenevtchn)

$(B)/guest/xbfront-xs: $(call obj,opt,frontends/xsfront.c frontends/xsmodes.c \
	    frontends/front.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore xengnttab xenevtchn)

$(B)/guest/xbfront-cons: $(call obj,opt,frontends/consfront.c frontends/front.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore xengnttab xenevtchn)

$(B)/guest/xbfront-get: $(call obj,opt,frontends/xbtget.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs xenstore)

define unit_rule
$(B)/asan/tests/$(1): $(call obj,asan,tests/unit/$(1).c $($(1)_SRC))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ASAN_FLAGS) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(CMOCKA_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rule,$(t))))

unit: $(addprefix $(B)/asan/tests/,$(UNIT_TESTS))
	@tests/run-unit.sh $(addprefix $(B)/asan/tests/,$(UNIT_TESTS))

# Installs build deps if missing, builds, runs unit tests and the test bed.
check:
	@tests/run-check.sh

demo:
	@tests/run-demo.sh

# A benchmark, not a test: blkbackd (optimised build) against kernel
# xen-blkback, QEMU qdisk and dom0, netbackd against kernel xen-netback
# and consoled against xenconsoled, in test bed boots; writes
# bench/results/{blk,net,cons}.tsv and docs/PERFORMANCE.md.  BENCH_QUICK=1:
# smoke run; BENCH_ONLY=blk|net|cons.
bench:
	@tests/bench/run.sh

testbed: all
	tests/xen/fetch.sh && tests/xen/build.sh && tests/xen/run.sh

# The whole hostile suite in one boot: make check runs one attack of each
# kind; the extended set ("# default: no") runs only here.
hostile:
	tests/deps.sh && $(MAKE) -j2 all && tests/xen/fetch.sh && tests/xen/build.sh && \
	    tests/xen/run.sh 'hostile-*'

# Every scenario make check leaves out ("# default: no"), benchmarks and
# the demo aside: the hostile variants, the restart and lifecycle runs of
# make restart, and the blk configurations make check covers elsewhere
# (tests/xen/README.md "Extended").  About an hour under TCG.
extended:
	tests/deps.sh && $(MAKE) -j2 all && tests/xen/fetch.sh && tests/xen/build.sh && \
	    tests/xen/run.sh $$(grep -l '^# default: no' tests/xen/scenarios/*.sh | \
	    xargs -n1 basename | sed 's/\.sh$$//' | grep -v '^bench-' | grep -vx demo)

# The extended restart and lifecycle set ("# default: no"): make check runs
# restart-blk (12 kills), restart-net-quick (4), two stops and starts of
# each daemon and lifecycle-4; these run 100 blk kills, 20 net kills, 10
# stops and starts each and 100 cycles.
restart:
	tests/deps.sh && $(MAKE) -j2 all && tests/xen/fetch.sh && tests/xen/build.sh && \
	    tests/xen/run.sh restart-blk-100 restart-net restart-daemon-stopstart-10 \
	    restart-daemon-stopstart-net-10 lifecycle-100

# ---- install ----------------------------------------------------------------------
# Every file make install writes is in one of these lists, so that uninstall
# removes exactly those (and tests/packaging.sh checks both against them).
# No owner is given: with DESTDIR set, install needs no root.
DAEMONS		:= blkbackd netbackd consoled
BIN_TOOLS	:= consoled-attach xbctl
# Man pages by section, as they exist in man/.
MAN_PAGES	:= $(sort $(wildcard man/*.1 man/*.5 man/*.8))
# rc.d/<d>.modprobe.conf: installed as <d>.conf (keeps the kernel backend out).
MODPROBE_CONFS	:= blkbackd netbackd
XEN_SCRIPTS	:= daemons/blkbackd/block-xb-nbd
# @SBINDIR@ and @BINDIR@ in units and rc.d scripts become the install paths.
SUBST		= sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@BINDIR@|$(BINDIR)|g'

INSTALLED_FILES	= $(addprefix $(SBINDIR)/,$(DAEMONS)) \
		  $(addprefix $(BINDIR)/,$(BIN_TOOLS)) \
		  $(foreach m,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
		  $(addprefix $(SYSTEMDUNITDIR)/,$(addsuffix .service,$(DAEMONS))) \
		  $(addprefix $(RCDIR)/,$(DAEMONS)) \
		  $(SYSUSERSDIR)/xb-backends.conf \
		  $(addprefix $(MODPROBEDIR)/,$(addsuffix .conf,$(MODPROBE_CONFS))) \
		  $(addprefix $(XENSCRIPTDIR)/,$(notdir $(XEN_SCRIPTS))) \
		  $(EXAMPLEDIR)/xb-backends.conf

.PHONY: install-files test-install test-cli
# The list of installed paths (without DESTDIR), one a line: for tests.
install-files:
	@printf '%s\n' $(INSTALLED_FILES)

install: $(addprefix $(B)/bin/,$(DAEMONS) $(BIN_TOOLS))
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(RCDIR) \
	    $(DESTDIR)$(MODPROBEDIR) $(DESTDIR)$(XENSCRIPTDIR) $(DESTDIR)$(EXAMPLEDIR) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man,$(sort $(subst .,,$(suffix $(MAN_PAGES)))))
	$(INSTALL) -m 755 $(addprefix $(B)/bin/,$(DAEMONS)) $(DESTDIR)$(SBINDIR)
	$(INSTALL) -m 755 $(addprefix $(B)/bin/,$(BIN_TOOLS)) $(DESTDIR)$(BINDIR)
	for m in $(MAN_PAGES); do \
	    $(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/ || exit 1; \
	done
	for d in $(DAEMONS); do \
	    $(SUBST) rc.d/$$d.service > $(DESTDIR)$(SYSTEMDUNITDIR)/$$d.service && \
	    chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$d.service && \
	    $(SUBST) rc.d/$$d > $(DESTDIR)$(RCDIR)/$$d && \
	    chmod 755 $(DESTDIR)$(RCDIR)/$$d || exit 1; \
	done
	$(INSTALL) -m 644 rc.d/xb-backends.sysusers $(DESTDIR)$(SYSUSERSDIR)/xb-backends.conf
	for d in $(MODPROBE_CONFS); do \
	    $(INSTALL) -m 644 rc.d/$$d.modprobe.conf $(DESTDIR)$(MODPROBEDIR)/$$d.conf || exit 1; \
	done
	$(INSTALL) -m 755 $(XEN_SCRIPTS) $(DESTDIR)$(XENSCRIPTDIR)
	$(INSTALL) -m 644 etc/xb-backends.conf $(DESTDIR)$(EXAMPLEDIR)

# Files only: the directories may hold other packages' files.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))

# Installs into a temporary DESTDIR (and, as an unprivileged user when run
# as root, with every path changed) and checks the tree, the units, the
# rc.d scripts and the man pages; make check runs it too.
test-install:
	@tests/deps.sh && $(MAKE) -s $(addprefix $(B)/bin/,$(DAEMONS) $(BIN_TOOLS)) && \
	    tests/packaging.sh

# The daemons' command line, config file and --print-capabilities, without
# Xen; make check runs it too.
test-cli: $(addprefix $(B)/bin/,$(DAEMONS))
	@tests/cli.sh

# ---- fuzzing: libFuzzer harnesses (fuzz/, docs/SECURITY.md) ----------------------
#   make fuzz          each target for FUZZ_TIME seconds (default 60)
#   make fuzz-short    each for FUZZ_SHORT_TIME seconds (default 5): part of make check
# Needs clang and libclang-rt-dev (tests/deps.sh).  New inputs go to
# build/fuzz/corpus/<target>; fuzz/corpus/<target> (the seeds) is only read.
FUZZ_CC		?= clang
FUZZ_TIME	?= 60
FUZZ_SHORT_TIME	?= 5
FUZZ_FLAGS	:= -O1 -g -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS	:= fuzz_blkif fuzz_netif fuzz_nethdr fuzz_xsparse fuzz_cring \
		   fuzz_conslog fuzz_journal fuzz_ctlstats
# Pure sources each harness links (as the unit tests' *_SRC).
fuzz_blkif_SRC	:= daemons/blkbackd/blkif.c daemons/blkbackd/blkring.c \
		   daemons/blkbackd/pgrant.c $(test_ring_SRC)
fuzz_netif_SRC	:= daemons/netbackd/netif.c daemons/netbackd/nethdr.c common/parse.c
fuzz_nethdr_SRC	:= $(fuzz_netif_SRC) daemons/netbackd/netctrl.c
fuzz_xsparse_SRC := daemons/blkbackd/blkring.c daemons/blkbackd/target.c \
		   daemons/netbackd/netif.c daemons/netbackd/netrate.c $(test_ring_SRC)
fuzz_cring_SRC	:= daemons/consoled/cring.c
fuzz_ctlstats_SRC := common/ctlfmt.c
fuzz_conslog_SRC := daemons/consoled/conslog.c
fuzz_journal_SRC := daemons/blkbackd/blkjournal.c daemons/blkbackd/blkring.c \
		   common/journal.c $(test_ring_SRC)

$(B)/fuzz/daemons/consoled/%.o: XC_STD := -std=gnu11 -D__XEN_TOOLS__
$(B)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(ALL_CFLAGS) $(XC_STD) -I$(dir $<) -Idaemons/blkbackd \
	    -Idaemons/netbackd -Idaemons/consoled $(FUZZ_FLAGS) -U_FORTIFY_SOURCE \
	    -c -o $@ $<

define fuzz_rule
$(B)/fuzz/bin/$(1): $(call obj,fuzz,fuzz/$(1).c $($(1)_SRC))
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_FLAGS) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz fuzz-short fuzz-build fuzz-clean
fuzz-build: $(addprefix $(B)/fuzz/bin/,$(FUZZ_TARGETS))
fuzz: fuzz-build
	@fuzz/run.sh $(FUZZ_TIME) $(addprefix $(B)/fuzz/bin/,$(FUZZ_TARGETS))
fuzz-short: fuzz-build
	@fuzz/run.sh $(FUZZ_SHORT_TIME) $(addprefix $(B)/fuzz/bin/,$(FUZZ_TARGETS))
fuzz-clean:
	rm -rf $(B)/fuzz
clean: fuzz-clean

clean:
	rm -rf $(B)/bin $(B)/opt $(B)/asan

# (regular files only, and not in the test bed's trees: build/xen holds
# a dom0 root with modprobe.d and rc.d directories)
-include $(shell find $(B) -path '$(B)/xen' -prune -o -name '*.d' -type f -print 2>/dev/null)
