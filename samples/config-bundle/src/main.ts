// The ConfigBundle operator's entry point.
import { bootstrap } from '@kubeop/core';
import { ConfigBundleHandler } from './config-bundle.handler.js';

await bootstrap({ handlers: [ConfigBundleHandler], name: 'config-bundle-operator', version: '0.1.0' });
