#!/usr/bin/env bash
# Spark (pyspark, local session) needs Java 17. Install Debian's headless JRE when absent.
set -euo pipefail
if java -version >/dev/null 2>&1; then
  exit 0
fi
echo "java not found: installing openjdk-17-jre-headless" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null
java -version
