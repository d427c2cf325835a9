# sxgw: SIP/MSRP chat rooms <-> XMPP MUC gateway.
#
#   make              build libcommon and every tool (runs scripts/setup first
#                     when a build dependency is missing)
#   make check        build and run all tests; ends with "N passed, N failed"
#   make check-unit   unit tests only
#   make SANITIZE=1   build into build-asan/ with ASan+UBSan
#   make install      PREFIX=/usr/local DESTDIR=
#   make demo         run sxgw beside a private Prosody, on loopback

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(PREFIX)/etc
DOCDIR   ?= $(PREFIX)/share/doc/sxgw

VERSION  := 0.1.0

ifeq ($(SANITIZE),1)
BUILD    ?= build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD    ?= build
SANFLAGS :=
endif

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Wshadow -Wmissing-prototypes -Werror
PKGS     := sofia-sip-ua libstrophe libxml-2.0 jansson inih openssl

# Flags from pkg-config are cached in $(BUILD)/config.mk. GNU make rebuilds an
# included makefile before anything else, so a fresh machine gets its
# packages installed by scripts/setup before the first pkg-config call.
ifeq ($(filter clean distclean,$(MAKECMDGOALS)),)
-include $(BUILD)/config.mk
endif

$(BUILD)/config.mk: scripts/setup Makefile
	@scripts/setup
	@mkdir -p $(BUILD)
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS := $$(pkg-config --libs $(PKGS)) -lunistring"; \
	   echo "CHECK_CFLAGS := $$(pkg-config --cflags check)"; \
	   echo "CHECK_LIBS := $$(pkg-config --libs check)"; } > $@

ALL_CFLAGS = $(CFLAGS) $(WARN) $(SANFLAGS) -std=gnu11 -D_GNU_SOURCE \
	-DSX_VERSION='"$(VERSION)"' -Ilibcommon $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

.DEFAULT_GOAL := all

# --- libcommon -------------------------------------------------------------
LIB_SRC := $(wildcard libcommon/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libcommon/libsxcommon.a

# --- tools: one directory per program, every .c in it is linked ------------
TOOLS     := $(notdir $(wildcard tools/*))
TOOL_BINS := $(TOOLS:%=$(BUILD)/bin/%)

# --- unit tests: one binary per tests/unit/test_*.c -----------------------
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# every tests/unit/*.c that is not a test_*.c is a helper linked into all
UNIT_UTIL := $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c)))

all: $(LIB) $(TOOL_BINS)

$(BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

define tool_rule
$(BUILD)/bin/$(1): $$(patsubst %.c,$(BUILD)/%.o,$$(wildcard tools/$(1)/*.c)) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(TOOL_LIBS_$(1))
endef
TOOL_LIBS_sxjoin := -lreadline
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/unit/%.o: tests/unit/%.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Itests/unit -MMD -MP -c -o $@ $<

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(UNIT_UTIL) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

tests: $(UNIT_BINS)

check: all tests
	@BUILD=$(BUILD) FIXTURES=fixtures tests/run

check-unit: tests
	@BUILD=$(BUILD) FIXTURES=fixtures tests/run --unit

check-integration: all
	@BUILD=$(BUILD) FIXTURES=fixtures tests/run --integration

# sxgw with a private Prosody on loopback, until Ctrl-C (scripts/demo).
demo: all
	@BUILD=$(BUILD) scripts/demo

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR)
	for t in $(filter-out sxgw,$(TOOLS)); do \
		install -m 755 $(BUILD)/bin/$$t $(DESTDIR)$(BINDIR)/$$t; done
	if [ -x $(BUILD)/bin/sxgw ]; then \
		install -m 755 $(BUILD)/bin/sxgw $(DESTDIR)$(SBINDIR)/sxgw; fi
	for m in man/*.[158]; do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -m 644 sxgw.ini.sample $(DESTDIR)$(DOCDIR)/sxgw.ini.sample

clean:
	rm -rf build build-asan

.PHONY: all tests check check-unit check-integration install clean demo
.DELETE_ON_ERROR:
.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(wildcard $(BUILD)/tools/*/*.d) $(wildcard $(BUILD)/tests/unit/*.d)
