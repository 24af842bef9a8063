# The front door. Each target is one line; `make demo` and `make test` install what they need.
.PHONY: setup build demo test bench lint typecheck

# setup: the packages (npm ci) and the compiled program bin/hedui.js runs (dist/, rebuilt when a source changes)
setup: node_modules/.installed dist/BUILT

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

dist/BUILT: node_modules/.installed tsconfig.json tsconfig.build.json scripts/build.mjs $(shell git ls-files '*.ts' '*.sql' '*.json' 2>/dev/null | grep -v -e '\.test\.ts$$' -e '^fixtures/tiny/' -e '^bench/')
	node scripts/build.mjs

build: node_modules/.installed
	node scripts/build.mjs

demo: setup
	npm run --silent demo

test: setup
	npm test

bench: setup
	npm run --silent bench -- $(BENCH)

lint: setup
	npm run --silent lint

typecheck: setup
	npm run --silent typecheck
