#!/usr/bin/env bash
# Online backup of the clinic database while the hub runs (SQLite's backup API via sqlite3).
# Usage: backup.sh /var/lib/clinicflow/clinic.db /srv/backups
set -euo pipefail
db="$1"; dest="$2"
mkdir -p "$dest"
sqlite3 "$db" ".backup '$dest/clinic-$(date +%Y%m%d-%H%M%S).db'"
