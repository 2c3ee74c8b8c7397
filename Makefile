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
#   make install    install (PREFIX, DESTDIR, SBINDIR, MANDIR honoured)
#   make clean

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR	?=

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
ALL_CFLAGS := $(CSTD) $(WARN) $(CFLAGS) -Icommon $(PKG_CFLAGS) \
	   -fstack-protector-strong -D_FORTIFY_SOURCE=2 -MMD -MP
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	?=

B	:= build
COMMON_SRC := common/log.c common/ev.c common/parse.c common/xs.c \
	      common/xenbus.c common/ring.c common/gnt.c common/proc.c \
	      common/supervise.c common/wproc.c common/journal.c common/fence.c \
	      common/handover.c \
	      common/xsmsg.c common/xsp.c common/xsproxy.c
# Workers' confinement (libseccomp): blk and net only, consoled links less.
SANDBOX_SRC := common/sandbox.c
BLK_SRC	:= $(SANDBOX_SRC) daemons/blkbackd/sandbox.c \
	   daemons/blkbackd/blkbackd.c daemons/blkbackd/worker.c \
	   daemons/blkbackd/blkif.c daemons/blkbackd/backing_raw.c \
	   daemons/blkbackd/backing_nbd.c daemons/blkbackd/target.c \
	   daemons/blkbackd/blkring.c daemons/blkbackd/pgrant.c \
	   daemons/blkbackd/blkio.c daemons/blkbackd/blkjournal.c \
	   daemons/blkbackd/blkquiesce.c
NET_SRC	:= $(SANDBOX_SRC) daemons/netbackd/sandbox.c \
	   daemons/netbackd/netbackd.c daemons/netbackd/worker.c \
	   daemons/netbackd/nettx.c daemons/netbackd/netrx.c \
	   daemons/netbackd/tap.c daemons/netbackd/netif.c \
	   daemons/netbackd/nethdr.c daemons/netbackd/netrate.c \
	   daemons/netbackd/netjournal.c daemons/netbackd/netquiesce.c \
	   daemons/netbackd/netstop.c
CONS_SRC := daemons/consoled/consoled.c daemons/consoled/console.c \
	   daemons/consoled/secondary.c daemons/consoled/readers.c \
	   daemons/consoled/hvlog.c daemons/consoled/cring.c \
	   daemons/consoled/bq.c daemons/consoled/crate.c \
	   daemons/consoled/conslog.c
ATTACH_SRC := daemons/consoled/attach.c

UNIT_TESTS := test_parse test_xenbus test_ring test_blkif test_proc test_sandbox test_target \
	      test_backing_nbd test_blkif_ext test_blkif_random test_blkring \
	      test_blkring_front test_pgrant test_netif test_nethdr test_netrate \
	      test_netctrl test_bq test_crate test_cring test_conslog test_loglimit \
	      test_backing_raw test_netjournal test_xsproxy \
	      test_blkjournal test_handover test_fence test_blkquiesce \
	      test_netquiesce
# Pure-logic sources each unit test links against.
test_parse_SRC  := common/parse.c common/log.c
test_loglimit_SRC := common/log.c
test_handover_SRC := common/handover.c common/parse.c common/log.c
test_xsproxy_SRC := common/xsproxy.c common/xsmsg.c common/xs.c common/ev.c \
		    common/log.c common/parse.c common/proc.c common/wproc.c
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
test_blkquiesce_SRC := daemons/blkbackd/blkquiesce.c $(test_blkring_SRC)
test_proc_SRC   := common/proc.c
test_sandbox_SRC := common/sandbox.c common/proc.c common/log.c common/parse.c
test_target_SRC := daemons/blkbackd/target.c common/log.c common/parse.c
test_netif_SRC  := daemons/netbackd/netif.c common/parse.c
test_nethdr_SRC := daemons/netbackd/nethdr.c daemons/netbackd/netif.c common/parse.c
test_netrate_SRC := daemons/netbackd/netrate.c
test_netctrl_SRC := daemons/netbackd/netctrl.c
test_netjournal_SRC := daemons/netbackd/netjournal.c daemons/netbackd/netif.c common/parse.c
test_netquiesce_SRC := daemons/netbackd/netquiesce.c common/parse.c
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

.PHONY: all check unit demo bench install uninstall clean testbed hostile restart
all: $(B)/bin/blkbackd $(B)/asan/bin/blkbackd $(B)/bin/netbackd \
	$(B)/asan/bin/netbackd $(B)/bin/consoled $(B)/asan/bin/consoled \
	$(B)/bin/consoled-attach $(B)/guest/xbfront-blk $(B)/guest/xbfront-net \
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

# The extended restart and lifecycle set ("# default: no"): make check runs
# restart-blk (20 kills), restart-net-quick (6) and lifecycle-4; these run
# 100 blk kills, 20 net kills and 100 cycles.
restart:
	tests/deps.sh && $(MAKE) -j2 all && tests/xen/fetch.sh && tests/xen/build.sh && \
	    tests/xen/run.sh restart-blk-100 restart-net lifecycle-100

install: $(B)/bin/blkbackd $(B)/bin/netbackd $(B)/bin/consoled $(B)/bin/consoled-attach
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(B)/bin/blkbackd $(DESTDIR)$(SBINDIR)/blkbackd
	install -m 644 man/blkbackd.8 $(DESTDIR)$(MANDIR)/man8/blkbackd.8
	install -d $(DESTDIR)$(SYSCONFDIR)/rc.d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|@SBINDIR@|$(SBINDIR)|g' rc.d/blkbackd > $(DESTDIR)$(SYSCONFDIR)/rc.d/blkbackd
	chmod 755 $(DESTDIR)$(SYSCONFDIR)/rc.d/blkbackd
	sed 's|@SBINDIR@|$(SBINDIR)|g' rc.d/blkbackd.service > \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/blkbackd.service
	install -d $(DESTDIR)$(SYSCONFDIR)/modprobe.d $(DESTDIR)$(SYSCONFDIR)/xen/scripts
	install -m 644 rc.d/blkbackd.modprobe.conf \
	    $(DESTDIR)$(SYSCONFDIR)/modprobe.d/blkbackd.conf
	install -m 755 daemons/blkbackd/block-nbd $(DESTDIR)$(SYSCONFDIR)/xen/scripts/block-nbd
	install -m 755 $(B)/bin/netbackd $(DESTDIR)$(SBINDIR)/netbackd
	install -m 644 man/netbackd.8 $(DESTDIR)$(MANDIR)/man8/netbackd.8
	sed 's|@SBINDIR@|$(SBINDIR)|g' rc.d/netbackd > $(DESTDIR)$(SYSCONFDIR)/rc.d/netbackd
	chmod 755 $(DESTDIR)$(SYSCONFDIR)/rc.d/netbackd
	sed 's|@SBINDIR@|$(SBINDIR)|g' rc.d/netbackd.service > \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/netbackd.service
	install -m 644 rc.d/netbackd.modprobe.conf \
	    $(DESTDIR)$(SYSCONFDIR)/modprobe.d/netbackd.conf
	install -d $(DESTDIR)$(PREFIX)/lib/sysusers.d
	install -m 644 rc.d/xb-backends.sysusers \
	    $(DESTDIR)$(PREFIX)/lib/sysusers.d/xb-backends.conf
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(B)/bin/consoled $(DESTDIR)$(SBINDIR)/consoled
	install -m 755 $(B)/bin/consoled-attach $(DESTDIR)$(BINDIR)/consoled-attach
	install -m 644 man/consoled.8 $(DESTDIR)$(MANDIR)/man8/consoled.8
	install -m 644 man/consoled-attach.1 $(DESTDIR)$(MANDIR)/man1/consoled-attach.1
	sed 's|@SBINDIR@|$(SBINDIR)|g' rc.d/consoled > $(DESTDIR)$(SYSCONFDIR)/rc.d/consoled
	chmod 755 $(DESTDIR)$(SYSCONFDIR)/rc.d/consoled
	sed 's|@SBINDIR@|$(SBINDIR)|g' rc.d/consoled.service > \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/consoled.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/consoled $(DESTDIR)$(BINDIR)/consoled-attach \
	      $(DESTDIR)$(MANDIR)/man8/consoled.8 $(DESTDIR)$(MANDIR)/man1/consoled-attach.1 \
	      $(DESTDIR)$(SYSCONFDIR)/rc.d/consoled \
	      $(DESTDIR)$(PREFIX)/lib/systemd/system/consoled.service \
	      $(DESTDIR)$(SBINDIR)/blkbackd $(DESTDIR)$(MANDIR)/man8/blkbackd.8 \
	      $(DESTDIR)$(SYSCONFDIR)/rc.d/blkbackd \
	      $(DESTDIR)$(PREFIX)/lib/systemd/system/blkbackd.service \
	      $(DESTDIR)$(SYSCONFDIR)/modprobe.d/blkbackd.conf \
	      $(DESTDIR)$(SYSCONFDIR)/xen/scripts/block-nbd
	rm -f $(DESTDIR)$(SBINDIR)/netbackd $(DESTDIR)$(MANDIR)/man8/netbackd.8 \
	      $(DESTDIR)$(SYSCONFDIR)/rc.d/netbackd \
	      $(DESTDIR)$(PREFIX)/lib/systemd/system/netbackd.service \
	      $(DESTDIR)$(SYSCONFDIR)/modprobe.d/netbackd.conf \
	      $(DESTDIR)$(PREFIX)/lib/sysusers.d/xb-backends.conf

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
		   fuzz_conslog fuzz_journal
# Pure sources each harness links (as the unit tests' *_SRC).
fuzz_blkif_SRC	:= daemons/blkbackd/blkif.c daemons/blkbackd/blkring.c \
		   daemons/blkbackd/pgrant.c $(test_ring_SRC)
fuzz_netif_SRC	:= daemons/netbackd/netif.c daemons/netbackd/nethdr.c common/parse.c
fuzz_nethdr_SRC	:= $(fuzz_netif_SRC) daemons/netbackd/netctrl.c
fuzz_xsparse_SRC := daemons/blkbackd/blkring.c daemons/blkbackd/target.c \
		   daemons/netbackd/netif.c daemons/netbackd/netrate.c $(test_ring_SRC)
fuzz_cring_SRC	:= daemons/consoled/cring.c
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

-include $(shell find $(B) -name '*.d' 2>/dev/null)
