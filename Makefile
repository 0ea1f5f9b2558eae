# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED_CMS ?= ../shared/data/cms

.PHONY: run test setup lint eval bench clean lock

run: setup
	$(BIN)/consultant run

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

# Pin what is installed now (after changing pyproject.toml): the versions setup and CI use.
lock: setup
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test,bench]'
	{ sed -n '1,2p' requirements.lock; $(BIN)/pip freeze --exclude-editable | sort -f; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Score the analysis on the labelled questions (needs ../shared).
eval: setup
	$(BIN)/consultant db upgrade
	$(BIN)/consultant codes load icd10cm
	$(BIN)/consultant codes import-dir $(SHARED_CMS)
	../shared/eval/score ../shared/eval/dev --cmd '$(BIN)/consultant analyze {} --json'

clean:
	rm -rf $(VENV) var .pytest_cache
