#!/usr/bin/env bash
# Commit what `answers update` changed under the content folder, with a message that counts
# the files: "Update archive: 3 new, 1 changed". Nothing to commit is success (exit 0).
# Run by .github/workflows/update.yml; usage: scripts/commit-content.sh [content-folder]
set -euo pipefail

folder="${1:-content}"
git add --all -- "$folder"

count() {
    git diff --cached --no-renames --name-only --diff-filter="$1" -- "$folder" | wc -l | tr -d ' '
}
new=$(count A)
changed=$(count M)
removed=$(count D)

if [ $((new + changed + removed)) -eq 0 ]; then
    echo "No new or changed content: nothing to commit."
    exit 0
fi
message="Update archive: $new new, $changed changed"
if [ "$removed" -gt 0 ]; then
    message="$message, $removed removed"
fi
git commit --quiet -m "$message" -- "$folder"
echo "$message"
