# SPDX-License-Identifier: GPL-2.0
# Throw-away ClickHouse servers for the tests, on free loopback ports:
#   ch_start NAME [REMOTE_SERVERS_XML]  -> sets CH_URL_<NAME>, CH_DIR_<NAME>
#   ch_stop NAME; ch_query NAME SQL
CH_CONF_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ch_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

ch_start() {
	local name=$1 remote=${2:-} dir="$TMP/ch-$1" http tcp
	if [ ! -e "$dir/config.xml" ]; then
		http=$(ch_free_port)
		tcp=$(ch_free_port)
		mkdir -p "$dir"
		sed -e "s|@DIR@|$dir|g" -e "s|@HTTP_PORT@|$http|" -e "s|@TCP_PORT@|$tcp|" \
			-e "s|@REMOTE_SERVERS@|$remote|" "$CH_CONF_DIR/config.xml" >"$dir/config.xml"
		cp "$CH_CONF_DIR/users.xml" "$dir/users.xml"
		echo "$http" >"$dir/http_port"
		echo "$tcp" >"$dir/tcp_port"
	fi
	http=$(cat "$dir/http_port")
	/usr/sbin/clickhouse-server --config-file="$dir/config.xml" --pid-file="$dir/pid" \
		--daemon >"$dir/start.log" 2>&1 || fail "clickhouse-server $name did not start: $(tail -3 "$dir/start.log")"
	on_exit "ch_stop $name"
	for _ in $(seq 100); do
		curl -sf "http://127.0.0.1:$http/?query=SELECT%201" >/dev/null 2>&1 && break
		sleep 0.1
	done
	curl -sf "http://127.0.0.1:$http/?query=SELECT%201" >/dev/null ||
		fail "clickhouse-server $name does not answer: $(tail -3 "$dir/error.log" 2>/dev/null)"
	eval "CH_URL_$name=http://127.0.0.1:$http/"
	eval "CH_TCP_$name=$(cat "$dir/tcp_port")"
}

ch_stop() {
	local pidf="$TMP/ch-$1/pid" pid
	[ -s "$pidf" ] || return 0
	pid=$(cat "$pidf")
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$pidf"
	return 0
}

ch_query() {
	local url
	eval "url=\$CH_URL_$1"
	curl -sS "$url" --data-binary "$2"
}
