#!/usr/bin/env bash
# nginx for the test of deploy/nginx/aduan.conf (aduan/core/tests/test_deploy_files.py).
# Installed as root with apt-get when missing; elsewhere that test is skipped, so this
# never fails the suite.
command -v nginx >/dev/null && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing nginx-light for the deploy test ..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; } \
    >/dev/null 2>&1 || echo "nginx could not be installed: the nginx deploy test is skipped." >&2
else
  echo "nginx not found: the nginx deploy test is skipped (apt-get install nginx-light)." >&2
fi
exit 0
