// Metrics registry (names, labels, exact counts), bind addresses, and the /metrics, /healthz, /readyz servers over HTTP.
import { afterEach, describe, expect, it } from '@jest/globals';
import { eventually } from '@kubeop/testing';
import { createServer } from 'node:net';
import { collectDefaultMetrics } from 'prom-client';
import { NOOP_CONTROLLER_METRICS, NOOP_METRICS, OperatorMetrics } from '../src/internal/metrics/metrics.js';
import { PROCESS_METRICS } from '../src/internal/metrics/process-metrics.js';
import { BindError, parseBindAddress, type StartedServer } from '../src/internal/serve/http-server.js';
import { startMetricsServer } from '../src/internal/serve/metrics-server.js';
import { type Check, eventLoopCheck, startProbeServer } from '../src/internal/serve/probes.js';

const W = 'widgets.it.kubeop.dev';

/** The value of one series in exposition text, e.g. `sample(text, 'workqueue_adds_total{name="x",controller="x"}')`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('OperatorMetrics', () => {
  it("exposes controller-runtime's names, help, labels and types, with exact counts", async () => {
    const metrics = new OperatorMetrics();
    const c = metrics.forController(W, { maxConcurrent: 4, handlers: ['@OnDeleted'] });
    for (let i = 0; i < 3; i++) c.reconcileDone('success', 0.02);
    c.reconcileDone('error', 0.5);
    c.reconcileDone('terminal_error', 0.5);
    c.reconcileDone('requeue_after', 0.1);
    c.timeout();
    for (let i = 0; i < 5; i++) c.queueAdd();
    c.workStarted(0.002);
    c.workStarted(0.003);
    c.workDone(0.5);
    c.retry();
    c.retry();
    const now = Date.now();
    c.observe({
      depth: () => 2,
      active: () => 1,
      cacheSize: () => 9,
      inFlight: () => [now - 3000, now - 1000],
      paused: () => 1,
    });
    metrics.leaderStatus('my-lease', true);
    const text = await metrics.text();

    const ctl = `{controller="${W}"}`;
    const wq = `{name="${W}",controller="${W}"}`;
    expect(text).toContain(
      '# HELP controller_runtime_reconcile_total Total number of reconciliations per controller\n# TYPE controller_runtime_reconcile_total counter',
    );
    expect(sample(text, `controller_runtime_reconcile_total{controller="${W}",result="success"}`)).toBe(3);
    expect(sample(text, `controller_runtime_reconcile_total{controller="${W}",result="error"}`)).toBe(2);
    expect(sample(text, `controller_runtime_reconcile_total{controller="${W}",result="requeue"}`)).toBe(0);
    expect(sample(text, `controller_runtime_reconcile_total{controller="${W}",result="requeue_after"}`)).toBe(1);
    expect(sample(text, `controller_runtime_reconcile_errors_total${ctl}`)).toBe(2);
    expect(sample(text, `controller_runtime_terminal_reconcile_errors_total${ctl}`)).toBe(1);
    expect(sample(text, `controller_runtime_reconcile_timeouts_total${ctl}`)).toBe(1);
    expect(text).toContain('# TYPE controller_runtime_reconcile_time_seconds histogram');
    expect(sample(text, `controller_runtime_reconcile_time_seconds_count${ctl}`)).toBe(6);
    expect(sample(text, `controller_runtime_reconcile_time_seconds_bucket{le="0.025",controller="${W}"}`)).toBe(3);
    expect(sample(text, `controller_runtime_reconcile_time_seconds_bucket{le="60",controller="${W}"}`)).toBe(6);
    expect(sample(text, `controller_runtime_max_concurrent_reconciles${ctl}`)).toBe(4);
    expect(sample(text, `controller_runtime_active_workers${ctl}`)).toBe(1);

    expect(sample(text, `workqueue_depth{name="${W}",controller="${W}",priority=""}`)).toBe(2);
    expect(sample(text, `workqueue_adds_total${wq}`)).toBe(5);
    expect(sample(text, `workqueue_retries_total${wq}`)).toBe(2);
    expect(sample(text, `workqueue_queue_duration_seconds_count${wq}`)).toBe(2);
    expect(sample(text, `workqueue_queue_duration_seconds_bucket{le="0.01",name="${W}",controller="${W}"}`)).toBe(2);
    expect(sample(text, `workqueue_work_duration_seconds_count${wq}`)).toBe(1);
    expect(sample(text, `workqueue_unfinished_work_seconds${wq}`)).toBeCloseTo(4, 0);
    expect(sample(text, `workqueue_longest_running_processor_seconds${wq}`)).toBeCloseTo(3, 0);
    expect(text).toContain('# TYPE workqueue_unfinished_work_seconds gauge');
    expect(sample(text, 'leader_election_master_status{name="my-lease"}')).toBe(1);
    expect(sample(text, `kubeop_cache_objects${ctl}`)).toBe(9);
    expect(sample(text, `kubeop_paused_objects${ctl}`)).toBe(1);
    // Handlers named in the options exist at 0 before their first run; Node's process metrics are there.
    expect(sample(text, `kubeop_handler_runs_total{controller="${W}",handler="@OnDeleted",outcome="success"}`)).toBe(0);
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it("exports prom-client's default process metrics but nodejs_gc_duration_seconds", async () => {
    expect(PROCESS_METRICS).toEqual(collectDefaultMetrics.metricsList.filter((name) => name !== 'gc'));
    const text = await new OperatorMetrics().text();
    // What the dashboard of `kubeop manifests` reads.
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('# TYPE nodejs_version_info gauge');
    expect(text).not.toContain('nodejs_gc_duration_seconds');
  });

  it("counts kubeop's own metrics by reason, type, class and outcome", async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    const c = metrics.forController(W);
    c.watchRestart('error');
    c.watchRestart('error');
    c.watchRestart('watchdog');
    c.watchEvent('ADDED');
    c.watchEvent('MODIFIED');
    c.watchEvent('MODIFIED');
    c.bookmark();
    c.statusWrite();
    c.statusWrite();
    c.statusWriteFailure('invalid');
    c.handlerRun('@OnAdded', 'success');
    c.handlerRun('@OnAdded', 'success');
    c.handlerRun('@OnAdded', 'timeout');
    c.handlerRun('@OnModified', 'permanent');
    const text = await metrics.text();
    const series = (name: string, labels: string) => sample(text, `${name}{controller="${W}"${labels}}`);
    expect(series('kubeop_watch_restarts_total', ',reason="error"')).toBe(2);
    expect(series('kubeop_watch_restarts_total', ',reason="watchdog"')).toBe(1);
    expect(series('kubeop_watch_restarts_total', ',reason="gone"')).toBe(0);
    expect(series('kubeop_watch_events_total', ',type="ADDED"')).toBe(1);
    expect(series('kubeop_watch_events_total', ',type="MODIFIED"')).toBe(2);
    expect(series('kubeop_watch_events_total', ',type="DELETED"')).toBe(0);
    expect(series('kubeop_watch_bookmarks_total', '')).toBe(1);
    expect(series('kubeop_status_writes_total', '')).toBe(2);
    expect(series('kubeop_status_write_failures_total', ',class="invalid"')).toBe(1);
    expect(series('kubeop_status_write_failures_total', ',class="transient"')).toBe(0);
    expect(series('kubeop_handler_runs_total', ',handler="@OnAdded",outcome="success"')).toBe(2);
    expect(series('kubeop_handler_runs_total', ',handler="@OnAdded",outcome="timeout"')).toBe(1);
    expect(series('kubeop_handler_runs_total', ',handler="@OnModified",outcome="permanent"')).toBe(1);
    expect(series('kubeop_handler_runs_total', ',handler="@OnModified",outcome="success"')).toBe(0);
    expect(text).not.toContain('process_cpu');
  });

  it("counts API requests as client-go's rest_client_* family, an unanswered one as code <error>", async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    metrics.apiRequest('GET', '10.0.0.1:6443', 200, 0.004);
    metrics.apiRequest('GET', '10.0.0.1:6443', 200, 0.2);
    metrics.apiRequest('PATCH', '10.0.0.1:6443', 422, 0.03);
    metrics.apiRequest('GET', '10.0.0.1:6443', undefined, 3);
    const text = await metrics.text();
    const host = 'host="10.0.0.1:6443"';
    expect(text).toContain('# TYPE rest_client_requests_total counter');
    expect(text).toContain('# TYPE rest_client_request_duration_seconds histogram');
    expect(sample(text, `rest_client_requests_total{code="200",method="GET",${host}}`)).toBe(2);
    expect(sample(text, `rest_client_requests_total{code="422",method="PATCH",${host}}`)).toBe(1);
    expect(sample(text, `rest_client_requests_total{code="<error>",method="GET",${host}}`)).toBe(1);
    expect(sample(text, `rest_client_request_duration_seconds_count{verb="GET",${host}}`)).toBe(3);
    expect(sample(text, `rest_client_request_duration_seconds_bucket{le="0.005",verb="GET",${host}}`)).toBe(1);
    expect(sample(text, `rest_client_request_duration_seconds_bucket{le="4",verb="GET",${host}}`)).toBe(3);
    NOOP_METRICS.apiRequest('GET', 'x', 200, 1);
  });

  it("times every request through --kube-api-qps's bucket as client-go does, and counts those that waited", async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    expect(await metrics.text()).not.toContain('rate_limiter');
    metrics.apiThrottle('GET', '10.0.0.1:6443', 0, false);
    metrics.apiThrottle('GET', '10.0.0.1:6443', 0.3, true);
    metrics.apiThrottle('PATCH', '10.0.0.1:6443', 2, true);
    metrics.apiThrottle('DELETE', '10.0.0.1:6443', 0, false);
    const text = await metrics.text();
    const host = 'host="10.0.0.1:6443"';
    expect(text).toContain('# TYPE rest_client_rate_limiter_duration_seconds histogram');
    expect(sample(text, `rest_client_rate_limiter_duration_seconds_count{verb="GET",${host}}`)).toBe(2);
    expect(sample(text, `rest_client_rate_limiter_duration_seconds_bucket{le="0.005",verb="GET",${host}}`)).toBe(1);
    expect(sample(text, `kubeop_api_throttled_requests_total{verb="GET",${host}}`)).toBe(1);
    expect(sample(text, `kubeop_api_throttled_requests_total{verb="PATCH",${host}}`)).toBe(1);
    // Shown at 0 from a verb's first request, before any of its requests waited.
    expect(sample(text, `kubeop_api_throttled_requests_total{verb="DELETE",${host}}`)).toBe(0);
    NOOP_METRICS.apiThrottle('GET', 'x', 1, true);
  });

  it("counts runs delayed by a class's rateLimit, shown at 0 from the start only for a class that has one", async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    const limited = metrics.forController(W, { rateLimited: true });
    metrics.forController('other.it.kubeop.dev');
    expect(sample(await metrics.text(), `kubeop_rate_limited_runs_total{controller="${W}"}`)).toBe(0);
    limited.rateLimited();
    limited.rateLimited();
    const text = await metrics.text();
    expect(sample(text, `kubeop_rate_limited_runs_total{controller="${W}"}`)).toBe(2);
    expect(text).not.toContain('kubeop_rate_limited_runs_total{controller="other.it.kubeop.dev"}');
    NOOP_CONTROLLER_METRICS.rateLimited();
  });

  it('gives a watched type that is no controller (an owned type) its watch series only', async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    const watch = metrics.forWatch('configmaps');
    expect(metrics.forWatch('configmaps')).toBe(watch);
    watch.watchEvent('ADDED');
    watch.watchRestart('gone');
    const text = await metrics.text();
    expect(sample(text, 'kubeop_watch_events_total{controller="configmaps",type="ADDED"}')).toBe(1);
    expect(sample(text, 'kubeop_watch_restarts_total{controller="configmaps",reason="gone"}')).toBe(1);
    expect(sample(text, 'kubeop_watch_bookmarks_total{controller="configmaps"}')).toBe(0);
    const controllerSeries = text
      .split('\n')
      .filter((line) => line.includes('configmaps') && !line.startsWith('kubeop_watch_'));
    expect(controllerSeries).toEqual([]);
  });

  it('keeps two operators apart, and one name gives one handle', async () => {
    const a = new OperatorMetrics({ processMetrics: false });
    const b = new OperatorMetrics({ processMetrics: false });
    expect(a.forController(W)).toBe(a.forController(W));
    a.forController(W).queueAdd();
    expect(sample(await a.text(), `workqueue_adds_total{name="${W}",controller="${W}"}`)).toBe(1);
    expect(await b.text()).not.toContain(W);
  });

  it('does nothing, cheaply, when turned off', () => {
    const c = NOOP_METRICS.forController(W, { maxConcurrent: 2 });
    expect(c).toBe(NOOP_CONTROLLER_METRICS);
    c.reconcileDone('success', 1);
    c.handlerRun('@OnAdded', 'error');
    c.observe({ depth: () => 1 });
    NOOP_METRICS.leaderStatus('x', true);
  });
});

describe('parseBindAddress', () => {
  const flag = '--metrics-bind-address';
  it.each([
    [':8080', { host: undefined, port: 8080 }],
    ['127.0.0.1:9090', { host: '127.0.0.1', port: 9090 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    [':0', { host: undefined, port: 0 }],
  ])('%s', (address, expected) => expect(parseBindAddress(address, flag)).toEqual(expected));

  it('turns the server off with 0 or nothing', () => {
    expect(parseBindAddress('0', flag)).toBeUndefined();
    expect(parseBindAddress('', flag)).toBeUndefined();
  });

  it.each([
    ['abc', 'no port'],
    ['8080', 'no port'],
    [':99999', 'not a number from 0 to 65535'],
    [':http', 'not a number from 0 to 65535'],
    ['::1:8080', 'must be in brackets'],
    ['[127.0.0.1]:80', 'not an IPv6 address'],
    ['[::1:80', 'unbalanced brackets'],
    ['a b:80', 'not a host name'],
  ])('rejects %s, naming the flag', (address, problem) => {
    let error: unknown;
    try {
      parseBindAddress(address, flag);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BindError);
    expect((error as Error).message).toContain(`--metrics-bind-address ${JSON.stringify(address)}: `);
    expect((error as Error).message).toContain(problem);
  });
});

describe('servers', () => {
  const started: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  const keep = <T extends { close(): unknown } | undefined>(server: T): T => (server && started.push(server), server);
  const get = async (server: StartedServer, path: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };

  it('serves /metrics in the Prometheus text format, and 404 elsewhere', async () => {
    const metrics = new OperatorMetrics({ processMetrics: false });
    metrics.forController(W).queueAdd();
    const server = keep(await startMetricsServer('127.0.0.1:0', metrics.registry))!;
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    const scraped = await get(server, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(scraped.body, `workqueue_adds_total{name="${W}",controller="${W}"}`)).toBe(1);
    expect((await get(server, '/')).status).toBe(404);
    expect((await get(server, '/healthz')).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('starts nothing for 0', async () => {
    expect(await startMetricsServer('0', new OperatorMetrics({ processMetrics: false }).registry)).toBeUndefined();
    expect(await startProbeServer('0')).toBeUndefined();
  });

  it('answers /healthz and /readyz from the named checks', async () => {
    let ready: true | string = 'the first list has not completed';
    const healthz: Check[] = [{ name: 'watch-widgets', check: () => true }];
    const server = keep(
      await startProbeServer(':0', { healthz, readyz: () => [{ name: 'synced', check: () => ready }] }),
    )!;
    expect(server.address).toBe(`:${server.port}`);

    expect(await get(server, '/healthz')).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'ok' });
    expect((await get(server, '/healthz?verbose')).body).toBe(
      '[+]event-loop ok\n[+]watch-widgets ok\nhealthz check passed\n',
    );
    expect(await get(server, '/readyz')).toMatchObject({
      status: 503,
      body: '[-]synced failed: the first list has not completed\nreadyz check failed\n',
    });
    ready = true;
    expect(await get(server, '/readyz')).toMatchObject({ status: 200, body: 'ok' });

    // Checks are read at each request; a failing one fails the probe and names its reason, a throwing one too.
    healthz.push({ name: 'watch-gadgets', check: () => 'the watch made no progress for 400 s' });
    healthz.push({
      name: 'broken',
      check: () => {
        throw new Error('boom');
      },
    });
    expect(await get(server, '/healthz')).toMatchObject({
      status: 503,
      body: '[-]broken failed: threw: boom\n[+]event-loop ok\n[-]watch-gadgets failed: the watch made no progress for 400 s\n[+]watch-widgets ok\nhealthz check failed\n',
    });
    expect(await get(server, '/healthz?exclude=broken&exclude=watch-gadgets&exclude=nope')).toMatchObject({
      status: 200,
      body: 'ok',
    });
    expect((await get(server, '/healthz?exclude=broken&exclude=nope&verbose')).body).toContain(
      '[+]broken excluded: ok\n',
    );
    expect(await get(server, '/healthz/watch-widgets')).toMatchObject({ status: 200, body: 'ok' });
    expect(await get(server, '/healthz/watch-gadgets')).toMatchObject({
      status: 503,
      body: 'watch-gadgets failed: the watch made no progress for 400 s\n',
    });
    expect((await get(server, '/healthz/nope')).status).toBe(404);
    expect((await get(server, '/metrics')).status).toBe(404);
    expect((await get(server, '/')).status).toBe(404);
  });

  it('answers ok on /readyz without checks', async () => {
    const server = keep(await startProbeServer('127.0.0.1:0', { eventLoop: false }))!;
    expect(await get(server, '/readyz')).toMatchObject({ status: 200, body: 'ok' });
    expect((await get(server, '/healthz?verbose')).body).toBe('[+]ping ok\nhealthz check passed\n');
  });

  it('fails with a clear error naming the flag when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    started.push({ close: () => new Promise((resolve) => blocker.close(resolve)) });
    const port = (blocker.address() as { port: number }).port;
    const clash = startProbeServer(`127.0.0.1:${port}`);
    await expect(clash).rejects.toBeInstanceOf(BindError);
    await expect(clash).rejects.toThrow(
      `--health-probe-bind-address "127.0.0.1:${port}": the address is already in use`,
    );
    const metricsClash = startMetricsServer(
      `127.0.0.1:${port}`,
      new OperatorMetrics({ processMetrics: false }).registry,
    );
    await expect(metricsClash).rejects.toThrow(/^--metrics-bind-address ".*": the address is already in use/);
  });

  it('fails naming the flag for an address of no interface here', async () => {
    await expect(
      startMetricsServer('192.0.2.1:0', new OperatorMetrics({ processMetrics: false }).registry),
    ).rejects.toThrow('--metrics-bind-address "192.0.2.1:0": no network interface of this machine has that address');
  });
});

describe('eventLoopCheck', () => {
  const block = (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until);
  };

  it('passes while the loop runs, fails while and shortly after it was blocked', async () => {
    // Wide margins: a loaded machine (a soak test beside) must not stall the loop past them by itself.
    const check = eventLoopCheck({ maxDelayMs: 400, windowMs: 1000, intervalMs: 20 });
    try {
      await eventually(() => check.check() === true, 'a healthy loop', 10_000);
      block(800);
      expect(check.check()).toMatch(/^timers run \d\.\d s late: the event loop is blocked$/);
      await new Promise((r) => setTimeout(r, 50));
      expect(check.check()).toMatch(/^the event loop was blocked for \d\.\d s, 0\.\d s ago$/);
      // Healthy again once the block left the window.
      await eventually(() => check.check() === true, 'the check to pass again', 10_000);
    } finally {
      check.stop();
    }
  });
});
