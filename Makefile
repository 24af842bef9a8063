# The front door. Each target is one line; `make demo` and `make test` install what they need.
.PHONY: setup demo test bench lint typecheck

setup: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

demo: setup
	npm run --silent demo

test: setup
	npm test

bench: setup
	npm run --silent bench

lint: setup
	npm run --silent lint

typecheck: setup
	npm run --silent typecheck
