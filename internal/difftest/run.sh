#!/usr/bin/env bash
# Differential check of tokcount against the reference (npm tiktoken 1.0.22, OpenAI's tiktoken
# Rust core as WASM) over real corpora. What CI runs:
#
#   bash internal/difftest/run.sh [flags of go run ./internal/difftest, e.g. -enc cl100k_base -v]
#
# 1. Without node or npm it skips (exit 0) with a message, except under CI=true, where it fails.
# 2. Installs the Debian packages that hold the multilingual sources if they are missing
#    (root, or passwordless sudo; quiet; nothing happens when they are there). Under CI=true a
#    failed install fails the run; elsewhere it warns and goes on with a smaller corpus.
# 3. go run ./internal/difftest (npm ci of ref/ from its lock file on first use), with -strict
#    under CI=true: a category that got less than 90% of its budget fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

ci=false
[[ "${CI:-}" == true ]] && ci=true

missing=()
for tool in go node npm; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  if $ci; then
    echo "difftest: FAIL: ${missing[*]} not found; CI must run the differential check (node >= 18 and npm)" >&2
    exit 1
  fi
  echo "difftest: SKIPPED: ${missing[*]} not found. The reference runs in node (>= 18, with npm to install it); nothing was checked."
  exit 0
fi

# Debian sources: iso-codes (translations of country/language/currency names in ~150 languages),
# unicode-data (emoji test files), Japanese, Chinese and Russian man pages.
pkgs=(iso-codes unicode-data manpages-ja manpages-zh manpages-ru)
need=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
fi
if ((${#need[@]})); then
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
  fi
  log="$(mktemp)"
  ok=false
  if [[ "${sudo[*]-}" != none ]] && command -v apt-get >/dev/null 2>&1; then
    echo "difftest: installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >"$log" 2>&1 ||
      { "${sudo[@]}" apt-get update -qq >>"$log" 2>&1 &&
        "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$log" 2>&1; }; then
      ok=true
    fi
  fi
  if ! $ok; then
    tail -n 20 "$log" >&2 || true
    if $ci; then
      echo "difftest: FAIL: could not install ${need[*]} (apt-get as root is needed in CI)" >&2
      rm -f "$log"
      exit 1
    fi
    echo "difftest: warning: could not install ${need[*]} (needs root or sudo); the multilingual corpus will be smaller" >&2
  fi
  rm -f "$log"
fi

args=()
$ci && args+=(-strict)
exec go run ./internal/difftest ${args[@]+"${args[@]}"} "$@"
