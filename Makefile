# levtoken: every target does its own setup first; a no-change re-run of setup takes seconds.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SOLC_VERSION := 0.8.37
SOLCX_DIR ?= $(HOME)/.solcx
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup demo test gas size compile slither clean fuzz fuzz-bench mutate

setup: $(VENV)/.installed node_modules/.installed $(VENV)/bin/anvil $(SOLCX_DIR)/solc-v$(SOLC_VERSION)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# constraints.txt pins every transitive dependency to the versions the suite was last run with.
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

# ape-foundry finds anvil with `which`: link the npm-shipped binary into the venv's bin (on PATH here).
$(VENV)/bin/anvil: | node_modules/.installed $(VENV)/.installed
	ln -sfn $(CURDIR)/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil $@

# py-solc-x (hence ape-solidity) looks for solc-v<version> here; the shim answers like native solc.
# A real native solc already there is left alone.
$(SOLCX_DIR)/solc-v$(SOLC_VERSION): tools/solc node_modules/.installed FORCE
	@mkdir -p $(SOLCX_DIR)
	@if [ ! -e $@ ] || [ -L $@ ]; then ln -sfn $(CURDIR)/tools/solc $@; fi

FORCE:

# ape-solidity unpacks the OpenZeppelin and Chainlink packages into contracts/.cache (about 2,000 files)
# whenever it resolves imports, and ape lists only the first 500 files under contracts/: once the cache
# exists, this project's own contracts can drop out of that list ("no attribute 'MockERC20'"). The cache
# is rebuilt on demand, so every command starts without it.
APE := rm -rf contracts/.cache && ape

# ape recompiles only the sources that changed, not the contracts that import them (a library edit would
# leave ReservePool's bytecode stale): any change under contracts/ or to ape-config.yaml forces a full
# compile, remembered by a hash in .build/.
SOURCES_HASH = $(shell find contracts -name '*.sol' -not -path '*/.cache/*' | sort | xargs cat ape-config.yaml | sha256sum | cut -c1-64)

compile: setup
	@if [ "$(SOURCES_HASH)" != "$$(cat .build/.sources.sha256 2>/dev/null)" ]; then \
	  $(APE) compile --force && echo "$(SOURCES_HASH)" > .build/.sources.sha256; \
	else echo "contracts unchanged since the last full compile"; fi

DEMO_ARGS ?=
demo: compile
	$(APE) run demo $(DEMO_ARGS)

test: compile
	$(APE) test tests/ -q

gas: compile
	$(APE) run gas

# Runtime code size of every deployed contract (issue 8's 21,000-byte limit).
size: compile
	$(APE) run codesize

# Long fuzzing profile: fresh random programs, hypothesis's example database kept in .hypothesis/ (a failure
# found once is replayed first next time). `make fuzz FUZZ_STEPS=50000000` runs longer.
FUZZ_STEPS ?= 5000000
FUZZ_ANVIL_STEPS ?= 200000
fuzz: compile
	$(PY) -m levtoken.fuzz --backend revm --steps $(FUZZ_STEPS) --random --database
	$(PY) -m levtoken.fuzz --backend anvil --steps $(FUZZ_ANVIL_STEPS) --random --database

# Throughput of the three fuzzing modes (numbers, not assertions).
fuzz-bench: compile
	$(PY) -m levtoken.fuzz --backend model --steps 200000
	$(PY) -m levtoken.fuzz --backend revm --steps 200000
	$(PY) -m levtoken.fuzz --backend anvil --steps 10000 --lens-every 1

# Mutation pass over the contracts (docs/testing.md): each mutant is applied in an isolated git worktree
# (MUTATE_WORKTREE, never this checkout), compiled there and killed by the fuzzer, then targeted tests, then
# the full suite; one at a time. `make mutate MUTATE_ARGS="--only C02 --only R14"` runs a few.
MUTATE_WORKTREE ?= /tmp/mut
MUTATE_ARGS ?=
mutate: compile
	$(PY) -m levtoken.mutation --worktree $(MUTATE_WORKTREE) $(MUTATE_ARGS)

# Static analysis in its own venv: slither-analyzer pulls in solc-select, which would shadow the shim.
SLITHER_VENV := .venv-slither
$(SLITHER_VENV)/bin/slither:
	python3 -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install --quiet --disable-pip-version-check slither-analyzer

slither: setup $(SLITHER_VENV)/bin/slither
	$(SLITHER_VENV)/bin/slither contracts/ReservePool.sol --solc tools/solc \
	  --solc-remaps "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/ @chainlink/contracts/=node_modules/@chainlink/contracts/" \
	  --solc-args "--via-ir --optimize --evm-version prague" --filter-paths node_modules \
	  --exclude-informational --exclude-low --fail-none

clean:
	rm -rf .build out
