#!/bin/sh
# Doxygen input filter for the Markdown pages (docs/Doxyfile.in, FILTER_PATTERNS): Doxygen 1.9.4 does not
# create GitHub's automatic heading anchors, so a link to a heading of the same page, [text](#heading),
# would be an unresolved reference; it becomes plain text. The files themselves are not changed.
exec sed -E 's/\[([^]]*)\]\(#[^)]*\)/\1/g' "$1"
