# The two commands of the README, and a few conveniences. Everything else is CMake.
#   make demo   install what is missing, build, replay the demo capture, serve the web UI on it
#   make test   install what is missing, build, run every test (plain, sanitizer, fuzz smoke)

JOBS ?= 2
BUILD ?= build
DEMO_OUT ?= out/demo
DEMO_LISTEN ?= 127.0.0.1:8080
DEMO_SERVE ?= 1

.PHONY: all deps build demo test bench clean

all: build

deps:
	@bash scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	$(BUILD)/app/otsentry replay pcaps/demo/demo.pcap --eve $(DEMO_OUT)/eve.json --db $(DEMO_OUT)/otsentry.db \
		--var 'ICS_ENGINEERING=[127.0.0.10,127.0.0.20]'
	@echo
	@echo "EVE log:  $(DEMO_OUT)/eve.json   (try: grep '\"event_type\":\"alert\"' $(DEMO_OUT)/eve.json)"
	@echo "Store:    $(DEMO_OUT)/otsentry.db (try: $(BUILD)/app/otsentry alerts list --db $(DEMO_OUT)/otsentry.db)"
ifneq ($(DEMO_SERVE),0)
	@echo
	@echo "Serving the web UI on the demo's alerts; log in as admin with the password printed below."
	@echo "(DEMO_SERVE=0 skips this; Ctrl-C stops the server.)"
	$(BUILD)/app/otsentry serve --db $(DEMO_OUT)/otsentry.db --listen $(DEMO_LISTEN)
endif

test: deps
	@bash scripts/run-tests

bench: build
	@bash bench/run_replay_bench.sh $(BUILD)

clean:
	rm -rf build build-asan build-fuzz out
