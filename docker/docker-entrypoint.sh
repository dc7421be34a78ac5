#!/bin/sh
# Entrypoint of Kioku's image, after the official redis image's docker-entrypoint.sh:
#   - `docker run kioku --port 7000` or `docker run kioku /path/kioku.conf`: the arguments are
#     given to kioku-server (first argument starting with '-' or ending in .conf);
#   - protected mode defaults to off in the image (the redis image changes the compiled-in
#     default the same way): `--protected-mode no` is added unless the command line or the config
#     file sets protected-mode itself, so whatever the user says wins (a setting in a file the
#     config `include`s is not looked for: put it in the main file or on the command line);
#   - started as root (the default), it hands /data to the kioku user and drops to it; started
#     with `--user`, it runs as that user unchanged.
set -e

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- kioku-server "$@"
fi

if [ "$1" = 'kioku-server' ]; then
	shift
	conf=''
	if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
		conf=$1
		shift
	fi
	set_by_user=no
	for arg in "$@"; do
		case "$arg" in
			--[Pp][Rr][Oo][Tt][Ee][Cc][Tt][Ee][Dd]-[Mm][Oo][Dd][Ee]) set_by_user=yes ;;
		esac
	done
	if [ -n "$conf" ] && [ -r "$conf" ] && grep -qiE '^[[:space:]]*protected-mode[[:space:]]' "$conf"; then
		set_by_user=yes
	fi
	if [ "$set_by_user" = no ]; then
		set -- --protected-mode no "$@"
	fi
	if [ -n "$conf" ]; then
		set -- "$conf" "$@"
	fi
	set -- kioku-server "$@"

	# Files the server creates are private to it, unless the user chose a umask.
	if [ "$(umask)" = '0022' ]; then
		umask 0077
	fi
	if [ "$(id -u)" = '0' ]; then
		find . \! -user kioku -exec chown kioku '{}' +
		exec setpriv --reuid=kioku --regid=kioku --init-groups "$@"
	fi
fi

exec "$@"
