#!/usr/bin/env bash
# Fresh Debian 12 machine -> running demo: installs the dependencies, builds nexus-tray and starts
# `nexus-tray --demo --no-gui` (an in-process hub, a local web service and a real tunnel between
# them). It prints "Demo tunnel up: curl http://demo.localhost:<port>/"; stop it with Ctrl+C.
# Set SKIP_DEPS=1 to skip the package installation.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${SKIP_DEPS:-0}" != 1 ]; then
    bash scripts/install-deps.sh
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j2 --target nexus-tray
exec build/app/nexus-tray --demo --no-gui
