// The operator process of bench/webhook.js: serves the Gauges webhooks; its flags come from the command line.
import { bootstrap } from '@kubeop/core';
import { Gauges } from './webhook-handler.js';

await bootstrap({ handlers: [Gauges], name: 'bench-webhook' });
