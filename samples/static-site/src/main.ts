// The StaticSite operator's entry point.
import { bootstrap } from '@kubeop/core';
import { StaticSiteHandler } from './static-site.handler.js';

await bootstrap({ handlers: [StaticSiteHandler], name: 'static-site-operator', version: '0.1.0' });
