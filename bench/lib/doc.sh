# bench/lib/doc.sh - sourced by a benchmark's run.sh (from the repository's
# root): puts the table of its run into docs/benchmarks.md.
#
# doc_section NAME TABLE [AFTER]: TABLE (a file that starts with the line
# "<!-- NAME:begin ..." and ends with "<!-- NAME:end -->") replaces the part
# of docs/benchmarks.md between those two markers; when there is none yet,
# it goes after the line with "<!-- AFTER:end" (a blank line between), or
# at the end. Then prints TABLE.
doc_section() {
	_name=$1 _table=$2 _after=${3:-}
	_doc=docs/benchmarks.md
	if grep -q "<!-- $_name:begin" "$_doc"; then
		awk -v table="$_table" -v b="<!-- $_name:begin" -v e="<!-- $_name:end" '
			index($0, b) { while ((getline line < table) > 0) print line; skip = 1; next }
			index($0, e) { skip = 0; next }
			!skip { print }' "$_doc" >"$_table.doc"
	else
		awk -v table="$_table" -v a="${_after:+<!-- $_after:end}" '
			{ print }
			a != "" && index($0, a) && !done { print ""; while ((getline line < table) > 0) print line; done = 1 }
			END { if (!done) { print ""; while ((getline line < table) > 0) print line } }' "$_doc" >"$_table.doc"
	fi
	mv "$_table.doc" "$_doc"
	cat "$_table"
}
