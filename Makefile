# ironkeel: every install step lives here, so a fresh machine with python3 and make is enough.
SHELL := /bin/bash
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced

.PHONY: all env native test lint typecheck unit unit-source bench demo browser system clean

all: test

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --python python3
	touch $(STAMP)

env: $(STAMP)

lint: env
	$(VENV)/bin/ruff check src tests benchmarks examples tools
	$(VENV)/bin/ruff format --check src tests benchmarks examples tools

typecheck: env
	$(VENV)/bin/mypy

# The hot modules compiled with mypyc (decision 0015); a no-op when the build matches
# the sources. Without a C compiler it says so and ironkeel runs from source.
native: env
	@$(PY) tools/native.py

# The suite runs twice: on the compiled build and on the pure-Python sources, which
# must give the same results.
unit: native
	$(VENV)/bin/pytest -n 2 --hypothesis-profile=ci

unit-source: env
	IRONKEEL_NATIVE=0 $(VENV)/bin/pytest -n 2 --hypothesis-profile=ci

test: lint typecheck unit unit-source

bench: native
	@$(PY) -m benchmarks

# The main job on built-in data: three strategies on real BTC 1-minute bars; it ends by
# writing out/demo/report.html and printing its path.
demo: native
	$(VENV)/bin/ironkeel backtest examples/demo/run.toml --out out/demo

# Debian's chromium for the report's browser test (tests/reports/test_browser.py).
# Installs only when it is missing and we are root (CI is); otherwise says what to do.
browser:
	@if [ -x /usr/bin/chromium ]; then \
		echo "chromium: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "chromium is missing: run 'sudo apt-get install chromium' (the browser test skips without it outside CI)"; \
	fi

# What the project needs from Debian, installed when missing and we are root (CI is):
# chromium (the report's browser test) and libseccomp (the strategy sandbox's seccomp).
system: browser
	@if ldconfig -p | grep -q libseccomp.so.2; then \
		echo "libseccomp: present"; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libseccomp2; \
	else \
		echo "libseccomp2 is missing: run 'sudo apt-get install libseccomp2' (seccomp is then reported inactive)"; \
	fi

clean:
	if [ -x $(PY) ]; then $(PY) tools/native.py --clean; fi
	rm -rf $(VENV) $(TOOLS) build .mypy_cache .ruff_cache .pytest_cache .hypothesis
