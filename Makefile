# Persistent Joy - build, test and benchmark.
#   make          build/joy.so (SQLite extension) and build/joy (CLI)
#   make test     build and run every suite; ends with "N passed, N failed"
#   make bench    run the benchmarks under scripts/bench
# On a fresh Debian machine, run as root, `make` installs what is missing.

CXX      ?= g++
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -Wno-unused-parameter -fPIC -Ibuild/gen
LDLIBS_CLI = -lsqlite3 -ledit
PYTHON   ?= /usr/bin/python3

DEB_PACKAGES = g++ make libsqlite3-dev sqlite3 catch2 python3 python3-pytest libedit-dev tcl libsqlite3-tcl libdbd-sqlite3-perl

CORE_SRC = $(wildcard joycore/*.cpp)
CORE_OBJ = $(CORE_SRC:%.cpp=build/%.o)
EXT_SRC  = $(filter-out ext/cli.cpp,$(wildcard ext/*.cpp))
EXT_OBJ  = $(EXT_SRC:%.cpp=build/%.o)
# The CLI and the unit tests link SQLite directly: the same ext sources,
# compiled with SQLITE_CORE so that sqlite3ext.h calls the library itself.
CORE_EXT_OBJ = $(EXT_SRC:%.cpp=build/core/%.o)
UNIT_SRC = $(wildcard tests/unit/*.cpp)
UNIT_OBJ = $(UNIT_SRC:%.cpp=build/%.o)

all: deps build/joy.so build/joy

# Install missing Debian packages (only as root; otherwise just report).
deps: build/.deps
build/.deps:
	@mkdir -p build
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else echo "missing packages (install as root):$$missing"; exit 1; fi; \
	fi; touch $@

build/gen/schema_sql.inc: sql/schema.sql
	@mkdir -p build/gen
	{ printf 'R"JOYSQL('; cat $<; printf ')JOYSQL"\n'; } > $@

build/core/%.o: %.cpp | build/.deps build/gen/schema_sql.inc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -DSQLITE_CORE -MMD -MP -c $< -o $@

build/%.o: %.cpp | build/.deps build/gen/schema_sql.inc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c $< -o $@

build/joy.so: $(CORE_OBJ) $(EXT_OBJ)
	$(CXX) $(CXXFLAGS) -shared -o $@ $^

build/joy: $(CORE_OBJ) $(CORE_EXT_OBJ) build/core/ext/cli.o
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS_CLI)

build/unit_tests: $(CORE_OBJ) $(CORE_EXT_OBJ) $(UNIT_OBJ)
	$(CXX) $(CXXFLAGS) -o $@ $^ $(LDLIBS_CLI)

test: all build/unit_tests
	@$(PYTHON) scripts/run_tests.py

bench: all
	@$(PYTHON) scripts/bench/run.py

clean:
	rm -rf build

.PHONY: all deps test bench clean
-include $(CORE_OBJ:.o=.d) $(EXT_OBJ:.o=.d) $(CORE_EXT_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) build/core/ext/cli.d
