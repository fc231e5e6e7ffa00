#!/bin/sh
# The whole session of a dedicated kiosk PC with no desktop: start it from the kiosk user's
# ~/.xinitrc (`exec /usr/local/share/clinicflow/kiosk-session.sh`) and auto-login on tty1 with
# `startx`. No window manager is needed: the app sizes itself to the screen.
set -u
# The screen never blanks or sleeps in the lobby.
xset s off -dpms s noblank 2>/dev/null || true
# The app is started again if it ever stops (a crash, an update); its pairing and its copy of
# the clinic are kept in ~/.local/share/clinicflow-kiosk.
while true; do
    /usr/local/bin/clinicflow-kiosk "$@"
    sleep 2
done
