#!/bin/bash
# start_imap.sh DIR PORT [RUN_DIR] — a throw-away Dovecot 2.3 IMAP server, in the foreground (exec dovecot -F).
# One user, test@example.com / test-pw, plain-text login on 127.0.0.1:PORT (no TLS), Maildir under DIR/mail.
# DIR keeps the mail and Dovecot's state across restarts; RUN_DIR (default DIR/run) holds its sockets and
# must be a short path (unix sockets are limited to 108 bytes). Log: DIR/dovecot.log.
# Runs as root (Dovecot switches to the users 'dovecot' and 'nobody'): DIR and all its parents must be
# world-traversable. See /work/shared/TESTING-ON-LINUX.md section 4.
#
# TLS, off unless IMAP_SSL is set in the environment:
#   IMAP_SSL=yes       STARTTLS offered on PORT (plain-text login still allowed) and implicit TLS on IMAPS_PORT;
#   IMAP_SSL=required  the same, but no login before TLS (Dovecot's ssl = required);
#   IMAP_SSL_CERT, IMAP_SSL_KEY  PEM files (the certificate chain, server first, and its key), read by the
#                      master as root at start; IMAPS_PORT  the implicit-TLS port (required with IMAP_SSL).
# IMAP_RAWLOG_DIR, if set: Dovecot writes every IMAP session's input and output there (rawlog_dir; one
#                      <time>.<pid>.in/.out pair a session), so a test can see what the server was asked
#                      and what it sent. The directory must exist and be writable by 'nobody'.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 DIR PORT [RUN_DIR]" >&2; exit 2; }
D=$(realpath "$1")
PORT=$2
RUN=$(realpath -m "${3:-$D/run}")
SSL=${IMAP_SSL:-no}
case $SSL in
  no) IMAPS_PORT=0 ;;  # port 0: no imaps listener
  yes | required)
    [ -n "${IMAPS_PORT:-}" ] && [ -r "${IMAP_SSL_CERT:-}" ] && [ -r "${IMAP_SSL_KEY:-}" ] ||
      { echo "start_imap.sh: IMAP_SSL=$SSL needs IMAPS_PORT and readable IMAP_SSL_CERT, IMAP_SSL_KEY" >&2; exit 2; }
    ;;
  *) echo "start_imap.sh: IMAP_SSL must be no, yes or required, not '$SSL'" >&2; exit 2 ;;
esac

command -v dovecot >/dev/null || { echo "start_imap.sh: dovecot is not installed (scripts/setup.sh test)" >&2; exit 3; }
version=$(dovecot --version)
case $version in
  2.3.*) ;;
  *)
    # 2.4 renamed most settings (mail_location -> mail_driver/mail_path, passdb/userdb blocks, ...) and
    # this recipe has not been verified with it.
    echo "start_imap.sh: Dovecot $version is not supported (only 2.3 config syntax is written here)" >&2
    exit 3
    ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "start_imap.sh: must run as root (Dovecot drops to 'dovecot'/'nobody')" >&2; exit 3; }

mkdir -p "$RUN" "$D/state" "$D/mail"
chmod 755 "$D"                       # auth runs as user 'dovecot' and must traverse DIR (mktemp -d gives 0700)
printf 'test@example.com:{PLAIN}test-pw\n' >"$D/users"
nogroup=$(id -gn nobody)
chown nobody:"$nogroup" "$D/mail"    # mail processes run as the userdb uid; Dovecot refuses uid 0 for mail
cat >"$D/dovecot.conf" <<CONF
base_dir = $RUN
state_dir = $D/state
log_path = $D/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = $SSL
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:$D/mail/%n/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/users
}
userdb {
  driver = static
  args = uid=nobody gid=$nogroup home=$D/mail/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
  }
}
CONF
if [ -n "${IMAP_RAWLOG_DIR:-}" ]; then
  echo "rawlog_dir = $(realpath "$IMAP_RAWLOG_DIR")" >>"$D/dovecot.conf"
fi
if [ "$SSL" != no ]; then
  cat >>"$D/dovecot.conf" <<CONF
ssl_cert = <$(realpath "$IMAP_SSL_CERT")
ssl_key = <$(realpath "$IMAP_SSL_KEY")
CONF
fi
exec dovecot -F -c "$D/dovecot.conf"
