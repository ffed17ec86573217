# Quick start: `make run` generates C for an example spec, `make test` runs every test.
# Both install libtcc-dev and tcc first when they are missing.

SPEC ?= Generated/se_resnet50_layer1.spec.json
OUT ?= out

.PHONY: deps run test regenerate check
deps:
	@scripts/install-deps.sh

run: deps
	swift run attn-gen $(SPEC) -o $(OUT)

test: deps
	swift build --build-tests
	swift test --skip-build

regenerate: deps
	swift run attn-gen regenerate

check: deps
	swift run attn-gen check
