// kube-apiserver's own tracing for tests: the TracingConfiguration file behind --tracing-config-file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** kube-apiserver exports its spans by OTLP over gRPC (plain HTTP/2, no TLS) to a collector. */
export interface ApiServerTracingOptions {
  /** The OTLP gRPC receiver, `host:port` (for example an OpenTelemetry Collector on `127.0.0.1:4317`). */
  endpoint: string;
  /** Requests sampled per million. Defaults to 1000000 (every request): a test wants all of them. */
  samplingRatePerMillion?: number;
}

/**
 * Writes the configuration into `dir` and returns the flag that loads it. Tracing (the APIServerTracing feature)
 * is GA and always on in the Kubernetes version the kit runs (v1.37); the file only says where spans go.
 */
export async function apiServerTracingFlags(dir: string, options: ApiServerTracingOptions): Promise<string[]> {
  const rate = options.samplingRatePerMillion ?? 1_000_000;
  if (!/^[^\s:/]+:\d+$/.test(options.endpoint))
    throw new TypeError(
      `apiServerTracing.endpoint must be host:port (the OTLP gRPC receiver), got "${options.endpoint}"`,
    );
  if (!Number.isInteger(rate) || rate < 0 || rate > 1_000_000)
    throw new RangeError(`apiServerTracing.samplingRatePerMillion must be an integer from 0 to 1000000, got ${rate}`);
  const file = join(dir, 'tracing-config.yaml');
  const config = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'TracingConfiguration',
    endpoint: options.endpoint,
    samplingRatePerMillion: rate,
  };
  // JSON is YAML.
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return [`--tracing-config-file=${file}`];
}
