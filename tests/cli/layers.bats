#!/usr/bin/env bats
# The layers of src/ (README, "Developer guide"): tools/check-layers holds the tree to
# "includes go down, never up or sideways", and fails on a tree that breaks it.

setup() {
	tmp=$(mktemp -d)
	cp -r src "$tmp/src"
}

teardown() {
	rm -rf "$tmp"
}

@test "the tree's includes go down the layers only" {
	run tools/check-layers .
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -z "$output" ]
}

@test "a model file that includes the kernel layer is refused, with file and line" {
	sed -i '1a #include "kernel/loader.h"' "$tmp/src/model/verdict.c"
	run tools/check-layers "$tmp"
	[ "$status" -eq 1 ]
	[[ $output == *"src/model/verdict.c:2: model includes kernel/, which is above it"* ]]
}

@test "trace and out are beside each other: one including the other is refused" {
	sed -i '1a #include "out/render.h"' "$tmp/src/trace/trace_reader.c"
	run tools/check-layers "$tmp"
	[ "$status" -eq 1 ]
	[[ $output == *"src/trace/trace_reader.c:2: trace includes out/, which is beside it"* ]]
}

@test "a folder that is no known layer is refused" {
	mkdir "$tmp/src/misc" && touch "$tmp/src/misc/x.c"
	run tools/check-layers "$tmp"
	[ "$status" -eq 1 ]
	[[ $output == *"src/misc/ is not a known layer"* ]]
}
