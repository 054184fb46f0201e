# rapport — build, test, install. `make demo` and `make check` install missing Debian build
# dependencies first (make deps), so each works as the first command on a fresh machine.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
SHAREDIR = $(PREFIX)/share/rapport
LOCALEDIR = $(PREFIX)/share/locale
# Where bash-completion and zsh look for completions (contrib/completion).
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions

CC ?= cc
PKGS = sqlite3 libgit2 ncursesw xlsxwriter icu-i18n icu-uc
DEB_PKGS = gcc make pkg-config libsqlite3-dev libgit2-dev libncurses-dev libxlsxwriter-dev libicu-dev gettext sqlite3 jq tmux groff-base time python3 \
           git openssh-server openssh-client clang python3-icalendar python3-markdown-it chromium
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DLOCALEDIR='"$(LOCALEDIR)"' $(WARN) -Iinclude -Ibuild/gen $(CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread

# Sources by layer (HACKING.md): cli, tui -> cmd -> core -> store -> util; git is used by cmd.
LIB_SRC = $(wildcard src/util/*.c) $(wildcard src/store/*.c) $(wildcard src/core/*.c) \
          $(wildcard src/git/*.c) $(wildcard src/sync/*.c) $(wildcard src/health/*.c) $(wildcard src/rules/*.c) $(wildcard src/process/*.c) $(wildcard src/report/*.c) $(wildcard src/cmd/*.c) $(wildcard src/tui/*.c)
MAIN_SRC = src/cli/main.c
HDR = $(wildcard include/*.h) $(wildcard src/*/*.h)

OBJ = $(patsubst src/%.c,build/rel/%.o,$(LIB_SRC) $(MAIN_SRC))
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_OBJ = $(patsubst src/%.c,build/san/%.o,$(LIB_SRC))
UNIT_SRC = $(wildcard tests/unit/*.c)
# The languages with a catalogue (po/LANG.po), and the catalogues the programs read.
LANGS = zh_CN
MO = $(patsubst %,build/locale/%/LC_MESSAGES/rapport.mo,$(LANGS) en@pseudo)

.PHONY: all po pot-part pseudo deps check unit demo bench soak install uninstall clean fmt fuzz fuzz-check

all: rapport

rapport: $(OBJ) $(MO)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LDLIBS)

build/rel/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/%.o: src/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

# The sanitizer build of the program and the unit tests, used by `make check`.
build/san/rapport: $(SAN_OBJ) build/san/cli/main.o $(MO)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $(SAN_OBJ) build/san/cli/main.o $(LDLIBS)

build/san/unit: $(SAN_OBJ) $(UNIT_SRC) tests/unit/t.h
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Itests/unit -o $@ $(UNIT_SRC) $(SAN_OBJ) $(LDLIBS)

# The pinyin table (src/util/text.c): ICU's Han-Latin run once at build time.
build/gen/pinyin_table.h: tools/pinyin_gen.c
	@mkdir -p build/gen
	$(CC) -O1 -o build/gen/pinyin_gen $< $(shell pkg-config --cflags --libs icu-i18n icu-uc 2>/dev/null)
	build/gen/pinyin_gen > $@.tmp && mv $@.tmp $@
build/rel/util/text.o build/san/util/text.o: build/gen/pinyin_table.h

# Messages (HACKING.md, "Adding a language"): xgettext reads the marked strings (the keywords
# below: _, N_, C_ and the functions that translate their own format), kinds_pot the kind
# table's words; po/LANG.po holds a language's translations; `make po` merges new strings into
# them. The en@pseudo catalogue wraps every message in invisible markers (U+2062 … U+2063) for
# the test suite's check that no English reaches the user untranslated (tests/i18n_check.c).
XGETTEXT_KEYS = --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=P_:1,2 \
  --keyword=err_set:3 --keyword=err_prefix:2 --keyword=usage_error:3 --keyword=doc_subtitle:2 \
  --keyword=doc_h2:2 --keyword=doc_h3:2 --keyword=doc_p:2 --keyword=doc_note:2 --keyword=doc_item:3 \
  --keyword=doc_kv:2 --keyword=tui_message:3 --keyword=tui_confirm:2 \
  --flag=err_set:3:c-format --flag=err_prefix:2:c-format --flag=usage_error:3:c-format \
  --flag=doc_p:2:c-format --flag=doc_note:2:c-format --flag=doc_item:3:c-format \
  --flag=doc_h2:2:c-format --flag=doc_h3:2:c-format --flag=doc_subtitle:2:c-format \
--flag=tui_message:3:c-format --flag=tui_confirm:2:c-format
POT_SRC = $(sort $(LIB_SRC) $(MAIN_SRC))

build/gen/kinds_pot: tools/kinds_pot.c $(filter-out build/rel/cli/main.o,$(OBJ))
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

build/gen/rapport.pot: $(POT_SRC) build/gen/kinds_pot
	@mkdir -p build/gen
	build/gen/kinds_pot > build/gen/kinds.pot
	xgettext -o $@.tmp --from-code=UTF-8 $(XGETTEXT_KEYS) --add-comments=TRANSLATORS: \
	  --add-location=file --sort-by-file --package-name=rapport --msgid-bugs-address=nobody \
	  $(POT_SRC) build/gen/kinds.pot
	mv $@.tmp $@

build/locale/%/LC_MESSAGES/rapport.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt -c -o $@ $<

build/gen/en@pseudo.po: build/gen/rapport.pot
	msginit --no-translator --no-wrap --locale=en_US.UTF-8 -i $< -o $@.tmp >/dev/null 2>&1
	msgfilter --keep-header -i $@.tmp -o $@ sed -e 's/^\(..*\)$$/\xe2\x81\xa2\1\xe2\x81\xa3/'
	rm -f $@.tmp

build/locale/en@pseudo/LC_MESSAGES/rapport.mo: build/gen/en@pseudo.po
	@mkdir -p $(dir $@)
	msgfmt -o $@ $<

# The pseudo pass's eye (tests/pseudo.sh): every string literal of the sources, marked or not,
# but the demo's data, and the program that looks for them outside the markers.
build/gen/i18n_strings.pot: $(POT_SRC) build/gen/rapport.pot
	xgettext -a -o $@.tmp --from-code=UTF-8 $(filter-out src/cmd/demo.c,$(POT_SRC)) build/gen/kinds.pot 2>/dev/null
	mv $@.tmp $@

build/gen/i18n_check: tests/tools/i18n_check.c
	@mkdir -p build/gen
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -o $@ $<

# The pseudo pass alone (tests/run.sh): the CLI suites under en@pseudo, failing on any
# English that reached the user without the catalogue.
pseudo: rapport build/gen/i18n_check build/gen/i18n_strings.pot
	@sh tests/run.sh pseudo

# The template of some files only: make pot-part FILES="src/cmd/show.c ..." OUT=part.pot
pot-part:
	xgettext -o $(OUT) --from-code=UTF-8 $(XGETTEXT_KEYS) --add-location=file $(FILES)

# New and changed strings into each po/LANG.po (then translate what msgfmt --statistics counts).
po: build/gen/rapport.pot
	for l in $(LANGS); do msgmerge -q --no-wrap -U po/$$l.po $<; done

# Installs what the build and tests need, with apt-get on Debian/Ubuntu (sudo when not root).
deps:
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	    echo "make deps: installing$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    $$sudo apt-get install -y -q $$missing >/dev/null || \
	      { $$sudo apt-get update -q >/dev/null && $$sudo apt-get install -y -q $$missing >/dev/null; } || \
	      { echo "make deps: could not install$$missing" >&2; exit 1; }; \
	  fi; \
	else \
	  pkg-config --exists $(PKGS) 2>/dev/null || \
	    { echo "make deps: install a C11 compiler, make, pkg-config, SQLite 3 (with FTS5), libgit2 1.5+, ncurses, libxlsxwriter, ICU and tmux" >&2; exit 1; }; \
	fi

check: deps
	@$(MAKE) --no-print-directory build/san/rapport build/san/unit rapport build/gen/i18n_check build/gen/i18n_strings.pot
	@sh tests/run.sh
	@$(MAKE) --no-print-directory fuzz-check

# Fuzz targets (tests/fuzz/*.c, libFuzzer entry points) over what a remote or a file can feed
# rapport. With clang: coverage-guided libFuzzer; without: tests/fuzz/driver.c's random
# mutations under gcc's sanitizers. `make check` runs each for FUZZ_CHECK_TIME seconds,
# `make fuzz` for FUZZ_TIME.
FUZZ_TARGETS = record csv
FUZZ_LIB = $(filter-out src/cmd/% src/tui/%,$(LIB_SRC))
FUZZ_TIME ?= 300
FUZZ_CHECK_TIME ?= 20
HAVE_CLANG := $(shell command -v clang >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_CLANG),yes)
build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(HDR) build/gen/pinyin_table.h
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -Iinclude -Ibuild/gen -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	  -o $@ $< $(FUZZ_LIB) $(LDLIBS)
else
build/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c $(FUZZ_LIB) $(HDR) build/gen/pinyin_table.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $< tests/fuzz/driver.c $(FUZZ_LIB) $(LDLIBS)
endif

fuzz-run = for t in $(FUZZ_TARGETS); do \
	  work=$$(mktemp -d); \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ./build/fuzz/$$t -max_total_time=$(1) \
	    $$( [ "$(HAVE_CLANG)" = yes ] && echo "$$work tests/fuzz/corpus/$$t" || echo tests/fuzz/corpus/$$t/*) \
	    >$$work.log 2>&1; st=$$?; \
	  if [ $$st -ne 0 ]; then tail -40 $$work.log; echo "fuzz $$t: FAILED (crash input in $$work.log)"; exit 1; fi; \
	  echo "fuzz $$t: $$(grep -o -E '(Done [0-9]+ runs|[0-9]+ runs)' $$work.log | tail -1) in $(1) s, no failure"; \
	  rm -rf $$work $$work.log; done

fuzz-check: $(addprefix build/fuzz/,$(FUZZ_TARGETS))
	@$(call fuzz-run,$(FUZZ_CHECK_TIME))

fuzz: deps $(addprefix build/fuzz/,$(FUZZ_TARGETS))
	@$(call fuzz-run,$(FUZZ_TIME))

unit: build/san/unit
	./build/san/unit

DEMO_DIR = demo-workspace
demo: deps
	@$(MAKE) --no-print-directory rapport
	@rm -rf $(DEMO_DIR)
	@./rapport demo $(DEMO_DIR)
	@if [ -t 0 ] && [ -t 1 ]; then ./rapport -C $(DEMO_DIR) tui; else ./rapport -C $(DEMO_DIR) list customer; fi

bench: deps
	@$(MAKE) --no-print-directory rapport
	@sh tests/bench/run.sh

# The randomized sync test at length, on the release build: SOAK_ROUNDS rounds for each seed of
# SOAK_SEEDS (default 4 × 2,500 = 10,000 rounds, about 25 minutes on 2 cores). A
# failing seed stops the run and leaves its workspaces and actions.log in build/soak/SEED.
SOAK_ROUNDS ?= 2500
SOAK_SEEDS ?= 1 2 3 4
soak: deps
	@$(MAKE) --no-print-directory rapport
	@rm -rf build/soak && mkdir -p build/soak
	@for s in $(SOAK_SEEDS); do \
	  mkdir -p build/soak/$$s; \
	  python3 tests/sync_random.py $(CURDIR)/rapport $(CURDIR)/build/soak/$$s $(SOAK_ROUNDS) $$s || \
	    { echo "soak: seed $$s FAILED (workspaces and actions.log in build/soak/$$s)"; exit 1; }; \
	  rm -rf build/soak/$$s; \
	done; echo "soak: $(words $(SOAK_SEEDS)) seeds × $(SOAK_ROUNDS) rounds, no failure"

install: rapport
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(SHAREDIR) \
	  $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 rapport $(DESTDIR)$(BINDIR)/rapport
	install -m 644 man/rapport.1 $(DESTDIR)$(MANDIR)/man1/rapport.1
	install -m 644 man/rapport.5 $(DESTDIR)$(MANDIR)/man5/rapport.5
	install -m 644 man/rapport-rules.5 $(DESTDIR)$(MANDIR)/man5/rapport-rules.5
	install -m 644 man/rapport-process.5 $(DESTDIR)$(MANDIR)/man5/rapport-process.5
	install -m 644 contrib/completion/rapport.bash $(DESTDIR)$(BASHCOMPDIR)/rapport
	install -m 644 contrib/completion/_rapport $(DESTDIR)$(ZSHCOMPDIR)/_rapport
	cp -R share/. $(DESTDIR)$(SHAREDIR)/
	for l in $(LANGS); do install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
	  install -m 644 build/locale/$$l/LC_MESSAGES/rapport.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/rapport.mo; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/rapport $(DESTDIR)$(MANDIR)/man1/rapport.1 $(DESTDIR)$(MANDIR)/man5/rapport.5 \
	  $(DESTDIR)$(MANDIR)/man5/rapport-rules.5 $(DESTDIR)$(MANDIR)/man5/rapport-process.5 \
	  $(DESTDIR)$(BASHCOMPDIR)/rapport $(DESTDIR)$(ZSHCOMPDIR)/_rapport
	rm -rf $(DESTDIR)$(SHAREDIR)
	for l in $(LANGS); do rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/rapport.mo; done

clean:
	rm -rf build rapport
