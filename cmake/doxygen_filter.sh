#!/bin/sh
# Doxygen input filter (docs/Doxyfile.in, FILTER_PATTERNS); the files themselves are not changed, and line
# numbers stay the same.
# * Headers: pointers such as docs/math.md#faces-of-the-simplex stay plain text (Doxygen would read
#   "#faces" as a link request to a symbol).
# * Markdown pages: Doxygen 1.9.4 does not create GitHub's automatic heading anchors, so a link to a heading
#   of the same page, [text](#heading), would be an unresolved reference; it becomes plain text.
case "$1" in
  *.md) exec sed -E 's/\[([^]]*)\]\(#[^)]*\)/\1/g' "$1" ;;
  *) exec sed -E 's/\.md#/.md\\#/g' "$1" ;;
esac
