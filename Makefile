# Two commands do everything on a fresh machine with Python 3.11 and make (README, Quick start):
#   make run    create .venv, install, migrate, seed the demo, serve on http://127.0.0.1:$(PORT)/
#   make test   create the same environment and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
STAMP  := $(VENV)/.installed
SECRET := .secret_key

.PHONY: fuzz run test lint check messages browser-deps bench clean

$(STAMP): requirements.txt requirements-test.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(STAMP)

$(SECRET):
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $(SECRET)

# The local demo runs with DEBUG off, as in production, but over plain HTTP on the loopback address. It serves
# with gunicorn and runs the background worker and the scheduler beside it (manage.py serve): Ctrl-C stops all.
run: $(STAMP) $(SECRET)
	@export SECRET_KEY="$$(cat $(SECRET))" INSECURE_HTTP=1 BASE_URL="http://127.0.0.1:$(PORT)"; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	$(BIN)/python manage.py seed_demo && \
	echo "" && \
	echo "  IVD LIMS is starting at http://127.0.0.1:$(PORT)/ (gunicorn, background worker, scheduler)" && \
	echo "  Demo logins (password lims-demo, for the demo only):" && \
	echo "    production  qc  qa  qa2  regulatory  incubator  lab  auditor  admin" && \
	echo "  API docs: http://127.0.0.1:$(PORT)/api/v1/docs/   Ctrl-C stops everything." && \
	echo "" && \
	exec $(BIN)/python manage.py serve --port $(PORT)

# Browser tests drive Debian's chromium (Playwright's own browser download does not work here).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: browser tests will fail"; \
	  else echo "chromium is missing (apt-get install chromium): browser tests will fail"; fi; }
	@# A CJK font, so that the zh-Hans screenshots of the browser journeys show Chinese rather than boxes.
	@fc-list :lang=zh 2>/dev/null | grep -q . || { \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null) \
	      || echo "fonts-wqy-microhei could not be installed: Chinese screenshots show boxes"; \
	  else echo "no CJK font (apt-get install fonts-wqy-microhei): Chinese screenshots show boxes"; fi; }

test: $(STAMP) browser-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

# A longer schemathesis run than the one in `make test` (FUZZ_EXAMPLES per operation and role; numbers in
# bench/results/fuzz_api.md).
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz_api.py --examples $${FUZZ_EXAMPLES:-100}

lint: $(STAMP)
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=lims.settings_test $(BIN)/python manage.py makemigrations --check --dry-run

# Refresh the translation catalogues of every app after changing user-facing strings.
messages: $(STAMP)
	# production's nested apps (monitoring, labelling) keep catalogues of their own: only production itself skips
	# them (inside a nested app the same pattern would also drop its own templates/<app>/ strings).
	for app in lims incubator production production/monitoring production/labelling qc regulatory lab; do \
	  ignore=""; [ "$$app" = production ] && ignore="--ignore=monitoring/* --ignore=labelling/*"; \
	  (cd $$app && mkdir -p locale && $(CURDIR)/$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete \
	    $$ignore --settings=lims.settings_test --pythonpath=$(CURDIR)) ; done
	$(BIN)/django-admin compilemessages --settings=lims.settings_test --pythonpath=. --ignore=.venv

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
