# Docket: the two commands are `make run` and `make test`.
DOTNET ?= dotnet
URLS ?= http://127.0.0.1:8080
CONFIGURATION ?= Release

.PHONY: run test build web api-types samples eval bench cluster cluster-down clean backup restore

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

## Score `docket extract` on the labelled invoices against their truth.json; the table goes to docs/benchmarks.md.
## EVAL_ARGS=--misses lists every wrong value.
INVOICE_SAMPLES ?= ../shared/samples/invoices
eval:
	$(DOTNET) build src/Docket.Server -c $(CONFIGURATION) -nologo -v quiet
	$(DOTNET) build tools/Docket.Eval -c $(CONFIGURATION) -nologo -v quiet
	$(DOTNET) tools/Docket.Eval/bin/$(CONFIGURATION)/net10.0/docket-eval.dll --samples $(INVOICE_SAMPLES) \
		--docket src/Docket.Server/bin/$(CONFIGURATION)/net10.0/docket.dll --write docs/benchmarks.md $(EVAL_ARGS)

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
