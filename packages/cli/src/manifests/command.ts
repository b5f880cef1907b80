// `kubeop manifests`: prints (or writes to one file, or a folder with a kustomization.yaml) what installs the operator.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CommandModule } from 'yargs';
import { parse } from 'yaml';
import { describeHandlerClass } from '@kubeop/core/tooling';
import { CliError } from '../errors.js';
import { generatedCrds } from './generated-crds.js';
import { loadHandlerClasses } from './load-handlers.js';
import { type Manifest, operatorManifests } from './manifests.js';
import type { PolicyRule } from './rbac.js';
import { toYaml } from './yaml.js';
import { hasWebhooks } from './webhook-manifests.js';
import { alertRulesFile, dashboardJson } from '../monitoring/monitoring-manifests.js';

interface ManifestArgs {
  modules: string[];
  name?: string;
  image: string;
  'operator-namespace'?: string;
  namespace?: string;
  replicas?: number;
  'leader-elect': boolean;
  'create-crd': boolean;
  'update-crd': boolean;
  'crd-dir'?: string;
  'create-namespace': boolean;
  rules?: string;
  out?: string;
  'cert-manager': boolean;
  monitoring: boolean;
  dashboard: boolean;
  alerts: boolean;
  'pod-monitor': boolean;
  'dashboard-out'?: string;
  'alerts-out'?: string;
  'monitoring-label'?: string[];
  'metrics-job'?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

export const manifestsCommand: CommandModule<object, ManifestArgs> = {
  command: 'manifests <modules..>',
  describe:
    'Print the CRDs, ServiceAccount, least-privilege RBAC and Deployment of the handler classes the compiled modules export',
  builder: (yargs) =>
    yargs
      .positional('modules', {
        type: 'string',
        array: true,
        demandOption: true,
        describe:
          'The compiled entry script that calls bootstrap() (dist/main.js; it is loaded, not run), or compiled modules exporting handler classes',
      })
      .option('name', { type: 'string', describe: 'Operator name (default: package.json name without its scope)' })
      .option('image', { type: 'string', demandOption: true, describe: 'Container image of the operator' })
      .option('operator-namespace', {
        type: 'string',
        describe: 'Namespace the operator runs in (default: <name>-system)',
      })
      .option('create-namespace', {
        type: 'boolean',
        default: true,
        describe: 'Emit the operator namespace first (--no-create-namespace for one that exists already)',
      })
      .option('namespace', {
        type: 'string',
        alias: 'n',
        describe: 'Watch one namespace (a Role there instead of a ClusterRole)',
      })
      .option('replicas', { type: 'number', describe: 'Replicas (default: 2 with leader election, else 1)' })
      .option('leader-elect', { type: 'boolean', default: true, describe: 'Run replicas behind a Lease' })
      .option('create-crd', {
        type: 'boolean',
        default: false,
        describe: 'Let the operator create its CRDs (adds the RBAC for it)',
      })
      .option('update-crd', {
        type: 'boolean',
        default: false,
        describe: 'Let the operator update its CRDs (adds the RBAC for it)',
      })
      .option('crd-dir', {
        type: 'string',
        describe: 'Folder of the CRDs kubeop crd --out generated (default: crds beside the first module)',
      })
      .option('rules', {
        type: 'string',
        describe:
          'A YAML or JSON file of RBAC rules for what the handlers do themselves (this.client), added to the role',
      })
      .option('cert-manager', {
        type: 'boolean',
        default: false,
        describe:
          "Webhook certificates from cert-manager (a Certificate, an Issuer and the inject-ca-from annotation) instead of the operator's self-managed Secret",
      })
      .option('monitoring', {
        type: 'boolean',
        default: false,
        describe: 'Add the PodMonitor, the Grafana dashboard and the alert rules (--pod-monitor --dashboard --alerts)',
      })
      .option('pod-monitor', {
        type: 'boolean',
        default: false,
        describe: 'Add a PodMonitor scraping the metrics port, its job named after the operator',
      })
      .option('dashboard', {
        type: 'boolean',
        default: false,
        describe: 'Add the Grafana dashboard as a ConfigMap labelled grafana_dashboard: "1" (for the Grafana sidecar)',
      })
      .option('alerts', {
        type: 'boolean',
        default: false,
        describe: 'Add the Prometheus alert rules as a PrometheusRule',
      })
      .option('monitoring-label', {
        type: 'string',
        array: true,
        describe:
          'key=value label on the PodMonitor, ConfigMap and PrometheusRule (kube-prometheus-stack selects them by release=<its release>)',
      })
      .option('metrics-job', {
        type: 'string',
        describe: "The job label of the operator's targets in Prometheus, for the alerts (default: the operator name)",
      })
      .option('dashboard-out', {
        type: 'string',
        describe: 'Also write the dashboard as a JSON file for Grafana to import',
      })
      .option('alerts-out', {
        type: 'string',
        describe: 'Also write the alert rules as a Prometheus rules file (YAML)',
      })
      .option('out', {
        type: 'string',
        describe:
          'Write to this .yaml (or .yml) file instead of printing; any other name is a folder for one file per object and a kustomization.yaml',
      }),
  handler: async (args) => {
    const name = args.name ?? (await packageName());
    for (const [flag, value] of [
      ['--name', name],
      ['--operator-namespace', args['operator-namespace']],
      ['--namespace', args.namespace],
    ] as const) {
      if (value !== undefined && !DNS_LABEL.test(value))
        throw new CliError(`${flag} "${value}" is not a DNS label (lower case letters, digits and '-', at most 63)`, 2);
    }
    const replicas = args.replicas ?? (args['leader-elect'] ? 2 : 1);
    if (!Number.isInteger(replicas) || replicas < 1)
      throw new CliError(`--replicas ${args.replicas} is not a whole number >= 1`, 2);
    if (replicas > 1 && !args['leader-elect'])
      throw new CliError(
        `--replicas ${replicas} without --leader-elect would handle every object ${replicas} times`,
        2,
      );
    const labels = monitoringLabels(args['monitoring-label'] ?? []);
    const monitored = args.monitoring || args['pod-monitor'] || args.dashboard || args.alerts;
    // A label on nothing: the user expects a PodMonitor or rules their Prometheus selects, and would get none.
    if (Object.keys(labels).length && !monitored)
      throw new CliError(
        '--monitoring-label labels the PodMonitor, dashboard and alert rules, and none is asked for: ' +
          'add --monitoring (or --pod-monitor, --dashboard, --alerts)',
        2,
      );
    if (args['metrics-job'] === '') throw new CliError('--metrics-job is empty: give the job label of the targets', 2);
    const descriptions = (await loadHandlerClasses(args.modules)).map((handler) => describeHandlerClass(handler));
    const all = args.monitoring;
    const job = args['metrics-job'] ?? name;
    const manifests = operatorManifests(descriptions, {
      name,
      operatorNamespace: args['operator-namespace'] ?? `${name}-system`,
      createNamespace: args['create-namespace'],
      image: args.image,
      replicas,
      leaderElect: args['leader-elect'],
      watchNamespace: args.namespace,
      createCrd: args['create-crd'],
      updateCrd: args['update-crd'],
      crdFor: generatedCrds(args.modules, args['crd-dir'], args['update-crd']),
      extraRules: args.rules ? await readRules(args.rules) : [],
      certManager: args['cert-manager'],
      monitoring: {
        podMonitor: all || args['pod-monitor'],
        dashboard: all || args.dashboard,
        alerts: all || args.alerts,
        labels,
        job,
      },
    });
    if (args['dashboard-out']) await writeText(args['dashboard-out'], dashboardJson(name), 'the dashboard');
    if (args['alerts-out']) {
      const rules = alertRulesFile({
        name,
        job,
        leaderElect: args['leader-elect'],
        webhooks: hasWebhooks(descriptions),
      });
      await writeText(args['alerts-out'], toYaml(rules), `${rules.groups[0]!.rules.length} alert rules`);
    }
    if (!args.out) process.stdout.write(manifests.map(toYaml).join('---\n'));
    else if (/\.ya?ml$/.test(args.out)) await writeFileOf(args.out, manifests);
    else await writeFolder(args.out, manifests);
  },
};

/** A list of RBAC rules, each with apiGroups, resources and verbs; a wildcard is refused, as kubeop grants none. */
async function readRules(file: string): Promise<PolicyRule[]> {
  let rules: unknown;
  try {
    rules = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--rules ${file}: ${(error as Error).message}`, 2);
  }
  if (!Array.isArray(rules))
    throw new CliError(`--rules ${file}: expected a list of rules ({ apiGroups, resources, verbs })`, 2);
  rules.forEach((rule: Partial<PolicyRule>, index) => {
    for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
      const value = rule?.[field];
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        throw new CliError(`--rules ${file}: rule ${index + 1} needs ${field}, a list of strings`, 2);
      }
      if (value.includes('*'))
        throw new CliError(`--rules ${file}: rule ${index + 1} has '*' in ${field}; name what the handlers use`, 2);
    }
  });
  return rules as PolicyRule[];
}

/** `--monitoring-label key=value`, each key a label name Kubernetes accepts. */
function monitoringLabels(pairs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const [key, value] = at < 0 ? [pair, undefined] : [pair.slice(0, at), pair.slice(at + 1)];
    if (value === undefined || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value))
      throw new CliError(
        `--monitoring-label "${pair}" is not key=value with a Kubernetes label key and value (e.g. release=kube-prometheus-stack)`,
        2,
      );
    labels[key] = value;
  }
  return labels;
}

/** Writes one file (its folder made first) and says on stderr what went there. */
async function writeText(file: string, text: string, what: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  process.stderr.write(`wrote ${what} to ${file}\n`);
}

async function packageName(): Promise<string> {
  let json: { name?: string };
  try {
    json = JSON.parse(await readFile('package.json', 'utf8')) as { name?: string };
  } catch (error) {
    throw new CliError(
      `give --name: no readable package.json here to take the name from (${(error as Error).message})`,
      2,
    );
  }
  const name = json.name?.replace(/^@[^/]+\//, '');
  if (!name) throw new CliError('give --name: package.json has no name', 2);
  return name;
}

/** One file of every manifest, for kubectl apply -f: what `npm run manifests` can write without npm's banner in it. */
async function writeFileOf(file: string, manifests: Manifest[]): Promise<void> {
  await writeText(file, manifests.map(toYaml).join('---\n'), `${manifests.length} manifests`);
}

async function writeFolder(folder: string, manifests: Manifest[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  const files = manifests.map(
    (manifest) => `${manifest.kind.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}-${manifest.metadata.name}.yaml`,
  );
  await Promise.all(manifests.map((manifest, i) => writeFile(join(folder, files[i]!), toYaml(manifest))));
  await writeFile(
    join(folder, 'kustomization.yaml'),
    toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files }),
  );
  process.stderr.write(`wrote ${files.length} manifests and kustomization.yaml to ${folder}\n`);
}
