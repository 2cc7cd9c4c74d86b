#!/usr/bin/env bash
# Local Neo4j Community 5.26 (embedded + Bolt on 127.0.0.1) for tests and local use.
#   bash scripts/neo4j.sh install   build neo4j-server/ with Maven (idempotent; jars cached in ~/.m2)
#   bash scripts/neo4j.sh start     install if needed, start in the background, wait for Bolt,
#                                   print NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD shell lines on stdout
#   bash scripts/neo4j.sh stop      stop it (SIGTERM, then SIGKILL after a grace period)
#   bash scripts/neo4j.sh status    exit 0 if running, 3 if not
#   bash scripts/neo4j.sh kill      SIGKILL (fault tests: a crash in the middle of a load)
# State lives in .neo4j/ (git-ignored): data, logs, pid, and the random password (mode 600).
# Settings: NEO4J_PORT (default 7687, or the next free port; remembered in .neo4j/port), NEO4J_HEAP (default 2g), NEO4J_PAGECACHE (default 512m),
#           PLANGRAPH_NEO4J_DIR (default <repo>/.neo4j).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER="$ROOT/neo4j-server"
STATE="${PLANGRAPH_NEO4J_DIR:-$ROOT/.neo4j}"
PORTFILE="$STATE/port"
# The port: NEO4J_PORT, else the one this checkout used before, else 7687 (or the next free one, chosen
# at start, when another server — e.g. another checkout's — already holds 7687).
PORT="${NEO4J_PORT:-$(cat "$PORTFILE" 2>/dev/null || echo 7687)}"
HEAP="${NEO4J_HEAP:-2g}"
PIDFILE="$STATE/neo4j.pid"
PWFILE="$STATE/password"
HOME_DIR="$STATE/dbms"
LOG="$STATE/server.log"
STAMP="$SERVER/target/.plangraph-built"

say() { echo "$*" >&2; }

built() {
  [[ -f "$STAMP" && -d "$SERVER/target/lib" && -d "$SERVER/target/classes/plangraph" ]] || return 1
  [[ "$STAMP" -nt "$SERVER/pom.xml" ]] || return 1
  local newer
  newer="$(find "$SERVER/src" -newer "$STAMP" -type f | head -n1)"
  [[ -z "$newer" ]]
}

install() {
  if built; then
    return 0
  fi
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      say "正在安装 Java 17 与 Maven（Debian 软件包）…"
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless maven >&2
    fi
  fi
  command -v java >/dev/null || { say "未找到 java（需要 Java 17）"; exit 1; }
  command -v mvn >/dev/null || { say "未找到 mvn（需要 Maven 3）"; exit 1; }
  say "正在从 Maven Central 获取并构建 Neo4j Community 5.26（首次约 2 分钟）…"
  mkdir -p "$STATE"
  if ! (cd "$SERVER" && mvn -B -q package -DskipTests >"$STATE/build.log" 2>&1); then
    tail -n 30 "$STATE/build.log" >&2
    say "Neo4j 构建失败（完整日志：$STATE/build.log）。需要能访问 Maven Central。"
    exit 1
  fi
  rm -f "$STATE/build.log"
  touch "$STAMP"
}

running() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

bolt_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

print_env() {
  echo "NEO4J_URI=bolt://127.0.0.1:$PORT"
  echo "NEO4J_USER=neo4j"
  if [[ -t 1 ]]; then  # on a screen: never the secret itself; captured by eval/$(…): the line to export
    echo "# NEO4J_PASSWORD 在 $PWFILE（权限 600），plangraph 自动读取；导出：eval \"\$(bash $0 env)\""
  else
    echo "NEO4J_PASSWORD=$(cat "$PWFILE")"
  fi
}

start() {
  mkdir -p "$STATE"
  chmod 700 "$STATE"
  if running && [[ -f "$HOME_DIR/ready" ]]; then
    say "Neo4j 已在运行（pid $(cat "$PIDFILE")，bolt://127.0.0.1:$PORT）"
    print_env
    return 0
  fi
  if running; then
    say "Neo4j 进程存在但未就绪，正在重启"
    stop
  fi
  install
  if bolt_open; then
    if [[ -n "${NEO4J_PORT:-}" ]]; then
      say "端口 $PORT 已被其他程序占用；请设置 NEO4J_PORT 换一个端口"
      exit 1
    fi
    local p
    for ((p = 7687; p < 7787; p++)); do
      PORT=$p
      bolt_open || break
    done
    if bolt_open; then
      say "7687–7786 端口均被占用；请设置 NEO4J_PORT"
      exit 1
    fi
    say "端口 7687 已被占用，改用 $PORT"
  fi
  echo "$PORT" >"$PORTFILE"
  if [[ ! -s "$PWFILE" ]]; then
    (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$PWFILE")
  fi
  chmod 600 "$PWFILE"
  mkdir -p "$HOME_DIR"
  rm -f "$HOME_DIR/ready"
  NEO4J_PASSWORD_FILE="$PWFILE" nohup java -Xms512m -Xmx"$HEAP" -XX:+UseG1GC \
    -XX:+ExitOnOutOfMemoryError \
    --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
    -Dfile.encoding=UTF-8 \
    -cp "$SERVER/target/classes:$SERVER/target/lib/*" plangraph.LocalNeo4j "$HOME_DIR" "$PORT" \
    >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local pid=$! i
  for ((i = 0; i < 240; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$LOG" >&2
      rm -f "$PIDFILE"
      say "Neo4j 启动失败（日志：$LOG）"
      exit 1
    fi
    if [[ -f "$HOME_DIR/ready" ]] && bolt_open; then
      say "Neo4j 已启动（pid $pid，bolt://127.0.0.1:$PORT，$((i / 2)) 秒）"
      print_env
      return 0
    fi
    sleep 0.5
  done
  say "Neo4j 120 秒内未就绪（日志：$LOG）"
  stop
  exit 1
}

stop() {
  if ! running; then
    rm -f "$PIDFILE"
    say "Neo4j 未在运行"
    return 0
  fi
  local pid i
  pid="$(cat "$PIDFILE")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 120; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "Neo4j 60 秒内未退出，强制结束"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE" "$HOME_DIR/ready"
  say "Neo4j 已停止"
}

hard_kill() {
  if running; then
    local pid
    pid="$(cat "$PIDFILE")"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PIDFILE" "$HOME_DIR/ready"
}

status() {
  if running && [[ -f "$HOME_DIR/ready" ]]; then
    say "Neo4j 正在运行（pid $(cat "$PIDFILE")，bolt://127.0.0.1:$PORT）"
    return 0
  fi
  say "Neo4j 未在运行"
  return 3
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  kill) hard_kill ;;
  env) [[ -s "$PWFILE" ]] && print_env ;;
  *) say "用法：$0 install|start|stop|status|kill|env"; exit 2 ;;
esac
