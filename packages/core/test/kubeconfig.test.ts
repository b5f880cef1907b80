// kubeop's own kubeconfig loader: files and KUBECONFIG merged as kubectl merges them, contexts, relative paths,
// in-cluster service accounts, token files and exec plugins, and errors that name the file and the entry.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, request as httpRequest, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiServerAuth } from '../src/kube/auth.js';
import { KubeClient } from '../src/kube/client.js';
import { toClientNodeKubeConfig } from '../src/kube/client-node.js';
import { KubeConfigError, loadKubeConfig } from '../src/kube/config.js';
import { parseKubeConfig } from '../src/kube/kubeconfig.js';
import { execPlugin } from './support/exec-plugin.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubeop-kubeconfig-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A kubeconfig file with one cluster, user and context each (named after `name`), and the given current context. */
async function kubeconfigFile(
  name: string,
  options: {
    current?: string;
    server?: string;
    user?: Record<string, unknown>;
    cluster?: Record<string, unknown>;
  } = {},
): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  const cluster = { server: options.server ?? `https://${name}.example:6443`, ...options.cluster };
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster }],
      users: [{ name: `${name}-user`, user: options.user ?? { token: `${name}-token` } }],
      contexts: [{ name, context: { cluster: name, user: `${name}-user`, namespace: `${name}-ns` } }],
      ...(options.current === undefined ? {} : { 'current-context': options.current }),
    }),
  );
  return file;
}

describe('parseKubeConfig', () => {
  it("reads clusters, users and contexts with client-node's field names", () => {
    const config = parseKubeConfig(
      [
        'apiVersion: v1',
        'clusters:',
        '- name: c',
        '  cluster:',
        '    server: https://k8s.example:6443/',
        '    certificate-authority-data: Q0E=',
        '    insecure-skip-tls-verify: true',
        '    tls-server-name: api.internal',
        '    proxy-url: socks5://proxy:1080',
        'users:',
        '- name: u',
        '  user:',
        '    client-certificate-data: Q0VSVA==',
        '    client-key-data: S0VZ',
        '    username: jane',
        '    password: secret',
        '    as: admin',
        '- name: anonymous',
        'contexts:',
        '- name: ctx',
        '  context: {cluster: c, user: u, namespace: team}',
        'current-context: ctx',
      ].join('\n'),
    );
    expect(config.getCurrentCluster()).toEqual({
      name: 'c',
      server: 'https://k8s.example:6443',
      caData: 'Q0E=',
      caFile: undefined,
      skipTLSVerify: true,
      tlsServerName: 'api.internal',
      proxyUrl: 'socks5://proxy:1080',
    });
    expect(config.getCurrentUser()).toMatchObject({
      name: 'u',
      certData: 'Q0VSVA==',
      keyData: 'S0VZ',
      username: 'jane',
      password: 'secret',
      impersonateUser: 'admin',
    });
    expect(config.users[1]).toMatchObject({ name: 'anonymous', token: undefined, exec: undefined });
    expect(config.getContextObject('ctx')).toEqual({ name: 'ctx', cluster: 'c', user: 'u', namespace: 'team' });
  });

  it("resolves relative paths against the file's folder: certificates, token files, an exec command with a slash", () => {
    const config = parseKubeConfig(
      [
        'clusters: [{name: c, cluster: {server: "https://k", certificate-authority: ca.crt}}]',
        'users:',
        '- name: u',
        '  user: {client-certificate: certs/u.crt, client-key: /abs/u.key, token-file: token}',
        '- name: e',
        '  user: {exec: {command: ./bin/login, args: [x]}}',
        '- name: p',
        '  user: {exec: {command: gke-gcloud-auth-plugin}}',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
      '/home/jane/.kube/config',
    );
    expect(config.getCurrentCluster()?.caFile).toBe('/home/jane/.kube/ca.crt');
    expect(config.users[0]).toMatchObject({
      certFile: '/home/jane/.kube/certs/u.crt',
      keyFile: '/abs/u.key',
      authProvider: { name: 'tokenFile', config: { tokenFile: '/home/jane/.kube/token' } },
    });
    expect(config.users[1]!.exec).toEqual({ command: '/home/jane/.kube/bin/login', args: ['x'] });
    // A bare command name is looked up on PATH, not in the folder.
    expect(config.users[2]!.exec).toEqual({ command: 'gke-gcloud-auth-plugin' });
  });

  it.each([
    ['', 'it is empty'],
    ['- a\n- b', 'it is not a mapping'],
    ['clusters: {a: 1}', 'clusters is not a list'],
    ['clusters: [{cluster: {server: x}}]', 'clusters[0].name is missing'],
    ['clusters: [{name: a}]', 'clusters[0].cluster is missing'],
    ['clusters: [{name: a, cluster: {}}]', 'clusters[0].cluster.server is missing'],
    ['users: [{user: {token: t}}]', 'users[0].name is missing'],
    ['contexts: [{name: a, context: {user: u}}]', 'contexts[0].context.cluster is missing'],
    ['clusters: [ {name:\n', 'it is not YAML: '],
  ])('names what is wrong in %j', (text, message) => {
    expect(() => parseKubeConfig(text)).toThrow(message);
  });
});

describe('loadKubeConfig', () => {
  it('merges the files of KUBECONFIG as kubectl does: the first to define a name or a current context wins', async () => {
    const first = await kubeconfigFile('first');
    const second = await kubeconfigFile('second', { current: 'second' });
    const shadow = join(dir, 'shadow.yaml');
    await writeFile(
      shadow,
      'clusters: [{name: first, cluster: {server: "https://shadow:1"}}]\ncurrent-context: first\n' +
        'contexts: [{name: first, context: {cluster: first, user: nobody}}]',
    );
    const merged = loadKubeConfig({
      env: { KUBECONFIG: [first, join(dir, 'absent.yaml'), second, shadow].join(delimiter) },
    });
    // The first file names no current context; the second does.
    expect(merged.getCurrentContext()).toBe('second');
    expect(merged.getCurrentCluster()?.server).toBe('https://second.example:6443');
    expect(merged.getContexts().map((c) => c.name)).toEqual(['first', 'second']);
    expect(merged.clusters.find((c) => c.name === 'first')?.server).toBe('https://first.example:6443');
    const switched = loadKubeConfig({ env: { KUBECONFIG: [first, second].join(delimiter) }, context: 'first' });
    expect(switched.getCurrentUser()).toMatchObject({ name: 'first-user', token: 'first-token' });
  });

  it('takes --kubeconfig over KUBECONFIG, and ~/.kube/config when neither is given', async () => {
    const flag = await kubeconfigFile('flag', { current: 'flag' });
    const env = await kubeconfigFile('env', { current: 'env' });
    expect(loadKubeConfig({ kubeconfig: flag, env: { KUBECONFIG: env } }).getCurrentContext()).toBe('flag');
    const home = join(dir, 'home');
    await mkdir(join(home, '.kube'), { recursive: true });
    await writeFile(
      join(home, '.kube', 'config'),
      'clusters: [{name: h, cluster: {server: "https://home:1"}}]\n' +
        'contexts: [{name: h, context: {cluster: h, user: none}}]\ncurrent-context: h\n',
    );
    expect(loadKubeConfig({ env: { HOME: home } }).getCurrentCluster()?.server).toBe('https://home:1');
  });

  it("builds the pod's service-account configuration in a cluster: server, CA file, namespace and token file", async () => {
    const account = join(dir, 'serviceaccount');
    await mkdir(account, { recursive: true });
    await writeFile(join(account, 'token'), 'pod-token');
    await writeFile(join(account, 'namespace'), 'operators\n');
    const config = loadKubeConfig({
      env: { HOME: join(dir, 'nobody'), KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
      serviceAccountDir: account,
    });
    expect(config.getCurrentCluster()).toEqual({
      name: 'inCluster',
      server: 'https://[fd00::1]:443',
      caFile: join(account, 'ca.crt'),
      skipTLSVerify: false,
    });
    expect(config.getContextObject(config.getCurrentContext())?.namespace).toBe('operators');
    expect(config.getCurrentUser()?.authProvider).toEqual({
      name: 'tokenFile',
      config: { tokenFile: join(account, 'token') },
    });
  });

  it.each([
    [{ kubeconfig: '/nowhere/config' }, 'The kubeconfig file /nowhere/config (from --kubeconfig) does not exist.'],
    [{ env: { HOME: '/nowhere' } }, 'No Kubernetes configuration found'],
  ])('says what is missing: %j', (source, message) => {
    expect(() => loadKubeConfig(source)).toThrow(message);
  });

  it('names the file and the entry of a broken kubeconfig, an unknown context and a dangling current context', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'users: [{user: {token: t}}]');
    expect(() => loadKubeConfig({ kubeconfig: broken })).toThrow(
      `The kubeconfig file ${broken} (from --kubeconfig) cannot be used: users[0].name is missing.`,
    );
    const file = await kubeconfigFile('known', { current: 'known' });
    const error = (() => {
      try {
        loadKubeConfig({ kubeconfig: file, context: 'other' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toBe('The context "other" is not in the kubeconfig; known contexts: known.');
    const dangling = join(dir, 'dangling.yaml');
    await writeFile(dangling, 'contexts: [{name: d, context: {cluster: gone, user: u}}]\ncurrent-context: d');
    expect(() => loadKubeConfig({ kubeconfig: dangling })).toThrow(
      `The kubeconfig ${dangling} (from --kubeconfig): its context "d" names the cluster "gone", which it does not define`,
    );
    const none = await kubeconfigFile('none');
    expect(() => loadKubeConfig({ kubeconfig: none })).toThrow('has no current context with a cluster');
  });
});

describe('a loaded kubeconfig in use', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response) => {
      seen.push(request.headers.authorization ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: request.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends the token of a relative token-file, under the path prefix of the server', async () => {
    const folder = join(dir, 'relative');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'token'), 'from-file\n');
    const file = await kubeconfigFile('relative/config', {
      current: 'relative/config',
      server: `${url}/prefix/`,
      cluster: { 'insecure-skip-tls-verify': true },
      user: { 'token-file': 'token' },
    });
    const client = new KubeClient(loadKubeConfig({ kubeconfig: file }));
    try {
      seen.length = 0;
      expect(
        await client.request('GET', '/api/v1/namespaces', { query: { labelSelector: 'a in (b,c)', x: undefined } }),
      ).toEqual({ path: '/prefix/api/v1/namespaces?labelSelector=a%20in%20(b%2Cc)' });
      expect(seen).toEqual(['Bearer from-file']);
    } finally {
      await client.close();
    }
  });

  it("goes through the cluster's proxy-url", async () => {
    const proxied: string[] = [];
    // A forwarding proxy: CONNECT tunnels, and absolute-form requests forwarded as they are.
    const proxy = createServer((request, response) => {
      proxied.push(`${request.method} ${request.url}`);
      const target = new URL(request.url!);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: request.method,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
    });
    proxy.on('connect', (request: IncomingMessage, socket: Socket) => {
      proxied.push(`CONNECT ${request.url}`);
      const [host, port] = request.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const file = await kubeconfigFile('proxied', {
      current: 'proxied',
      server: url,
      cluster: {
        'insecure-skip-tls-verify': true,
        'proxy-url': `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
      },
      user: { token: 'through-proxy' },
    });
    const client = new KubeClient(loadKubeConfig({ kubeconfig: file }));
    try {
      seen.length = 0;
      expect(await client.request('GET', '/api/v1/pods')).toEqual({ path: '/api/v1/pods' });
      expect(seen).toEqual(['Bearer through-proxy']);
      expect(proxied).toHaveLength(1);
      expect(proxied[0]).toMatch(new RegExp(`^(CONNECT 127.0.0.1:\\d+|GET ${url}/api/v1/pods)$`));
    } finally {
      await client.close();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('names a server that is no URL', () => {
    const config = parseKubeConfig(
      'clusters: [{name: c, cluster: {server: "k8s.example:6443"}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x',
    );
    expect(() => new ApiServerAuth(config)).toThrow(KubeConfigError);
    expect(() => new ApiServerAuth(config)).toThrow(
      'The server of cluster "c" is not an https:// URL: k8s.example:6443',
    );
  });

  it('runs an exec plugin of a loaded kubeconfig once per credential lifetime', async () => {
    const plugin = await execPlugin(dir, 'loaded', {
      token: 'exec-token',
      expirationTimestamp: '2999-01-01T00:00:00Z',
    });
    const file = await kubeconfigFile('exec', { current: 'exec', user: { exec: plugin.exec } });
    const auth = new ApiServerAuth(loadKubeConfig({ kubeconfig: file }));
    for (let i = 0; i < 5; i++) expect((await auth.credential()).headers.authorization).toBe('Bearer exec-token');
    expect(plugin.runs()).toBe(1);
  });

  it('becomes a client-node KubeConfig with the same contexts for this.kubeConfig, loaded only then', async () => {
    const file = await kubeconfigFile('bridge', { current: 'bridge' });
    const clientNode = await import('@kubernetes/client-node');
    const kubeConfig = toClientNodeKubeConfig(clientNode, loadKubeConfig({ kubeconfig: file }));
    expect(kubeConfig).toBeInstanceOf(clientNode.KubeConfig);
    expect(kubeConfig.getCurrentContext()).toBe('bridge');
    expect(kubeConfig.getCurrentCluster()?.server).toBe('https://bridge.example:6443');
    expect(kubeConfig.getCurrentUser()?.token).toBe('bridge-token');
    expect(kubeConfig.getContextObject('bridge')?.namespace).toBe('bridge-ns');
    // One already of client-node is used as it is.
    expect(toClientNodeKubeConfig(clientNode, kubeConfig)).toBe(kubeConfig);
  });
});
