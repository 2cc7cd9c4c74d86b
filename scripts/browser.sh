#!/usr/bin/env bash
# Install what the real-browser tests need: Debian's Chromium, its driver and a CJK font.
# Idempotent and non-interactive: does nothing when everything is already there.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -qi 'noto'; }; then
  need+=(fonts-noto-cjk fontconfig)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "browser.sh: chromium, chromium-driver and fonts-noto-cjk already present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "browser.sh: installing ${need[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
/usr/bin/chromium --version
fc-list :lang=zh family | head -n 3
