# Two commands on a fresh machine:  make run   |   make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask --app run
PORT ?= 5000
export PORT

.PHONY: run serve-prod bench-load test deps system-run-deps system-test-deps apt-install translations bench clean

$(VENV)/.installed: requirements.txt signer/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	$(PIP) install -q -r requirements-test.txt
	touch $@

deps: $(VENV)/.installed

translations: deps
	$(VENV)/bin/pybabel -q compile -d app/translations

## make run: install, migrate, load reference + demo data on first run, serve on 127.0.0.1:$(PORT)
run: deps translations system-run-deps
	mkdir -p instance
	$(FLASK) db upgrade
	@if [ ! -f instance/.initialised ]; then $(FLASK) init && $(FLASK) demo && touch instance/.initialised; fi
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## make serve-prod: gunicorn against PostgreSQL, as in production (see docs/deploy.md).
## Needs DATABASE_URL=postgresql://..., SECRET_KEY (32+ chars), PUBLIC_BASE_URL (not loopback); REDIS_URL shares rate limits.
# gunicorn's sync workers (its documented choice behind a buffering proxy such as nginx), 2 × cores + 1
# as its docs advise: measured against 4 gthread workers × 2 threads, bench/README.md "Worker model".
WORKERS ?= $(shell echo $$(( 2 * $$(nproc) + 1 )))
BIND ?= 127.0.0.1:8000
serve-prod: deps translations system-run-deps
	@case "$$DATABASE_URL" in postgresql://*) ;; *) echo "set DATABASE_URL=postgresql://user@host/db (PostgreSQL)"; exit 2;; esac
	@[ $${#SECRET_KEY} -ge 32 ] || { echo "set SECRET_KEY to a random value of 32+ characters"; exit 2; }
	@case "$$PUBLIC_BASE_URL" in https://*|http://*) ;; *) echo "set PUBLIC_BASE_URL to the public address (e.g. https://shenbao.example.cn)"; exit 2;; esac
	SHENBAO_ENV=production $(FLASK) db upgrade
	@SHENBAO_ENV=production $(FLASK) init >/dev/null
	SHENBAO_ENV=production $(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(BIND) --timeout 120 \
	  --graceful-timeout 30 --access-logfile - 'run:app'

## make bench-load: the mixed load test (100,000 enterprises, gunicorn + PostgreSQL, locust)
bench-load: $(VENV)/.test-installed
	$(PIP) install -q -r requirements-bench.txt
	$(PY) bench/load/run_load.py

# Debian packages: the CJK font PDFs embed and SoftHSM2, the default PKCS#11 token (run), plus a
# browser, poppler (pdfsig) with NSS's certutil, curl and ss for the tests. Without apt the app still runs: the key screens say what to install.
system-run-deps:
	@$(MAKE) --no-print-directory apt-install PKGS="$$([ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || echo fonts-wqy-zenhei) $$([ -f /usr/lib/softhsm/libsofthsm2.so ] || echo softhsm2)" || echo "warning: could not install Debian packages; see README"

system-test-deps: system-run-deps
	@$(MAKE) --no-print-directory apt-install PKGS="$$(command -v chromium >/dev/null || echo chromium) $$(command -v pdftoppm >/dev/null || echo poppler-utils) $$(command -v certutil >/dev/null || echo libnss3-tools) $$(command -v ss >/dev/null || echo iproute2) $$(command -v curl >/dev/null || echo curl) $$(command -v haproxy >/dev/null || echo haproxy)"

apt-install:
	@missing="$$(echo $(PKGS))"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## make test: install what tests need (pip + Debian), then the whole suite (SQLite and PostgreSQL)
# axe-core (accessibility checks in the browser tests), pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory apt-install PKGS="npm"
	npm ci --no-audit --no-fund --silent
	touch $@

test: $(VENV)/.test-installed translations system-test-deps node_modules/.installed
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

## make bench: list pages at 100,000 enterprises against the Django admin peer (same run)
bench: $(VENV)/.test-installed
	@[ -x /tmp/peerbench/dj52/bin/python ] || bash ../shared/peers/setup.sh
	$(PY) bench/list_pages.py

clean:
	rm -rf $(VENV) instance/.initialised
