#!/usr/bin/env bash
# Online backup of the clinic database while the hub runs (SQLite's backup API via sqlite3),
# with the audit chain's anchors and their key beside it, so `clinicflow audit verify` works on
# the copy too. Keep the backups (and above all the key) off the hub's box.
# Usage: backup.sh /var/lib/clinicflow/clinic.db /srv/backups
set -euo pipefail
db="$1"; dest="$2"
mkdir -p "$dest"
copy="$dest/clinic-$(date +%Y%m%d-%H%M%S).db"
sqlite3 "$db" ".backup '$copy'"
for extra in audit-anchors audit-key; do
  if [ -e "$db.$extra" ]; then cp -p "$db.$extra" "$copy.$extra"; fi
done
