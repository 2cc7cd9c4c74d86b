#!/usr/bin/env bash
# Main job: set up, build the graph from data/plans into the embedded store, open the explorer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/plangraph build data/plans || echo "部分文件构建失败（见上方说明），其余规划已写入图谱。"
# usage statistics off here too (.streamlit/config.toml says the same), so no request leaves the machine
exec .venv/bin/streamlit run app.py --server.headless "${STREAMLIT_HEADLESS:-false}" --browser.gatherUsageStats false "$@"
