#!/usr/bin/env bash
# Install LibreOffice headless (Impress + Writer, no GUI) and CJK fonts: the briefing test renders the
# generated .pptx/.docx to PNG with `soffice --headless --convert-to`. Idempotent and non-interactive;
# shared with the ingestion scripts (which need Writer only), so it never removes or downgrades anything.
set -euo pipefail

need=()
dpkg -s libreoffice-impress-nogui >/dev/null 2>&1 || dpkg -s libreoffice-impress >/dev/null 2>&1 || need+=(libreoffice-impress-nogui)
dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || dpkg -s libreoffice-writer >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh family | grep -qi 'noto'; }; then
  need+=(fonts-noto-cjk fontconfig)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "libreoffice.sh: LibreOffice Impress/Writer and CJK fonts already present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
echo "libreoffice.sh: installing ${need[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
soffice --version
