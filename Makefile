# edukiosk — see README.md.  `make run` and `make test` install missing
# Debian packages first (deploy/deps.sh), then re-enter make so pkg-config
# sees them.

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION := 0.1.0

# Cross builds with Debian multiarch (deploy/deps.sh cross-arm64, …):
# `make ARCH=arm64` or `make ARCH=armhf` builds into build-ARCH/ with the
# triplet's compiler and pkg-config; CC, AR, PKG_CONFIG and BUILD given on
# the command line still win.
ifeq ($(ARCH),arm64)
TRIPLET := aarch64-linux-gnu
else ifeq ($(ARCH),armhf)
TRIPLET := arm-linux-gnueabihf
else ifneq ($(ARCH),)
$(error ARCH=$(ARCH): arm64 or armhf)
endif
ifdef TRIPLET
BUILD      ?= build-$(ARCH)
PKG_CONFIG ?= $(TRIPLET)-pkg-config
ifeq ($(origin CC),default)
CC := $(TRIPLET)-gcc
endif
ifeq ($(origin AR),default)
AR := $(TRIPLET)-ar
endif
endif
BUILD      ?= build
PKG_CONFIG ?= pkg-config

# libcurl: its headers only; the program loads it when it first fetches
# (src/base/curlfn.h), not at every start.
PKGS := sdl2 SDL2_ttf SDL2_image jansson icu-uc inih libsystemd libsodium fontconfig zlib
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) libcurl 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# The editor (src/editor/) alone serves HTTP.
ED_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)
ED_LIBS    := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

OPT     ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wno-missing-field-initializers
# 64-bit file offsets and inode numbers on 32-bit ARM too: else stat()
# and readdir() fail with EOVERFLOW on a 64-bit kernel's tmpfs (/run) or
# under qemu-user.  Nothing we pass to a library carries an off_t.
DEFS    := -D_DEFAULT_SOURCE -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
           -DEDUKIOSK_VERSION=\"$(VERSION)\" -DEDUKIOSK_DATADIR=\"$(PREFIX)/share/edukiosk\"
ifeq ($(SAN),1)
OPT     := -O1 -g -fno-omit-frame-pointer
SANFLAGS:= -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
ifeq ($(DEBUG),1)
OPT     := -O0 -g3
endif
# FUZZ=1: the library for the libFuzzer targets (make fuzz, build-fuzz/).
FUZZ_CC ?= clang-14
ifeq ($(FUZZ),1)
CC      := $(FUZZ_CC)
OPT     := -O1 -g -fno-omit-frame-pointer
SANFLAGS:= -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
endif
ALL_CFLAGS  = $(WARN) $(OPT) $(SANFLAGS) $(DEFS) -MMD -MP $(INCS) $(PKG_CFLAGS) $(ED_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LIBS        = $(PKG_LIBS) -lpthread -lm

# src/LAYER/name.c: one folder per layer (see README), one file per concern.
# The kiosk is every layer but src/editor/; the editor is src/editor/ over
# the kiosk's library (lib.a), never the other way round.
ALL_SRC  := $(wildcard src/*/*.c)
SRC      := $(filter-out src/editor/%,$(ALL_SRC))
ED_SRC   := $(wildcard src/editor/*.c)
INCS     := $(patsubst %/,-I%,$(sort $(dir $(wildcard src/*/*.h))))
OBJ      := $(SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/base/assets.o
LIB_OBJ  := $(filter-out $(BUILD)/obj/kiosk/main.o,$(OBJ))
ED_OBJ   := $(ED_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/editor/webassets.o
ED_LIB_OBJ := $(filter-out $(BUILD)/obj/editor/editor_main.o,$(ED_OBJ))
WEB      := $(wildcard src/editor/web/*)
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
ASSETS   := assets/default-feed.json assets/fonts/NotoSansSC-Regular.otf \
            assets/fonts/NotoSansSC-Bold.otf assets/images/logo.png

.PHONY: all run test check bench install uninstall clean deps tests asan-tests \
        format golden screenshots test-arm test-pi fuzz fuzz-build fuzz-bins \
        fuzz-merge soak
all: $(BUILD)/edukiosk $(BUILD)/edukiosk-editor

$(BUILD)/edukiosk: $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ) $(LIBS)

$(BUILD)/edukiosk-editor: $(ED_OBJ) $(BUILD)/lib.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(ED_OBJ) $(BUILD)/lib.a $(ED_LIBS) $(LIBS)

$(BUILD)/obj/%.o: src/%.c
	@echo "  CC      $<"
	@mkdir -p $(dir $@)
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/base/assets.o: src/base/assets.S src/base/incbin.inc $(ASSETS)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# The page, compiled into the editor like the kiosk's fonts.
$(BUILD)/obj/editor/webassets.o: src/editor/webassets.S src/base/incbin.inc $(WEB)
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

$(BUILD)/lib.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/editor.a: $(ED_LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $(ED_LIB_OBJ)

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(BUILD)/editor.a $(BUILD)/lib.a | $(BUILD)/tests
	@echo "  CCLD    $@"
	@$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(BUILD)/editor.a $(BUILD)/lib.a $(ALL_LDFLAGS) $(ED_LIBS) $(LIBS) $(CMOCKA_LIBS)

# Test doubles preloaded into the real binary (tests/shim/*.c).
SHIM_BIN := $(patsubst tests/shim/%.c,$(BUILD)/tests/%.so,$(wildcard tests/shim/*.c))
$(BUILD)/tests/%.so: tests/shim/%.c | $(BUILD)/tests
	@echo "  CCLD    $@"
	@$(CC) $(WARN) $(OPT) $(DEFS) -fPIC -shared $(PKG_CFLAGS) -o $@ $< -ldl

# The emulated Pi's picture comparison (make test-pi).
$(BUILD)/tests/imgdiff: tests/pi/imgdiff.c | $(BUILD)/tests
	@echo "  CCLD    $@"
	@$(CC) $(WARN) $(OPT) $(DEFS) $(PKG_CFLAGS) -o $@ $< $(PKG_LIBS)

$(BUILD)/tests:
	mkdir -p $@

tests: $(BUILD)/edukiosk $(BUILD)/edukiosk-editor $(TEST_BIN) $(SHIM_BIN)

# The two commands of the README.
run:
	@sh deploy/deps.sh build run
	@$(MAKE) --no-print-directory all
	$(BUILD)/edukiosk $(ARGS)

test:
	@sh deploy/deps.sh build run test
	@$(MAKE) --no-print-directory check

deps:
	@sh deploy/deps.sh build run test

# check: everything once normally, the unit tests again under ASan+UBSan,
# the headless render under valgrind; one closing summary.
check:
	@$(MAKE) --no-print-directory tests
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 tests
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/run-tests.sh build build-asan build-fuzz

# Fuzzing (tests/fuzz/, docs/fuzzing.md): one libFuzzer target a file,
# tests/fuzz/fuzz_NAME.c, built with clang, ASan and UBSan into
# build-fuzz/fuzz/.  `make fuzz` runs each for FUZZ_SECONDS (60) from its
# seed corpus, keeping crashes in tests/fuzz/regressions/NAME/; `make test`
# replays those and runs each a few seconds.  fuzz-merge adds the new
# inputs that find new code to the checked-in corpus.
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(BUILD)/lib.a
	@echo "  CCLD    $@"
	@mkdir -p $(dir $@)
	@$(CC) $(WARN) $(OPT) $(DEFS) $(INCS) $(PKG_CFLAGS) -Itests/fuzz \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ $< $(BUILD)/lib.a $(LDFLAGS) $(LIBS)

fuzz-bins: $(FUZZ_BIN)

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz FUZZ=1 fuzz-bins

fuzz:
	@sh deploy/deps.sh build fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@nice sh tests/fuzz/run-fuzz.sh fuzz build-fuzz $(or $(FUZZ_SECONDS),60)

fuzz-merge:
	@$(MAKE) --no-print-directory fuzz-build
	@nice sh tests/fuzz/run-fuzz.sh merge build-fuzz

# Static analysis of src/ with the build's own defines and include paths:
# cppcheck (inline suppressions, tests/cppcheck.supp) and clang-tidy
# (.clang-tidy); any finding fails.  make check counts each as one test.
# clang-tidy's result per file is kept in $(BUILD)/lint/ until the file, a
# header or .clang-tidy changes; cppcheck keeps its own cache there.
CPPCHECK   ?= cppcheck
CLANG_TIDY ?= clang-tidy
LINT_DIR   := $(BUILD)/lint
LINT_FLAGS  = $(WARN) $(DEFS) $(INCS) $(PKG_CFLAGS) $(ED_CFLAGS)
TIDY_OK    := $(ALL_SRC:src/%.c=$(LINT_DIR)/%.tidy)

.PHONY: lint lint-cppcheck lint-clang-tidy
lint: lint-cppcheck lint-clang-tidy

lint-cppcheck:
	@mkdir -p $(LINT_DIR)/cppcheck
	$(CPPCHECK) -j2 --quiet --error-exitcode=1 --std=c11 --platform=unix64 \
	    --enable=warning,style,performance,portability \
	    --library=posix,gnu,sdl,libcurl,icu,zlib \
	    --inline-suppr --suppressions-list=tests/cppcheck.supp \
	    --cppcheck-build-dir=$(LINT_DIR)/cppcheck $(DEFS) $(INCS) src

lint-clang-tidy: $(TIDY_OK)

$(LINT_DIR)/%.tidy: src/%.c $(wildcard src/*/*.h) .clang-tidy
	@echo "  TIDY    $<"
	@mkdir -p $(dir $@)
	@if $(CLANG_TIDY) --quiet --warnings-as-errors='*' $< -- $(LINT_FLAGS) \
	    >$@.log 2>&1; then touch $@; \
	else grep -v 'warnings\{0,1\} generated\.$$' $@.log; exit 1; fi

# The ARM builds (arm64 and armhf, scalar blending too) cross-compiled,
# their unit tests and --render run under qemu-user, the pictures compared
# with the native ones.  Separate from `make test`: it takes longer.
test-arm:
	@sh deploy/deps.sh build run test cross-arm64 cross-armhf
	@sh tests/test-arm.sh

# test-arm, then a Debian arm64 machine in QEMU (tests/pi/) that boots
# into the kiosk installed by deploy/install.sh, checked from outside.
# Needs root (debootstrap, chroot); the base image is cached.
test-pi:
	@sh deploy/deps.sh build run test cross-arm64 cross-armhf pi
	@sh tests/pi/test-pi.sh

# 30 simulated days of the real kiosk loop against a changing, faulty feed
# server, with a LeakSanitizer build alongside (tests/soak.sh; what it
# proves: docs/operations.md).  Minutes, not part of `make test` (which
# runs one simulated day, tests/it-soak.sh).
soak:
	@sh deploy/deps.sh build run test
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory BUILD=build-lsan SANFLAGS=-fsanitize=leak build-lsan/edukiosk
	@sh tests/soak.sh $(BUILD)/edukiosk build-lsan/edukiosk

# edukiosk beside a Chromium kiosk, same deck and Xvfb (docs/performance.md);
# BENCH_SECS, BENCH_RUNS.  Not part of `make test`.
bench:
	@sh deploy/deps.sh build run bench
	@$(MAKE) --no-print-directory all
	@sh tests/bench.sh $(BUILD)/edukiosk $(or $(BENCH_SECS),30) $(or $(BENCH_RUNS),1)

golden: all
	@sh tests/update-golden.sh $(BUILD)/edukiosk

screenshots: all
	@sh tests/update-screenshots.sh $(BUILD)/edukiosk

install: all
	@sh deploy/install-files.sh $(BUILD)/edukiosk $(PREFIX) $(DESTDIR)

clean:
	rm -rf build build-asan build-arm64 build-armhf build-fuzz build-lsan

format:
	clang-format -i src/*/*.c src/*/*.h tests/*.c tests/*.h

-include $(OBJ:.o=.d) $(ED_OBJ:.o=.d)
