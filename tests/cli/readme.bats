#!/usr/bin/env bats
# The README's examples stay real: every code block after a <!-- replay --> line is
# run again here, on the committed recordings (tests/unit/fixtures/traces; run.ndjson.gz
# is the CI session's all-7.2 trace), and must print what the README shows. "$ CMD"
# lines are commands (stdout and stderr together, as in the README), "[exit N]" their
# exit status, a "..." line stands for any number of lines, and "…" within a line for
# text that differs per run.

D0=${D0AUDIT:-build/d0audit}

setup() {
	tmp=$(mktemp -d)
	mkdir "$tmp/bin" "$tmp/work"
	ln -s "$(realpath "$D0")" "$tmp/bin/d0audit"
	for f in tests/unit/fixtures/traces/*.ndjson.gz; do ln -s "$(realpath "$f")" "$tmp/work/"; done
	ln -s "$(realpath tests/unit/fixtures/traces/all-7.2.ndjson.gz)" "$tmp/work/run.ndjson.gz"
}

teardown() {
	rm -rf "$tmp"
}

# blocks README: each replay block into $tmp/block.N; prints how many
blocks() {
	awk -v dir="$tmp" '
		/^<!-- replay -->$/ { want = 1; next }
		want && /^```/ { want = 0; n++; inblock = 1; next }
		inblock && /^```/ { inblock = 0; next }
		inblock { print > (dir "/block." n) }
		END { print n + 0 }' "$1"
}

# expect EXPECTED ACTUAL: the lines match in order; "..." in EXPECTED skips any lines
expect() {
	python3 - "$1" "$2" <<-'EOF'
		import re, sys
		want = open(sys.argv[1]).read().splitlines()
		got = open(sys.argv[2]).read().splitlines()
		def match(w, g):
		    if not w:
		        return not g
		    if w[0] == "...":
		        return any(match(w[1:], g[i:]) for i in range(len(g) + 1))
		    return bool(g) and same(w[0], g[0]) and match(w[1:], g[1:])
		def same(w, g):
		    # "…" in a README line stands for text that differs per run (JUnit's timestamp, host)
		    return w == g or ("…" in w and re.fullmatch(".*".join(map(re.escape, w.split("…"))), g) is not None)
		if not match(want, got):
		    import difflib
		    sys.stdout.writelines(difflib.unified_diff([l + "\n" for l in want], [l + "\n" for l in got], "README", "now"))
		    sys.exit(1)
	EOF
}

@test "README: every <!-- replay --> example prints today what the README shows" {
	n=$(blocks README.md)
	[ "$n" -ge 2 ]
	for ((b = 1; b <= n; b++)); do
		: >"$tmp/want" && : >"$tmp/got"
		cmd=''
		flush() {
			[[ -z $cmd ]] && return 0
			local rc=0
			(cd "$tmp/work" && PATH=$tmp/bin:$PATH bash -c "$cmd") >>"$tmp/got" 2>&1 || rc=$?
			printf '[exit %d]\n' "$rc" >>"$tmp/got"
			# the README may leave the status out
			grep -q '^\[exit [0-9]*\]$' <(tail -1 "$tmp/want") || sed -i '$d' "$tmp/got"
		}
		while IFS= read -r line; do
			if [[ $line == '$ '* ]]; then
				flush
				cmd=${line#\$ }
				echo "$line" >>"$tmp/got"
			fi
			echo "$line" >>"$tmp/want"
		done <"$tmp/block.$b"
		flush
		expect "$tmp/want" "$tmp/got" || { echo "README replay block $b differs"; false; }
	done
}

@test "README: the replay check catches a changed output" {
	blocks README.md >/dev/null
	sed 's/101 seen, met/102 seen, met/' "$tmp/block.1" >"$tmp/want"
	cp "$tmp/block.1" "$tmp/got"
	run expect "$tmp/want" "$tmp/got"
	[ "$status" -eq 1 ]
	[[ $output == *"-require reset::1: 102 seen, met"* ]]
	printf 'a\n...\nd\n' >"$tmp/w2"
	printf 'a\nb\nc\nd\n' >"$tmp/g2"
	expect "$tmp/w2" "$tmp/g2"
}
