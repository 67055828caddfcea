#!/usr/bin/env bash
# Commit what `answers update` changed under the content folder, with a message that counts
# the content files (Markdown): "Update archive: 3 new, 1 changed". The importer's hidden
# bookkeeping in the folder (such as content/.imports.json) is committed too, uncounted, so
# the next run knows what it imported. Nothing to commit is success (exit 0).
# Run by .github/workflows/update.yml; usage: scripts/commit-content.sh [content-folder]
set -euo pipefail

folder="${1:-content}"
git add --all -- "$folder"

staged() {
    git diff --cached --no-renames --name-only --diff-filter="$1" -- "$folder"
}
count_markdown() {
    staged "$1" | grep -c '\.md$' || true
}
if [ -z "$(staged ADM)" ]; then
    echo "No new or changed content: nothing to commit."
    exit 0
fi
new=$(count_markdown A)
changed=$(count_markdown M)
removed=$(count_markdown D)
message="Update archive: $new new, $changed changed"
if [ "$removed" -gt 0 ]; then
    message="$message, $removed removed"
fi
git commit --quiet -m "$message" -- "$folder"
echo "$message"
