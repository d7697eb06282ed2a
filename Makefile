# Persistent Joy - build, test and benchmark.
#   make          build/joy.so (SQLite extension) and build/joy (CLI)
#   make test     build and run every suite; ends with "N passed, N failed"
#   make bench    run the benchmarks under scripts/bench
#   make asan     build into build-asan/ with AddressSanitizer and UBSan, run every suite
#   make fuzz     build libFuzzer targets into build-fuzz/, run each FUZZ_SECONDS (default 30)
# On a fresh Debian machine, run as root, `make` installs what is missing.

CXX      ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -Wno-unused-parameter -fPIC -Ibuild/gen
# Only the entry point is exported: calls inside the extension go straight
# to their function (no PLT), and the compiler may inline them.
CXXFLAGS += -fvisibility=hidden -fvisibility-inlines-hidden
LDLIBS_CLI = -lsqlite3 -ledit
PYTHON   ?= /usr/bin/python3
# Build directory of objects and binaries (build-asan and build-fuzz reuse the rules).
OUT      ?= build

DEB_PACKAGES = g++ make libsqlite3-dev sqlite3 catch2 python3 python3-pytest python3-pip python3-setuptools python3-venv libedit-dev tcl libsqlite3-tcl libdbd-sqlite3-perl locales

CORE_SRC = $(wildcard joycore/*.cpp)
CORE_OBJ = $(CORE_SRC:%.cpp=$(OUT)/%.o)
EXT_SRC  = $(filter-out ext/cli.cpp,$(wildcard ext/*.cpp))
EXT_OBJ  = $(EXT_SRC:%.cpp=$(OUT)/%.o)
# The CLI and the unit tests link SQLite directly: the same ext sources,
# compiled with SQLITE_CORE so that sqlite3ext.h calls the library itself.
CORE_EXT_OBJ = $(EXT_SRC:%.cpp=$(OUT)/core/%.o)
UNIT_SRC = $(wildcard tests/unit/*.cpp)
UNIT_OBJ = $(UNIT_SRC:%.cpp=$(OUT)/%.o)

all: deps build/joy.so build/joy

# Install missing Debian packages (only as root; otherwise just report).
# The fuzz target's extra packages are installed only when `make fuzz` runs.
FUZZ_PACKAGES = clang libclang-rt-14-dev
deps: build/.deps
build/.deps: PACKAGES = $(DEB_PACKAGES)
build/.fuzz-deps: PACKAGES = $(FUZZ_PACKAGES)
build/.deps build/.fuzz-deps:
	@mkdir -p build
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ "$@" = build/.deps ] && ! { command -v node && command -v npm; } >/dev/null; then missing="$$missing nodejs npm"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else echo "missing packages (install as root):$$missing"; exit 1; fi; \
	fi; touch $@

build/gen/schema_sql.inc: sql/schema.sql
	@mkdir -p build/gen
	{ printf 'R"JOYSQL('; cat $<; printf ')JOYSQL"\n'; } > $@

$(OUT)/core/%.o: %.cpp | build/.deps build/gen/schema_sql.inc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -DSQLITE_CORE -MMD -MP -c $< -o $@

$(OUT)/%.o: %.cpp | build/.deps build/gen/schema_sql.inc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

$(OUT)/joy.so: $(CORE_OBJ) $(EXT_OBJ)
	$(CXX) $(CXXFLAGS) -shared -o $@ $^

$(OUT)/joy: $(CORE_OBJ) $(CORE_EXT_OBJ) $(OUT)/core/ext/cli.o
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS_CLI)

$(OUT)/unit_tests: $(CORE_OBJ) $(CORE_EXT_OBJ) $(UNIT_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS_CLI)

test: all build/unit_tests
	@$(PYTHON) scripts/run_tests.py

bench: all
	@$(PYTHON) scripts/bench/run.py

# Every suite against a build with AddressSanitizer and UndefinedBehaviorSanitizer
# (halting on the first report) in build-asan/. The python suite loads the
# ASan joy.so into /usr/bin/python3, which needs the ASan runtime preloaded
# (and libstdc++ with it, or ASan cannot intercept C++ throws); leak checking
# is off for that suite only (the Python interpreter itself does not free
# everything at exit).
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan: deps build/gen/schema_sql.inc
	@CXXFLAGS="-O1 -g -Wno-maybe-uninitialized $(SANITIZE)" $(MAKE) --no-print-directory OUT=build-asan \
	  build-asan/joy build-asan/joy.so build-asan/unit_tests
	@JOY_BUILD_DIR=build-asan JOY_TIME_SCALE=4 \
	  JOY_PYTHON_PRELOAD="$$($(CXX) -print-file-name=libasan.so) $$($(CXX) -print-file-name=libstdc++.so)" \
	  UBSAN_OPTIONS=print_stacktrace=1 $(PYTHON) scripts/run_tests.py

# libFuzzer targets (tests/fuzz/fuzz_*.cpp) built with clang into build-fuzz/,
# each run FUZZ_SECONDS from the seed corpus tests/fuzz/corpus/<target>;
# crashing inputs are saved under build-fuzz/crashes/<target>/.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS = reader eval json store dbfile
fuzz: build/.deps build/.fuzz-deps build/gen/schema_sql.inc
	@CXX=clang++ CXXFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(SANITIZE)" $(MAKE) --no-print-directory \
	  OUT=build-fuzz $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	@$(PYTHON) scripts/fuzz/run.py --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(OUT)/fuzz_%: tests/fuzz/fuzz_%.cpp $(CORE_OBJ) $(CORE_EXT_OBJ)
	$(CXX) $(CXXFLAGS) -fsanitize=fuzzer -DSQLITE_CORE -o $@ $^ $(LDLIBS_CLI)

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all deps test bench clean asan fuzz
-include $(CORE_OBJ:.o=.d) $(EXT_OBJ:.o=.d) $(CORE_EXT_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(OUT)/core/ext/cli.d
