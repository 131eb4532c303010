# Two commands on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
STAMP  := $(VENV)/.installed
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: run test install index browser lint typecheck eval eval-report bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Build the clause index of the bundled corpus when there is none yet.
index: install
	@$(PY) -c "from assistant.config import get_settings; from assistant.index.store import IndexSnapshot; import sys; sys.exit(0 if IndexSnapshot.path_in(get_settings().data_dir).exists() else 1)" \
		|| $(VENV)/bin/shenbao ingest

# Debian's Chromium for the end-to-end browser test (never a browser download by a test tool), and a CJK
# font so that its screenshots show the Chinese text.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 && \
		fc-list :lang=zh 2>/dev/null | grep -q . || \
		( (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null ) || \
		echo "chromium not installed: browser tests will be skipped"

run: index
	@if [ -f ui/app.py ]; then \
		$(VENV)/bin/streamlit run ui/app.py --server.headless true --browser.gatherUsageStats false; \
	else \
		$(VENV)/bin/shenbao search; \
	fi

test: install browser
	$(VENV)/bin/pytest -q

# The hardening group alone (also part of `make test`): bad input, faults, injection, load, secrets, fuzz.
reliability: install
	$(VENV)/bin/pytest -q -m reliability tests/reliability

# Concurrent asks through the Python API: throughput and p95 → benchmarks/results/load.json
load: index
	$(PY) benchmarks/load.py

lint: install
	$(VENV)/bin/ruff check assistant ui tests benchmarks evals
	$(VENV)/bin/mypy

# The CI gate: the dev set, offline, against evals/thresholds.yaml (exit 1 names each missed threshold).
eval: index
	$(VENV)/bin/shenbao eval --dataset evals/datasets/dev.jsonl --out out/eval --thresholds evals/thresholds.yaml

# The release report: dev + extra items, ours vs the naive baseline side by side (report.md + plots).
eval-report: index
	$(VENV)/bin/shenbao eval --dataset evals/datasets/dev.jsonl --out out/eval-dev --baseline naive \
		--thresholds evals/thresholds.yaml
	$(VENV)/bin/shenbao eval --dataset evals/datasets/extra.jsonl --out out/eval-extra --baseline naive

bench: index
	$(PY) benchmarks/retrieval_compare.py

clean:
	rm -rf $(VENV) out
