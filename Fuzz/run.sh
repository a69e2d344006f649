#!/usr/bin/env bash
# Builds the fuzz targets (libFuzzer + AddressSanitizer) and runs them.
#   Fuzz/run.sh smoke [seconds]        every target for a short time (default 20 s each)
#   Fuzz/run.sh TARGET seconds         one target for longer
#   NO_BUILD=1 Fuzz/run.sh …           run what is built (for several runs side by side)
# Corpora grow under Fuzz/.build/corpus/TARGET (seeded from Fuzz/Seeds/TARGET); crashes are
# written to Fuzz/.build/artifacts/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .build
targets=(FuzzTTL FuzzSetupURL FuzzGlob FuzzCodec FuzzValueFormat FuzzKeyTemplate FuzzDiskCacheOps FuzzEviction FuzzRecordDecoder FuzzRESP)
mode=${1:-smoke}
if [ -z "${NO_BUILD:-}" ]; then
    echo "==> building fuzz targets (swift build --sanitize fuzzer --sanitize address)"
    # A path dependency's new source files are only seen after the manifest is read again.
    touch Package.swift
    if ! swift build --sanitize fuzzer --sanitize address > .build/fuzz-build.log 2>&1; then
        grep -v 'Cannot export' .build/fuzz-build.log | grep -E 'error' -A3 | head -20
        exit 1
    fi
fi
bin=$(swift build --sanitize fuzzer --sanitize address --show-bin-path)
mkdir -p .build/artifacts
run() {
    local target=$1 seconds=$2
    mkdir -p ".build/corpus/$target"
    cp -n "Seeds/$target/"* ".build/corpus/$target/" 2>/dev/null || true
    local dict=()
    [ -f "Dictionaries/$target.dict" ] && dict=(-dict="Dictionaries/$target.dict")
    echo "==> $target for ${seconds}s"
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 "$bin/$target" ".build/corpus/$target" \
        -max_total_time="$seconds" -artifact_prefix=".build/artifacts/$target-" "${dict[@]}" -print_final_stats=1 \
        2>&1 | grep -aE 'Done|stat::number_of_executed_units|stat::peak_rss|ERROR|panic|Fatal|[Pp]recondition|[Aa]ssertion|SUMMARY' || true
    # Slow units are reported, not failures; crashes, leaks, timeouts and OOMs fail the run.
    # (ls fails when any one of the patterns matches nothing, so its output decides, not its status.)
    local failures
    failures=$(ls ".build/artifacts/$target-"{crash,leak,timeout,oom}-* 2>/dev/null || true)
    if [ -n "$failures" ]; then
        echo "error: $target found a failure: $failures"
        # The input itself, so that a failure on another machine can be replayed here
        # (xxd -r -p, then run the target on the file).
        for failure in $failures; do echo "input of $failure (hex):"; od -An -v -tx1 "$failure" | head -64; done
        return 1
    fi
}
if [ "$mode" = smoke ]; then
    for target in "${targets[@]}"; do run "$target" "${2:-20}"; done
else
    run "$mode" "${2:-600}"
fi
