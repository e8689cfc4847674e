# Docket: the two commands are `make run` and `make test`.
DOTNET ?= dotnet
URLS ?= http://127.0.0.1:8080
CONFIGURATION ?= Release

.PHONY: run test build web api-types samples eval train bench cluster cluster-down clean backup restore

## Start Docket on its embedded defaults (SQLite, local files, in-process queue and bus), data under ./data.
## The web UI is built first and served at the root; without Node.js the API still starts, alone.
## On the first start it creates admin@docket.local and prints its password (kept in data/initial-admin-password).
run:
	bash scripts/runtime-deps.sh
	bash scripts/web.sh build || echo "The web UI could not be built; starting the API only."
	$(DOTNET) build src/Docket.Server -c $(CONFIGURATION) -nologo -v quiet
	@if [ -f data/initial-admin-password ]; then \
	  echo "Sign in as admin@docket.local with the password in data/initial-admin-password: POST $(URLS)/api/v1/auth/login"; \
	elif [ ! -f data/docket.db ]; then \
	  echo "First start: the server creates admin@docket.local and prints its password below."; \
	else \
	  echo "Sign in with your account; add one with: $(DOTNET) src/Docket.Server/bin/$(CONFIGURATION)/net10.0/docket.dll users create EMAIL --admin"; \
	fi
	$(DOTNET) src/Docket.Server/bin/$(CONFIGURATION)/net10.0/docket.dll serve --urls $(URLS)

## Install what the tests need, run every test suite, and print one "N passed, N failed" line.
test:
	bash scripts/test.sh

build:
	$(DOTNET) build Docket.slnx -c $(CONFIGURATION)

## Build the web UI into web/dist (served by the server from wwwroot beside the executable).
web:
	bash scripts/web.sh build

## Regenerate web/src/api/schema.d.ts from the OpenAPI document of a freshly built server.
api-types:
	$(DOTNET) build src/Docket.Server -c $(CONFIGURATION) -nologo -v quiet
	bash scripts/web.sh install
	CONFIGURATION=$(CONFIGURATION) bash scripts/api-types.sh

## Back up the database (online) and the stored files into a new folder: `make backup [OUT=dir]`. Settings as for `make run`.
backup:
	$(DOTNET) build src/Docket.Server -c $(CONFIGURATION) -nologo -v quiet
	$(DOTNET) src/Docket.Server/bin/$(CONFIGURATION)/net10.0/docket.dll backup $(if $(OUT),--out $(OUT))

## Restore a backup into an empty database and file store (stop the server first): `make restore FROM=dir [FORCE=1]`.
restore:
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/docket-... [FORCE=1]"; exit 2; }
	$(DOTNET) build src/Docket.Server -c $(CONFIGURATION) -nologo -v quiet
	$(DOTNET) src/Docket.Server/bin/$(CONFIGURATION)/net10.0/docket.dll restore --from $(FROM) $(if $(FORCE),--force)

## Regenerate samples/outputs from samples/inputs by running them through a real Docket.
samples:
	bash scripts/make-samples.sh

## Score Docket's extraction on every labelled development set (invoices, receipts, rendered): per set, format group
## and language, receipts also on their exact transcription, with the confidence table; the tables go to docs/benchmarks.md.
## `make eval CV=5` scores by 5-fold cross-validation by seller instead (train on four folds, score the fifth): the figure
## to watch. Texts (OCR included) are cached under .cache/eval; FRESH=1 reads them again. EVAL_ARGS=--misses lists every wrong value.
SAMPLES ?= ../shared/samples
EVAL_SETS = --samples $(SAMPLES)/invoices --samples $(SAMPLES)/receipts --samples $(SAMPLES)/rendered
eval:
	bash scripts/runtime-deps.sh
	$(DOTNET) build tools/Docket.Eval -c $(CONFIGURATION) -nologo -v quiet
	$(DOTNET) tools/Docket.Eval/bin/$(CONFIGURATION)/net10.0/docket-eval.dll $(EVAL_SETS) $(if $(CV),--cv $(CV)) $(if $(FRESH),--fresh) \
		--write docs/benchmarks.md $(EVAL_ARGS)

## Rebuild the field scorer from the development sets (seeded: the same sets give the same file) into the model Docket ships.
FIELD_MODEL = src/Docket.Core/Pipeline/Stages/Fields/Ranking/field-model.json
train:
	bash scripts/runtime-deps.sh
	$(DOTNET) build tools/Docket.Eval -c $(CONFIGURATION) -nologo -v quiet
	$(DOTNET) tools/Docket.Eval/bin/$(CONFIGURATION)/net10.0/docket-eval.dll train $(EVAL_SETS) $(if $(FRESH),--fresh) --out $(FIELD_MODEL)

## Run the benchmarks (not part of `make test`; takes long) and rewrite the generated part of docs/benchmarks.md
## with the machine, the versions and the medians. RUNS=3 (at least 3); ONLY=queue,pdf replaces only those scenarios.
RUNS ?= 3
bench:
	RUNS='$(RUNS)' ONLY='$(ONLY)' bash scripts/bench.sh

## A local distributed stack: PostgreSQL, Redis, two API nodes behind nginx on :8080, three workers.
cluster:
	bash scripts/cluster.sh up

cluster-down:
	bash scripts/cluster.sh down

clean:
	rm -rf src/*/bin src/*/obj tests/*/bin tests/*/obj web/dist web/test-results
