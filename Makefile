# Värna – the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Bought-in (SCORM) course files are served from a second origin (docs/architecture.md).
CONTENT_PORT ?= 5001
SCORM_VENDOR := app/static/vendor/scorm-again

.PHONY: run test test-pg test-clock lint format bench browser pdf-libs saml-libs translations idp scorm-runtime clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

translations: $(VENV)/.installed
	$(BIN)/python scripts/i18n.py compile

# Links in certificates and e-mails point at the address `make run` serves (BASE_URL, unless set).
run: export BASE_URL ?= http://$(HOST):$(PORT)
# Another host name than Värna's (localhost, not 127.0.0.1): no cookie of Värna's is sent there.
run: export SCORM_CONTENT_ORIGIN ?= http://localhost:$(CONTENT_PORT)
run: $(VENV)/.installed translations pdf-libs saml-libs scorm-runtime
	$(FLASK) db upgrade
	-$(FLASK) courses sync  # a broken course is reported; the last valid version keeps serving
	$(FLASK) demo seed --if-empty
	$(BIN)/flask --app wsgi_content run --host $(HOST) --port $(CONTENT_PORT) & \
		trap 'kill $$!' EXIT; $(FLASK) run --host $(HOST) --port $(PORT)

browser:
	@bash scripts/ensure-chromium.sh

# The SCORM runtime (npm scorm-again, pinned in js/package-lock.json) for the course player:
# installed by npm ci, its browser builds and licence copied under app/static/vendor.
$(SCORM_VENDOR)/.installed: js/package.json js/package-lock.json
	@bash scripts/ensure-node.sh
	cd js && npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p $(SCORM_VENDOR)
	cp js/node_modules/scorm-again/dist/scorm12.min.js js/node_modules/scorm-again/dist/scorm2004.min.js \
		js/node_modules/scorm-again/LICENSE $(SCORM_VENDOR)/
	touch $@

scorm-runtime: $(SCORM_VENDOR)/.installed

# WeasyPrint (the PDFs) lays text out with Debian's pango.
pdf-libs:
	@bash scripts/ensure-pdf-libs.sh

# SAML sign-in (pysaml2) signs and verifies XML with Debian's xmlsec1.
saml-libs:
	@bash scripts/ensure-xmlsec1.sh

# The OpenID Connect provider the sign-in tests run against (npm oidc-provider, pinned in
# the lock file; tests/idp/oidc). Installed again only when the lock file is newer.
IDP_OIDC := tests/idp/oidc
idp: $(IDP_OIDC)/node_modules/.installed

$(IDP_OIDC)/node_modules/.installed: $(IDP_OIDC)/package-lock.json $(IDP_OIDC)/package.json
	@bash scripts/ensure-node.sh
	npm ci --prefix $(IDP_OIDC) --no-audit --no-fund
	touch $@

test: $(VENV)/.installed-test translations browser pdf-libs saml-libs idp scorm-runtime
	$(BIN)/pytest $(PYTEST_ARGS)

test-pg: $(VENV)/.installed-test translations browser pdf-libs saml-libs idp scorm-runtime
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest $(PYTEST_ARGS)

# The suite with the clock moved (tests/clock.py): no test may depend on the day it runs.
# One run per value of CLOCKS; set TEST_DATABASE_URL to run them on PostgreSQL.
CLOCKS ?= +1y +2y@00:05
test-clock: $(VENV)/.installed-test translations browser pdf-libs saml-libs idp scorm-runtime
	@set -e; for clock in $(CLOCKS); do \
		echo "== VARNA_TEST_CLOCK=$$clock"; \
		VARNA_TEST_CLOCK=$$clock $(BIN)/pytest $(PYTEST_ARGS); \
	done

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(VENV)/.installed $(VENV)/.installed-test $@

bench: $(VENV)/.installed-bench translations
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
