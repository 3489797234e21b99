import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Real ClickHouse servers on loopback for the tests and the benchmark: Debian's
 * `clickhouse-server` (installed by scripts/setup.sh), each with its own data directory and
 * ports, a `default` user without password and a `reports` user with one (`PASSWORD`). A
 * cluster is several servers that all know every one of them as a shard (`remote_servers`),
 * so a Distributed table on any of them reads all; ClickHouse needs no ZooKeeper for that.
 */

export const CLICKHOUSE_BINARY = "/usr/sbin/clickhouse-server";
export const PASSWORD = "s3cret-pw";

export interface ClickHouseServer {
  http: number;
  tcp: number;
  dir: string;
  /** CLICKHOUSE_URL for the `reports` user. */
  url: string;
  /** Runs SQL as the default user (no password); throws with the server's message on an error. */
  sql(query: string): Promise<string>;
  stop(): Promise<void>;
}

/** One server; `cluster` names the cluster the servers of `startCluster` share. */
export async function startClickHouse(): Promise<ClickHouseServer> {
  const [server] = await startServers(1, undefined);
  return server as ClickHouseServer;
}

/** `shards` servers, each a shard of cluster `name` (every server knows the whole cluster). */
export async function startCluster(name: string, shards: number): Promise<ClickHouseServer[]> {
  return startServers(shards, name);
}

async function startServers(count: number, cluster: string | undefined): Promise<ClickHouseServer[]> {
  if (!existsSync(CLICKHOUSE_BINARY))
    throw new Error(`${CLICKHOUSE_BINARY} not found: install clickhouse-server (scripts/setup.sh does)`);
  const ports = await Promise.all(
    Array.from({ length: count }, async () => ({
      http: await freePort(),
      tcp: await freePort(),
      inter: await freePort(),
    })),
  );
  const remote =
    cluster === undefined
      ? ""
      : `<remote_servers><${cluster}>${ports
          .map((p) => `<shard><replica><host>127.0.0.1</host><port>${p.tcp}</port></replica></shard>`)
          .join("")}</${cluster}></remote_servers>`;
  return Promise.all(ports.map((p) => startServer(p, remote)));
}

async function startServer(
  ports: { http: number; tcp: number; inter: number },
  remote: string,
): Promise<ClickHouseServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "reports-clickhouse-"));
  for (const sub of ["data", "tmp", "user_files", "format_schemas"]) await mkdir(path.join(dir, sub));
  await writeFile(
    path.join(dir, "config.xml"),
    `<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.inter}</interserver_http_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  ${remote}
</yandex>
`,
  );
  await writeFile(
    path.join(dir, "users.xml"),
    `<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <reports><password>${PASSWORD}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></reports>
  </users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  const child = spawn(CLICKHOUSE_BINARY, [`--config-file=${dir}/config.xml`], {
    stdio: "ignore",
    detached: false,
  });
  const base = `http://127.0.0.1:${ports.http}`;
  const sql = async (query: string): Promise<string> => {
    const response = await fetch(`${base}/`, { method: "POST", body: query });
    const text = await response.text();
    if (!response.ok) throw new Error(`ClickHouse: ${text.trim()}\n-- ${query.slice(0, 300)}`);
    return text;
  };
  await waitForPing(base, child, dir);
  return {
    http: ports.http,
    tcp: ports.tcp,
    dir,
    url: `http://reports:${PASSWORD}@127.0.0.1:${ports.http}`,
    sql,
    stop: async () => {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(base: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`clickhouse-server exited with ${child.exitCode} (see ${dir}/error.log)`);
    try {
      const response = await fetch(`${base}/ping`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`clickhouse-server did not answer on ${base} within 30 s (see ${dir}/error.log)`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A port nothing listens on now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
