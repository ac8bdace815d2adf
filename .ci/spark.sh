#!/usr/bin/env bash
# Start or stop a throwaway Spark SQL cluster on 127.0.0.1 for the tests: a standalone master,
# two workers (one core each) and the Hive Thrift server (Spark's JDBC/ODBC endpoint) in front.
#   .ci/spark.sh start DIR   -> prints the URL to use as PTX_TEST_SPARK_URL (hive://127.0.0.1:P/default)
#   .ci/spark.sh stop DIR    -> stops exactly the processes `start` recorded in DIR
# Every folder Spark and Hive write (warehouse, metastore, scratch, logs, temporary files, the
# workers' work folders) is under DIR. Needs Java 17 and pyspark (pip install '.[spark]'); the
# Python that has pyspark is $PYTHON (default: .venv/bin/python if present, else python3).
# Sizes: SPARK_WORKER_MEMORY (default 3g) per worker, SPARK_EXECUTOR_MEMORY (default 1g),
# SPARK_DRIVER_MEMORY (default 1g, the Thrift server), SPARK_SHUFFLE_PARTITIONS (default 4).
set -euo pipefail
cmd=${1:-} dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR | stop DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)

free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_all() {
  local pid
  # The Thrift server first (it holds the executors), then the workers, then the master.
  for name in thrift worker2 worker1 master; do
    [ -f "$dir/$name.pid" ] || continue
    pid=$(cat "$dir/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/$name.pid"
  done
}

case "$cmd" in
  start)
    python=${PYTHON:-}
    if [ -z "$python" ]; then
      if [ -x "$here/.venv/bin/python" ]; then python=$here/.venv/bin/python; else python=python3; fi
    fi
    # An absolute path: the servers run from their own folder.
    [[ $python == */* ]] && python=$(cd "$(dirname "$python")" && pwd)/$(basename "$python")
    command -v java >/dev/null 2>&1 || { echo "spark: Java (17) is not installed" >&2; exit 1; }
    spark_home=$("$python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))' 2>/dev/null) \
      || { echo "spark: pyspark is not installed for $python (pip install '.[spark]')" >&2; exit 1; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    for sub in conf logs tmp local warehouse scratch local-scratch querylog oplog resources \
      worker1 worker2 run; do
      mkdir -p "$dir/$sub"
    done
    # No log4j2 config of the user's or the package's: Spark's defaults, to the logs below.
    export SPARK_HOME=$spark_home SPARK_CONF_DIR=$dir/conf SPARK_LOCAL_DIRS=$dir/local \
      SPARK_LOG_DIR=$dir/logs SPARK_PID_DIR=$dir SPARK_LOCAL_IP=127.0.0.1 \
      SPARK_DAEMON_MEMORY=${SPARK_DAEMON_MEMORY:-256m} PYSPARK_PYTHON=$python
    jvm_opts="-Djava.io.tmpdir=$dir/tmp -Dderby.system.home=$dir -XX:-UsePerfData"
    export SPARK_DAEMON_JAVA_OPTS=$jvm_opts
    master_port=$(free_port) master_ui=$(free_port) ui1=$(free_port) ui2=$(free_port)
    thrift_port=$(free_port)
    master=spark://127.0.0.1:$master_port
    # Background servers started with exec, so the PID recorded is the server's own.
    (cd "$dir/run" && exec "$spark_home/bin/spark-class" org.apache.spark.deploy.master.Master \
      --host 127.0.0.1 --port "$master_port" --webui-port "$master_ui" \
      >"$dir/logs/master.log" 2>&1) &
    echo $! >"$dir/master.pid"
    for n in 1 2; do
      ui=$([ "$n" = 1 ] && echo "$ui1" || echo "$ui2")
      (cd "$dir/run" && exec "$spark_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
        --host 127.0.0.1 --cores 1 --memory "${SPARK_WORKER_MEMORY:-3g}" --webui-port "$ui" \
        --work-dir "$dir/worker$n" "$master" >"$dir/logs/worker$n.log" 2>&1) &
      echo $! >"$dir/worker$n.pid"
    done
    # spark-submit sizes the Thrift server as a daemon (SPARK_DAEMON_MEMORY), not by --driver-memory.
    (cd "$dir/run" && SPARK_DAEMON_MEMORY=${SPARK_DRIVER_MEMORY:-1g} exec "$spark_home/bin/spark-submit" \
      --class org.apache.spark.sql.hive.thriftserver.HiveThriftServer2 --name ptx-thrift \
      --master "$master" --driver-memory "${SPARK_DRIVER_MEMORY:-1g}" \
      --driver-java-options "$jvm_opts" \
      --conf spark.executor.memory="${SPARK_EXECUTOR_MEMORY:-1g}" \
      --conf spark.executor.extraJavaOptions="$jvm_opts" \
      --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
      --conf spark.ui.enabled=false --conf spark.local.dir="$dir/local" \
      --conf spark.sql.warehouse.dir="$dir/warehouse" \
      --conf spark.sql.shuffle.partitions="${SPARK_SHUFFLE_PARTITIONS:-4}" \
      --conf "spark.hadoop.javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName=$dir/metastore_db;create=true" \
      --hiveconf hive.server2.thrift.port="$thrift_port" \
      --hiveconf hive.server2.thrift.bind.host=127.0.0.1 \
      --hiveconf hive.exec.scratchdir="$dir/scratch" \
      --hiveconf hive.exec.local.scratchdir="$dir/local-scratch" \
      --hiveconf hive.querylog.location="$dir/querylog" \
      --hiveconf hive.server2.logging.operation.log.location="$dir/oplog" \
      --hiveconf hive.downloaded.resources.dir="$dir/resources/_\${hive.session.id}_resources" \
      spark-internal >"$dir/logs/thrift.log" 2>&1) &
    echo $! >"$dir/thrift.pid"
    # Ready when the Thrift port answers (about 15-30 s); give up after three minutes.
    for _ in $(seq 1 360); do
      if "$python" -c "import socket, sys; socket.create_connection(('127.0.0.1', $thrift_port), 1)" \
        2>/dev/null; then
        echo "hive://127.0.0.1:$thrift_port/default"
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/thrift.pid")" 2>/dev/null; then break; fi
      sleep 0.5
    done
    echo "spark: the Thrift server did not start; the end of $dir/logs/thrift.log:" >&2
    tail -n 30 "$dir/logs/thrift.log" >&2 || true
    stop_all
    exit 1
    ;;
  stop)
    stop_all
    ;;
  *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac
