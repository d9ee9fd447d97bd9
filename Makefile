# ironkeel: every install step lives here, so a fresh machine with python3 and make is enough.
SHELL := /bin/bash
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced

.PHONY: all env test lint typecheck unit bench demo browser system clean

all: test

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(STAMP): $(UV) pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --python python3
	touch $(STAMP)

env: $(STAMP)

lint: env
	$(VENV)/bin/ruff check src tests benchmarks examples
	$(VENV)/bin/ruff format --check src tests benchmarks examples

typecheck: env
	$(VENV)/bin/mypy

unit: env
	$(VENV)/bin/pytest -n 2 --hypothesis-profile=ci

test: lint typecheck unit

bench: env
	@$(PY) -m benchmarks

# The main job on built-in data: three strategies on real BTC 1-minute bars; it ends by
# writing out/demo/report.html and printing its path.
demo: env
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
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache .hypothesis
