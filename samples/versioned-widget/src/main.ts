// The Widget operator's entry point.
import { bootstrap } from '@kubeop/core';
import { WidgetHandler } from './widget.handler.js';

await bootstrap({ handlers: [WidgetHandler], name: 'versioned-widget-operator', version: '0.1.0' });
