#!/usr/bin/env bash
# docs/relay.md, followed word for word on a fresh Debian 12 (issue 31): every `sh` block of
# its Install section runs as it stands, in sh (dash, as on Debian), as the account its
# first line names, in order, once with SQLite and once with PostgreSQL, each time on a
# fresh tree (debootstrap, chroot; tools/debian-tree.sh). Then a desktop on this machine
# (this checkout's .venv) enrols with the token the doc's last block made and sends a
# report to the relay running in the tree; the relay's own list must show it.
#
# A block's first line says who runs it and where:
#   # As root:                                  every time
#   # As root, with PostgreSQL:                 on the PostgreSQL run only
#   # As root, where there is no systemd:       every time (a chroot has no systemd)
#   # As root, where systemd runs the machine:  not here: systemctl needs systemd as the
#                                               machine's init ("System has not been booted
#                                               with systemd"), which a chroot on this machine
#                                               cannot have. On the SQLite run Debian's systemd
#                                               is installed in the tree and
#                                               `systemd-analyze verify` checks the unit file
#                                               those blocks install.
# The source goes to /usr/local/src/ally (a clean clone of HEAD), as the doc says. What
# the doc leaves to IT is given here: HELPDESK_SECRET, and the first IT account's password
# on standard input (`ally-relay user set` asks for it).
#
#   tools/relay-doc-check.sh [--keep]     (as root; needs Debian's mirror and the package registries)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
source tools/debian-tree.sh
keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; fi
debian_tree_need
[ -x .venv/bin/python ] || { echo "Run tools/setup.sh first: the desktop that sends comes from .venv." >&2; exit 2; }

work=$(mktemp -d /var/tmp/ally-relay-doc-XXXXXX)
tree=""
cleanup() {
  [ -n "$tree" ] && debian_tree_stop "$tree"
  debian_tree_unmount
  if [ "$keep" = 0 ]; then rm -rf --one-file-system "$work"; else echo "The trees are kept in $work"; fi
}
trap cleanup EXIT

results=()
note() { results+=("$(printf '%-12s %s' "$1" "$2")"); echo "   $1 $2"; }

# The blocks, in order: "<account>\t<condition>\t<base64 of the code>" per line.
blocks() {
  python3 - docs/relay.md <<'PY'
import base64, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for code in re.findall(r"(?ms)^```sh\n(.*?)^```", text):
    first = code.splitlines()[0]
    m = re.fullmatch(r"# As (\S+?)(, .*)?:", first.strip())
    if not m:
        sys.exit(f"an sh block that names no account: {first!r}")
    where = (m.group(2) or "").lower()
    condition = ("postgresql " if "with postgresql" in where else "") + (
        "systemd" if "where systemd runs" in where else ""
    )
    print(m.group(1), condition.strip() or "-", base64.b64encode(code.encode()).decode(), sep="\t")
PY
}

run_blocks() {  # run_blocks SCENARIO: every block that applies, in order; the token made
  local scenario=$1 account condition code n=0 out
  token=""
  while IFS=$'\t' read -r account condition code; do
    n=$((n + 1))
    code=$(printf '%s' "$code" | base64 -d)
    if [[ "$condition" == *systemd* ]]; then
      note "$scenario" "block $n: not run (needs systemd as the machine's init): $(sed -n 2p <<<"$code")"
      continue
    fi
    if [[ "$condition" == *postgresql* && "$scenario" != postgresql ]]; then
      continue
    fi
    echo "== $scenario: block $n, as $account"
    sed 's/^/   | /' <<<"$code"
    local as=()
    [ "$account" = root ] || as=(runuser -u "$account" --)
    if ! out=$(printf '%s\n%s\n' "$ADMIN_PASSWORD" "$ADMIN_PASSWORD" |
               debian_tree_run "$tree" HELPDESK_SECRET="$HELPDESK_SECRET" "${as[@]}" /bin/sh -e -c "$code" 2>&1); then
      printf '%s\n' "$out" | tail -30
      note "$scenario" "block $n FAILED"
      return 1
    fi
    printf '%s\n' "$out" | tail -5 | sed 's/^/   > /'
    token=$(printf '%s\n' "$out" | grep -E '^allyenrol\.' | tail -1 || true)
    [ -n "$token" ] && last_token=$token
    note "$scenario" "block $n passed"
  done < <(blocks)
}

send_a_report() {  # a desktop here, enrolling with the doc's token, sends to the relay in the tree
  local scenario=$1 home
  home=$(mktemp -d "$work/desktop-XXXXXX")
  cat >"$home/policy.toml" <<POLICY
[network]
active_checks = false

[transport]
kind = "relay"

[relay]
url = "http://127.0.0.1:8443"
enrolment_token = "$last_token"
POLICY
  local out
  out=$(env ALLY_HOME="$home" ALLY_POLICY="$home/policy.toml" \
        PYTHON_KEYRING_BACKEND=tests.file_keyring.FileKeyring PYTHONPATH="$repo" \
        .venv/bin/python -m desktop report --symptom slow --note "Sent to a relay installed from docs/relay.md ($scenario)." \
        --yes --warm-up 0 2>&1) || { printf '%s\n' "$out" | tail -20; note "$scenario" "desktop's report FAILED"; return 1; }
  grep -E "IT has your report \(reference [0-9]+\)" <<<"$out" || { printf '%s\n' "$out" | tail -20; return 1; }
  local listed
  listed=$(debian_tree_run "$tree" runuser -u ally-relay -- /opt/ally-relay/bin/ally-relay \
           --config /etc/ally-relay/relay.toml device list)
  grep -q '"reports": 1' <<<"$listed" || { echo "$listed"; note "$scenario" "relay's device list FAILED"; return 1; }
  note "$scenario" "a desktop enrolled with the doc's token; the relay took its report"
}

HELPDESK_SECRET=rt-token-for-the-doc-check
ADMIN_PASSWORD=a-long-enough-password-for-it
last_token=""
t0=$SECONDS
echo "== a fresh Debian $suite"
debian_tree_make "$work/pristine"
note setup "debootstrap --variant=minbase $suite: $((SECONDS - t0)) s"

for scenario in sqlite postgresql; do
  t1=$SECONDS
  tree="$work/$scenario"
  cp -a "$work/pristine" "$tree"
  debian_tree_mount "$tree"
  mkdir -p "$tree/usr/local/src"
  git clone -q --no-local "$repo" "$tree/usr/local/src/ally"
  last_token=""
  run_blocks "$scenario"
  if [ "$scenario" = sqlite ]; then  # the unit the systemd blocks install, checked by systemd
    debian_tree_run "$tree" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null'
    if out=$(debian_tree_run "$tree" systemd-analyze verify /usr/local/src/ally/installer/relay/ally-relay.service 2>&1); then
      note "$scenario" "systemd-analyze verify of installer/relay/ally-relay.service: no problem${out:+ ($out)}"
    else
      printf '%s\n' "$out"; note "$scenario" "systemd-analyze verify FAILED"; exit 1
    fi
  fi
  [ -n "$last_token" ] || { note "$scenario" "no enrolment token was made by the doc's blocks"; exit 1; }
  send_a_report "$scenario"
  note "$scenario" "done in $((SECONDS - t1)) s"
  debian_tree_stop "$tree"
  debian_tree_unmount
  tree=""
done

echo
echo "== docs/relay.md on a fresh Debian $suite ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD))"
printf '%s\n' "${results[@]}"
