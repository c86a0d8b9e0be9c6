# Baseline - plain make, pkg-config for every library.
#   make            build ./baseline
#   make run        install deps, build, assess the shipped example
#   make check      install deps, build, run every test
#   make check-asan the test suite under ASan+UBSan+LSan (clang)
#   make fuzz       build and run every fuzz target (FUZZ_SECONDS=N each)
#   make check-faults  allocation failure at every N, under ASan+LSan
#   make valgrind   the end-to-end tests under valgrind memcheck
#   make bench      benchmarks (see bench/README.md)
#   make install    PREFIX=/usr/local DESTDIR=

# Build in parallel by default (tests still run one after another).
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build
O       ?= 2
VERSION := 0.1.0

PKGS    := libpcre2-8 libsodium
# Loaded with dlopen on first use, never linked (src/util/dynlib.h): libcurl,
# libpq and libmicrohttpd each bring ~10 shared libraries, and libsqlite3 alone
# made 1,600 of the 2,300 symbol bindings resolved before main(); commands
# that never use them should not pay for them.  Nor for libyaml (the built-in
# baselines are compiled in, JSON snapshots never need it) or the three
# decompressors (compressed apt lists only): ~0.1 ms of start each.
DLOPEN_PKGS := libcurl libpq libmicrohttpd sqlite3 yaml-0.1 liblz4 zlib liblzma
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(DLOPEN_PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla
HARDEN  := -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=3
CFLAGS  ?= -O$(O) -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(CFLAGS) -Isrc -I$(BUILD)/gen \
              -DBL_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS    := $(PKG_LIBS) -lpthread -lm
# libc first of the shared libraries: the loader looks each symbol bound at
# start (BIND_NOW: ~630 for builtin:linux-host with PKGS shared, ours and the
# libraries') up in load order, and nearly all are libc's (-86 k
# instructions a start when PKGS are linked shared, as below).
LIBS    := -Wl,--push-state,--no-as-needed -lc -Wl,--pop-state $(LIBS)
# STATIC_LIBS=1 links the libraries of PKGS into `baseline` statically (libc
# stays shared, full RELRO kept): each shared library costs every start ~0.1
# ms of mapping, relocating and page faults.  Off by default, so that the
# distribution's security updates of these libraries reach the binary without
# a rebuild.  Test programs and the sanitizer binary always link them shared
# (test_alloc_faults counts only our allocations).
STATIC_LIBS ?= 0
ifeq ($(STATIC_LIBS),1)
baseline $(BUILD)/baseline: LIBS := -Wl,--push-state,--no-as-needed -lc -Wl,--pop-state \
	-Wl,-Bstatic $(PKG_LIBS) -Wl,-Bdynamic -lpthread -lm
endif

LIB_SRC  := $(filter-out src/cli/main.c,$(wildcard src/*/*.c))
LIB_OBJ  := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/content.o
MAIN_OBJ := $(BUILD)/obj/cli/main.o
CONTENT  := $(sort $(wildcard content/*/*.yaml content/*/*.json content/*/*.tsv content/*/*.csv))

TEST_SRC := $(wildcard tests/unit/*/test_*.c)
TEST_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_CFLAGS := $(shell pkg-config --cflags cmocka 2>/dev/null)
# (tests that inspect databases call SQLite directly)
TEST_LIBS   := $(shell pkg-config --libs cmocka sqlite3 2>/dev/null)
# (the decompression tests compress their data with the libraries themselves)
$(BUILD)/tests/facts/test_packages_upgradable: TEST_LIBS += $(shell pkg-config --libs liblz4 zlib liblzma 2>/dev/null)

.PHONY: all run check test unit e2e check-asan check-faults valgrind fuzz bench install clean deps docs

all: baseline

baseline: $(MAIN_OBJ) $(BUILD)/libbaseline.a
	$(CC) $(ALL_CFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/libbaseline.a $(LDFLAGS_ALL) $(LIBS)

$(BUILD)/libbaseline.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h) $(BUILD)/gen/content.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Shipped content (baselines, framework catalogs) compiled into the binary.
# The tool links our own document readers, so the trees it writes are exactly
# what they would build at run time.
EMBED_SRC := scripts/embed.c src/doc/load.c src/doc/json.c src/doc/json_write.c src/doc/yaml.c \
             src/doc/json_slow.c src/doc/value.c \
             src/util/arena.c src/util/error.c src/util/str.c src/util/dynlib.c src/util/yaml_api.c
$(BUILD)/embed: $(EMBED_SRC) $(wildcard src/doc/*.h src/util/*.h) src/model/fw_id.h
	@mkdir -p $(BUILD)
	$(CC) -O1 -std=c11 -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags yaml-0.1 libsodium libpcre2-8) -o $@ \
		$(EMBED_SRC) $(shell pkg-config --libs libsodium libpcre2-8) -lm

$(BUILD)/gen/content.c $(BUILD)/gen/content.h: $(BUILD)/embed $(CONTENT)
	@mkdir -p $(BUILD)/gen
	$(BUILD)/embed $(BUILD)/gen/content.c $(BUILD)/gen/content.h $(CONTENT)

$(BUILD)/obj/content.o: $(BUILD)/gen/content.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

# ---- tests -------------------------------------------------------------
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbaseline.a $(wildcard tests/unit/*.h tests/unit/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libbaseline.a \
		$(LDFLAGS_ALL) $(TEST_LIBS) $(LIBS)

unit: $(TEST_BIN)
	@scripts/pg-test.sh with scripts/run-unit.sh $(TEST_BIN)

e2e: baseline
	@BASELINE_BIN=$(abspath baseline) scripts/pg-test.sh with python3 tests/e2e/run.py

test: unit e2e

deps:
	@scripts/deps.sh

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) e2e
	@scripts/check-banned.sh
	@scripts/check-hardening.sh baseline

check-asan: deps
	$(MAKE) BUILD=build-asan CC=clang O=1 \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" build-asan/baseline-asan
	$(MAKE) BUILD=build-asan CC=clang O=1 \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" unit-asan

# $(BUILD)/baseline: the binary of another build folder (helpers and
# sanitizer builds keep ./baseline untouched).
$(BUILD)/baseline $(BUILD)/baseline-asan: $(MAIN_OBJ) $(BUILD)/libbaseline.a
	$(CC) $(ALL_CFLAGS) -o $@ $(MAIN_OBJ) $(BUILD)/libbaseline.a $(LDFLAGS_ALL) $(LIBS)

unit-asan: $(TEST_BIN) $(BUILD)/baseline-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		scripts/run-unit.sh $(TEST_BIN)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		BASELINE_BIN=$(abspath $(BUILD)/baseline-asan) python3 tests/e2e/run.py

# ---- fuzzing -------------------------------------------------------------
FUZZ_SECONDS ?= 30
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
fuzz: deps
	$(MAKE) BUILD=build-fuzz CC=clang O=1 \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
		build-fuzz/libbaseline.a
	@FUZZ_LIBS="$(PKG_LIBS)" FUZZ_CFLAGS="$(PKG_CFLAGS)" scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_SRC)

# ---- fault injection and memcheck -------------------------------------------
# Allocation failure at the Nth call for every N (tests/unit/util/
# test_alloc_faults.c) under ASan+LSan; the malloc wrapper is linked only
# into this build folder (in the ordinary build that test skips itself).
check-faults: deps
	$(MAKE) BUILD=build-faults CC=clang O=1 \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc" \
		build-faults/tests/util/test_alloc_faults
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		scripts/run-unit.sh build-faults/tests/util/test_alloc_faults

# The end-to-end tests with the binary under valgrind memcheck (slow: not
# part of `make check`).
valgrind: baseline
	@BASELINE_REAL=$(abspath baseline) BASELINE_BIN=$(abspath scripts/valgrind-baseline.sh) \
		python3 tests/e2e/run.py

# ---- benchmarks ----------------------------------------------------------
bench: all
	@bench/run.sh
	@bench/host.sh
	@BUILD=$(BUILD) bench/store.sh
	@bench/serve.sh

# ---- generated documentation -------------------------------------------
docs: all
	BASELINE_BIN=$(abspath baseline) python3 scripts/gen-control-docs.py content/baselines/linux-host.yaml -o docs/linux-host-controls.md
	BASELINE_BIN=$(abspath baseline) python3 scripts/gen-control-docs.py content/baselines/azure-mcsb.yaml -o docs/azure-mcsb-controls.md
	BASELINE_BIN=$(abspath baseline) python3 scripts/gen-control-docs.py content/baselines/kubernetes.yaml -o docs/kubernetes-controls.md
	python3 scripts/gen-pp-docs.py

# ---- misc --------------------------------------------------------------
run: deps
	$(MAKE) all
	./baseline assess -b examples/baseline.yaml -s examples/snapshot.json
	./baseline assess -b examples/baseline.yaml -s examples/snapshot.json -i examples/inventory.yaml \
		-x examples/exceptions.yaml -f html -o $(BUILD)/report.html
	@echo "HTML report: $(abspath $(BUILD)/report.html)"

install: baseline
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 baseline $(DESTDIR)$(PREFIX)/bin/baseline

clean:
	rm -rf build build-asan build-fuzz build-faults baseline
