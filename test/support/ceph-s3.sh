#!/usr/bin/env bash
# A one-node Ceph cluster serving S3 (the RADOS Gateway) on 127.0.0.1, for the
# tests and CI: one monitor, one in-memory OSD (memstore), one radosgw with the
# beast frontend, authentication off inside the cluster, pool size 1.
#
#   ceph-s3.sh start STATE_DIR PORT   start (or find running) and print the env
#   ceph-s3.sh stop STATE_DIR         stop every daemon and remove STATE_DIR
#   ceph-s3.sh stop-gateway STATE_DIR [NAME]   stop only that radosgw
#   ceph-s3.sh start-gateway STATE_DIR [NAME PORT]  start it (again), wait for it
#
# The main gateway is named rgw and serves PORT. Fault tests start gateways
# of their own (any other NAME, on a PORT of their own) on the same cluster
# and stop and restart those, so that other tests keep a working gateway.
#
# `start` is idempotent and serialised by a lock file next to STATE_DIR, so
# several test workers may call it at once. It writes STATE_DIR/env (shell
# `export` lines: endpoint, test keys, region) and prints it. Daemons run
# detached; their pids and logs stay in STATE_DIR. The objects live in memory
# only: stopping the cluster forgets them.
set -euo pipefail

ACCESS_KEY=STRATATESTACCESSKEY0
SECRET_KEY=strataTestSecretKey0000000000000000000000
REGION=us-east-1

die() { echo "ceph-s3.sh: $*" >&2; exit 1; }

need_binaries() {
  local missing=()
  for b in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing ${missing[*]}; install them with: sudo apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd curl"
}

# Paths and ports of a state directory (PORT is read back from STATE/port).
setup_vars() {
  STATE=$1
  CONF=$STATE/ceph.conf
  ENVF=$STATE/env
}

ceph_cli() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

gateway_answers() {
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/"
}

healthy() {
  [ -f "$ENVF" ] && pid_alive "$STATE/mon.pid" && pid_alive "$STATE/osd.pid" && pid_alive "$STATE/gw-rgw.pid" && gateway_answers "$(cat "$STATE/port")"
}

# Runs a daemon in the background, detached from this script's session.
spawn() {
  local name=$1; shift
  # fd 9 (the start lock) must not leak into a daemon that outlives us.
  setsid "$@" >>"$STATE/log/$name.out" 2>&1 < /dev/null 9>&- &
  echo $! > "$STATE/$name.pid"
}

write_conf() {
  local port=$1 monport=$2 fsid=$3
  cat > "$CONF" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$monport
mon initial members = a
public addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 4294967296
osd crush chooseleaf type = 0
ms bind port min = $((port + 2))
ms bind port max = $((port + 40))
run dir = $STATE/run
pid file = $STATE/run/\$name.pidfile
admin socket = $STATE/run/\$name.asok
log file = $STATE/log/\$name.log
crash dir = $STATE/crash
keyring = /dev/null
# radosgw asks the monitor for a secure-only connection by default, which
# authentication "none" cannot offer.
ms mon client mode = crc secure
[mon.a]
mon data = $STATE/mon
[osd.0]
osd data = $STATE/osd0
[client]
rgw data = $STATE/rgw
rgw dynamic resharding = false
rgw enable usage log = false
CONF
}

wait_until() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || die "$what did not come up within ${seconds}s (logs in $STATE/log)"
    sleep 0.2
  done
}

osd_up() { ceph_cli osd stat 2>/dev/null | grep -q '1 up'; }

# start_gateway NAME PORT
start_gateway() {
  local name=$1 port=$2
  pid_alive "$STATE/gw-$name.pid" ||
    spawn "gw-$name" radosgw -f -c "$CONF" -n "client.$name" --rgw-frontends "beast endpoint=127.0.0.1:$port"
  wait_until "radosgw $name" 60 gateway_answers "$port"
}

stop_pidfile() {
  local f=$1
  if pid_alive "$f"; then
    local pid; pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Signals every daemon at once, then waits for each (kill -9 after 5 s).
stop_all() {
  local f
  for f in "$STATE"/gw-*.pid "$STATE/osd.pid" "$STATE/mon.pid"; do
    pid_alive "$f" && kill "$(cat "$f")" 2>/dev/null || true
  done
  for f in "$STATE"/gw-*.pid "$STATE/osd.pid" "$STATE/mon.pid"; do
    [ -e "$f" ] && stop_pidfile "$f"
  done
  return 0
}

cold_start() {
  local port=$1
  local monport=$((port + 1))
  stop_all
  rm -rf "$STATE"
  mkdir -p "$STATE"/{log,run,mon,osd0,rgw,crash}
  echo "$port" > "$STATE/port"
  local fsid; fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$port" "$monport" "$fsid"

  monmaptool --create --addv a "[v2:127.0.0.1:$monport]" --fsid "$fsid" "$STATE/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap" >>"$STATE/log/mkfs.out" 2>&1
  spawn mon ceph-mon -f -c "$CONF" -i a
  wait_until "ceph-mon" 30 ceph_cli mon stat >/dev/null

  local uuid; uuid=$(cat /proc/sys/kernel/random/uuid)
  local id; id=$(ceph_cli osd new "$uuid")
  [ "$id" = 0 ] || die "expected osd id 0, got '$id'"
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$uuid" >>"$STATE/log/mkfs.out" 2>&1
  spawn osd ceph-osd -f -c "$CONF" -i 0
  wait_until "ceph-osd" 60 osd_up

  start_gateway rgw "$port"
  radosgw-admin -c "$CONF" -n client.rgw user create --uid strata-test --display-name "strata tests" \
    --access-key "$ACCESS_KEY" --secret "$SECRET_KEY" >>"$STATE/log/admin.out" 2>&1

  # The first bucket creation creates the data pools (a few seconds): pay it here.
  local url="http://127.0.0.1:$port/strata-warmup"
  curl -sf --max-time 60 --aws-sigv4 "aws:amz:$REGION:s3" -u "$ACCESS_KEY:$SECRET_KEY" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT "$url" >/dev/null \
    || die "could not create the warm-up bucket (logs in $STATE/log)"
  curl -sf --max-time 60 --aws-sigv4 "aws:amz:$REGION:s3" -u "$ACCESS_KEY:$SECRET_KEY" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT --data-binary warm "$url/warm" >/dev/null \
    || die "could not write the warm-up object (logs in $STATE/log)"

  cat > "$ENVF.tmp" <<ENV
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_REGION=$REGION
ENV
  mv "$ENVF.tmp" "$ENVF"
}

cmd=${1:-}
[ -n "$cmd" ] || die "usage: ceph-s3.sh start STATE_DIR PORT | stop STATE_DIR | stop-gateway STATE_DIR | start-gateway STATE_DIR"
[ $# -ge 2 ] || die "$cmd needs STATE_DIR"
setup_vars "$2"
case $cmd in
  start)
    [ $# -ge 3 ] || die "start needs STATE_DIR PORT"
    need_binaries
    mkdir -p "$(dirname "$STATE")"
    exec 9>"$STATE.lock"
    flock 9
    if [ -f "$STATE/port" ] && [ "$(cat "$STATE/port")" = "$3" ] && healthy; then
      :
    elif [ -f "$STATE/port" ] && [ "$(cat "$STATE/port")" = "$3" ] && pid_alive "$STATE/mon.pid" && pid_alive "$STATE/osd.pid" && [ -f "$ENVF" ]; then
      start_gateway rgw "$3"
    else
      cold_start "$3"
    fi
    cat "$ENVF"
    ;;
  stop)
    exec 9>"$STATE.lock"
    flock 9
    stop_all
    rm -rf "$STATE"
    ;;
  stop-gateway)
    stop_pidfile "$STATE/gw-${3:-rgw}.pid"
    ;;
  start-gateway)
    [ -f "$STATE/port" ] || die "no cluster in $STATE (run start first)"
    [[ "${3:-rgw}" =~ ^[a-z0-9]+$ ]] || die "a gateway name is lower-case letters and digits"
    start_gateway "${3:-rgw}" "${4:-$(cat "$STATE/port")}"
    ;;
  *) die "unknown command '$cmd'" ;;
esac
